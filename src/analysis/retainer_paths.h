// Shortest retainer paths: how an object is reached from the user roots (`global` in Node), or,
// when nothing the user owns reaches it, from the GC roots. Paths follow the same BFS as
// DevTools' distances, so a path's length is the object's distance; weak edges are never used.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/distances.h"
#include "heap/heap_graph.h"
#include "heap/retainers.h"

namespace leakscope {

struct PathStep {
  uint32_t node = 0;
  uint64_t edge = kNoEdge;  // the edge from the previous step's node (kNoEdge for the first)
};

struct RetainerPath {
  std::vector<PathStep> steps;  // from a root to the object
  bool from_user_root = false;  // false: only GC roots reach the object
};

// Up to `k` shortest paths to `target`, each ending with a different retaining edge: the BFS path
// first, then through the other non-weak retainers in order of their distance. Empty when no
// path exists. `distances` must have parent edges recorded.
std::vector<RetainerPath> retainer_paths(const HeapGraph& graph, const Distances& distances,
                                         const Retainers& retainers, uint32_t target, uint32_t k);

// The BFS path to `node` alone (no retainers index needed).
RetainerPath shortest_path(const HeapGraph& graph, const Distances& distances, uint32_t node);

}  // namespace leakscope
