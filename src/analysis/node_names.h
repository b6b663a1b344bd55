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

// The Summary class a node belongs to, by DevTools' per-type rules, without the plain-object
// interface inference (which needs the whole snapshot; see class_index.h): `(system)`,
// `(compiled code)`, `Function`, `RegExp`, the V8 name for objects and natives, else `(type)`.
std::string basic_class_name(const HeapGraph& graph, uint32_t node);

// A short label for trees and paths: `UserSession`, `{cache, records, …}`, `onTimeout()`,
// `"some string…"`, `(GC roots)`, `(root)`.
std::string node_label(const HeapGraph& graph, uint32_t node, size_t max_length = 60);

}  // namespace leakscope
