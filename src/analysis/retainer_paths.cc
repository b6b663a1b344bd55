#include "analysis/retainer_paths.h"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace leakscope {

RetainerPath shortest_path(const HeapGraph& graph, const Distances& distances, uint32_t node) {
  if (distances.parent_edge.size() != graph.node_count()) {
    throw std::invalid_argument("shortest_path: distances without parent edges");
  }
  RetainerPath path;
  if (distances.distance[node] == kNoDistance) return path;
  path.from_user_root = is_user_distance(distances.distance[node]);
  uint32_t v = node;
  // Each step moves to a node with a smaller distance, so this ends; the bound guards against a
  // corrupt input looping.
  for (uint32_t guard = 0; guard <= graph.node_count(); ++guard) {
    const uint64_t e = distances.parent_edge[v];
    path.steps.push_back({v, e});
    if (e == kNoEdge) break;
    v = edge_owner(graph, e);
  }
  std::reverse(path.steps.begin(), path.steps.end());
  return path;
}

std::vector<RetainerPath> retainer_paths(const HeapGraph& graph, const Distances& distances,
                                         const Retainers& retainers, uint32_t target, uint32_t k) {
  std::vector<RetainerPath> paths;
  if (k == 0) return paths;
  RetainerPath first = shortest_path(graph, distances, target);
  if (first.steps.empty()) return paths;
  const uint64_t first_edge = distances.parent_edge[target];
  paths.push_back(std::move(first));
  if (first_edge == kNoEdge) return paths;  // the target is a root itself

  struct Candidate {
    uint32_t node;
    uint64_t edge;
  };
  std::vector<Candidate> others;
  for (uint64_t i = retainers.begin(target); i < retainers.end(target); ++i) {
    const uint32_t r = retainers.retaining_node(i);
    const uint64_t e = retainers.retaining_edge(i);
    if (e == first_edge || r == target || graph.edge_kind(e) == kWeak) continue;
    if (distances.distance[r] == kNoDistance) continue;
    others.push_back({r, e});
  }
  // User-reachable retainers first, then by distance, then in edge order.
  auto rank = [&](const Candidate& c) {
    const int32_t d = distances.distance[c.node];
    return std::make_tuple(!is_user_distance(d), d, c.edge);
  };
  std::sort(others.begin(), others.end(),
            [&](const Candidate& a, const Candidate& b) { return rank(a) < rank(b); });
  for (const Candidate& c : others) {
    if (paths.size() >= k) break;
    RetainerPath p = shortest_path(graph, distances, c.node);
    if (p.steps.empty()) continue;
    // A path through the target itself is not a way to reach it.
    if (std::any_of(p.steps.begin(), p.steps.end(),
                    [&](const PathStep& s) { return s.node == target; })) {
      continue;
    }
    p.steps.push_back({target, c.edge});
    paths.push_back(std::move(p));
  }
  return paths;
}

}  // namespace leakscope
