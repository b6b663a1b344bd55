// The agent's `leak` verdict: the post-full-GC used heap as a series, judged by the shared trend
// detector (src/series/trend.h) instead of memwatch's "5 consecutive growing GCs" rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "series/trend.h"

namespace leakscope::addon {

struct LeakOptions {
  // Durations in ms, exactly as configure() set them (converted to seconds only for the detector).
  double min_duration_ms = 120000;  // judged window at least this long
  std::size_t min_points = 8;       // and at least this many full GCs
  double warmup_ms = 30000;         // full GCs this soon after the agent started are ignored
  double min_growth_bytes = 1 << 20;
  double min_growth_fraction = 0.05;
  double min_rate_per_hour = 0;
  double confidence = 0.95;
  double window_ms = 3600000;     // only the latest hour is judged
  std::size_t max_samples = 300;  // and at most this many full GCs
};

struct LeakEvent {
  double start_ms = 0;  // wall clock of the window's first full GC
  double end_ms = 0;    // wall clock of the latest full GC
  double growth = 0;    // bytes the fitted line grew over the window
  std::string reason;   // memwatch's sentence
  double rate_bytes_per_hour = 0;
  double rate_low_per_hour = 0;
  double rate_high_per_hour = 0;
  double confidence = 0;  // 1 - the Mann-Kendall p-value
  std::size_t samples = 0;
  double duration_s = 0;
  std::string basis;  // "early" (strong evidence before the full window) or "full-window"
  std::string why;    // the shared rule's explanation (report::trend_reason)
};

class LeakWatch {
 public:
  LeakWatch() { set_options({}); }
  // Starts a new history (the thinning and the window depend on the options).
  void set_options(const LeakOptions& options);
  const LeakOptions& options() const { return options_; }

  // Records one full GC: t_s on a monotonic clock since the agent started, wall time in ms.
  void add(double t_s, double wall_ms, double used_heap);

  // Judges the series; returns an event when it shows a leak. After an event the window starts
  // again from the latest full GC, so sustained growth is reported once per new window.
  std::optional<LeakEvent> evaluate();

  bool leaking() const { return leaking_; }
  double last_rate_per_hour() const { return last_rate_; }
  std::size_t sample_count() const { return tracker_.points().size(); }
  // The detector's latest answer, for leakState() and the docs' "why no leak yet".
  const series::TrendResult& last_result() const { return last_result_; }

 private:
  LeakOptions options_;
  // The shared bounded history: evenly thinned to max_samples over the whole window.
  series::TrendTracker tracker_;
  double wall_origin_ms_ = 0;  // wall clock at t = 0 of the monotonic time base
  bool has_origin_ = false;
  double last_t_ = 0;
  double last_used_ = 0;
  bool leaking_ = false;
  double last_rate_ = 0;
  bool dirty_ = false;
  series::TrendResult last_result_;
};

}  // namespace leakscope::addon
