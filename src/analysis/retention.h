// The whole "who keeps what alive" analysis in one call: essential edges, the dominator tree with
// retained sizes, and distances, with DevTools' semantics. Distances run on a second thread while
// the dominator tree is built, since neither needs the other.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/distances.h"
#include "analysis/dominators.h"
#include "analysis/ephemeron_edges.h"
#include "heap/heap_graph.h"

namespace leakscope {

struct RetentionOptions {
  bool dominators = true;
  bool distances = true;
  bool dominated_children = false;     // needed for class retained sizes and `top`
  bool distance_parent_edges = false;  // needed for retainer paths
  unsigned threads = 2;
};

struct RetentionTimes {  // seconds, wall clock
  double essential_edges = 0;
  double dominators = 0;  // DFS, semi-NCA, retained sizes, dominated children
  double distances = 0;   // ran concurrently with the two above
  double total = 0;
};

struct RetentionAnalysis {
  EphemeronEdgeNames ephemerons;
  DominatorTree tree;   // empty unless options.dominators
  Distances distances;  // empty unless options.distances
  RetentionTimes times;
};

// self_sizes: per node, after attribute_shallow_sizes().
RetentionAnalysis analyze_retention(const HeapGraph& graph, const BigVector<uint64_t>& self_sizes,
                                    const RetentionOptions& options = {});

}  // namespace leakscope
