#include "heap/heap_graph.h"

#include <array>

namespace leakscope {

namespace {
constexpr std::array<std::string_view, kKnownNodeTypeCount> kNodeTypeNames = {"hidden",
                                                                              "array",
                                                                              "string",
                                                                              "object",
                                                                              "code",
                                                                              "closure",
                                                                              "regexp",
                                                                              "number",
                                                                              "native",
                                                                              "synthetic",
                                                                              "concatenated string",
                                                                              "sliced string",
                                                                              "symbol",
                                                                              "bigint",
                                                                              "object shape",
                                                                              "wasm object"};
constexpr std::array<std::string_view, kKnownEdgeTypeCount> kEdgeTypeNames = {
    "context", "element", "property", "internal", "hidden", "shortcut", "weak"};

template <typename T, typename A>
uint64_t capacity_bytes(const std::vector<T, A>& v) {
  return v.capacity() * sizeof(T);
}
}  // namespace

std::string_view known_node_type_name(NodeType type) {
  return type < kKnownNodeTypeCount ? kNodeTypeNames[type] : std::string_view("unknown");
}

std::string_view known_edge_type_name(EdgeType type) {
  return type < kKnownEdgeTypeCount ? kEdgeTypeNames[type] : std::string_view("unknown");
}

std::string HeapGraph::edge_name_text(uint64_t edge) const {
  if (edge_name_is_index(edge)) return std::to_string(edge_name[edge]);
  return std::string(strings.get(edge_name[edge]));
}

uint64_t HeapGraph::memory_bytes() const {
  return capacity_bytes(node_type) + capacity_bytes(node_name) + capacity_bytes(node_id) +
         capacity_bytes(node_self_size) + capacity_bytes(first_edge) +
         capacity_bytes(node_trace_id) + capacity_bytes(node_detachedness) +
         capacity_bytes(edge_type) + capacity_bytes(edge_name) + capacity_bytes(edge_to) +
         strings.memory_bytes() + capacity_bytes(locations) + capacity_bytes(trace_function_infos) +
         capacity_bytes(trace_tree) + capacity_bytes(samples);
}

}  // namespace leakscope
