// The one clock that times the stages (loading, classes, retention, ...) for --timings and the
// addon's figures: monotonic, so a clock adjustment never makes a stage negative.
#pragma once

#include <chrono>

namespace leakscope {

using StageClock = std::chrono::steady_clock;

inline double seconds_since(StageClock::time_point start) {
  return std::chrono::duration<double>(StageClock::now() - start).count();
}

}  // namespace leakscope
