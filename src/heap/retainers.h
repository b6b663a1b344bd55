// Reverse edges (who points at a node), as CSR: node v's retainers are entries
// [first[v], first[v + 1]), each the retaining node and the index of the edge in the graph.
// Built once, on demand, by commands that walk backwards (inspect, path); 8 bytes per edge.
#pragma once

#include <cstdint>
#include <vector>

#include "heap/heap_graph.h"

namespace leakscope {

class Retainers {
 public:
  explicit Retainers(const HeapGraph& graph);

  uint64_t begin(uint32_t node) const { return first_[node]; }
  uint64_t end(uint32_t node) const { return first_[node + 1]; }
  uint64_t count(uint32_t node) const { return end(node) - begin(node); }
  uint32_t retaining_node(uint64_t i) const { return node_[i]; }
  uint64_t retaining_edge(uint64_t i) const { return edge_[i]; }

  uint64_t memory_bytes() const {
    return first_.capacity() * sizeof(uint64_t) + node_.capacity() * sizeof(uint32_t) +
           edge_.capacity() * sizeof(uint64_t);
  }

 private:
  std::vector<uint64_t> first_;
  std::vector<uint32_t> node_;
  std::vector<uint64_t> edge_;
};

}  // namespace leakscope
