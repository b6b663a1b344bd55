#include "analysis/class_retained.h"

#include <climits>
#include <stdexcept>

namespace leakscope {

std::vector<uint64_t> class_retained_sizes(const DominatorTree& tree,
                                           const std::vector<uint32_t>& node_class,
                                           uint32_t class_count,
                                           const BigVector<uint64_t>& self_sizes, uint32_t root) {
  if (tree.idom.size() >= 0x80000000U) {
    throw std::length_error("class_retained_sizes: more than 2^31 nodes");
  }
  if (!tree.has_children()) {
    throw std::invalid_argument("class_retained_sizes: dominated children were not built");
  }
  std::vector<uint64_t> result(class_count, 0);
  if (tree.idom.empty()) return result;
  // How many counted instances of each class are open on the current dominator-tree path.
  std::vector<uint32_t> open(class_count, 0);
  // Iterative DFS over the dominator tree; an entry with the top bit set closes its node.
  constexpr uint32_t kClose = 0x80000000U;
  BigVector<uint32_t> stack;
  stack.push_back(root);
  while (!stack.empty()) {
    const uint32_t entry = stack.back();
    stack.pop_back();
    if (entry & kClose) {
      --open[node_class[entry & ~kClose]];
      continue;
    }
    const uint32_t node = entry;
    const uint32_t begin = tree.first_child[node];
    const uint32_t end = tree.first_child[node + 1];
    const uint32_t cls = node_class[node];
    if (self_sizes[node] != 0 && open[cls] == 0) {
      result[cls] += tree.retained[node];
      if (begin != end) {
        ++open[cls];
        stack.push_back(node | kClose);
      }
    }
    for (uint32_t i = begin; i < end; ++i) stack.push_back(tree.children[i]);
  }
  return result;
}

std::vector<int32_t> class_min_distances(const BigVector<int32_t>& distances,
                                         const std::vector<uint32_t>& node_class,
                                         uint32_t class_count,
                                         const BigVector<uint64_t>& self_sizes) {
  std::vector<int32_t> result(class_count, INT32_MAX);
  for (size_t v = 0; v < distances.size(); ++v) {
    if (!counted_in_summary(self_sizes[v])) continue;
    int32_t& d = result[node_class[v]];
    if (distances[v] < d) d = distances[v];
  }
  return result;
}

void add_retention_columns(Census& census, const ClassIndex& classes,
                           const BigVector<uint64_t>& self_sizes, uint32_t root,
                           const DominatorTree* tree, const Distances* distances) {
  const auto class_count = static_cast<uint32_t>(classes.classes.size());
  if (tree != nullptr) {
    const std::vector<uint64_t> retained =
        class_retained_sizes(*tree, classes.node_class, class_count, self_sizes, root);
    for (ClassRow& row : census.rows) row.retained_size = retained[row.class_id];
  }
  if (distances != nullptr) {
    const std::vector<int32_t> minimum =
        class_min_distances(distances->distance, classes.node_class, class_count, self_sizes);
    for (ClassRow& row : census.rows) row.distance = minimum[row.class_id];
  }
}

}  // namespace leakscope
