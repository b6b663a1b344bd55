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

// The words for a finding's facts: a one-line title with the figures (raw heap text, to be passed
// through safe_text or the JSON printer) and a one-line explanation a newcomer understands.
std::string check_title(const HeapGraph& graph, const CheckFinding& finding, uint64_t total_size);
std::string check_explanation(const CheckFinding& finding);

void render_check_text(const CheckReport& report, std::FILE* out);
nlohmann::ordered_json check_json(const CheckReport& report);

}  // namespace leakscope::report
