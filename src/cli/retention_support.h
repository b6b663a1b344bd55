// What the retention commands (top, path, inspect, dump-analysis, check) share: loading a snapshot
// into an AnalyzedSnapshot and computing its sizes and retention with the CLI's progress and
// --timings, and turning a user's --id into a node.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/analyzed_snapshot.h"
#include "analysis/retention.h"
#include "heap/heap_graph.h"

namespace leakscope::cli {

struct PhaseTimes {  // seconds
  double load = 0;
  double attribution = 0;
  RetentionTimes retention;
};

// The snapshot with its sizes and retention computed; the references name its views, so that
// commands read them as fields.
struct RetentionContext {
  explicit RetentionContext(std::unique_ptr<AnalyzedSnapshot> analyzed, double load_seconds);

  std::unique_ptr<AnalyzedSnapshot> snapshot;  // owns what the references below point at
  const HeapGraph& graph;
  const BigVector<uint64_t>& self_sizes;  // after DevTools' re-attribution
  const RetentionAnalysis& analysis;
  PhaseTimes times;
};

RetentionContext load_with_retention(const std::string& path, const RetentionOptions& options);

// The node with this snapshot id; UsageError naming the snapshot when there is none.
uint32_t node_for_id(const HeapGraph& graph, const std::string& snapshot, uint64_t id);

}  // namespace leakscope::cli
