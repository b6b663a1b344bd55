// The leak detector's face: configure()'s `leak` options in and out, and the detector's latest
// answer. The JS names of the options are spelled once on this side, in kLeakOptionKeys;
// lib/options.js's leak table is the JS home, and agent-option-names checks that both and
// lib/index.d.ts list the same names.
#pragma once

#include <array>
#include <cstddef>

#include <napi.h>

#include "addon/agent.h"
#include "addon/leak_watch.h"

namespace leakscope::addon {

// One configure({leak}) key and the LeakOptions field it sets: a real or a count (exactly one
// of the two pointers is set).
struct LeakOptionKey {
  const char* name;
  double LeakOptions::*real;
  std::size_t LeakOptions::*count;
};

inline constexpr std::array<LeakOptionKey, 9> kLeakOptionKeys = {{
    {"minDurationMs", &LeakOptions::min_duration_ms, nullptr},
    {"minPoints", nullptr, &LeakOptions::min_points},
    {"warmupMs", &LeakOptions::warmup_ms, nullptr},
    {"minGrowthBytes", &LeakOptions::min_growth_bytes, nullptr},
    {"minGrowthFraction", &LeakOptions::min_growth_fraction, nullptr},
    {"minRateBytesPerHour", &LeakOptions::min_rate_per_hour, nullptr},
    {"confidence", &LeakOptions::confidence, nullptr},
    {"windowMs", &LeakOptions::window_ms, nullptr},
    {"maxSamples", nullptr, &LeakOptions::max_samples},
}};

// JS: setLeakOptions({<kLeakOptionKeys>}) -> leakState(); absent keys keep their value. Refuses
// (RangeError) what the detector cannot work with, even if lib/options.js let it through.
Napi::Value set_leak_options(Agent& agent, const Napi::CallbackInfo& info);
// JS: leakState() -> {detected, rate_bytes_per_hour, samples, last: the detector's latest
// answer and why, options: every kLeakOptionKeys value in force}.
Napi::Value leak_state(Agent& agent, const Napi::CallbackInfo& info);

}  // namespace leakscope::addon
