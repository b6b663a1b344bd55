// Distances from the user roots, as DevTools computes them: a BFS from every non-synthetic child
// of the root (in Node: `global`) starting at 1, then a BFS from the root for everything else,
// starting at kSystemDistance (shown as "-"). Weak edges never count, nor do three edges DevTools
// filters out: `sloppy_function_map` of a NativeContext, the descriptor slots of legacy
// `(map descriptors)` arrays, and the first half met of each WeakMap ephemeron pair (so a WeakMap
// value sits at max(key, table) + 1).
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/ephemeron_edges.h"
#include "heap/graph_queries.h"  // parent edges are followed back with edge_owner()
#include "heap/heap_graph.h"

namespace leakscope {

inline constexpr int32_t kNoDistance = -5;             // never reached
inline constexpr int32_t kSystemDistance = 100000000;  // the root, when there are user roots

struct Distances {
  BigVector<int32_t> distance;  // per node ordinal
  // The edge the BFS reached each node through (kNoEdge for the starts and unreached nodes);
  // filled only on request. Following it back gives a shortest path from the user roots.
  BigVector<uint64_t> parent_edge;
  bool has_user_roots = false;
};
inline constexpr uint64_t kNoEdge = UINT64_MAX;

struct DistanceOptions {
  bool record_parent_edges = false;
};

Distances compute_distances(const HeapGraph& graph, const EphemeronEdgeNames& ephemerons,
                            const DistanceOptions& options = {});

// True for a distance reached from the user roots (what DevTools prints as a number).
inline bool is_user_distance(int32_t d) {
  return d >= 0 && d < kSystemDistance;
}

}  // namespace leakscope
