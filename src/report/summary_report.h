// Renders the class census (`leakscope summary`) as a text table or JSON.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/census.h"
#include "analysis/class_index.h"

namespace leakscope::report {

struct SummaryReport {
  std::string snapshot;
  uint64_t node_count = 0;
  uint64_t edge_count = 0;
  uint64_t total_size = 0;
  uint64_t class_count = 0;  // rows before --top/--class
  const ClassIndex* classes = nullptr;
  std::vector<ClassRow> rows;  // already filtered, sorted and cut
};

void render_summary_text(const SummaryReport& report, std::FILE* out);
nlohmann::json summary_json(const SummaryReport& report);

}  // namespace leakscope::report
