#include "heap/graph_queries.h"

#include <algorithm>

namespace leakscope {

uint32_t edge_owner(const HeapGraph& graph, uint64_t edge) {
  // The last node whose first edge is <= edge and that has edges.
  const auto it = std::upper_bound(graph.first_edge.begin(), graph.first_edge.end(), edge);
  return static_cast<uint32_t>(it - graph.first_edge.begin()) - 1;
}

}  // namespace leakscope
