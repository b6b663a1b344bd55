// Renders `leakscope info`: header facts, counts by type and DevTools' statistics.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/statistics.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

struct InfoReport {
  std::string snapshot;
  uint64_t file_size = 0;  // 0 when read from a pipe
  const HeapGraph* graph = nullptr;
  HeapStatistics stats;
  uint64_t detached_natives = 0;        // natives DevTools would call "Detached"
  uint64_t node_internal_detached = 0;  // of those, Node's own binding objects
};

void render_info_text(const InfoReport& report, std::FILE* out);
nlohmann::json info_json(const InfoReport& report);

}  // namespace leakscope::report
