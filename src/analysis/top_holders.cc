#include "analysis/top_holders.h"

#include <algorithm>
#include <stdexcept>

#include "analysis/node_names.h"

namespace leakscope {

namespace {
// The `limit` largest dominated children of `node`, largest first (ties: lower ordinal first).
std::vector<uint32_t> largest_children(const DominatorTree& tree, uint32_t node, uint32_t limit,
                                       bool skip_empty) {
  std::vector<uint32_t> kids(tree.children.begin() + tree.first_child[node],
                             tree.children.begin() + tree.first_child[node + 1]);
  if (skip_empty) {
    std::erase_if(kids, [&](uint32_t v) { return tree.retained[v] == 0; });
  }
  auto larger = [&](uint32_t a, uint32_t b) {
    return tree.retained[a] != tree.retained[b] ? tree.retained[a] > tree.retained[b] : a < b;
  };
  const size_t keep = std::min<size_t>(limit, kids.size());
  std::partial_sort(kids.begin(), kids.begin() + static_cast<std::ptrdiff_t>(keep), kids.end(),
                    larger);
  kids.resize(keep);
  return kids;
}
}  // namespace

TopHolders top_holders(const HeapGraph& graph, const DominatorTree& tree,
                       const BigVector<uint64_t>& self_sizes, const TopHoldersOptions& options) {
  if (!tree.has_children()) throw std::invalid_argument("top_holders: no dominated children");
  TopHolders result;
  result.total_size = tree.retained[graph.root];
  auto entry = [&](uint32_t node, uint32_t depth) {
    HolderEntry e;
    e.node = node;
    e.depth = depth;
    e.retained_size = tree.retained[node];
    e.self_size = self_sizes[node];
    e.dominated_count = tree.first_child[node + 1] - tree.first_child[node];
    e.class_name = basic_class_name(graph, node);
    e.label = node_label(graph, node);
    return e;
  };
  // Iterative pre-order walk; each stack item is (node, depth), children pushed in reverse so
  // the largest comes out first.
  std::vector<std::pair<uint32_t, uint32_t>> stack{{options.start, 0}};
  while (!stack.empty()) {
    const auto [node, depth] = stack.back();
    stack.pop_back();
    result.entries.push_back(entry(node, depth));
    const uint32_t limit = depth == 0 ? options.top : options.children;
    if (depth > options.depth) continue;
    const std::vector<uint32_t> kids = largest_children(tree, node, limit, options.skip_empty);
    for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth + 1);
  }
  return result;
}

}  // namespace leakscope
