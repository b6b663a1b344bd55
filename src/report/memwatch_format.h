// memwatch's human-readable formats, so the agent's output reads like memwatch's: sizes as
// "3.81 mb", "912.55 kb", "976 bytes" (binary units, 2 decimals) and durations as "1h 2m 3s".
#pragma once

#include <cstdint>
#include <string>

namespace leakscope::report {

// |bytes| > 1 MiB: mb; > 1 KiB: kb; else whole bytes. Signed, 64-bit (memwatch's was an int).
std::string memwatch_size(int64_t bytes);
std::string memwatch_size(double bytes);

// "Xh Ym Zs", the hours part only from an hour on and the minutes part only from a minute on.
std::string memwatch_elapsed(double seconds);

}  // namespace leakscope::report
