// memwatch's post-GC baseline figures (current_base, estimated_base, usage_trend, min, max) with
// the arithmetic memwatch meant: 64-bit sizes, a signed trend, and real moving averages.
#pragma once

#include <cstdint>

namespace leakscope::addon {

struct BaselineFigures {
  uint64_t compactions = 0;     // full GCs seen so far
  uint64_t current_base = 0;    // used heap after the latest full GC
  uint64_t estimated_base = 0;  // "recent" average of current_base, rounded
  double usage_trend = 0;       // (recent - ancient) / ancient in percent, 1 decimal, signed
  uint64_t min = 0;             // from the 3rd full GC on (start-up heaps are not a baseline)
  uint64_t max = 0;
};

class Baseline {
 public:
  // Periods as in memwatch: "recent" is a mean over up to 10 full GCs then an EMA with alpha 0.1;
  // "ancient" is the cumulative mean up to 120 full GCs then an EMA with alpha 1/120.
  static constexpr uint64_t kRecentPeriod = 10;
  static constexpr uint64_t kAncientPeriod = 120;
  static constexpr uint64_t kMinMaxFrom = 3;

  const BaselineFigures& add(uint64_t used_heap_after_full_gc);
  const BaselineFigures& figures() const { return figures_; }

 private:
  BaselineFigures figures_;
  double recent_ = 0;
  double ancient_ = 0;
};

}  // namespace leakscope::addon
