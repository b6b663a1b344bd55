// The class census (DevTools' Summary view): one row per class key with the instance count and
// the shallow size, over instances whose (re-attributed) self size is not zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/class_index.h"
#include "heap/heap_graph.h"

namespace leakscope {

struct ClassRow {
  uint32_t class_id = 0;  // ordinal in ClassIndex::classes
  uint64_t count = 0;
  uint64_t shallow_size = 0;
  std::optional<uint64_t> retained_size;  // filled when dominators were computed
  std::optional<int64_t> distance;  // minimum distance of the instances, when computed (DevTools'
                                    // values: 1.. from user roots, >= 1e8 system, -5 never reached)
};

struct Census {
  std::vector<ClassRow> rows;  // one per class that has a non-zero-size instance
};

// Whether a node counts as an instance of its class: DevTools' Summary leaves out the nodes whose
// self size, after attribute_shallow_sizes(), is 0 (internal storage charged to its owner). Every
// per-class count (the census, the leak finder's counts per snapshot) filters on this, and on
// the re-attributed size, never V8's own: else "(array)" and "(system)" counts of two snapshots
// would be taken by two rules.
inline bool counted_in_summary(uint64_t reattributed_self_size) {
  return reattributed_self_size != 0;
}

// Instances per class key (not ordinal, so that snapshots classified apart can be compared), by
// counted_in_summary(). self_sizes: per node, after attribute_shallow_sizes().
std::unordered_map<std::string, uint64_t> counts_by_class_key(
    const ClassIndex& classes, const BigVector<uint64_t>& self_sizes);

// self_sizes: per node, after attribute_shallow_sizes().
Census take_census(const HeapGraph& graph, const ClassIndex& classes,
                   const BigVector<uint64_t>& self_sizes);

}  // namespace leakscope
