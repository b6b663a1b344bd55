#include "analysis/essential_edges.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "heap/graph_queries.h"

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

BitVector EssentialEdges::edge_bits(unsigned threads) const {
  const uint64_t edge_count = graph_->edge_count();
  BitVector bits(edge_count);
  auto fill = [&](uint64_t begin, uint64_t end) {
    if (begin >= end) return;
    uint32_t node = edge_owner(*graph_, begin);
    for (uint64_t e = begin; e < end; ++e) {
      while (e >= graph_->edges_end(node)) ++node;
      if (is_essential(node, e)) bits.set(e);
    }
  };
  if (threads <= 1 || edge_count < (1U << 16)) {
    fill(0, edge_count);
    return bits;
  }
  std::vector<std::thread> workers;
  const uint64_t words = (edge_count + 63) / 64;
  for (unsigned t = 0; t < threads; ++t) {
    const uint64_t begin = std::min(edge_count, words * t / threads * 64);
    const uint64_t end = std::min(edge_count, words * (t + 1) / threads * 64);
    workers.emplace_back(fill, begin, end);
  }
  for (auto& w : workers) w.join();
  return bits;
}

}  // namespace leakscope
