// What a node is to a leak hunter, shared by the leak finder and the checks: how many entries it
// holds (a collection's size), whether it is a V8/Node internal rather than a user object, and
// the property/context edges by which the program names it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "analysis/distances.h"
#include "heap/heap_graph.h"

namespace leakscope {

// Element indices and hash-table slots are edges named by decimal digits.
bool is_numeric_name(std::string_view s);

// Elements, hash tables, property arrays: the user knows the Map, not its OrderedHashMap.
bool is_backing_store(const HeapGraph& graph, uint32_t node);

// How many things a node holds: array elements, named properties (not __proto__), context
// variables, Map/Set entries (through the backing hash table; a Map entry counts once).
uint32_t entry_count(const HeapGraph& graph, uint32_t node);

// Excluded from leak clusters unless --all: V8 and Node internals (compiled code, feedback,
// maps, descriptor arrays, backing stores, `system / ...` objects, numbers, and the closures of
// Node's stream internals, such as end-of-stream's cleanup()).
bool is_internal_node(const HeapGraph& graph, uint32_t node);

// How the program names each node: the property/context edges into it, into its owner, and so
// on (a few levels, outermost first, stopping at a closure context), preferring owners closest to
// the roots. One pass over the edges per level for all nodes together.
std::vector<std::vector<uint64_t>> naming_edges(const HeapGraph& graph, const Distances& distances,
                                                const std::vector<uint32_t>& nodes);

}  // namespace leakscope
