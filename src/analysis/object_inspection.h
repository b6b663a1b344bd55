// One object as DevTools' panes show it: its own sizes and distance, what it points to (with each
// target's retained size), and who points to it (its retainers, closest to the roots first).
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/distances.h"
#include "analysis/dominators.h"
#include "heap/heap_graph.h"
#include "heap/retainers.h"

namespace leakscope {

struct Retainer {
  uint32_t node;
  uint64_t edge;
};

struct ObjectInspection {
  uint32_t node = 0;
  uint64_t self_size = 0;      // re-attributed, as DevTools shows it
  uint64_t raw_self_size = 0;  // as V8 wrote it
  uint64_t retained_size = 0;
  int32_t distance = kNoDistance;
  uint32_t dominator = 0;
  std::vector<uint64_t> edges;      // outgoing, in snapshot order
  std::vector<Retainer> retainers;  // by distance (user-reachable first), then edge order
  uint64_t hidden_retainers = 0;    // weak ones and the root's, which DevTools does not list
};

ObjectInspection inspect_object(const HeapGraph& graph, const BigVector<uint64_t>& self_sizes,
                                const DominatorTree& tree, const Distances& distances,
                                const Retainers& retainers, uint32_t node);

}  // namespace leakscope
