// Renders `leakscope diff` (DevTools' Comparison plus Retained Δ) as a text table or JSON.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/comparison.h"

namespace leakscope::report {

struct DiffReport {
  std::string base;
  std::string current;
  const Comparison* comparison = nullptr;
  std::vector<const ComparisonRow*> rows;  // already filtered, sorted and cut
  uint64_t changed_classes = 0;            // before --top / --class
  uint64_t base_total = 0;                 // total heap size on each side
  uint64_t current_total = 0;
};

void render_diff_text(const DiffReport& report, std::FILE* out);
nlohmann::ordered_json diff_json(const DiffReport& report);

}  // namespace leakscope::report
