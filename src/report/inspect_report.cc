#include "report/inspect_report.h"

#include <fmt/core.h>

#include "analysis/distances.h"
#include "analysis/node_names.h"
#include "report/format.h"

namespace leakscope::report {

namespace {
std::string distance_text(int32_t d) {
  if (d == kNoDistance) return "unreachable";
  return is_user_distance(d) ? std::to_string(d) : std::string("-");
}

std::string edge_label(const HeapGraph& g, uint64_t e) {
  return fit(printable(g.edge_name_text(e)), 32);
}

nlohmann::json node_json(const InspectReport& r, uint32_t v) {
  const HeapGraph& g = *r.graph;
  return {{"id", g.node_id[v]},
          {"name", node_label(g, v)},
          {"class", basic_class_name(g, v)},
          {"type", g.type_name(v)},
          {"retained_size", r.tree->retained[v]},
          {"distance", (*r.distances)[v]}};
}
}  // namespace

void render_inspect_text(const InspectReport& r, std::FILE* out) {
  const HeapGraph& g = *r.graph;
  const ObjectInspection& o = r.object;
  fmt::print(out, "{} @{}\n", printable(node_label(g, o.node, 100)), g.node_id[o.node]);
  fmt::print(out, "  class {}, type {}\n", printable(basic_class_name(g, o.node)),
             g.type_name(o.node));
  fmt::print(out, "  self size {} ({} bytes as V8 wrote it), retained size {}\n",
             human_bytes(o.self_size), with_commas(o.raw_self_size), human_bytes(o.retained_size));
  fmt::print(out, "  distance {}, immediate dominator {} @{}\n", distance_text(o.distance),
             printable(node_label(g, o.dominator)), g.node_id[o.dominator]);

  const size_t edge_rows = r.limit ? std::min<size_t>(r.limit, o.edges.size()) : o.edges.size();
  fmt::print(out, "\nEdges ({}):\n", with_commas(o.edges.size()));
  if (!o.edges.empty()) {
    fmt::print(out, "  {:<32}  {:<9}  {:>10}  {}\n", "Name", "Type", "Retained", "Target");
  }
  for (size_t i = 0; i < edge_rows; ++i) {
    const uint64_t e = o.edges[i];
    const uint32_t to = g.edge_to[e];
    fmt::print(out, "  {:<32}  {:<9}  {:>10}  {} @{}\n", edge_label(g, e),
               g.edge_type_names[g.edge_type[e]], human_bytes(r.tree->retained[to]),
               printable(fit(node_label(g, to), 60)), g.node_id[to]);
  }
  if (edge_rows < o.edges.size()) {
    fmt::print(out, "  … {} more (--limit 0 shows all)\n", with_commas(o.edges.size() - edge_rows));
  }

  const size_t ret_rows =
      r.limit ? std::min<size_t>(r.limit, o.retainers.size()) : o.retainers.size();
  fmt::print(out, "\nRetainers ({}{}):\n", with_commas(o.retainers.size()),
             o.hidden_retainers
                 ? fmt::format(", plus {} weak or from the root, not listed", o.hidden_retainers)
                 : std::string());
  if (!o.retainers.empty()) {
    fmt::print(out, "  {:<32}  {:<9}  {:>8}  {}\n", "Edge", "Type", "Distance", "From");
  }
  for (size_t i = 0; i < ret_rows; ++i) {
    const Retainer& x = o.retainers[i];
    fmt::print(out, "  {:<32}  {:<9}  {:>8}  {} @{}\n", edge_label(g, x.edge),
               g.edge_type_names[g.edge_type[x.edge]], distance_text((*r.distances)[x.node]),
               printable(fit(node_label(g, x.node), 60)), g.node_id[x.node]);
  }
  if (ret_rows < o.retainers.size()) {
    fmt::print(out, "  … {} more (--limit 0 shows all)\n",
               with_commas(o.retainers.size() - ret_rows));
  }
}

nlohmann::json inspect_json(const InspectReport& r) {
  const HeapGraph& g = *r.graph;
  const ObjectInspection& o = r.object;
  nlohmann::json edges = nlohmann::json::array();
  for (const uint64_t e : o.edges) {
    edges.push_back({{"name", g.edge_name_text(e)},
                     {"type", g.edge_type_names[g.edge_type[e]]},
                     {"to", node_json(r, g.edge_to[e])}});
  }
  nlohmann::json retainers = nlohmann::json::array();
  for (const Retainer& x : o.retainers) {
    retainers.push_back({{"name", g.edge_name_text(x.edge)},
                         {"type", g.edge_type_names[g.edge_type[x.edge]]},
                         {"from", node_json(r, x.node)}});
  }
  nlohmann::json object = node_json(r, o.node);
  object["self_size"] = o.self_size;
  object["raw_self_size"] = o.raw_self_size;
  object["dominator"] = node_json(r, o.dominator);
  return {{"snapshot", r.snapshot},
          {"object", std::move(object)},
          {"edges", std::move(edges)},
          {"retainers", std::move(retainers)},
          {"hidden_retainers", o.hidden_retainers}};
}

}  // namespace leakscope::report
