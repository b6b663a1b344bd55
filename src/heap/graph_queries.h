// Questions about the graph's shape alone, asked by analyses, renderers and the addon's reader
// alike: they live with the model so that none of those has to reach into analysis/ for them.
#pragma once

#include <cstdint>

#include "heap/heap_graph.h"

namespace leakscope {

// The node an edge leaves from. Edges are stored by owner (CSR), so this is a binary search over
// the offsets rather than a second per-edge column of 4 bytes.
uint32_t edge_owner(const HeapGraph& graph, uint64_t edge);

}  // namespace leakscope
