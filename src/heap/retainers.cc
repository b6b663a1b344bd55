#include "heap/retainers.h"

namespace leakscope {

Retainers::Retainers(const HeapGraph& graph) {
  const uint32_t node_count = graph.node_count();
  const uint64_t edge_count = graph.edge_count();
  first_.assign(static_cast<size_t>(node_count) + 1, 0);
  for (uint64_t e = 0; e < edge_count; ++e) ++first_[graph.edge_to[e] + 1];
  for (uint32_t v = 0; v < node_count; ++v) first_[v + 1] += first_[v];
  node_.resize(edge_count);
  edge_.resize(edge_count);
  // Filling in owner order keeps each node's retainers sorted by edge index, as DevTools lists
  // them.
  std::vector<uint64_t> fill(first_.begin(), first_.end() - 1);
  for (uint32_t v = 0; v < node_count; ++v) {
    for (uint64_t e = graph.edges_begin(v); e < graph.edges_end(v); ++e) {
      const uint64_t slot = fill[graph.edge_to[e]]++;
      node_[slot] = v;
      edge_[slot] = e;
    }
  }
}

}  // namespace leakscope
