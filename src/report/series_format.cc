#include "report/series_format.h"

#include <fmt/core.h>

#include <cmath>

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

nlohmann::json trend_json(const series::TrendResult& t) {
  nlohmann::json j;
  j["verdict"] = series::verdict_name(t.verdict);
  if (t.reason != series::InconclusiveReason::kNone) {
    j["inconclusive_reason"] = series::inconclusive_reason_name(t.reason);
  }
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
  if (t.suggested_duration_s > 0) j["suggested_duration_s"] = t.suggested_duration_s;
  return j;
}

}  // namespace leakscope::report
