// Builds small HeapGraphs by hand for unit tests: nodes and edges in any order, CSR at the end.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "heap/heap_graph.h"

namespace leakscope::testing {

class GraphBuilder {
 public:
  GraphBuilder() {
    for (int t = 0; t < kKnownNodeTypeCount; ++t) {
      graph_.node_type_names.emplace_back(known_node_type_name(static_cast<NodeType>(t)));
    }
    for (int t = 0; t < kKnownEdgeTypeCount; ++t) {
      graph_.edge_type_names.emplace_back(known_edge_type_name(static_cast<EdgeType>(t)));
    }
  }

  uint32_t node(NodeType type, std::string_view name, uint64_t self_size, uint32_t id = 0) {
    const auto ordinal = static_cast<uint32_t>(graph_.node_type.size());
    graph_.node_type.push_back(type);
    graph_.node_name.push_back(intern(name));
    graph_.node_id.push_back(id != 0 ? id : 2 * ordinal + 1);
    graph_.node_self_size.push_back(self_size);
    return ordinal;
  }

  void edge(uint32_t from, EdgeType type, std::string_view name, uint32_t to) {
    edges_.push_back({from, type, intern(name), to});
  }
  void element(uint32_t from, uint32_t index, uint32_t to, EdgeType type = kElement) {
    edges_.push_back({from, type, index, to});
  }

  HeapGraph build() {
    std::stable_sort(edges_.begin(), edges_.end(),
                     [](const E& a, const E& b) { return a.from < b.from; });
    const size_t n = graph_.node_type.size();
    graph_.first_edge.assign(n + 1, 0);
    for (const E& e : edges_) ++graph_.first_edge[e.from + 1];
    for (size_t i = 0; i < n; ++i) graph_.first_edge[i + 1] += graph_.first_edge[i];
    for (const E& e : edges_) {
      graph_.edge_type.push_back(e.type);
      graph_.edge_name.push_back(e.name);
      graph_.edge_to.push_back(e.to);
    }
    graph_.header.node_count = n;
    graph_.header.edge_count = edges_.size();
    graph_.root = 0;
    return std::move(graph_);
  }

 private:
  struct E {
    uint32_t from;
    uint8_t type;
    uint32_t name;
    uint32_t to;
  };
  uint32_t intern(std::string_view s) {
    auto it = index_.find(std::string(s));
    if (it != index_.end()) return it->second;
    const uint32_t i = graph_.strings.size();
    graph_.strings.add(s);
    index_.emplace(std::string(s), i);
    return i;
  }
  HeapGraph graph_;
  std::vector<E> edges_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace leakscope::testing
