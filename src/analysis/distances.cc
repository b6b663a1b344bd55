#include "analysis/distances.h"

#include "heap/bit_vector.h"

namespace leakscope {

namespace {

// JavaScript's parseInt(s, 10), for the descriptor-array rule: leading whitespace, a sign, then
// digits; false when there are no digits (NaN).
bool js_parse_int(std::string_view s, int64_t& out) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ||
                          s[i] == '\v' || s[i] == '\f')) {
    ++i;
  }
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  const size_t digits_begin = i;
  int64_t value = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (value < INT64_MAX / 10 - 10) value = value * 10 + (s[i] - '0');
  }
  if (i == digits_begin) return false;
  out = negative ? -value : value;
  return true;
}

class DistanceFilter {
 public:
  DistanceFilter(const HeapGraph& graph, const EphemeronEdgeNames& ephemerons)
      : graph_(graph), ephemerons_(ephemerons), pending_(ephemerons.pair_count()) {
    for (uint32_t i = 0; i < graph.strings.size(); ++i) {
      const std::string_view s = graph.strings.get(i);
      if (s == "sloppy_function_map") sloppy_function_map_ = i;
      if (s == "system / NativeContext") native_context_ = i;
      if (s == "(map descriptors)") map_descriptors_ = i;
    }
  }

  // Whether the BFS may follow `edge` of `node` (a non-weak edge to an unreached node).
  bool allow(uint32_t node, uint64_t edge) {
    const uint8_t node_type = graph_.node_type[node];
    const uint8_t edge_type = graph_.edge_type[edge];
    const bool index_name = graph_.edge_name_is_index(edge);
    if (node_type == kHidden && !index_name && graph_.edge_name[edge] == sloppy_function_map_ &&
        graph_.node_name[node] == native_context_) {
      return false;
    }
    if (node_type == kArray && graph_.node_name[node] == map_descriptors_) {
      int64_t index = 0;
      const bool numeric = index_name
                               ? (index = graph_.edge_name[edge], true)
                               : js_parse_int(graph_.strings.get(graph_.edge_name[edge]), index);
      return !numeric || index < 2 || index % 3 != 1;
    }
    if (edge_type == kInternal && ephemerons_.is_ephemeron(graph_.edge_name[edge])) {
      const uint32_t pair = ephemerons_.pair_id(graph_.edge_name[edge]);
      if (pending_.get(pair)) {
        pending_.clear(pair);
      } else {
        pending_.set(pair);
        return false;
      }
    }
    return true;
  }

 private:
  const HeapGraph& graph_;
  const EphemeronEdgeNames& ephemerons_;
  BitVector pending_;
  // Indices into graph_.strings of the names the rules look for (kNoString: not in this heap).
  static constexpr uint32_t kNoString = UINT32_MAX;
  uint32_t sloppy_function_map_ = kNoString;
  uint32_t native_context_ = kNoString;
  uint32_t map_descriptors_ = kNoString;
};

}  // namespace

Distances compute_distances(const HeapGraph& graph, const EphemeronEdgeNames& ephemerons,
                            const DistanceOptions& options) {
  const uint32_t node_count = graph.node_count();
  Distances result;
  result.distance.assign(node_count, kNoDistance);
  if (options.record_parent_edges) result.parent_edge.assign(node_count, kNoEdge);
  if (node_count == 0) return result;
  BigVector<int32_t>& distance = result.distance;
  DistanceFilter filter(graph, ephemerons);
  BigVector<uint32_t> queue;
  queue.reserve(node_count);

  auto bfs = [&](size_t head) {
    while (head < queue.size()) {
      const uint32_t node = queue[head++];
      const int32_t next = distance[node] + 1;
      for (uint64_t e = graph.edges_begin(node); e < graph.edges_end(node); ++e) {
        if (graph.edge_type[e] == kWeak) continue;
        const uint32_t target = graph.edge_to[e];
        if (distance[target] != kNoDistance) continue;
        if (!filter.allow(node, e)) continue;
        distance[target] = next;
        if (options.record_parent_edges) result.parent_edge[target] = e;
        queue.push_back(target);
      }
    }
  };

  const uint32_t root = graph.root;
  for (uint64_t e = graph.edges_begin(root); e < graph.edges_end(root); ++e) {
    const uint32_t target = graph.edge_to[e];
    const bool user_root =
        graph.node_type[target] != kSynthetic || graph.name(target) == "(Document DOM trees)";
    if (!user_root) continue;
    distance[target] = 1;
    queue.push_back(target);
  }
  result.has_user_roots = !queue.empty();
  bfs(0);
  const size_t second = queue.size();
  distance[root] = result.has_user_roots ? kSystemDistance : 0;
  queue.push_back(root);
  bfs(second);
  return result;
}

}  // namespace leakscope
