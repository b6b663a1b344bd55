#include "report/diff_report.h"

#include <fmt/core.h>

#include <algorithm>

#include "report/format.h"

namespace leakscope::report {

namespace {
constexpr size_t kNameWidth = 40;

std::string signed_count(int64_t v) {
  if (v == 0) return "0";
  return (v < 0 ? "-" : "+") + with_commas(static_cast<uint64_t>(v < 0 ? -v : v));
}
}  // namespace

void render_diff_text(const DiffReport& r, std::FILE* out) {
  const Comparison& c = *r.comparison;
  const HeapDiff& d = c.diff;
  fmt::print(out, "Comparison: {} (current) against {} (base)\n", safe_text(r.current),
             safe_text(r.base));
  fmt::print(
      out,
      "heap {} -> {} ({}); {} objects allocated ({}), {} freed ({}); {} classes changed, "
      "showing {}\n\n",
      human_bytes(r.base_total), human_bytes(r.current_total),
      human_bytes_delta(static_cast<int64_t>(r.current_total) - static_cast<int64_t>(r.base_total)),
      with_commas(d.allocated_nodes), human_bytes(d.allocated_size), with_commas(d.freed_nodes),
      human_bytes(d.freed_size), with_commas(r.changed_classes), r.rows.size());
  const bool retained = std::any_of(r.rows.begin(), r.rows.end(),
                                    [](const ComparisonRow* row) { return row->has_retained; });
  std::string header =
      fmt::format("{:<{}}  {:>9}  {:>9}  {:>9}  {:>10}  {:>10}  {:>10}", "Class", kNameWidth,
                  "# New", "# Deleted", "# Delta", "Alloc. Size", "Freed Size", "Size Delta");
  if (retained) header += fmt::format("  {:>11}", "Retained Δ");
  fmt::print(out, "{}\n", header);
  for (const ComparisonRow* row : r.rows) {
    const ClassDelta& cd = row->delta;
    std::string name = fit(cd.name, kNameWidth);
    const size_t pad = kNameWidth - std::min(kNameWidth, display_width(name));
    std::string line =
        fmt::format("{}{:{}}  {:>9}  {:>9}  {:>9}  {:>10}  {:>10}  {:>10}", name, "", pad,
                    with_commas(cd.added_count), with_commas(cd.removed_count),
                    signed_count(cd.count_delta()), human_bytes(cd.added_size),
                    human_bytes(cd.removed_size), human_bytes_delta(cd.size_delta()));
    if (retained) line += fmt::format("  {:>11}", human_bytes_delta(row->retained_delta()));
    fmt::print(out, "{}\n", line);
  }
  if (r.rows.empty()) fmt::print(out, "(no class changed)\n");
}

nlohmann::ordered_json diff_json(const DiffReport& r) {
  const Comparison& c = *r.comparison;
  const HeapDiff& d = c.diff;
  nlohmann::ordered_json j;
  j["base"] = r.base;
  j["current"] = r.current;
  j["base_total_size"] = r.base_total;
  j["current_total_size"] = r.current_total;
  j["allocated_nodes"] = d.allocated_nodes;
  j["allocated_size"] = d.allocated_size;
  j["freed_nodes"] = d.freed_nodes;
  j["freed_size"] = d.freed_size;
  j["changed_classes"] = r.changed_classes;
  j["shared_js_ids"] = c.match.shared_ids;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const ComparisonRow* row : r.rows) {
    const ClassDelta& cd = row->delta;
    nlohmann::ordered_json x;
    x["class"] = cd.name;
    x["key"] = cd.key;
    x["new"] = cd.added_count;
    x["deleted"] = cd.removed_count;
    x["delta"] = cd.count_delta();
    x["alloc_size"] = cd.added_size;
    x["freed_size"] = cd.removed_size;
    x["size_delta"] = cd.size_delta();
    if (row->has_retained) {
      x["base_retained"] = row->base_retained;
      x["current_retained"] = row->current_retained;
      x["retained_delta"] = row->retained_delta();
    }
    rows.push_back(std::move(x));
  }
  j["classes"] = std::move(rows);
  return j;
}

}  // namespace leakscope::report
