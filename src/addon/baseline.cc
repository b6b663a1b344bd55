#include "addon/baseline.h"

#include <algorithm>
#include <cmath>

namespace leakscope::addon {

const BaselineFigures& Baseline::add(uint64_t used) {
  BaselineFigures& f = figures_;
  const uint64_t n = ++f.compactions;
  const auto value = static_cast<double>(used);
  f.current_base = used;

  // A cumulative mean while fewer samples than the period exist (memwatch's damped start-up meant
  // this, but its integer division made both averages equal the current value), then the EMA.
  const auto recent_div = static_cast<double>(std::min(n, kRecentPeriod));
  recent_ += (value - recent_) / recent_div;
  const auto ancient_div = static_cast<double>(std::min(n, kAncientPeriod));
  ancient_ += (value - ancient_) / ancient_div;

  f.estimated_base = static_cast<uint64_t>(std::llround(recent_));
  // Computed in double, so a shrinking heap gives a negative trend (memwatch subtracted unsigned).
  f.usage_trend = ancient_ > 0 ? std::round((recent_ - ancient_) / ancient_ * 1000.0) / 10.0 : 0.0;
  if (f.usage_trend == 0) f.usage_trend = 0;  // no "-0"

  if (n == kMinMaxFrom) {
    f.min = f.max = used;
  } else if (n > kMinMaxFrom) {
    f.min = std::min(f.min, used);
    f.max = std::max(f.max, used);
  }
  return f;
}

}  // namespace leakscope::addon
