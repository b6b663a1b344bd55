// Reads V8's in-memory heap snapshot into a HeapGraph through the public HeapGraphNode and
// HeapGraphEdge API, instead of serializing it to JSON and parsing that back (on 2M nodes the
// round trip cost ~1.2 s of serializing plus the reading, per snapshot).
//
// Node names are kept only for the types classes and roots are named by (objects, natives,
// synthetic, hidden and array nodes); strings, numbers, code and closures get an empty name
// (their class is their type, so their contents are never needed).
//
// Where V8's records have the layout every V8 in Node 18-24 uses (proven on each snapshot before
// use), names and positions are read from them directly and the graph comes out with every edge
// name. Otherwise the public API alone is used: each GetName() internalizes a JS string, so edge
// names are then left out (dominators and retained sizes never read them) and the few that
// DevTools' distance filter and a path to show need are fetched on request while V8's snapshot
// is alive.
//
// What neither way exposes: allocation-site locations (objects are classed by name only),
// detachedness and allocation traces.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <v8-profiler.h>

#include "heap/heap_graph.h"

namespace leakscope::addon {

struct V8GraphRead {
  HeapGraph graph;
  bool all_edge_names = false;  // false: edge names must be fetched (below) before use
};

// edge_names: false when no edge name will be read (they are then left empty either way).
V8GraphRead read_v8_snapshot(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot,
                             bool edge_names = true);

struct FetchedEdgeName {
  uint64_t edge;     // edge ordinal in the graph read_v8_snapshot() returned
  std::string text;  // the name, or the decimal index for element and hidden edges
};

// The names DevTools' distance filter reads: the edges of NativeContext and "(map descriptors)"
// nodes, and the internal edges that can be a WeakMap entry's key-to-value link (those of arrays
// holding weak references, i.e. ephemeron tables, and of the objects such tables point to).
// Only reads `graph`, so a worker thread may analyze the same graph meanwhile.
std::vector<FetchedEdgeName> fetch_distance_edge_names(v8::Isolate* isolate,
                                                       const v8::HeapSnapshot& snapshot,
                                                       const HeapGraph& graph);

// One edge's name (e.g. for each step of a path to show).
FetchedEdgeName fetch_edge_name(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot,
                                const HeapGraph& graph, uint64_t edge);

// Stores fetched names in the graph (new strings go to its pool).
void set_edge_names(HeapGraph& graph, std::span<const FetchedEdgeName> names);

}  // namespace leakscope::addon
