// Writes JSON results. Snapshot strings may hold lone UTF-16 surrogates (kept as WTF-8 in the
// model); JSON output replaces those with U+FFFD instead of failing.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>

namespace leakscope::report {

void print_json(const nlohmann::json& value, std::FILE* out);

}  // namespace leakscope::report
