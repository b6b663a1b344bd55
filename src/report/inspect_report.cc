#include "report/inspect_report.h"

#include <fmt/core.h>

#include "analysis/distances.h"
#include "analysis/node_names.h"
#include "report/elision.h"
#include "report/format.h"

namespace leakscope::report {

namespace {
std::string distance_text(int32_t d) {
  if (d == kNoDistance) return "unreachable";
  return is_user_distance(d) ? std::to_string(d) : std::string("-");
}

// The first rows of a list: --limit of them (all with --full), the same in text and JSON.
size_t rows_shown(const InspectReport& r, size_t total) {
  return elide(total, r.limit ? r.limit : total, 0, r.limit == 0).head;
}

std::string edge_label(const HeapGraph& g, uint64_t e) {
  return fit(g.edge_name_text(e), 32);
}

constexpr size_t kObjectLabelLength = 100;
constexpr size_t kRowLabelLength = 60;

// The label the text shows for a node, display-safe.
std::string shown_label(const HeapGraph& g, uint32_t v, size_t length) {
  return fit(node_label(g, v, length), length);
}

// `name` is V8's own (the root's is ""), `display_name` what the text shows for the node.
nlohmann::json node_json(const InspectReport& r, uint32_t v, size_t label_length) {
  const HeapGraph& g = *r.graph;
  return {{"id", g.node_id[v]},
          {"name", g.name(v)},
          {"display_name", shown_label(g, v, label_length)},
          {"class", basic_class_name(g, v)},
          {"type", g.type_name(v)},
          {"retained_size", r.tree->retained[v]},
          {"distance", (*r.distances)[v]}};
}
}  // namespace

void render_inspect_text(const InspectReport& r, std::FILE* out) {
  const HeapGraph& g = *r.graph;
  const ObjectInspection& o = r.object;
  fmt::print(out, "{} @{}\n", shown_label(g, o.node, kObjectLabelLength), g.node_id[o.node]);
  fmt::print(out, "  class {}, type {}\n", safe_text(basic_class_name(g, o.node)),
             safe_text(g.type_name(o.node)));
  fmt::print(out, "  self size {} ({} bytes as V8 wrote it), retained size {}\n",
             human_bytes(o.self_size), with_commas(o.raw_self_size), human_bytes(o.retained_size));
  fmt::print(out, "  distance {}, immediate dominator {} @{}\n", distance_text(o.distance),
             shown_label(g, o.dominator, kRowLabelLength), g.node_id[o.dominator]);

  const size_t edge_rows = rows_shown(r, o.edges.size());
  fmt::print(out, "\nEdges ({}):\n", with_commas(o.edges.size()));
  if (!o.edges.empty()) {
    fmt::print(out, "  {:<32}  {:<9}  {:>10}  {}\n", "Name", "Type", "Retained", "Target");
  }
  for (size_t i = 0; i < edge_rows; ++i) {
    const uint64_t e = o.edges[i];
    const uint32_t to = g.edge_to[e];
    fmt::print(out, "  {:<32}  {:<9}  {:>10}  {} @{}\n", edge_label(g, e),
               safe_text(g.edge_type_names[g.edge_type[e]]), human_bytes(r.tree->retained[to]),
               shown_label(g, to, kRowLabelLength), g.node_id[to]);
  }
  if (edge_rows < o.edges.size()) {
    fmt::print(out, "  … {} more (--full shows all)\n", with_commas(o.edges.size() - edge_rows));
  }

  const size_t ret_rows = rows_shown(r, o.retainers.size());
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
               safe_text(g.edge_type_names[g.edge_type[x.edge]]),
               distance_text((*r.distances)[x.node]), shown_label(g, x.node, kRowLabelLength),
               g.node_id[x.node]);
  }
  if (ret_rows < o.retainers.size()) {
    fmt::print(out, "  … {} more (--full shows all)\n", with_commas(o.retainers.size() - ret_rows));
  }
}

nlohmann::json inspect_json(const InspectReport& r) {
  const HeapGraph& g = *r.graph;
  const ObjectInspection& o = r.object;
  nlohmann::json edges = nlohmann::json::array();
  const size_t edge_rows = rows_shown(r, o.edges.size());
  for (size_t i = 0; i < edge_rows; ++i) {
    const uint64_t e = o.edges[i];
    edges.push_back({{"name", g.edge_name_text(e)},
                     {"type", g.edge_type_names[g.edge_type[e]]},
                     {"to", node_json(r, g.edge_to[e], kRowLabelLength)}});
  }
  nlohmann::json retainers = nlohmann::json::array();
  const size_t ret_rows = rows_shown(r, o.retainers.size());
  for (size_t i = 0; i < ret_rows; ++i) {
    const Retainer& x = o.retainers[i];
    retainers.push_back({{"name", g.edge_name_text(x.edge)},
                         {"type", g.edge_type_names[g.edge_type[x.edge]]},
                         {"from", node_json(r, x.node, kRowLabelLength)}});
  }
  nlohmann::json object = node_json(r, o.node, kObjectLabelLength);
  object["self_size"] = o.self_size;
  object["raw_self_size"] = o.raw_self_size;
  object["dominator"] = node_json(r, o.dominator, kRowLabelLength);
  return {{"snapshot", r.snapshot},
          {"object", std::move(object)},
          {"edge_count", o.edges.size()},
          {"edges", std::move(edges)},
          {"retainer_count", o.retainers.size()},
          {"retainers", std::move(retainers)},
          {"hidden_retainers", o.hidden_retainers}};
}

}  // namespace leakscope::report
