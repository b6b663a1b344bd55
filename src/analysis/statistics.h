// Snapshot statistics as DevTools' Statistics view shows them, plus counts by node and edge type.
#pragma once

#include <cstdint>
#include <vector>

#include "heap/heap_graph.h"

namespace leakscope {

struct HeapStatistics {
  uint64_t total = 0;         // all self sizes + extra_native_bytes (DevTools' total size)
  uint64_t native = 0;        // native nodes + extra_native_bytes
  uint64_t typed_arrays = 0;  // `system / JSArrayBufferData` backing stores
  uint64_t v8_heap = 0;       // total - native
  uint64_t code = 0;
  uint64_t strings = 0;    // flat, concatenated and sliced strings
  uint64_t js_arrays = 0;  // Array objects plus their elements store when nothing else holds it
  uint64_t system = 0;     // hidden nodes
  BigVector<uint64_t> nodes_by_type;  // by type value (HeapGraph::node_type_names)
  BigVector<uint64_t> edges_by_type;  // by type value (HeapGraph::edge_type_names)
  BigVector<uint64_t> size_by_type;   // V8's self sizes by node type
};

// self_sizes: per node, after attribute_shallow_sizes() (DevTools computes statistics on them).
HeapStatistics compute_statistics(const HeapGraph& graph, const BigVector<uint64_t>& self_sizes);

}  // namespace leakscope
