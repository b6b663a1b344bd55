#include "analysis/essential_edges.h"

#include <vector>

namespace leakscope {

BitVector mark_page_owned(const HeapGraph& graph) {
  const uint32_t node_count = graph.node_count();
  BitVector page_owned(node_count);
  if (node_count == 0) return page_owned;
  std::vector<uint32_t> stack;
  const uint32_t root = graph.root;
  for (uint64_t e = graph.edges_begin(root); e < graph.edges_end(root); ++e) {
    const uint32_t target = graph.edge_to[e];
    if (graph.edge_type[e] == kElement) {
      if (graph.node_type[target] != kSynthetic || graph.name(target) != "(Document DOM trees)") {
        continue;
      }
    } else if (graph.edge_type[e] != kShortcut) {
      continue;
    }
    page_owned.set(target);
    stack.push_back(target);
  }
  while (!stack.empty()) {
    const uint32_t node = stack.back();
    stack.pop_back();
    for (uint64_t e = graph.edges_begin(node); e < graph.edges_end(node); ++e) {
      const uint32_t target = graph.edge_to[e];
      if (page_owned.get(target) || graph.edge_type[e] == kWeak) continue;
      page_owned.set(target);
      stack.push_back(target);
    }
  }
  return page_owned;
}

EssentialEdges::EssentialEdges(const HeapGraph& graph, const EphemeronEdgeNames& ephemerons)
    : graph_(&graph), ephemerons_(&ephemerons), page_owned_(mark_page_owned(graph)) {}

BitVector EssentialEdges::edge_bits() const {
  BitVector bits(graph_->edge_count());
  const uint32_t node_count = graph_->node_count();
  for (uint32_t node = 0; node < node_count; ++node) {
    for (uint64_t e = graph_->edges_begin(node); e < graph_->edges_end(node); ++e) {
      if (is_essential(node, e)) bits.set(e);
    }
  }
  return bits;
}

}  // namespace leakscope
