#include "analysis/retainer_path.h"

#include <algorithm>

namespace leakscope {

RootDistances distances_from_root(const HeapGraph& graph) {
  const uint32_t n = graph.node_count();
  RootDistances d;
  d.distance.assign(n, kUnreached);
  d.parent_edge.assign(n, UINT64_MAX);
  d.parent_node.assign(n, kUnreached);
  if (n == 0) return d;
  std::vector<uint32_t> queue;
  queue.reserve(n);
  size_t head = 0;
  auto reach = [&](uint32_t from, uint64_t e, uint32_t distance) {
    const uint32_t to = graph.edge_to[e];
    if (d.distance[to] != kUnreached) return;
    d.distance[to] = distance;
    d.parent_edge[to] = e;
    d.parent_node[to] = from;
    queue.push_back(to);
  };
  auto drain = [&]() {
    for (; head < queue.size(); ++head) {
      const uint32_t node = queue[head];
      for (uint64_t e = graph.edges_begin(node); e < graph.edges_end(node); ++e) {
        if (graph.edge_kind(e) != kWeak) reach(node, e, d.distance[node] + 1);
      }
    }
  };
  d.distance[graph.root] = 0;
  // As DevTools: first what the application's own roots (the global objects) hold, then what
  // only V8's internal roots hold, at a large base distance, so a path goes through user code
  // whenever one exists.
  const uint64_t root_begin = graph.edges_begin(graph.root);
  const uint64_t root_end = graph.edges_end(graph.root);
  for (uint64_t e = root_begin; e < root_end; ++e) {
    if (graph.edge_kind(e) != kWeak && graph.type(graph.edge_to[e]) != kSynthetic)
      reach(graph.root, e, 1);
  }
  drain();
  for (uint64_t e = root_begin; e < root_end; ++e) {
    if (graph.edge_kind(e) != kWeak) reach(graph.root, e, kSystemDistance + 1);
  }
  drain();
  return d;
}

std::vector<PathStep> path_from_root(const RootDistances& d, uint32_t target) {
  std::vector<PathStep> path;
  if (target >= d.distance.size() || d.distance[target] == kUnreached) return path;
  for (uint32_t node = target; node != kUnreached; node = d.parent_node[node]) {
    path.push_back({node, d.parent_edge[node]});
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace leakscope
