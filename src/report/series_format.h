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
// The trend as JSON: verdict, rate and CI per hour, p-value, window, warm-up, ...
nlohmann::json trend_json(const series::TrendResult& t);

}  // namespace leakscope::report
