// The shortest retaining path from the root to given nodes: a breadth-first search over strong
// edges (weak edges retain nothing), iterative, one pass for all targets. Paths through the
// application's roots (the global objects) are preferred over paths through V8's internal roots.
#pragma once

#include <cstdint>
#include <vector>

#include "heap/heap_graph.h"

namespace leakscope {

inline constexpr uint32_t kUnreached = UINT32_MAX;
// Added to the distance of nodes that only V8's internal roots reach (DevTools does the same).
inline constexpr uint32_t kSystemDistance = 100000000;

struct RootDistances {
  std::vector<uint32_t> distance;     // edges from the root; kUnreached when not strongly reachable
  std::vector<uint64_t> parent_edge;  // the edge that first reached the node (UINT64_MAX for root)
  std::vector<uint32_t> parent_node;  // its owner
};

RootDistances distances_from_root(const HeapGraph& graph);

struct PathStep {
  uint32_t node = 0;
  uint64_t edge = UINT64_MAX;  // edge from the previous step's node; UINT64_MAX for the root
};

// Root first, target last; empty when the target is not strongly reachable.
std::vector<PathStep> path_from_root(const RootDistances& d, uint32_t target);

}  // namespace leakscope
