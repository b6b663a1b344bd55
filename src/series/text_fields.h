// Tiny text helpers for the /proc, smaps and pmap readers: trimming and unsigned numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace leakscope::series {

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Reads the unsigned number (base 10 or 16) at the start of s into out; returns the number of
// characters it used (0: s does not start with a digit, or the number does not fit in 64 bits).
inline size_t read_unsigned(std::string_view s, int base, uint64_t& out) {
  uint64_t v = 0;
  size_t used = 0;
  out = 0;
  for (char ch : s) {
    int d;
    if (ch >= '0' && ch <= '9') {
      d = ch - '0';
    } else if (base == 16 && ch >= 'a' && ch <= 'f') {
      d = ch - 'a' + 10;
    } else if (base == 16 && ch >= 'A' && ch <= 'F') {
      d = ch - 'A' + 10;
    } else {
      break;
    }
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return 0;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    ++used;
  }
  out = v;
  return used;
}

}  // namespace leakscope::series
