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

}  // namespace leakscope
