#include "addon/leak_watch.h"

#include <algorithm>

#include "report/memwatch_format.h"
#include "report/series_format.h"

namespace leakscope::addon {

void LeakWatch::set_options(const LeakOptions& options) {
  options_ = options;
  series::TrendOptions trend;
  trend.min_duration_s = options.min_duration_ms / 1000.0;
  trend.min_points = options.min_points;
  trend.auto_warmup = true;
  trend.min_growth_abs = options.min_growth_bytes;
  trend.min_growth_fraction = options.min_growth_fraction;
  trend.min_rate_per_hour = options.min_rate_per_hour;
  trend.confidence = options.confidence;
  trend.max_window_s = options.window_ms / 1000.0;
  trend.max_points = options.max_samples;
  tracker_ = series::TrendTracker(trend, options.max_samples);
  dirty_ = false;
}

void LeakWatch::add(double t_s, double wall_ms, double used_heap) {
  if (t_s * 1000.0 < options_.warmup_ms) return;
  if (!has_origin_) {
    wall_origin_ms_ = wall_ms - t_s * 1000.0;
    has_origin_ = true;
  }
  tracker_.add(t_s, used_heap);
  last_t_ = t_s;
  last_used_ = used_heap;
  dirty_ = true;
}

std::optional<LeakEvent> LeakWatch::evaluate() {
  if (!dirty_) return std::nullopt;
  dirty_ = false;
  // The shared rule may call a strong, large growth early (before min_points and the window),
  // so it is asked from the earliest point count it could decide on.
  const std::size_t early_points =
      std::min(series::TrendOptions{}.early_min_points, options_.min_points);
  if (tracker_.points().size() < std::max<std::size_t>(early_points, 3)) return std::nullopt;
  const series::TrendResult r = tracker_.evaluate();
  last_result_ = r;
  if (r.verdict == series::Verdict::kStable) leaking_ = false;
  if (r.verdict != series::Verdict::kGrowing) return std::nullopt;

  leaking_ = true;
  last_rate_ = r.rate_per_hour;
  LeakEvent e;
  e.start_ms = wall_origin_ms_ + r.window_start_s * 1000.0;
  e.end_ms = wall_origin_ms_ + r.window_end_s * 1000.0;
  e.growth = r.growth;
  e.rate_bytes_per_hour = r.rate_per_hour;
  e.rate_low_per_hour = r.ci_low_per_hour;
  e.rate_high_per_hour = r.ci_high_per_hour;
  e.confidence = 1.0 - r.p_value;
  e.samples = r.points_judged;
  e.duration_s = r.window_s();
  e.basis = std::string(series::basis_name(r.basis));
  e.why = report::trend_reason(r, true, "full GCs");
  e.reason = "heap growth over " + std::to_string(r.points_judged) + " consecutive GCs (" +
             report::memwatch_elapsed(r.window_s()) + ") - " +
             report::memwatch_size(r.rate_per_hour) + "/hr";
  // Start a new window at the latest full GC.
  tracker_.clear();
  tracker_.add(last_t_, last_used_);
  return e;
}

}  // namespace leakscope::addon
