#include "analysis/object_inspection.h"

#include <algorithm>
#include <tuple>

namespace leakscope {

ObjectInspection inspect_object(const HeapGraph& graph, const BigVector<uint64_t>& self_sizes,
                                const DominatorTree& tree, const Distances& distances,
                                const Retainers& retainers, uint32_t node) {
  ObjectInspection r;
  r.node = node;
  r.self_size = self_sizes[node];
  r.raw_self_size = graph.node_self_size[node];
  r.retained_size = tree.retained[node];
  r.distance = distances.distance[node];
  r.dominator = tree.idom[node];
  for (uint64_t e = graph.edges_begin(node); e < graph.edges_end(node); ++e) r.edges.push_back(e);
  for (uint64_t i = retainers.begin(node); i < retainers.end(node); ++i) {
    const uint32_t from = retainers.retaining_node(i);
    const uint64_t edge = retainers.retaining_edge(i);
    if (from == graph.root || graph.edge_kind(edge) == kWeak) {
      ++r.hidden_retainers;
      continue;
    }
    r.retainers.push_back({from, edge});
  }
  auto rank = [&](const Retainer& x) {
    const int32_t d = distances.distance[x.node];
    return std::make_tuple(!is_user_distance(d), d, x.edge);
  };
  std::stable_sort(r.retainers.begin(), r.retainers.end(),
                   [&](const Retainer& a, const Retainer& b) { return rank(a) < rank(b); });
  return r;
}

}  // namespace leakscope
