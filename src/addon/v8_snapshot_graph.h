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
// name. Otherwise the public API alone is used: each GetName() internalizes a JS string, so only
// the edge names the analyses read are fetched (internal edges, which carry WeakMap entries, and
// the edges of the nodes DevTools' distance filter looks at); any other one, e.g. of a path to
// show, is fetched on request while V8's snapshot is alive.
//
// What neither way gives: allocation-site locations (objects are classed by name only) and
// allocation traces; the public API alone also lacks detachedness (no "Detached" classes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <v8-profiler.h>

#include "heap/heap_graph.h"

namespace leakscope::addon {

// Whether the reader keeps the name of nodes of this type: the types classes, roots and
// DevTools' distance filter are named by. The others get the empty name.
bool node_name_kept(NodeType type);

struct V8GraphRead {
  HeapGraph graph;
  // True: every edge name is in the graph. False: the names the analyses read are (see
  // V8ReadOptions::edge_names), the rest are empty; fetch_edge_name() gets any one.
  bool all_edge_names = false;
};

struct V8ReadOptions {
  // false: only the edge names dominators read (WeakMap entries are pairs of internal edges
  // named after their table); enough when no distance or path is wanted.
  bool edge_names = true;
  bool read_records = true;  // false: the public API alone, as if the layout were unknown
};

V8GraphRead read_v8_snapshot(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot,
                             const V8ReadOptions& options = {});

struct FetchedEdgeName {
  uint64_t edge;     // edge ordinal in the graph read_v8_snapshot() returned
  std::string text;  // the name, or the decimal index for element and hidden edges
};

// One edge's name (e.g. for each step of a path to show).
FetchedEdgeName fetch_edge_name(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot,
                                const HeapGraph& graph, uint64_t edge);

}  // namespace leakscope::addon
