#include "report/path_report.h"

#include <fmt/core.h>

#include "analysis/ephemeron_edges.h"
#include "analysis/node_names.h"
#include "report/elision.h"
#include "report/format.h"

namespace leakscope::report {

namespace {
constexpr size_t kLabelLength = 40;

bool is_number(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// A slot of engine storage: an element, or an internal/hidden edge named by an index (V8 names
// the entries of Map and Set hash tables that way).
bool is_slot(const HeapGraph& g, uint64_t e) {
  const EdgeType k = g.edge_kind(e);
  return k == kElement || ((k == kHiddenEdge || k == kInternal) && is_number(g.edge_name_text(e)));
}

std::string edge_text(const HeapGraph& g, uint64_t e) {
  const std::string name = g.edge_name_text(e);
  if (is_slot(g, e)) return "[" + name + "]";
  if (g.edge_kind(e) == kInternal && parse_ephemeron_edge_name(name)) {
    // `N / part of key (Key @5) -> value (...) pair in WeakMap (table @7)`: say which key.
    constexpr std::string_view kKey = "part of key (";
    const size_t begin = name.find(kKey) + kKey.size();
    const size_t end = name.find(") -> value (", begin);
    return " (WeakMap entry of key " + name.substr(begin, end - begin) + ")";
  }
  switch (g.edge_kind(e)) {
    case kProperty:
    case kShortcut:
      return name.find(' ') == std::string::npos && !name.empty() ? "." + name
                                                                  : "[\"" + name + "\"]";
    case kElement:
      return "[" + name + "]";
    case kContext:
      return "->" + name;
    case kWeak:
      return " [[" + name + "]]";
    default:
      return " (" + name + ")";
  }
}

// Engine-internal storage (element stores, hash tables) reads better as just the slot taken in it.
bool is_storage(const HeapGraph& g, uint32_t node) {
  const NodeType t = g.type(node);
  return t == kArray || t == kHidden;
}

std::string distance_text(int32_t d) {
  if (d == kNoDistance) return "unreachable";
  if (!is_user_distance(d)) return "only from GC roots";
  return fmt::format("distance {}", d);
}
}  // namespace

std::string path_text(const HeapGraph& g, const RetainerPath& path, bool full) {
  const Elision shown = elide_path(path, full);
  std::string text;
  for (size_t i = 0; i < shown.total; i = shown.next(i)) {
    const PathStep& s = path.steps[i];
    const bool last = i + 1 == path.steps.size();
    if (i > 0 && i == shown.total - shown.tail && shown.omitted()) {
      // "X.next → … 1,999,980 more steps (.next) … → X": the edges leaving the omitted steps are
      // summarized in the gap.
      text += edge_text(g, path.steps[shown.head].edge) + " → " +
              omitted_steps_text(g, path, shown) + " → ";
    } else if (i > 0) {
      text += edge_text(g, s.edge) + " → ";
    }
    if (last) {
      text += node_label(g, s.node, kLabelLength) + fmt::format(" @{}", g.node_id[s.node]);
      break;
    }
    if (i > 0 && is_storage(g, s.node) && is_slot(g, path.steps[i + 1].edge)) {
      continue;  // "Map (table) → [42]": the table itself is left out
    }
    text += node_label(g, s.node, kLabelLength);
  }
  return safe_text(text);
}

void render_path_text(const PathReport& r, std::FILE* out) {
  const HeapGraph& g = *r.graph;
  if (!r.class_name.empty()) {
    // Where the instances are first (the closest instance is often a prototype or a constant),
    // then the closest examples.
    fmt::print(out, "{}: {} instance(s) of {} in {} group(s) by retainer path, largest first:\n",
               safe_text(r.snapshot), with_commas(r.class_instances), safe_text(r.class_name),
               with_commas(r.group_count));
    for (const PathGroup& group : r.groups) {
      fmt::print(out, "  {} retaining {} via {}{}\n", with_commas(group.count),
                 human_bytes(group.retained), group.path.from_user_root ? "" : "(GC roots only) ",
                 path_text(g, group.path, r.full));
    }
    if (r.groups.size() < r.group_count) {
      uint64_t shown = 0;
      for (const PathGroup& group : r.groups) shown += group.count;
      fmt::print(out, "  … {} more group(s) with {} instance(s) (--full lists them all)\n",
                 with_commas(r.group_count - r.groups.size()),
                 with_commas(r.grouped_instances - shown));
    }
    fmt::print(
        out, "\nShortest retainer paths to {}:\n",
        r.targets.size() == 1 ? "the closest" : fmt::format("the {} closest", r.targets.size()));
  }
  for (const PathTarget& t : r.targets) {
    fmt::print(out, "\n{} @{} ({}{})\n", safe_text(node_label(g, t.node)), g.node_id[t.node],
               distance_text(t.distance),
               t.retained_size ? ", retains " + human_bytes(t.retained_size) : std::string());
    if (t.paths.empty()) {
      fmt::print(out, "  no path: only weak references or unreachable cycles hold it\n");
    }
    for (const RetainerPath& p : t.paths) {
      fmt::print(out, "  {}{}\n", p.from_user_root ? "" : "(GC roots only) ",
                 path_text(g, p, r.full));
    }
  }
}

namespace {
nlohmann::json one_path_json(const HeapGraph& g, const RetainerPath& p, bool full) {
  const Elision shown = elide_path(p, full);
  nlohmann::json steps = nlohmann::json::array();
  for (size_t i = 0; i < shown.total; i = shown.next(i)) {
    const PathStep& s = p.steps[i];
    nlohmann::json step = {{"id", g.node_id[s.node]},
                           {"name", node_label(g, s.node)},
                           {"class", basic_class_name(g, s.node)},
                           {"type", g.type_name(s.node)}};
    if (s.edge != kNoEdge) {
      step["edge"] = {{"name", g.edge_name_text(s.edge)},
                      {"type", g.edge_type_names[g.edge_type[s.edge]]}};
    }
    steps.push_back(std::move(step));
  }
  nlohmann::json path = {{"from_user_root", p.from_user_root},
                         {"text", path_text(g, p, full)},
                         {"length", shown.total},
                         {"steps", std::move(steps)}};
  if (shown.omitted()) path["elided"] = omitted_steps_json(g, p, shown);
  return path;
}
}  // namespace

nlohmann::json path_json(const PathReport& r) {
  const HeapGraph& g = *r.graph;
  nlohmann::json targets = nlohmann::json::array();
  for (const PathTarget& t : r.targets) {
    nlohmann::json paths = nlohmann::json::array();
    for (const RetainerPath& p : t.paths) paths.push_back(one_path_json(g, p, r.full));
    nlohmann::json j = {{"id", g.node_id[t.node]},
                        {"name", node_label(g, t.node)},
                        {"distance", t.distance},
                        {"paths", std::move(paths)}};
    if (t.retained_size) j["retained_size"] = t.retained_size;
    targets.push_back(std::move(j));
  }
  nlohmann::json out = {{"snapshot", r.snapshot}, {"targets", std::move(targets)}};
  if (!r.class_name.empty()) {
    out["class"] = r.class_name;
    out["class_instances"] = r.class_instances;
    out["group_count"] = r.group_count;
    nlohmann::json groups = nlohmann::json::array();
    for (const PathGroup& group : r.groups) {
      groups.push_back({{"count", group.count},
                        {"retained_size", group.retained},
                        {"id", g.node_id[group.representative]},
                        {"path", one_path_json(g, group.path, r.full)}});
    }
    out["groups"] = std::move(groups);
  }
  return out;
}

}  // namespace leakscope::report
