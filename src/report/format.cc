#include "report/format.h"

#include <fmt/core.h>

#include "report/safe_text.h"

namespace leakscope::report {

std::string human_bytes(uint64_t bytes) {
  if (bytes < 1000) return fmt::format("{} B", bytes);
  const double b = static_cast<double>(bytes);
  if (bytes < 1000 * 1000) return fmt::format("{:.1f} kB", b / 1e3);
  if (bytes < 1000ull * 1000 * 1000) return fmt::format("{:.1f} MB", b / 1e6);
  return fmt::format("{:.2f} GB", b / 1e9);
}

std::string human_bytes_delta(int64_t bytes) {
  if (bytes == 0) return "0 B";
  const uint64_t magnitude =
      bytes < 0 ? static_cast<uint64_t>(-(bytes + 1)) + 1 : static_cast<uint64_t>(bytes);
  return (bytes < 0 ? "-" : "+") + human_bytes(magnitude);
}

double percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

std::string with_commas(uint64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[i]);
    if ((n - i - 1) % 3 == 0 && i + 1 < n) out.push_back(',');
  }
  return out;
}

size_t display_width(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string fit(std::string_view text, size_t width) {
  std::string clean = safe_text(text);
  if (display_width(clean) <= width) return clean;
  std::string out;
  size_t columns = 0;
  for (size_t i = 0; i < clean.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(clean[i]);
    if ((c & 0xC0) != 0x80) {
      if (columns + 1 >= width) break;
      ++columns;
    }
    out.push_back(clean[i]);
  }
  return out + "…";
}

}  // namespace leakscope::report
