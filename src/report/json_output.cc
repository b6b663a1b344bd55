#include "report/json_output.h"

#include <fmt/core.h>

#include <string>

namespace leakscope::report {

namespace {

// A lone UTF-16 surrogate is kept in the model as WTF-8 (ED A0..BF xx), which is not UTF-8; JSON
// output shows each one as a single U+FFFD.
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
void sanitize(nlohmann::json& value) {
  if (value.is_string()) {
    replace_lone_surrogates(value.get_ref<std::string&>());
  } else if (value.is_array() || value.is_object()) {
    for (auto& child : value) sanitize(child);
  }
}

}  // namespace

void print_json(const nlohmann::json& value, std::FILE* out) {
  std::string text;
  try {
    text = value.dump(1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::type_error&) {
    nlohmann::json copy = value;
    sanitize(copy);
    text = copy.dump(1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  fmt::print(out, "{}\n", text);
}

}  // namespace leakscope::report
