#include "analysis/ephemeron_edges.h"

#include <string>

namespace leakscope {

namespace {

constexpr std::string_view kKeyPart = " / part of key (";
constexpr std::string_view kValuePart = ") -> value (";
constexpr std::string_view kTablePart = ") pair in WeakMap (table @";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// JavaScript's `.` matches anything but the four line terminators.
bool has_line_terminator(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\n' || c == '\r') return true;
    // U+2028 / U+2029 in UTF-8: E2 80 A8 / E2 80 A9.
    if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < s.size() &&
        static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      return true;
    }
  }
  return false;
}

// True when `s` ends with " @" followed by at least one digit. Only the whole trailing digit run
// can be preceded by " @", so that is the one to test.
bool ends_with_at_number(std::string_view s) {
  size_t d = s.size();
  while (d > 0 && is_digit(s[d - 1])) --d;
  return d < s.size() && d >= 2 && s[d - 2] == ' ' && s[d - 1] == '@';
}

}  // namespace

// The pattern is ^\d+( / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap
// \(table @(\d+)\))$. Laziness does not change whether it matches, and the table id is always
// the digit run just before the final ')'.
std::optional<EphemeronName> parse_ephemeron_edge_name(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ++i;
  if (i == 0 || s.substr(i, kKeyPart.size()) != kKeyPart) return std::nullopt;
  const size_t middle_begin = i + kKeyPart.size();
  if (s.empty() || s.back() != ')') return std::nullopt;
  size_t k = s.size() - 1;
  while (k > 0 && is_digit(s[k - 1])) --k;
  if (k == s.size() - 1 || k < kTablePart.size()) return std::nullopt;
  if (s.substr(k - kTablePart.size(), kTablePart.size()) != kTablePart) return std::nullopt;
  const size_t middle_end = k - kTablePart.size();
  if (middle_end < middle_begin) return std::nullopt;
  // middle = X " @" D1 ") -> value (" Y " @" D2
  const std::string_view middle = s.substr(middle_begin, middle_end - middle_begin);
  if (!ends_with_at_number(middle)) return std::nullopt;
  size_t d = middle.size();
  while (is_digit(middle[d - 1])) --d;
  const std::string_view rest = middle.substr(0, d - 2);
  if (has_line_terminator(rest)) return std::nullopt;
  bool found = false;
  for (size_t pos = rest.find(kValuePart); pos != std::string_view::npos;
       pos = rest.find(kValuePart, pos + 1)) {
    if (ends_with_at_number(rest.substr(0, pos))) {
      found = true;
      break;
    }
  }
  if (!found) return std::nullopt;
  EphemeronName result;
  result.pair_offset = i;
  uint64_t id = 0;
  for (size_t j = k; j + 1 < s.size(); ++j) {
    const uint64_t digit = static_cast<uint64_t>(s[j] - '0');
    id = id > (UINT64_MAX - digit) / 10 ? UINT64_MAX : id * 10 + digit;
  }
  result.table_id = id;
  return result;
}

EphemeronEdgeNames::EphemeronEdgeNames(const StringPool& strings) : names_(strings.size()) {
  std::unordered_map<std::string_view, uint32_t> pairs;
  const uint32_t count = strings.size();
  for (uint32_t i = 0; i < count; ++i) {
    const std::string_view s = strings.get(i);
    // Cheap rejection first: nearly every string fails on its first byte or its last.
    if (s.size() < 40 || !is_digit(s[0]) || s.back() != ')') continue;
    const auto parsed = parse_ephemeron_edge_name(s);
    if (!parsed) continue;
    const auto [it, inserted] = pairs.emplace(s.substr(parsed->pair_offset), pair_count_);
    if (inserted) ++pair_count_;
    names_.set(i);
    info_.emplace(i, Info{parsed->table_id, it->second});
  }
}

}  // namespace leakscope
