#include "report/memwatch_heap_diff.h"

#include <map>
#include <string>

#include "report/memwatch_format.h"

namespace leakscope::report {
namespace {

nlohmann::ordered_json side_json(const HeapSide& side) {
  return {{"nodes", side.nodes},
          {"size_bytes", side.size},
          {"size", memwatch_size(static_cast<int64_t>(side.size))}};
}

}  // namespace

nlohmann::ordered_json memwatch_heap_diff_json(const HeapDiff& diff) {
  struct Row {
    uint64_t added = 0;
    uint64_t removed = 0;
    int64_t size = 0;
  };
  std::map<std::string, Row> by_name;
  for (const ClassDelta& c : diff.classes) {
    Row& r = by_name[c.name];
    r.added += c.added_count;
    r.removed += c.removed_count;
    r.size += c.size_delta();
  }
  nlohmann::ordered_json details = nlohmann::ordered_json::array();
  for (const auto& [name, r] : by_name) {
    details.push_back({{"what", name},
                       {"size_bytes", r.size},
                       {"size", memwatch_size(r.size)},
                       {"+", r.added},
                       {"-", r.removed}});
  }
  const int64_t delta = diff.size_delta();
  return {{"before", side_json(diff.before)},
          {"after", side_json(diff.after)},
          {"change",
           {{"size_bytes", delta},
            {"size", memwatch_size(delta)},
            {"freed_nodes", diff.freed_nodes},
            {"allocated_nodes", diff.allocated_nodes},
            {"freed_size_bytes", diff.freed_size},
            {"allocated_size_bytes", diff.allocated_size},
            {"details", std::move(details)}}}};
}

}  // namespace leakscope::report
