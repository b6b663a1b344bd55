#include "report/top_report.h"

#include <fmt/core.h>

#include "report/format.h"

namespace leakscope::report {

void render_top_text(const TopReport& r, std::FILE* out) {
  const TopHolders& h = r.holders;
  fmt::print(out, "{}: {} total; biggest holders (dominator tree, largest retained first)\n\n",
             safe_text(r.snapshot), human_bytes(h.total_size));
  fmt::print(out, "{:>18}  {:>10}  {}\n", "Retained Size", "Self", "Object");
  for (size_t i = 0; i < h.entries.size(); ++i) {
    const HolderEntry& e = h.entries[i];
    std::string indent;
    for (uint32_t d = 1; d < e.depth; ++d) indent += "  ";
    if (e.depth > 0) indent += "└ ";
    std::string what = e.label;
    if (e.class_name != e.label && !e.label.starts_with("{") &&
        r.graph->type(e.node) != kSynthetic) {
      what = fmt::format("{} {}", e.class_name, e.label);
    }
    fmt::print(out, "{:>10} {:>6.1f} %  {:>10}  {}{} @{}{}\n", human_bytes(e.retained_size),
               percent(e.retained_size, h.total_size), human_bytes(e.self_size), indent,
               fit(what, 80), r.graph->node_id[e.node],
               e.dominated_count > 0
                   ? fmt::format("  ({} dominated)", with_commas(e.dominated_count))
                   : std::string());
  }
}

nlohmann::json top_json(const TopReport& r) {
  nlohmann::json entries = nlohmann::json::array();
  for (const HolderEntry& e : r.holders.entries) {
    entries.push_back({{"id", r.graph->node_id[e.node]},
                       {"depth", e.depth},
                       {"class", e.class_name},
                       {"name", e.label},
                       {"type", r.graph->type_name(e.node)},
                       {"retained_size", e.retained_size},
                       {"self_size", e.self_size},
                       {"dominated_count", e.dominated_count}});
  }
  return {{"snapshot", r.snapshot},
          {"total_size", r.holders.total_size},
          {"entries", std::move(entries)}};
}

}  // namespace leakscope::report
