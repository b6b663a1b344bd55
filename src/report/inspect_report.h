// Renders `leakscope inspect`: one object's sizes, outgoing edges and retainers.
#pragma once

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/dominators.h"
#include "analysis/object_inspection.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

struct InspectReport {
  std::string snapshot;
  const HeapGraph* graph = nullptr;
  const DominatorTree* tree = nullptr;
  const BigVector<int32_t>* distances = nullptr;
  ObjectInspection object;
  uint32_t limit = 50;  // rows per list, in text and JSON; 0 = all (--full)
};

void render_inspect_text(const InspectReport& report, std::FILE* out);
nlohmann::json inspect_json(const InspectReport& report);

}  // namespace leakscope::report
