// The hot loop of the reader: decoding runs of unsigned decimal integers separated by commas and
// whitespace, which is what 90 % of a snapshot's bytes are (the nodes and edges arrays).
#pragma once

#include <cstdint>

namespace leakscope {

// A number that was cut by the end of a chunk and continues in the next one.
struct NumberCarry {
  uint64_t value = 0;
  uint32_t digits = 0;
};

struct DecodeResult {
  const char* stop;  // first byte that is neither a digit nor a separator (or the end)
  uint64_t* out;     // one past the last value written
  bool overflow;     // a number had more than 19 digits
};

// Decodes [p, end) into out. A number still open at `end` stays in `carry`; the caller decides
// whether the next byte ends it. `out` must have room for (end - p + 1) / 2 + 1 values.
inline DecodeResult decode_numbers(const char* p, const char* end, uint64_t* out,
                                   NumberCarry& carry) {
  uint64_t value = carry.value;
  uint32_t digits = carry.digits;
  bool overflow = false;
  for (; p < end; ++p) {
    const unsigned digit = static_cast<unsigned char>(*p) - static_cast<unsigned>('0');
    if (digit < 10) {
      value = value * 10 + digit;
      ++digits;
      continue;
    }
    // Separators are the common case after the digits; checking them second keeps the digit path
    // to one compare.
    if (digits != 0) {
      overflow |= digits > 19;
      *out++ = value;
      value = 0;
      digits = 0;
    }
    const char c = *p;
    if (c == ',' || c == '\n' || c == ' ' || c == '\r' || c == '\t') continue;
    break;
  }
  carry.value = value;
  carry.digits = digits;
  return {p, out, overflow};
}

}  // namespace leakscope
