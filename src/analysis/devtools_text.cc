#include "analysis/devtools_text.h"

#include <fmt/core.h>

#include <cstdint>

namespace leakscope {

size_t utf16_length(std::string_view text) {
  size_t n = 0;
  for (const unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
    if (c >= 0xF0) ++n;  // a supplementary character is a surrogate pair in JS
  }
  return n;
}

std::string json_stringify(std::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else if (c == 0xED && i + 2 < text.size() &&
                   (static_cast<unsigned char>(text[i + 1]) & 0xE0) == 0xA0) {
          // WTF-8 for a lone surrogate (ED A0..BF xx): JS's JSON.stringify escapes it.
          const uint32_t unit = 0xD000u | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                                (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
          out += fmt::format("\\u{:04x}", unit);
          i += 2;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string devtools_property_name(std::string_view name) {
  if (name.find_first_of(",'\"{}") == std::string_view::npos) return std::string(name);
  return json_stringify(name);
}

}  // namespace leakscope
