// memwatch 0.2.2's HeapDiff classes, for the drop-in `leakscope/memwatch`: objects by their
// constructor name, every other node by its type ("String", "Array", "Code", "Closure",
// "RegExp", "Number", "Native"), where DevTools (class_index.h) says "(string)", "(array)",
// "(compiled code)", "Function", "(number)" or the native's own name.
#pragma once

#include "analysis/class_index.h"
#include "heap/heap_graph.h"

namespace leakscope {

// The class memwatch left out of its details (hidden and synthetic nodes, and the types its V8
// did not have: symbols, BigInts, object shapes, wasm objects). They still count as freed or
// allocated nodes, as in memwatch.
inline constexpr const char* kMemwatchUncounted = "";

// Concatenated and sliced strings are "String": memwatch's V8 reported every string as one type.
ClassIndex classify_nodes_as_memwatch(const HeapGraph& graph);

}  // namespace leakscope
