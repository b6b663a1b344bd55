// All instances of a class, grouped by how they are retained: `path --class Promise` on 62,000
// leaking promises must say that 60,000 of them hang off one never-settling promise's reaction
// list, not show Promise.prototype because it is the closest instance. The grouping key is a
// function of the node (the leak finder's normalized retainer path, path_keys.h), so the groups
// are the clusters `leaks` would form.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "analysis/distances.h"
#include "analysis/dominators.h"
#include "heap/heap_graph.h"

namespace leakscope {

struct InstanceGroup {
  uint64_t key = 0;
  uint64_t count = 0;
  // What the group keeps alive: the retained sizes of its members, each counted once (a member
  // dominated by another member of the group is inside that member's retained size already).
  uint64_t retained = 0;
  uint32_t representative = 0;  // the member closest to the user roots, then the lowest id
};

// Groups of `instances` by key_of(node), largest count first (then retained size, then key).
// Unreachable instances (no BFS path) are left out: they have no retainer path to group by.
std::vector<InstanceGroup> group_instances(const HeapGraph& graph, const Distances& distances,
                                           const DominatorTree& tree,
                                           const std::vector<uint32_t>& instances,
                                           const std::function<uint64_t(uint32_t)>& key_of);

}  // namespace leakscope
