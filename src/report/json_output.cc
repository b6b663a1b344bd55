#include "report/json_output.h"

#include <fmt/core.h>

#include <string>

#include "report/safe_text.h"

namespace leakscope::report {

namespace {

// A lone UTF-16 surrogate is kept in the model as WTF-8 (ED A0..BF xx), which is not UTF-8; JSON
// output shows each one as a single U+FFFD (nlohmann's replacement would give one per byte).
void replace_lone_surrogates(std::string& s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xED &&
        (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0) {
      s.replace(i, 3, "\xEF\xBF\xBD");
      i += 2;
    }
  }
}

// Our own result documents are a few levels deep, so plain recursion is fine here.
template <typename Json>
void replace_surrogates_in(Json& value) {
  if (value.is_string()) {
    replace_lone_surrogates(value.template get_ref<std::string&>());
  } else if (value.is_array() || value.is_object()) {
    for (auto& child : value) replace_surrogates_in(child);
  }
}

// nlohmann escapes only U+0000..U+001F. The dumped text is valid UTF-8 and its structure is ASCII,
// so any other unsafe code point sits inside a string, where \uNNNN means the same character.
void escape_unsafe_code_points(std::string& text) {
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x7F) {
      ++i;
      continue;
    }
    const Utf8Sequence s = decode_utf8(text, i);
    if (s.status == Utf8Sequence::kValid && is_unsafe_code_point(s.cp)) {
      out.append(text, copied, i - copied);
      out += fmt::format("\\u{:04x}", s.cp);
      copied = i + s.length;
    }
    i += s.length;
  }
  if (copied == 0) return;
  out.append(text, copied, std::string::npos);
  text = std::move(out);
}

template <typename Json>
std::string dump(const Json& value, int indent) {
  std::string text;
  try {
    text = value.dump(indent, ' ', false, Json::error_handler_t::strict);
  } catch (const typename Json::type_error&) {
    Json copy = value;
    replace_surrogates_in(copy);
    text = copy.dump(indent, ' ', false, Json::error_handler_t::replace);
  }
  escape_unsafe_code_points(text);
  return text;
}

}  // namespace

std::string json_text(const nlohmann::json& value, int indent) {
  return dump(value, indent);
}
std::string json_text(const nlohmann::ordered_json& value, int indent) {
  return dump(value, indent);
}

void print_json(const nlohmann::json& value, std::FILE* out) {
  fmt::print(out, "{}\n", dump(value, 1));
}
void print_json(const nlohmann::ordered_json& value, std::FILE* out) {
  fmt::print(out, "{}\n", dump(value, 1));
}

}  // namespace leakscope::report
