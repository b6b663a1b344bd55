#include "report/summary_report.h"

#include <fmt/core.h>

#include <algorithm>

#include "report/format.h"

namespace leakscope::report {

namespace {
constexpr size_t kNameWidth = 48;
// DevTools' base for distances of objects reachable only from system roots ("-" in the UI).
constexpr int64_t kSystemDistanceBase = 100000000;

// DevTools prints "-" for objects only system roots reach; never-reached ones (-5) likewise.
std::string distance_text(int64_t d) {
  return d >= kSystemDistanceBase || d < 0 ? std::string("-") : std::to_string(d);
}

}  // namespace

void render_summary_text(const SummaryReport& r, std::FILE* out) {
  const bool retained = std::any_of(r.rows.begin(), r.rows.end(), [](const ClassRow& row) {
    return row.retained_size.has_value();
  });
  const bool distance = std::any_of(r.rows.begin(), r.rows.end(),
                                    [](const ClassRow& row) { return row.distance.has_value(); });
  fmt::print(out, "{}: {} nodes, {} edges, {} total; showing {} of {} classes\n\n",
             safe_text(r.snapshot), with_commas(r.node_count), with_commas(r.edge_count),
             human_bytes(r.total_size), r.rows.size(), r.class_count);
  std::string header =
      fmt::format("{:<{}}  {:>11}  {:>18}", "Class", kNameWidth, "Count", "Shallow Size");
  if (retained) header += fmt::format("  {:>18}", "Retained Size");
  if (distance) header += fmt::format("  {:>8}", "Distance");
  fmt::print(out, "{}\n", header);
  for (const ClassRow& row : r.rows) {
    const ClassInfo& info = r.classes->classes[row.class_id];
    std::string name = fit(info.name, kNameWidth);
    const size_t pad = kNameWidth - std::min(kNameWidth, display_width(name));
    std::string line =
        fmt::format("{}{:{}}  {:>11}  {:>10} {:>6.1f} %", name, "", pad, with_commas(row.count),
                    human_bytes(row.shallow_size), percent(row.shallow_size, r.total_size));
    if (retained) {
      line += row.retained_size
                  ? fmt::format("  {:>10} {:>6.1f} %", human_bytes(*row.retained_size),
                                percent(*row.retained_size, r.total_size))
                  : fmt::format("  {:>18}", "");
    }
    if (distance) line += fmt::format("  {:>8}", row.distance ? distance_text(*row.distance) : "");
    fmt::print(out, "{}\n", line);
  }
  const bool node_detached = std::any_of(r.rows.begin(), r.rows.end(), [&](const ClassRow& row) {
    return r.classes->classes[row.class_id].name.starts_with("Detached Node / ");
  });
  if (node_detached) {
    fmt::print(
        out,
        "\nNote: \"Detached Node / …\" rows are Node's own binding objects, which Node marks "
        "detached; DevTools shows them the same way. They are not a leak.\n");
  }
}

nlohmann::json summary_json(const SummaryReport& r) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ClassRow& row : r.rows) {
    const ClassInfo& info = r.classes->classes[row.class_id];
    nlohmann::json j = {{"name", info.name},        {"key", info.key},
                        {"count", row.count},       {"shallow_size", row.shallow_size},
                        {"retained_size", nullptr}, {"distance", nullptr}};
    if (row.retained_size) j["retained_size"] = *row.retained_size;
    if (row.distance) j["distance"] = *row.distance;
    if (info.location) {
      j["location"] = {{"script_id", info.location->script_id},
                       {"line", info.location->line},
                       {"column", info.location->column}};
    }
    rows.push_back(std::move(j));
  }
  return {{"snapshot", r.snapshot},       {"node_count", r.node_count},
          {"edge_count", r.edge_count},   {"total_size", r.total_size},
          {"class_count", r.class_count}, {"classes", std::move(rows)}};
}

}  // namespace leakscope::report
