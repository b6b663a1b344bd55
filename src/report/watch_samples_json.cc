#include "report/watch_samples_json.h"

#include <algorithm>
#include <cmath>

namespace leakscope::report {
namespace {

using series::Point;

nlohmann::json series_json(std::vector<Point> points) {
  std::stable_sort(points.begin(), points.end(),
                   [](const Point& a, const Point& b) { return a.t < b.t; });
  const std::vector<Point> kept = downsample_min_max(points);
  nlohmann::json t = nlohmann::json::array();
  nlohmann::json v = nlohmann::json::array();
  for (const Point& p : kept) {
    // Milliseconds and bytes are plenty: shorter numbers make a smaller page.
    t.push_back(std::round(p.t * 1000) / 1000);
    v.push_back(std::round(p.v));
  }
  return {{"t", std::move(t)}, {"v", std::move(v)}, {"points_in", points.size()}};
}

void put_series(nlohmann::json& into, const char* name, std::vector<Point> points) {
  if (!points.empty()) into[name] = series_json(std::move(points));
}

// The fitted line v = first_value + rate (t - window start) over the judged window, with the band
// the slope's confidence interval draws around it, pivoting on the window's middle.
nlohmann::json trend_line_json(const series::TrendResult& tr, const std::string& name,
                               const std::string& label) {
  const double t0 = tr.window_start_s;
  const double t1 = tr.window_end_s;
  const double tc = (t0 + t1) / 2;
  const double per_s = 1.0 / 3600;
  const double vc = tr.first_value + tr.rate_per_hour * per_s * (tc - t0);
  nlohmann::json t = nlohmann::json::array(), fit = t, low = t, high = t;
  for (const double x : {t0, tc, t1}) {
    const double a = vc + tr.ci_low_per_hour * per_s * (x - tc);
    const double b = vc + tr.ci_high_per_hour * per_s * (x - tc);
    t.push_back(x);
    fit.push_back(std::round(vc + tr.rate_per_hour * per_s * (x - tc)));
    low.push_back(std::round(std::min(a, b)));
    high.push_back(std::round(std::max(a, b)));
  }
  return {{"series", name}, {"label", label}, {"verdict", series::verdict_name(tr.verdict)},
          {"t", t},         {"fit", fit},     {"low", low},
          {"high", high}};
}

}  // namespace

std::vector<Point> downsample_min_max(std::span<const Point> points, std::size_t max_points) {
  if (points.size() <= max_points || max_points < 4) {
    return std::vector<Point>(points.begin(), points.end());
  }
  const std::size_t buckets = max_points / 2;
  const double t0 = points.front().t;
  const double span = points.back().t - t0;
  std::vector<Point> out;
  out.reserve(max_points);
  std::size_t i = 0;
  for (std::size_t b = 0; b < buckets && i < points.size(); ++b) {
    const double end = t0 + span * static_cast<double>(b + 1) / static_cast<double>(buckets);
    std::size_t lo = i, hi = i;
    for (; i < points.size() && (points[i].t <= end || b + 1 == buckets); ++i) {
      if (points[i].v < points[lo].v) lo = i;
      if (points[i].v > points[hi].v) hi = i;
    }
    out.push_back(points[std::min(lo, hi)]);
    if (lo != hi) out.push_back(points[std::max(lo, hi)]);
  }
  return out;
}

nlohmann::json gc_samples_json(const series::GcLog& log, uint32_t isolate,
                               const series::TrendResult* trend, const std::string& trend_label) {
  nlohmann::json j = nlohmann::json::object();
  std::vector<Point> after, full_pause, minor_pause;
  for (const series::GcEvent& ev : log.events) {
    if (ev.isolate != isolate || (ev.flags & series::kGcTruncated)) continue;
    const double t = ev.t_ms / 1000;
    after.push_back({t, ev.after_mb * 1024 * 1024});
    (series::is_full_gc(ev.kind) ? full_pause : minor_pause).push_back({t, ev.pause_ms});
  }
  put_series(j, "heap_after_gc", std::move(after));
  put_series(j, "gc_pause_full_ms", std::move(full_pause));
  put_series(j, "gc_pause_minor_ms", std::move(minor_pause));
  if (trend && trend->points_judged >= 2)
    j["trend"] = trend_line_json(*trend, "js_heap", trend_label);
  return j;
}

nlohmann::json watch_samples_json(const WatchReport& r) {
  const series::WatchRecording& rec = *r.rec;
  nlohmann::json j = gc_samples_json(rec.gc, series::primary_isolate(rec.gc));
  std::vector<Point> rss, anon, used, total, external;
  for (const series::ProcSample& s : rec.proc) {
    rss.push_back({s.t, static_cast<double>(s.rss)});
    const uint64_t a = s.anonymous ? s.anonymous : s.rss_anon;
    if (a) anon.push_back({s.t, static_cast<double>(a)});
  }
  for (const series::JsSample& s : rec.js) {
    used.push_back({s.t, s.heap_used});
    total.push_back({s.t, s.heap_total});
    external.push_back({s.t, s.external});
  }
  put_series(j, "rss", std::move(rss));
  put_series(j, "anon_rss", std::move(anon));
  put_series(j, "heap_used", std::move(used));
  put_series(j, "heap_total", std::move(total));
  put_series(j, "external", std::move(external));
  const series::SeriesVerdict* heap = r.verdict.find("js_heap");
  if (heap && heap->available && heap->trend.points_judged >= 2)
    j["trend"] = trend_line_json(heap->trend, heap->name, heap->label);
  j["start_unix"] = rec.start_unix;
  j["ready_s"] = r.verdict.ready_s;
  return j;
}

}  // namespace leakscope::report
