// Writes JSON results. Strings are the snapshot's own text, escaped the JSON way: controls, DEL,
// C1 controls and the bidi controls (see safe_text.h) as \uNNNN, so that the JSON text itself
// cannot drive a terminal. Snapshot strings may hold lone UTF-16 surrogates (kept as WTF-8 in the
// model) or bytes that are not UTF-8; JSON shows each such character or byte as U+FFFD instead of
// failing. Every JSON printer goes through here, so all of them agree.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace leakscope::report {

// `indent` as nlohmann's dump: -1 is one line.
std::string json_text(const nlohmann::json& value, int indent = -1);
std::string json_text(const nlohmann::ordered_json& value, int indent = -1);

void print_json(const nlohmann::json& value, std::FILE* out);
void print_json(const nlohmann::ordered_json& value, std::FILE* out);

}  // namespace leakscope::report
