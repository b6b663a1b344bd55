#include "addon/leak_watch.h"

#include <algorithm>

#include "report/memwatch_format.h"

namespace leakscope::addon {

void LeakWatch::add(double t_s, double wall_ms, double used_heap) {
  if (t_s < options_.warmup_s) return;
  samples_.push_back({t_s, wall_ms, used_heap});
  // Keep the window: by time, then by count.
  const double oldest = t_s - options_.window_s;
  auto first = std::find_if(samples_.begin(), samples_.end(),
                            [&](const Sample& s) { return s.t_s >= oldest; });
  samples_.erase(samples_.begin(), first);
  if (samples_.size() > options_.max_samples) {
    samples_.erase(samples_.begin(),
                   samples_.end() - static_cast<std::ptrdiff_t>(options_.max_samples));
  }
  dirty_ = true;
}

std::optional<LeakEvent> LeakWatch::evaluate() {
  if (!dirty_) return std::nullopt;
  dirty_ = false;
  if (samples_.size() < std::max<std::size_t>(options_.min_points, 3)) return std::nullopt;
  std::vector<series::Point> points;
  points.reserve(samples_.size());
  for (const Sample& s : samples_) points.push_back({s.t_s, s.used});
  series::TrendOptions trend;
  trend.min_duration_s = options_.min_duration_s;
  trend.min_points = options_.min_points;
  trend.auto_warmup = true;
  trend.min_growth_abs = options_.min_growth_bytes;
  trend.min_growth_fraction = options_.min_growth_fraction;
  trend.min_rate_per_hour = options_.min_rate_per_hour;
  trend.confidence = options_.confidence;
  trend.max_points = options_.max_samples;
  const series::TrendResult r = series::detect_trend(points, trend);
  last_result_ = r;
  if (r.verdict == series::Verdict::kStable) leaking_ = false;
  if (r.verdict != series::Verdict::kGrowing) return std::nullopt;

  leaking_ = true;
  last_rate_ = r.rate_per_hour;
  const auto first = std::find_if(samples_.begin(), samples_.end(),
                                  [&](const Sample& s) { return s.t_s >= r.window_start_s; });
  LeakEvent e;
  e.start_ms = first != samples_.end() ? first->wall_ms : samples_.front().wall_ms;
  e.end_ms = samples_.back().wall_ms;
  e.growth = r.growth;
  e.rate_bytes_per_hour = r.rate_per_hour;
  e.rate_low_per_hour = r.ci_low_per_hour;
  e.rate_high_per_hour = r.ci_high_per_hour;
  e.confidence = 1.0 - r.p_value;
  e.samples = r.points_judged;
  e.duration_s = r.window_s();
  e.reason = "heap growth over " + std::to_string(r.points_judged) + " consecutive GCs (" +
             report::memwatch_elapsed(r.window_s()) + ") - " +
             report::memwatch_size(r.rate_per_hour) + "/hr";
  // Start a new window at the latest full GC.
  samples_.erase(samples_.begin(), samples_.end() - 1);
  return e;
}

}  // namespace leakscope::addon
