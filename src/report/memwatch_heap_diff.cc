#include "report/memwatch_heap_diff.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "report/memwatch_format.h"

namespace leakscope::report {
namespace {

nlohmann::ordered_json side_json(const HeapSide& side) {
  return {{"nodes", side.nodes},
          {"size_bytes", side.size},
          {"size", memwatch_size(static_cast<int64_t>(side.size))}};
}

}  // namespace

std::string retainer_path_text(const std::vector<RetainerStep>& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    const RetainerStep& s = path[i];
    if (i == 0) {
      out += s.class_name;
      continue;
    }
    out += " -> ";
    if (s.edge_type == "element") {
      out += "[" + s.edge + "]";
    } else if (s.edge_type == "hidden") {
      out += "<" + s.edge + ">";
    } else {
      out += "." + s.edge;
    }
    out += " " + s.class_name;
  }
  return out;
}

nlohmann::ordered_json memwatch_heap_diff_json(const HeapDiff& diff, const TopGrowth* top) {
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
  nlohmann::ordered_json out = {{"before", side_json(diff.before)},
                                {"after", side_json(diff.after)},
                                {"change",
                                 {{"size_bytes", delta},
                                  {"size", memwatch_size(delta)},
                                  {"freed_nodes", diff.freed_nodes},
                                  {"allocated_nodes", diff.allocated_nodes},
                                  {"freed_size_bytes", diff.freed_size},
                                  {"allocated_size_bytes", diff.allocated_size},
                                  {"details", std::move(details)}}}};
  if (diff.has_retained) {
    // Merged by name like details; the largest growth first.
    std::map<std::string, std::pair<uint64_t, uint64_t>> by;
    for (const ClassDelta& c : diff.retained_changes) {
      auto& [b, a] = by[c.name];
      b += c.retained_before;
      a += c.retained_after;
    }
    std::vector<std::pair<std::string, std::pair<uint64_t, uint64_t>>> rows(by.begin(), by.end());
    auto growth = [](const auto& r) {
      return static_cast<int64_t>(r.second.second) - static_cast<int64_t>(r.second.first);
    };
    std::stable_sort(rows.begin(), rows.end(),
                     [&](const auto& x, const auto& y) { return growth(x) > growth(y); });
    nlohmann::ordered_json retained = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
      if (growth(r) == 0) continue;
      retained.push_back({{"what", r.first},
                          {"before_bytes", r.second.first},
                          {"after_bytes", r.second.second},
                          {"size_bytes", growth(r)},
                          {"size", memwatch_size(growth(r))}});
    }
    out["change"]["retained"] = std::move(retained);
  }
  if (top != nullptr && top->found) {
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const RetainerStep& s : top->path) {
      steps.push_back({{"edge", s.edge},
                       {"edge_type", s.edge_type},
                       {"what", s.class_name},
                       {"id", s.node_id}});
    }
    out["change"]["top_growth"] = {{"what", top->name},
                                   {"size_bytes", top->size_delta},
                                   {"size", memwatch_size(top->size_delta)},
                                   {"+", top->added_count},
                                   {"retainers", std::move(steps)},
                                   {"path", retainer_path_text(top->path)}};
  }
  return out;
}

}  // namespace leakscope::report
