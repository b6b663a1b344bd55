// Heap contents, file names and arguments are untrusted: a property or event name can hold
// `ESC]52;…BEL` (sets the clipboard), `ESC[2J` (clears the screen) or U+202E (reverses what
// follows). Everything leakscope prints passes through this one sanitizer, so that nothing the tool
// prints can drive the user's terminal. Valid printable UTF-8 (CJK, emoji, the tool's own arrows
// and box drawing) is kept as is.
//
// Escapes: `\n`, `\r`, `\t`; other C0 controls, DEL and every invalid UTF-8 byte as `\xNN`; C1
// controls (U+0080 to U+009F), Unicode's Bidi_Control characters (U+061C, U+200E, U+200F, U+202A
// to U+202E, U+2066 to U+2069) and lone UTF-16 surrogates (kept as WTF-8 in the model) as `\uNNNN`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace leakscope::report {

// Untrusted bytes as display-safe text.
std::string safe_text(std::string_view bytes);

// Appends the display-safe form of `bytes` to `out`. `keep_newlines` passes '\n' through (for
// whole output lines, where it is the tool's own line end). With `complete` false, an incomplete
// but so far valid UTF-8 sequence at the end is left unconsumed (a stream's next chunk may finish
// it). Returns the number of bytes consumed.
size_t append_safe_text(std::string& out, std::string_view bytes, bool keep_newlines = false,
                        bool complete = true);

// A code point that valid UTF-8 may carry but a terminal must not receive raw: C0, DEL, C1 and the
// bidi controls. JSON output escapes these as \uNNNN.
bool is_unsafe_code_point(uint32_t cp);

struct Utf8Sequence {
  enum Status : uint8_t { kValid, kSurrogate, kInvalid, kTruncated };
  Status status;
  uint8_t length;  // bytes taken (1 for kInvalid: that byte alone is bad)
  uint32_t cp;     // for kValid and kSurrogate
};

// Decodes the UTF-8 (or WTF-8 surrogate) sequence that starts at text[at].
Utf8Sequence decode_utf8(std::string_view text, size_t at);

}  // namespace leakscope::report
