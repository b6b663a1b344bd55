// The Summary's per-class Retained Size and Distance columns, as DevTools computes them.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/census.h"
#include "analysis/class_index.h"
#include "analysis/distances.h"
#include "analysis/dominators.h"
#include "heap/heap_graph.h"

namespace leakscope {

// Retained size per class: the sum of the retained sizes of the instances (with a non-zero self
// size) that are not inside the dominator subtree of another such instance of the same class,
// so nested instances are not counted twice. `tree` must have its dominated children built.
// node_class: class ordinal per node (one class per DevTools class key).
std::vector<uint64_t> class_retained_sizes(const DominatorTree& tree,
                                           const std::vector<uint32_t>& node_class,
                                           uint32_t class_count,
                                           const BigVector<uint64_t>& self_sizes, uint32_t root);

// Minimum distance per class over the instances with a non-zero self size (kNoDistance-style
// negative values included, as DevTools takes the plain minimum); INT32_MAX for a class without
// such instances.
std::vector<int32_t> class_min_distances(const std::vector<int32_t>& distances,
                                         const std::vector<uint32_t>& node_class,
                                         uint32_t class_count,
                                         const BigVector<uint64_t>& self_sizes);

// Fills the Retained Size (when `tree` is given; it must have its dominated children) and the
// Distance (when `distances` is given) of every census row.
void add_retention_columns(Census& census, const ClassIndex& classes,
                           const BigVector<uint64_t>& self_sizes, uint32_t root,
                           const DominatorTree* tree, const Distances* distances);

}  // namespace leakscope
