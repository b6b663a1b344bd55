#include "report/series_format.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "report/format.h"

namespace leakscope::report {
namespace {

struct Unit {
  double scale;
  const char* name;
};

Unit unit_for(double magnitude) {
  if (magnitude < 1e3) return {1, "B"};
  if (magnitude < 1e6) return {1e3, "kB"};
  if (magnitude < 1e9) return {1e6, "MB"};
  return {1e9, "GB"};
}

}  // namespace

std::string human_duration(double s) {
  if (!(s > 0)) return "0 s";
  if (s < 10) return fmt::format("{:.1f} s", s);
  if (s < 60) return fmt::format("{:.0f} s", s);
  const auto total = static_cast<long long>(std::llround(s));
  if (total < 3600) return fmt::format("{} m {} s", total / 60, total % 60);
  if (total < 2 * 86400) return fmt::format("{} h {} m", total / 3600, (total % 3600) / 60);
  return fmt::format("{} d {} h", total / 86400, (total % 86400) / 3600);
}

std::string human_rate(double r) {
  if (r == 0) return "0 B/h";
  const Unit u = unit_for(std::fabs(r));
  if (u.scale == 1) return fmt::format("{:.0f} B/h", r);
  return fmt::format("{:.1f} {}/h", r / u.scale, u.name);
}

std::string rate_with_ci(const series::TrendResult& t, double confidence) {
  const double mag = std::max(
      {std::fabs(t.rate_per_hour), std::fabs(t.ci_low_per_hour), std::fabs(t.ci_high_per_hour)});
  const Unit u = unit_for(std::fabs(t.rate_per_hour) > 0 ? std::fabs(t.rate_per_hour) : mag);
  const int digits = u.scale == 1 ? 0 : 1;
  return fmt::format("{:.{}f} {}/h ({:.0f} % CI {:.{}f} to {:.{}f})", t.rate_per_hour / u.scale,
                     digits, u.name, confidence * 100, t.ci_low_per_hour / u.scale, digits,
                     t.ci_high_per_hour / u.scale, digits);
}

std::string count_rate_with_ci(const series::TrendResult& t, std::string_view unit,
                               double confidence) {
  return fmt::format("{:.1f} {}/h ({:.0f} % CI {:.1f} to {:.1f})", t.rate_per_hour, unit,
                     confidence * 100, t.ci_low_per_hour, t.ci_high_per_hour);
}

std::string confidence_text(double confidence) {
  if (confidence > 0.999) return "> 99.9 %";
  return fmt::format("{:.1f} %", 100 * std::max(0.0, confidence));
}

namespace {

std::string amount(double v, bool bytes) {
  if (!bytes) return fmt::format("{:.0f}", v);
  return human_bytes_delta(static_cast<int64_t>(std::llround(v)));
}

std::string size(double v, bool bytes) {
  if (!bytes) return fmt::format("{:.0f}", std::max(0.0, v));
  return human_bytes(static_cast<uint64_t>(std::max(0.0, v)));
}

// Which part of the floor set it: the fixed relevance floor, or the series' own noise.
std::string floor_text(const series::TrendResult& t, bool bytes) {
  const std::string f = size(t.growth_floor, bytes);
  if (t.floor_source == series::TrendResult::FloorSource::kRelevance) return f;
  // Say which noise term set it, with its size, so the number can be checked.
  const bool steps = t.floor_source == series::TrendResult::FloorSource::kSteps;
  return fmt::format("{}, set by the series' own {} ({} {})", f, steps ? "level steps" : "noise",
                     steps ? "largest step" : "sigma",
                     size(steps ? t.level_shift : t.noise, bytes));
}

}  // namespace

std::string trend_reason(const series::TrendResult& t, bool bytes, std::string_view points) {
  using series::InconclusiveReason;
  const std::string window = human_duration(t.window_s());
  const std::string warm = t.warmup_discarded_s > 0
                               ? " after " + human_duration(t.warmup_discarded_s) + " of warm-up"
                               : "";
  switch (t.verdict) {
    case series::Verdict::kGrowing: {
      const double ratio = t.growth_floor > 0 ? t.growth / t.growth_floor : 0;
      if (t.basis == series::Basis::kEarly) {
        return fmt::format(
            "decided early on strong evidence: {} over {} and {} {}{} ({:.1f}x the floor of {}; "
            "the late part still grows), confidence {}",
            amount(t.growth, bytes), window, t.points_judged, points, warm, ratio,
            floor_text(t, bytes), confidence_text(t.confidence));
      }
      return fmt::format("{} over {} and {} {}{} ({:.1f}x the floor of {}), confidence {}",
                         amount(t.growth, bytes), window, t.points_judged, points, warm, ratio,
                         floor_text(t, bytes), confidence_text(t.confidence));
    }
    case series::Verdict::kStable:
      return fmt::format(
          "at most {} over {} and {} {}{} ({:.0f} % upper bound), under {:.0f}x the floor of {}",
          amount(std::max(0.0, t.ci_high_per_hour / 3600 * t.window_s()), bytes), window,
          t.points_judged, points, warm, 100 * t.confidence, t.stable_margin, floor_text(t, bytes));
    case series::Verdict::kInconclusive:
      break;
  }
  switch (t.reason) {
    case InconclusiveReason::kTooFewPoints:
      if (t.points_judged == 0) return fmt::format("no {} after warm-up", points);
      return fmt::format(
          "only {} {}{} ({} needed), and {} over {} is not strong enough to call "
          "early",
          t.points_judged, points, warm, t.min_points, amount(t.growth, bytes), window);
    case InconclusiveReason::kTooShort:
      return fmt::format(
          "the judged window is only {}{} ({} needed), and {} over it is not strong enough to "
          "call early",
          window, warm, human_duration(t.min_duration_s), amount(t.growth, bytes));
    case InconclusiveReason::kSteps:
      return fmt::format(
          "it rose {} over {}, but in one or two steps: without its two largest rises it changed "
          "{}, under the floor of {} (allocator arenas and V8's young generation grow in steps)",
          amount(t.growth, bytes), window, amount(t.growth_without_steps, bytes),
          size(t.relevance_floor, bytes));
    case InconclusiveReason::kSettling:
      return fmt::format(
          "it rose {} over {}, but the late part grows at most {}/h: a warm-up still settling",
          amount(t.growth, bytes), window, amount(t.late_ci_high_per_hour, bytes));
    default:
      return fmt::format(
          "{} over {} and {} {} is neither shown to grow (p = {:.2g}) nor bounded below {:.0f}x "
          "the floor of {}",
          amount(t.growth, bytes), window, t.points_judged, points, t.p_value, t.stable_margin,
          floor_text(t, bytes));
  }
}

nlohmann::json trend_json(const series::TrendResult& t, bool bytes, std::string_view points) {
  nlohmann::json j;
  j["verdict"] = series::verdict_name(t.verdict);
  if (t.reason != series::InconclusiveReason::kNone) {
    j["inconclusive_reason"] = series::inconclusive_reason_name(t.reason);
  }
  if (t.basis != series::Basis::kNone) j["basis"] = series::basis_name(t.basis);
  j["confidence"] = t.confidence;
  j["why"] = trend_reason(t, bytes, points);
  j["rate_per_hour"] = t.rate_per_hour;
  j["ci95_low_per_hour"] = t.ci_low_per_hour;
  j["ci95_high_per_hour"] = t.ci_high_per_hour;
  j["p_value"] = t.p_value;
  j["mann_kendall_z"] = t.mk_z;
  j["autocorrelation_factor"] = t.autocorrelation_factor;
  j["window_start_s"] = t.window_start_s;
  j["window_end_s"] = t.window_end_s;
  j["window_s"] = t.window_s();
  j["warmup_discarded_s"] = t.warmup_discarded_s;
  j["points_in"] = t.points_in;
  j["points_judged"] = t.points_judged;
  j["level"] = t.level;
  j["growth_over_window"] = t.growth;
  j["growth_floor"] = t.growth_floor;
  j["relevance_floor"] = t.relevance_floor;
  j["noise"] = t.noise;
  j["level_shift"] = t.level_shift;
  j["floor_source"] = t.floor_source == series::TrendResult::FloorSource::kRelevance ? "relevance"
                      : t.floor_source == series::TrendResult::FloorSource::kNoise   ? "noise"
                                                                                     : "steps";
  j["growth_without_steps"] = t.growth_without_steps;
  j["late_rate_per_hour"] = t.late_rate_per_hour;
  j["min_points"] = t.min_points;
  j["min_duration_s"] = t.min_duration_s;
  if (t.suggested_duration_s > 0) j["suggested_duration_s"] = t.suggested_duration_s;
  return j;
}

}  // namespace leakscope::report
