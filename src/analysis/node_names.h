// How DevTools names one object in its trees: concatenated strings by their text, plain objects
// by a sample of their properties (`{cache, records, …, buffers}`), everything else by its V8
// name. (Class names, which group objects in the Summary, are class_index.h's job.)
#pragma once

#include <cstdint>
#include <string>

#include "heap/heap_graph.h"

namespace leakscope {

std::string display_name(const HeapGraph& graph, uint32_t node);

// An edge as DevTools writes it in a path: `.name`, `["a b"]`, `[3]`, `->ctx`, `{internal}`,
// `[[weak]]`.
std::string edge_display(const HeapGraph& graph, uint64_t edge);

}  // namespace leakscope
