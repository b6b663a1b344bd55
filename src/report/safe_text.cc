#include "report/safe_text.h"

#include <fmt/core.h>

namespace leakscope::report {

namespace {
bool is_bidi_control(uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}
}  // namespace

bool is_unsafe_code_point(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || is_bidi_control(cp);
}

Utf8Sequence decode_utf8(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {Utf8Sequence::kValid, 1, lead};
  uint8_t length = 0;
  uint32_t cp = 0;
  // The allowed range of the second byte excludes overlong forms and values above U+10FFFF.
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    cp = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    cp = lead & 0x0Fu;
    if (lead == 0xE0) low = 0xA0;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    cp = lead & 0x07u;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return {Utf8Sequence::kInvalid, 1, 0};
  }
  for (uint8_t i = 1; i < length; ++i) {
    if (at + i >= text.size()) return {Utf8Sequence::kTruncated, i, 0};
    const unsigned char c = byte(i);
    if (i == 1 ? (c < low || c > high) : !is_continuation(c)) {
      return {Utf8Sequence::kInvalid, 1, 0};
    }
    cp = (cp << 6) | (c & 0x3Fu);
  }
  if (cp >= 0xD800 && cp <= 0xDFFF) return {Utf8Sequence::kSurrogate, length, cp};
  return {Utf8Sequence::kValid, length, cp};
}

size_t append_safe_text(std::string& out, std::string_view bytes, bool keep_newlines,
                        bool complete) {
  size_t i = 0;
  while (i < bytes.size()) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (c == '\n' && keep_newlines) {
      out.push_back('\n');
      ++i;
      continue;
    }
    const Utf8Sequence s = decode_utf8(bytes, i);
    if (s.status == Utf8Sequence::kTruncated && !complete) return i;
    if (s.status == Utf8Sequence::kValid && !is_unsafe_code_point(s.cp)) {
      out.append(bytes.substr(i, s.length));
    } else if ((s.status == Utf8Sequence::kValid && s.cp >= 0x80) ||
               s.status == Utf8Sequence::kSurrogate) {
      out += fmt::format("\\u{:04x}", s.cp);
    } else if (c == '\n' || c == '\r' || c == '\t') {
      out.push_back('\\');
      out.push_back(c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
    } else {
      // C0, DEL, an invalid byte, or the first byte of a truncated sequence: only this byte is
      // escaped, and decoding resumes at the next one.
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    i += s.length;
  }
  return i;
}

std::string safe_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_safe_text(out, bytes);
  return out;
}

}  // namespace leakscope::report
