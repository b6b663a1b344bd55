// Renders `leakscope check`: findings, most severe first, each with a one-line explanation and the
// path to the object.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/checks.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

struct CheckReport {
  std::string snapshot;
  const HeapGraph* graph = nullptr;
  const CheckResults* results = nullptr;
  bool full = false;  // every step of long paths (else their middle is elided: elision.h)
};

void render_check_text(const CheckReport& report, std::FILE* out);
nlohmann::ordered_json check_json(const CheckReport& report);

}  // namespace leakscope::report
