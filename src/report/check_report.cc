#include "report/check_report.h"

#include <fmt/core.h>

#include <array>

#include "analysis/node_names.h"
#include "report/format.h"
#include "report/leaks_report.h"
#include "report/path_report.h"

namespace leakscope::report {

void render_check_text(const CheckReport& r, std::FILE* out) {
  const HeapGraph& g = *r.graph;
  const CheckResults& res = *r.results;
  std::array<size_t, 4> by_severity{};
  for (const CheckFinding& f : res.findings) ++by_severity[static_cast<size_t>(f.severity)];
  fmt::print(out, "{}: {} findings ({} high, {} medium, {} low, {} info); heap {}\n",
             safe_text(r.snapshot), res.findings.size(), by_severity[3], by_severity[2],
             by_severity[1], by_severity[0], human_bytes(res.total_size));
  for (const CheckFinding& f : res.findings) {
    fmt::print(out, "\n[{}] {}\n", severity_name(f.severity), safe_text(f.title));
    fmt::print(out, "    {}\n", safe_text(f.explanation));
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
    x["title"] = f.title;
    x["explanation"] = f.explanation;
    x["name"] = f.name;
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
