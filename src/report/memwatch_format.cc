#include "report/memwatch_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace leakscope::report {

std::string memwatch_size(double bytes) {
  if (!std::isfinite(bytes))
    return bytes > 0 ? "inf bytes" : bytes < 0 ? "-inf bytes" : "nan bytes";
  constexpr double kKiB = 1024.0;
  constexpr double kMiB = 1024.0 * 1024.0;
  char buf[64];
  const double magnitude = std::fabs(bytes);
  if (magnitude > kMiB) {
    std::snprintf(buf, sizeof buf, "%.2f mb", bytes / kMiB);
  } else if (magnitude > kKiB) {
    std::snprintf(buf, sizeof buf, "%.2f kb", bytes / kKiB);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f bytes", std::trunc(bytes));
  }
  return buf;
}

std::string memwatch_size(int64_t bytes) {
  return memwatch_size(static_cast<double>(bytes));
}

std::string memwatch_elapsed(double seconds) {
  auto total = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  std::string out;
  if (total >= 3600) {
    out += std::to_string(total / 3600) + "h ";
    total %= 3600;
    out += std::to_string(total / 60) + "m ";
    total %= 60;
  } else if (total >= 60) {
    out += std::to_string(total / 60) + "m ";
    total %= 60;
  }
  out += std::to_string(total) + "s";
  return out;
}

}  // namespace leakscope::report
