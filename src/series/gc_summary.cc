#include "series/gc_summary.h"

#include <algorithm>
#include <cmath>

namespace leakscope::series {
namespace {

double percentile(std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  // Nearest rank: the p99 of 50 pauses is the largest but one, a value that really occurred.
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

TrendOptions default_gclog_trend_options() {
  TrendOptions o;
  o.min_duration_s = 60;
  o.min_points = 8;
  return o;
}

GcSummary summarize_gc_log(const GcLog& log, const TrendOptions& options) {
  GcSummary s;
  s.isolate = primary_isolate(log);
  if (s.isolate == UINT32_MAX) {
    s.trend = detect_trend({}, options);
    return s;
  }
  std::vector<double> pauses;
  for (std::size_t i = 0; i < log.events.size(); ++i) {
    const GcEvent& ev = log.events[i];
    if (ev.isolate != s.isolate) continue;
    ++s.events;
    GcKindStats& k = s.kinds[static_cast<std::size_t>(ev.kind)];
    ++k.count;
    if (ev.flags & kGcReduce) ++k.reduce;
    if (!(ev.flags & kGcTruncated) || ev.pause_ms > 0) {
      k.pause_total_ms += ev.pause_ms;
      k.pause_max_ms = std::max(k.pause_max_ms, ev.pause_ms);
      pauses.push_back(ev.pause_ms);
    }
    if (is_full_gc(ev.kind)) s.full_gcs.push_back(i);
    s.span_ms = std::max(s.span_ms, ev.t_ms);
  }
  std::sort(pauses.begin(), pauses.end());
  s.pause_p50_ms = percentile(pauses, 0.50);
  s.pause_p99_ms = percentile(pauses, 0.99);
  s.pause_max_ms = pauses.empty() ? 0 : pauses.back();
  for (double p : pauses) s.pause_total_ms += p;
  if (s.span_ms > 0) s.gc_time_percent = 100 * s.pause_total_ms / s.span_ms;

  const auto full = post_full_gc_series(log, s.isolate);
  if (full.size() >= options.min_points) {
    s.judged_full_gcs = true;
    s.judged_points = full.size();
    s.trend = detect_trend(full, options);
  } else {
    TrendOptions env = options;
    env.lower_envelope = true;
    const auto any = post_any_gc_series(log, s.isolate);
    s.judged_points = any.size();
    s.trend = detect_trend(any, env);
  }
  return s;
}

}  // namespace leakscope::series
