// Formatting shared by the memory-over-time renderers (gclog, watch, maps): rates per hour with
// their confidence interval in one unit, durations, and the trend as a JSON object.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "series/trend.h"

namespace leakscope::report {

// "12.3 s", "5 m 12 s", "2 h 10 m", "3 d 4 h".
std::string human_duration(double seconds);
// A rate in bytes per hour: "11.7 MB/h", "-320.0 kB/h", "0 B/h".
std::string human_rate(double bytes_per_hour);
// "11.7 MB/h (95 % CI 9.8 to 13.5)" with both bounds in the rate's unit.
std::string rate_with_ci(const series::TrendResult& t, double confidence = 0.95);
// The same for counts: "12.0 fds/h (95 % CI 10.1 to 14.2)".
std::string count_rate_with_ci(const series::TrendResult& t, std::string_view unit,
                               double confidence = 0.95);
// Why the leak rule decided what it did, in one clause without a final period: for "growing" the
// growth, its size against the floor, how it was reached (early or over the full window) and the
// confidence; for "stable" the bound; for "inconclusive" what was missing ("only 5 full GCs after
// 18 s of warm-up, 8 needed"). `bytes` selects the unit (else counts), `points` names what a
// point is ("full GCs", "samples").
std::string trend_reason(const series::TrendResult& t, bool bytes = true,
                         std::string_view points = "points");
// "99.2 %", "> 99.9 %".
std::string confidence_text(double confidence);
// The trend as JSON: verdict, basis, confidence, the reason, rate and CI per hour, p-value,
// window, warm-up, the floor and the noise behind it, ...
nlohmann::json trend_json(const series::TrendResult& t, bool bytes = true,
                          std::string_view points = "points");

}  // namespace leakscope::report
