// Small formatting helpers shared by the text renderers: every figure gets a unit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "report/safe_text.h"

namespace leakscope::report {

// Bytes as DevTools shows them (decimal units): "976 B", "912.6 kB", "3.8 MB", "1.08 GB".
std::string human_bytes(uint64_t bytes);
// Signed variant with an explicit sign: "+1.2 MB", "-976 B", "0 B".
std::string human_bytes_delta(int64_t bytes);
// part as a percentage of whole (0 when whole is 0).
double percent(uint64_t part, uint64_t whole);
// 1234567 -> "1,234,567".
std::string with_commas(uint64_t value);
// Untrusted text made display-safe (safe_text.h), cut to at most `width` display columns, ending
// in "…" when cut.
std::string fit(std::string_view text, size_t width);
// Display columns taken by UTF-8 text (one per code point; good enough for names).
size_t display_width(std::string_view text);

}  // namespace leakscope::report
