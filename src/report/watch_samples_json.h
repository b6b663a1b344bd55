// The raw series behind `watch --json` and `gclog --json`, for charts (the HTML report): each
// series as its own {"t": [seconds], "v": [values]}, thinned to at most `kMaxChartPoints` points
// by keeping the lowest and highest point of each time bucket, so spikes and dips survive.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "report/watch_report.h"
#include "series/trace_gc.h"
#include "series/trend.h"

namespace leakscope::report {

inline constexpr std::size_t kMaxChartPoints = 2000;

// At most max_points of the points (sorted by time), the min and max of each bucket in time order.
std::vector<series::Point> downsample_min_max(std::span<const series::Point> points,
                                              std::size_t max_points = kMaxChartPoints);

// "samples" of `watch --json`: /proc (rss, anon), process.memoryUsage() (heap_used, heap_total,
// external), the heap after each GC and GC pauses of the main isolate, and the fitted trend line
// of the series behind the JS-heap verdict with its confidence band. Time: seconds since start.
nlohmann::json watch_samples_json(const WatchReport& report);

// The heap after each GC and the GC pauses (full and minor) of one isolate of a --trace-gc log,
// seconds since the isolate started; the part of watch_samples_json that gclog shares. With a
// trend judged on that log (gclog's), also its line and band, labelled `trend_label`.
nlohmann::json gc_samples_json(const series::GcLog& log, uint32_t isolate,
                               const series::TrendResult* trend = nullptr,
                               const std::string& trend_label = "");

}  // namespace leakscope::report
