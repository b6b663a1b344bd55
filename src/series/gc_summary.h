// What `leakscope gclog` reports from a parsed --trace-gc log: GCs by kind, pauses, time in GC,
// the full GCs, and the trend verdict on the heap that survives collection.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "series/trace_gc.h"
#include "series/trend.h"

namespace leakscope::series {

struct GcKindStats {
  std::size_t count = 0;
  double pause_total_ms = 0;
  double pause_max_ms = 0;
  std::size_t reduce = 0;  // memory-reducing GCs
};

struct GcSummary {
  uint32_t isolate = UINT32_MAX;  // the primary isolate judged (most GCs)
  std::size_t events = 0;         // of that isolate
  GcKindStats kinds[kGcKindCount];
  double pause_p50_ms = 0;
  double pause_p99_ms = 0;
  double pause_max_ms = 0;
  double pause_total_ms = 0;
  double span_ms = 0;                 // isolate start to its last GC
  double gc_time_percent = 0;         // pause_total / span
  std::vector<std::size_t> full_gcs;  // indices into GcLog::events (primary isolate)
  bool judged_full_gcs = false;       // else the lower envelope of the heap after any GC
  std::size_t judged_points = 0;
  TrendResult trend;
};

// Defaults for a log: no minimum duration beyond 10 full-GC intervals' worth of judgement.
TrendOptions default_gclog_trend_options();

GcSummary summarize_gc_log(const GcLog& log, const TrendOptions& options);

}  // namespace leakscope::series
