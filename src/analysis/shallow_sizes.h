// DevTools' shallow-size re-attribution. Internal storage (hidden and array nodes, and native
// `system / ExternalStringData`) that exactly one object owns is charged to that object, so an
// Array's shallow size includes its elements store and a Map's includes its hash table. DevTools
// does this before the Summary and before retained sizes, and so do we.
#pragma once

#include <cstdint>
#include <vector>

#include "heap/heap_graph.h"

namespace leakscope {

// True when the root has a non-synthetic child (in Node: `global`, by a shortcut edge).
// Snapshots written with exposeInternals have none, and DevTools then skips the re-attribution
// and the page-owned rule.
bool has_user_roots(const HeapGraph& graph);

// Self sizes after re-attribution, one per node. Sizes moved onto an owner leave 0 behind.
BigVector<uint64_t> attribute_shallow_sizes(const HeapGraph& graph);

// The same, written over graph.node_self_size: for a command that never needs V8's own sizes,
// this saves a copy of the largest per-node column (107 MB on a 1 GB snapshot).
void attribute_shallow_sizes_in_place(HeapGraph& graph);

}  // namespace leakscope
