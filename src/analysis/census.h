// The class census (DevTools' Summary view): one row per class key with the instance count and
// the shallow size, over instances whose (re-attributed) self size is not zero.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
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

// self_sizes: per node, after attribute_shallow_sizes().
Census take_census(const HeapGraph& graph, const ClassIndex& classes,
                   const BigVector<uint64_t>& self_sizes);

}  // namespace leakscope
