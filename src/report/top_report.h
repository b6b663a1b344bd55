// Renders `leakscope top`: the top of the dominator tree as an indented table, or JSON.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/top_holders.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

struct TopReport {
  std::string snapshot;
  const HeapGraph* graph = nullptr;
  TopHolders holders;
};

void render_top_text(const TopReport& report, std::FILE* out);
nlohmann::json top_json(const TopReport& report);

}  // namespace leakscope::report
