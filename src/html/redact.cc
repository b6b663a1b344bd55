#include "html/redact.h"

#include <fmt/core.h>

#include <array>
#include <cstdint>
#include <string_view>

namespace leakscope::html {
namespace {

// Multi-byte characters leakscope itself prints between names: they end a word.
constexpr std::array<std::string_view, 5> kPunctuation = {"…", "→", "×", "‹", "›"};

size_t punctuation_at(std::string_view s, size_t i) {
  for (std::string_view p : kPunctuation) {
    if (s.substr(i, p.size()) == p) return p.size();
  }
  return 0;
}

bool ascii_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}

bool word_char(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c >= 0x80) return punctuation_at(s, i) == 0;
  return ascii_word_char(s[i]);
}

bool keepable(std::string_view word) {
  size_t digits = 0;
  for (char c : word) {
    if (!ascii_word_char(c)) return false;
    if (c >= '0' && c <= '9') ++digits;
  }
  if (digits == word.size()) return true;
  if (word[0] >= '0' && word[0] <= '9') return false;
  return word.size() <= 32 && digits <= 4;
}

// The end of the quoted part that starts at i (a JSON-escaped string as leakscope prints it).
size_t quoted_end(std::string_view s, size_t i) {
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '\\') {
      ++j;
    } else if (s[j] == '"') {
      return j + 1;
    }
  }
  return s.size();
}

size_t word_end(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size()) {
    if (word_char(s, j)) {
      ++j;
    } else if (s[j] == '-' && j > i && j + 1 < s.size() && s[j + 1] != '>' && word_char(s, j + 1)) {
      ++j;  // an inner hyphen (`sk-live-…`) is part of the word; `->` is not
    } else {
      break;
    }
  }
  return j;
}

bool verbatim_field(std::string_view key) {
  return key == "snapshots" || key == "snapshot" || key == "base" || key == "current" ||
         key == "type" || key == "script";
}

}  // namespace

std::string redaction_token(std::string_view text) {
  uint32_t hash = 2166136261u;
  size_t chars = 0;
  for (char c : text) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++chars;
  }
  return fmt::format("‹redacted {} chars #{:06x}›", chars, hash >> 8);
}

std::string redact_heap_text(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '"') {
      const size_t end = quoted_end(s, i);
      const size_t inner_end = end > i + 1 && s[end - 1] == '"' ? end - 1 : end;
      out += redaction_token(s.substr(i + 1, inner_end - (i + 1)));
      i = end;
    } else if (word_char(s, i)) {
      const size_t end = word_end(s, i);
      const std::string_view word = s.substr(i, end - i);
      out += keepable(word) ? std::string(word) : redaction_token(word);
      i = end;
    } else {
      const size_t n = std::max<size_t>(1, punctuation_at(s, i));
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

void redact_heap_document(nlohmann::json& document) {
  // An explicit stack: documents are shallow, but no recursion on data is the house rule.
  std::vector<nlohmann::json*> stack{&document};
  while (!stack.empty()) {
    nlohmann::json* v = stack.back();
    stack.pop_back();
    if (v->is_string()) {
      *v = redact_heap_text(v->get_ref<const std::string&>());
    } else if (v->is_array()) {
      for (nlohmann::json& x : *v) stack.push_back(&x);
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (!verbatim_field(it.key())) stack.push_back(&it.value());
      }
    }
  }
}

}  // namespace leakscope::html
