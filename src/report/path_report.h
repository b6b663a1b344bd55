// Renders `leakscope path`: retainer chains written the way people read them, e.g.
//   global.sessions → Map (table) → [42] → UserSession @4567
#pragma once

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/retainer_paths.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

struct PathTarget {
  uint32_t node = 0;
  int32_t distance = 0;
  uint64_t retained_size = 0;  // 0 when not computed
  std::vector<RetainerPath> paths;
};

// For --class: instances that share a normalized retainer path (analysis/instance_groups.h), with
// the path of the group's closest member.
struct PathGroup {
  uint64_t count = 0;
  uint64_t retained = 0;
  uint32_t representative = 0;
  RetainerPath path;
};

struct PathReport {
  std::string snapshot;
  const HeapGraph* graph = nullptr;
  std::string class_name;          // for --class
  uint64_t class_instances = 0;    // for --class: all instances, not only those shown
  std::vector<PathGroup> groups;   // for --class: the largest groups, largest first
  uint64_t group_count = 0;        // for --class: all groups, not only those shown
  uint64_t grouped_instances = 0;  // for --class: instances in all groups (the reachable ones)
  std::vector<PathTarget> targets;
  bool full = false;  // every step of long paths (else their middle is elided: elision.h)
};

// One path as a single line, display-safe; a long path's middle is elided unless `full`.
std::string path_text(const HeapGraph& graph, const RetainerPath& path, bool full = false);

void render_path_text(const PathReport& report, std::FILE* out);
nlohmann::json path_json(const PathReport& report);

}  // namespace leakscope::report
