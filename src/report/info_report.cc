#include "report/info_report.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include "report/format.h"

namespace leakscope::report {

void render_info_text(const InfoReport& r, std::FILE* out) {
  const HeapGraph& g = *r.graph;
  const SnapshotHeader& h = g.header;
  fmt::print(out, "{}\n", safe_text(r.snapshot));
  if (r.file_size) fmt::print(out, "  file size          {}\n", human_bytes(r.file_size));
  if (!h.title.empty()) fmt::print(out, "  title              {}\n", safe_text(h.title));
  fmt::print(out, "  nodes              {} ({} fields per node: {})\n", with_commas(g.node_count()),
             h.node_fields.size(), safe_text(fmt::format("{}", fmt::join(h.node_fields, ", "))));
  fmt::print(out, "  edges              {}\n", with_commas(g.edge_count()));
  fmt::print(out, "  strings            {} ({} of text)\n", with_commas(g.strings.size()),
             human_bytes(g.strings.byte_size()));
  fmt::print(out, "  locations          {}\n", with_commas(g.locations.size()));
  fmt::print(out, "  allocation traces  {} functions, {} trace nodes, {} samples{}\n",
             with_commas(g.trace_function_infos.size()), with_commas(g.trace_tree.size()),
             with_commas(g.samples.size()),
             g.trace_function_infos.size() != h.trace_function_count
                 ? fmt::format(" (header says {} functions)", h.trace_function_count)
                 : std::string());
  if (h.extra_native_bytes)
    fmt::print(out, "  extra native bytes {}\n", human_bytes(h.extra_native_bytes));

  const HeapStatistics& s = r.stats;
  fmt::print(out, "\nStatistics (as DevTools shows them)\n");
  auto line = [&](const char* label, uint64_t v) {
    fmt::print(out, "  {:<18} {:>10}  {:>5.1f} %\n", label, human_bytes(v), percent(v, s.total));
  };
  line("total", s.total);
  line("code", s.code);
  line("strings", s.strings);
  line("JS arrays", s.js_arrays);
  line("typed arrays", s.typed_arrays);
  line("system objects", s.system);
  line("native", s.native);
  line("other", s.v8_heap - s.code - s.strings - s.js_arrays - s.system);

  fmt::print(out, "\nNodes by type{:>24}{:>14}\n", "count", "self size");
  for (size_t t = 0; t < s.nodes_by_type.size(); ++t) {
    if (!s.nodes_by_type[t]) continue;
    fmt::print(out, "  {:<22} {:>14} {:>13}\n", safe_text(g.node_type_names[t]),
               with_commas(s.nodes_by_type[t]), human_bytes(s.size_by_type[t]));
  }
  fmt::print(out, "\nEdges by type{:>24}\n", "count");
  for (size_t t = 0; t < s.edges_by_type.size(); ++t) {
    if (!s.edges_by_type[t]) continue;
    fmt::print(out, "  {:<22} {:>14}\n", safe_text(g.edge_type_names[t]),
               with_commas(s.edges_by_type[t]));
  }
  if (r.detached_natives) {
    fmt::print(out, "\nDetached embedder objects: {}", with_commas(r.detached_natives));
    if (r.node_internal_detached == r.detached_natives) {
      fmt::print(out, ", all Node's own binding objects (Node marks them detached; not a leak)");
    }
    fmt::print(out, "\n");
  }
}

nlohmann::json info_json(const InfoReport& r) {
  const HeapGraph& g = *r.graph;
  const HeapStatistics& s = r.stats;
  nlohmann::json nodes = nlohmann::json::object(), edges = nlohmann::json::object(),
                 sizes = nlohmann::json::object();
  for (size_t t = 0; t < s.nodes_by_type.size(); ++t) {
    if (!s.nodes_by_type[t]) continue;
    nodes[g.node_type_names[t]] = s.nodes_by_type[t];
    sizes[g.node_type_names[t]] = s.size_by_type[t];
  }
  for (size_t t = 0; t < s.edges_by_type.size(); ++t) {
    if (s.edges_by_type[t]) edges[g.edge_type_names[t]] = s.edges_by_type[t];
  }
  return {
      {"snapshot", r.snapshot},
      {"file_size", r.file_size},
      {"title", g.header.title},
      {"uid", g.header.uid},
      {"node_fields", g.header.node_fields},
      {"node_count", g.node_count()},
      {"edge_count", g.edge_count()},
      {"string_count", g.strings.size()},
      {"location_count", g.locations.size()},
      {"trace_function_count", g.trace_function_infos.size()},
      {"header_trace_function_count", g.header.trace_function_count},
      {"trace_node_count", g.trace_tree.size()},
      {"samples", g.samples.size()},
      {"extra_native_bytes", g.header.extra_native_bytes},
      {"node_types", nodes},
      {"node_type_self_sizes", sizes},
      {"edge_types", edges},
      {"statistics",
       {{"total", s.total},
        {"v8_heap", s.v8_heap},
        {"code", s.code},
        {"strings", s.strings},
        {"js_arrays", s.js_arrays},
        {"typed_arrays", s.typed_arrays},
        {"system", s.system},
        {"native", s.native}}},
      {"detached_natives", r.detached_natives},
      {"node_internal_detached_natives", r.node_internal_detached},
  };
}

}  // namespace leakscope::report
