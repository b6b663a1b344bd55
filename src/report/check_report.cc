#include "report/check_report.h"

#include <fmt/core.h>

#include <array>

#include "analysis/node_names.h"
#include "analysis/source_position.h"
#include "report/format.h"
#include "report/leaks_report.h"
#include "report/path_report.h"

namespace leakscope::report {

namespace {

// A string's text is a heap string: long ones are cut (the full text is in the snapshot).
std::string shown_name(const CheckFinding& f) {
  if (f.kind == CheckKind::kDuplicateStrings && f.name.size() > 60) {
    return f.name.substr(0, 57) + "...";
  }
  return f.name;
}

std::string at_location(const CheckFinding& f) {
  return f.location ? " at " + source_position_text(*f.location) : std::string();
}

std::string function_name(const HeapGraph& g, uint32_t fn) {
  return g.name(fn).empty() ? std::string("(anonymous)") : std::string(g.name(fn));
}

}  // namespace

std::string check_title(const HeapGraph& g, const CheckFinding& f, uint64_t total_size) {
  switch (f.kind) {
    case CheckKind::kDominantClass:
      return fmt::format(
          "{}: {} instances, {:.1f}x the next largest class ({}, {})", f.name, with_commas(f.count),
          f.other_count ? static_cast<double>(f.count) / static_cast<double>(f.other_count) : 0.0,
          f.other_name, with_commas(f.other_count));
    case CheckKind::kManyListeners:
      return fmt::format("{} @{} has {} listeners for '{}' ({} of them {}{}), retaining {}",
                         basic_class_name(g, f.holder), g.node_id[f.holder], with_commas(f.count),
                         f.name, with_commas(f.other_count), function_name(g, f.other_node),
                         at_location(f), human_bytes(f.bytes));
    case CheckKind::kLargeObject:
      return fmt::format("{} @{} has {} entries, retaining {}", f.name, g.node_id[f.node],
                         with_commas(f.count), human_bytes(f.bytes));
    case CheckKind::kRepeatedClosure:
      return fmt::format("function {}{} exists {} times", f.name, at_location(f),
                         with_commas(f.count));
    case CheckKind::kDuplicateStrings:
      return fmt::format("the string \"{}\" is held {} times, wasting {}", shown_name(f),
                         with_commas(f.count), human_bytes(f.bytes));
    case CheckKind::kBigCollection:
      return fmt::format("{} @{} with {} entries retains {} ({:.1f} % of the heap)", f.name,
                         g.node_id[f.node], with_commas(f.count), human_bytes(f.bytes),
                         percent(f.bytes, total_size));
  }
  return {};
}

std::string check_explanation(const CheckFinding& f) {
  switch (f.kind) {
    case CheckKind::kDominantClass:
      return "One class far outnumbers every other: usually objects that are created per request "
             "or per event and never released.";
    case CheckKind::kManyListeners:
      return "Listeners are added (often once per request) and never removed; each keeps its "
             "closure and everything it captured alive. Node warns above 10.";
    case CheckKind::kLargeObject:
      if (f.heavy) {
        return "A collection that keeps this much of the heap is usually a cache with no bound "
               "(often module-level state of a package), whatever its number of entries.";
      }
      return "An object with this many properties or elements is usually a cache or a list that "
             "only ever grows.";
    case CheckKind::kRepeatedClosure:
      return "The same closure is created again and again and kept: a callback registered per "
             "request, a timer never cleared, or a function stored in a growing list.";
    case CheckKind::kDuplicateStrings:
      return "Many copies of one text: intern it (or keep one copy in a Map), or stop keeping the "
             "objects that hold it.";
    case CheckKind::kBigCollection:
      return "One of the collections that keep the most memory alive: check that it is bounded "
             "(evicts, or is cleared).";
  }
  return {};
}

void render_check_text(const CheckReport& r, std::FILE* out) {
  const HeapGraph& g = *r.graph;
  const CheckResults& res = *r.results;
  std::array<size_t, 4> by_severity{};
  for (const CheckFinding& f : res.findings) ++by_severity[static_cast<size_t>(f.severity)];
  fmt::print(out, "{}: {} findings ({} high, {} medium, {} low, {} info); heap {}\n",
             safe_text(r.snapshot), res.findings.size(), by_severity[3], by_severity[2],
             by_severity[1], by_severity[0], human_bytes(res.total_size));
  for (const CheckFinding& f : res.findings) {
    fmt::print(out, "\n[{}] {}\n", severity_name(f.severity),
               safe_text(check_title(g, f, res.total_size)));
    fmt::print(out, "    {}\n", safe_text(check_explanation(f)));
    fmt::print(out, "    at {}\n", named_accessor(g, f.path, f.named_edges, 5));
    fmt::print(out, "    path {}\n", path_text(g, f.path, r.full));
  }
  if (res.findings.empty()) fmt::print(out, "\nNothing stands out.\n");
}

nlohmann::ordered_json check_json(const CheckReport& r) {
  const HeapGraph& g = *r.graph;
  const CheckResults& res = *r.results;
  nlohmann::ordered_json j;
  j["snapshot"] = r.snapshot;
  j["total_size"] = res.total_size;
  nlohmann::ordered_json findings = nlohmann::ordered_json::array();
  for (const CheckFinding& f : res.findings) {
    nlohmann::ordered_json x;
    x["kind"] = check_kind_name(f.kind);
    x["severity"] = severity_name(f.severity);
    x["title"] = check_title(g, f, res.total_size);
    x["explanation"] = check_explanation(f);
    x["name"] = shown_name(f);
    x["count"] = f.count;
    x["bytes"] = f.bytes;
    x["id"] = g.node_id[f.node];
    if (f.location) {
      x["location"] = {{"script", f.location->script},
                       {"line", f.location->line},
                       {"column", f.location->column}};
    }
    x["accessor"] = named_accessor(g, f.path, f.named_edges, 5);
    put_path_steps(x, g, f.path, r.full);
    findings.push_back(std::move(x));
  }
  j["findings"] = std::move(findings);
  return j;
}

}  // namespace leakscope::report
