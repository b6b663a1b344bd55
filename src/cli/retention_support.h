// What the retention commands (top, path, inspect, dump-analysis, summary's retained columns)
// share: loading a snapshot, re-attributing shallow sizes as DevTools does, running the
// retention analysis, and turning a user's --id into a node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/retention.h"
#include "heap/heap_graph.h"

namespace leakscope::cli {

struct PhaseTimes {  // seconds
  double load = 0;
  double attribution = 0;
  RetentionTimes retention;
};

struct RetentionContext {
  HeapGraph graph;
  BigVector<uint64_t> self_sizes;  // after DevTools' re-attribution
  RetentionAnalysis analysis;
  PhaseTimes times;
};

RetentionContext load_with_retention(const std::string& path, const RetentionOptions& options);

// The node with this snapshot id; UsageError naming the snapshot when there is none.
uint32_t node_for_id(const HeapGraph& graph, const std::string& snapshot, uint64_t id);

}  // namespace leakscope::cli
