#include "report/leaks_report.h"

#include <fmt/core.h>

#include <cmath>
#include <filesystem>

#include "analysis/distances.h"
#include "analysis/node_names.h"
#include "heap/indices.h"
#include "report/elision.h"
#include "report/format.h"
#include "report/json_output.h"
#include "report/path_report.h"

namespace leakscope::report {

namespace {

bool is_slot_edge(const HeapGraph& g, uint64_t e) {
  const EdgeType k = g.edge_kind(e);
  if (k == kElement || k == kHiddenEdge) return true;
  if (k != kInternal) return false;
  const std::string name = g.edge_name_text(e);
  return !name.empty() && name.find_first_not_of("0123456789") == std::string::npos;
}

std::string accessor_edge(const HeapGraph& g, uint64_t e) {
  if (is_slot_edge(g, e)) return "[…]";
  const std::string name = g.edge_name_text(e);
  switch (g.edge_kind(e)) {
    case kProperty:
    case kShortcut:
      return name.find_first_of(" .[]\"") == std::string::npos && !name.empty()
                 ? "." + name
                 : "[" + json_text(nlohmann::json(name)) + "]";
    case kContext:
      return "->" + name;
    default:
      return "{" + name + "}";
  }
}

std::string short_name(const std::string& path) {
  return std::filesystem::path(path).filename().string();
}

std::string class_of_node(const HeapGraph& g, uint32_t v) {
  if (g.type(v) == kClosure) return fmt::format("{}()", g.name(v));
  return basic_class_name(g, v);
}

std::string counts_text(const std::vector<uint64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " → " : "") + with_commas(v[i]);
  return s;
}

std::string sizes_text(const std::vector<uint64_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? " → " : "") + human_bytes(v[i]);
  return s;
}

double span_seconds(const LeaksReport& r) {
  if (r.times.size() < 2) return 0;
  return r.times.back() - r.times.front();
}

uint64_t per_interval(uint64_t total, size_t snapshots) {
  return snapshots > 1 ? total / (snapshots - 1) : total;
}

// What kind of holder this is, in words, when its names say more than its class.
std::string holder_words(const HeapGraph& g, const LeakCluster& c) {
  const std::string cls = class_of_node(g, c.holder);
  const auto& e = c.named_edges;
  if (e.size() >= 2 && g.edge_kind(e[e.size() - 2]) == kProperty &&
      g.edge_name_text(e[e.size() - 2]) == "_events") {
    // emitter._events.<event> -> the listener array (or the single listener's holder).
    const uint64_t events_edge = e[e.size() - 2];
    const uint32_t emitter = edge_owner(g, events_edge);
    if (emitter != kNoNode) {
      return safe_text(fmt::format("{} of listeners for '{}' on {} @{}", cls,
                                   g.edge_name_text(e.back()), class_of_node(g, emitter),
                                   g.node_id[emitter]));
    }
  }
  if (!e.empty() && g.edge_kind(e.back()) == kProperty && g.edge_name_text(e.back()) == "_events") {
    return "listener table of an EventEmitter";
  }
  if (g.name(c.holder) == "system / Context") return "closure context";
  return safe_text(cls);
}

// The holder as written in its scope, e.g. "configBus._events.reload in the module scope of
// app.js"; empty when the names do not start at a closure context of a known script.
std::string scoped_name(const HeapGraph& g, const LeakCluster& c) {
  if (!c.holder_scope || c.named_edges.empty() || c.holder_path.from_user_root) return "";
  std::string names = g.edge_name_text(c.named_edges.front());
  for (size_t i = 1; i < c.named_edges.size(); ++i) names += accessor_edge(g, c.named_edges[i]);
  const std::string& script = c.holder_scope->script;
  if (c.holder_scope_is_module)
    return safe_text(fmt::format("{} in the module scope of {}", names, script));
  return safe_text(fmt::format("{} in a function scope of {} (a closure at line {})", names, script,
                               c.holder_scope->line));
}

std::string location_text(const LeakCluster& c) {
  return c.location ? source_position_text(*c.location) : "";
}

}  // namespace

std::string not_leaking_text(const HeapGraph& g, const LeakCluster& c) {
  const size_t n = c.holder_entries.size();
  switch (c.why) {
    case NotLeaking::kLeaking:
      return "";
    case NotLeaking::kNothingAddedBetween:
      return fmt::format("nothing added between snapshots {} and {} stayed alive", c.why_snapshot,
                         c.why_snapshot + 1);
    case NotLeaking::kPlateau:
      return fmt::format("nothing added after snapshot {} stayed alive (plateau)", c.why_snapshot);
    case NotLeaking::kHoldersAreNew:
      return "its holders are themselves new objects (judged together with them)";
    case NotLeaking::kEngineTable:
      return fmt::format("held by V8's {} table, not by the program", g.name(c.holder));
    case NotLeaking::kHolderDoesNotGrow:
      return fmt::format(
          "new objects replace old ones but the holder does not grow ({} entries in snapshot "
          "{}, {} at the end): a full cache",
          with_commas(n >= 2 ? c.holder_entries[n - 2] : 0), n - 1,
          with_commas(n >= 1 ? c.holder_entries.back() : 0));
    case NotLeaking::kGainedTooLittle:
      return fmt::format("it gained only {} bytes", c.gained);
  }
  return "";
}

void put_path_steps(nlohmann::ordered_json& into, const HeapGraph& g, const RetainerPath& path,
                    bool full) {
  const Elision shown = elide_path(path, full);
  nlohmann::ordered_json steps = nlohmann::ordered_json::array();
  for (size_t i = 0; i < shown.total; i = shown.next(i)) {
    const PathStep& s = path.steps[i];
    nlohmann::ordered_json x;
    if (s.edge != kNoEdge) x["edge"] = edge_display(g, s.edge);
    x["id"] = g.node_id[s.node];
    x["name"] = node_label(g, s.node);
    x["type"] = std::string(g.type_name(s.node));
    steps.push_back(std::move(x));
  }
  into["path"] = std::move(steps);
  into["path_length"] = shown.total;
  if (shown.omitted()) into["path_elided"] = omitted_steps_json(g, path, shown);
}

std::string path_accessor(const HeapGraph& g, const RetainerPath& path, size_t max_edges) {
  if (path.steps.empty()) return "(unreachable)";
  std::vector<std::string> parts;
  for (size_t i = 1; i < path.steps.size(); ++i) {
    const PathStep& s = path.steps[i];
    // "table" and element stores are engine details between a Map/Array and its entries.
    if (g.edge_kind(s.edge) == kInternal &&
        (g.edge_name_text(s.edge) == "table" || g.edge_name_text(s.edge) == "elements" ||
         g.edge_name_text(s.edge) == "context")) {
      continue;
    }
    parts.push_back(accessor_edge(g, s.edge));
  }
  std::string text;
  if (!path.from_user_root) {
    // From the GC roots: the root slots say nothing to a user; start at the first named edge.
    while (!parts.empty() && (parts.front().starts_with("[") || parts.front().starts_with("{"))) {
      parts.erase(parts.begin());
    }
    if (parts.size() > max_edges) {
      parts.erase(parts.begin(), parts.end() - static_cast<std::ptrdiff_t>(max_edges));
    }
    text = "…";
  } else if (parts.size() > max_edges) {
    text = node_label(g, path.steps.front().node, 30) + "…";
    parts.erase(parts.begin(), parts.end() - static_cast<std::ptrdiff_t>(max_edges));
  } else {
    text = node_label(g, path.steps.front().node, 30);
  }
  for (const std::string& p : parts) text += p;
  return safe_text(text);
}

std::string named_accessor(const HeapGraph& g, const RetainerPath& path,
                           const std::vector<uint64_t>& named_edges, size_t max_edges) {
  if (path.from_user_root || named_edges.empty()) return path_accessor(g, path, max_edges);
  std::string text = "…";
  constexpr size_t kNamesShown = 8;
  const size_t skip = named_edges.size() > kNamesShown ? named_edges.size() - kNamesShown : 0;
  for (size_t i = skip; i < named_edges.size(); ++i) text += accessor_edge(g, named_edges[i]);
  return safe_text(text);
}

std::string holder_accessor(const HeapGraph& g, const LeakCluster& c) {
  return named_accessor(g, c.holder_path, c.named_edges);
}

std::string leaks_verdict(const LeaksReport& r) {
  const LeakFindings& f = *r.findings;
  const size_t n = r.snapshots.size();
  if (f.leaks.empty()) {
    std::string s = fmt::format(
        "No leak found: {} objects were added after {} and are still alive in {}; in {} "
        "clusters none kept growing in every one of the {} intervals with a holder that grew too",
        with_commas(f.candidates - f.excluded_internal), short_name(r.snapshots.front()),
        short_name(r.snapshots.back()), with_commas(f.clusters), n - 1);
    if (f.excluded_internal) {
      s += fmt::format(" ({} Node/V8 internals left out; --all includes them)",
                       with_commas(f.excluded_internal));
    }
    return safe_text(s);
  }
  const LeakCluster& c = f.leaks.front();
  const uint64_t objects = per_interval(c.counts.back() - c.counts.front(), n);
  std::string s =
      fmt::format("Leak: {}, +{} objects (+{} retained) per interval, held by {} ({})",
                  c.class_name, with_commas(objects), human_bytes(per_interval(c.gained, n)),
                  holder_accessor(*r.graph, c), holder_words(*r.graph, c));
  if (!c.internal_chain.empty()) {
    s += fmt::format(", through its {} chain", c.internal_chain);
  } else if (c.chain && !c.chain_edge.empty()) {
    s += fmt::format(", a chain where each one holds the next through {}", c.chain_edge);
  }
  if (f.leaks.size() > 1) s += fmt::format("; {} more leak clusters below", f.leaks.size() - 1);
  return safe_text(s);
}

void render_leaks_text(const LeaksReport& r, std::FILE* out) {
  const HeapGraph& g = *r.graph;
  const LeakFindings& f = *r.findings;
  const size_t n = r.snapshots.size();
  fmt::print(out, "{}\n", leaks_verdict(r));
  std::string names;
  for (size_t i = 0; i < n; ++i) names += (i ? " → " : "") + safe_text(short_name(r.snapshots[i]));
  fmt::print(out, "\nsnapshots: {}", names);
  const double span = span_seconds(r);
  if (span > 0) {
    if (span < 10) {
      fmt::print(out, " over {:.1f} s", span);
    } else if (span < 120) {
      fmt::print(out, " over {:.0f} s", span);
    } else if (span < 7200) {
      fmt::print(out, " over {:.1f} min", span / 60);
    } else {
      fmt::print(out, " over {:.1f} h", span / 3600);
    }
  }
  fmt::print(out, "\n");
  size_t shown = 0;
  for (const LeakCluster& c : f.leaks) {
    if (shown >= r.top) break;
    ++shown;
    fmt::print(out, "\n#{} {}", shown, safe_text(c.class_name));
    const std::string loc = location_text(c);
    if (!loc.empty()) fmt::print(out, "  ({})", safe_text(loc));
    fmt::print(out, "\n");
    fmt::print(out, "   objects    {}   (class total {})\n", counts_text(c.counts),
               counts_text(c.class_counts));
    std::string rate;
    if (span > 0) {
      rate = fmt::format(", {}/h", human_bytes(static_cast<uint64_t>(
                                       std::llround(static_cast<double>(c.gained) / span * 3600))));
    }
    fmt::print(out, "   retained   {}   (+{} per interval{})\n", sizes_text(c.retained),
               human_bytes(per_interval(c.gained, n)), rate);
    fmt::print(out, "   holder     {} @{}: {}, entries {}{}\n", holder_accessor(g, c),
               g.node_id[c.holder], holder_words(g, c), counts_text(c.holder_entries),
               c.holder_count > 1
                   ? fmt::format(" (over {} holders like it)", with_commas(c.holder_count))
                   : "");
    if (!c.internal_chain.empty()) {
      fmt::print(out, "   chain      {} links (engine-internal), each holds the next: {}\n",
                 safe_text(c.internal_chain), safe_text(c.chain_edge));
    } else if (c.chain) {
      fmt::print(out, "   chain      each one holds the next: {}\n", safe_text(c.chain_edge));
    }
    const std::string scoped = scoped_name(g, c);
    if (!scoped.empty()) {
      fmt::print(out, "   named      {}\n", scoped);
    } else {
      fmt::print(out, "   path       {}\n", path_text(g, c.holder_path, r.full));
    }
    if (!c.includes.empty()) {
      std::string inc;
      for (size_t i = 0; i < c.includes.size() && i < 6; ++i) {
        inc += (i ? ", " : "") +
               fmt::format("{} ×{}", c.includes[i].first, with_commas(c.includes[i].second));
      }
      fmt::print(out, "   includes   {}\n", safe_text(inc));
    }
  }
  if (f.leaks.size() > shown) {
    fmt::print(out, "\n({} more leak clusters; --top N or --json shows them)\n",
               f.leaks.size() - shown);
  }
  if (!f.rejected.empty()) {
    fmt::print(out, "\nChecked and not leaking (largest first):\n");
    for (const LeakCluster& c : f.rejected) {
      fmt::print(out, "   {} ×{} in {}: {}\n", fit(c.class_name, 40), with_commas(c.members),
                 path_accessor(g, c.holder_path, 3), safe_text(not_leaking_text(g, c)));
    }
  }
}

nlohmann::ordered_json leaks_json(const LeaksReport& r) {
  const HeapGraph& g = *r.graph;
  const LeakFindings& f = *r.findings;
  const size_t n = r.snapshots.size();
  const double span = span_seconds(r);
  nlohmann::ordered_json j;
  j["verdict"] = leaks_verdict(r);
  j["leak"] = !f.leaks.empty();
  j["snapshots"] = r.snapshots;
  if (!r.times.empty()) j["times"] = r.times;
  j["candidates"] = f.candidates;
  j["excluded_internal"] = f.excluded_internal;
  j["clusters_checked"] = f.clusters;
  auto cluster_json = [&](const LeakCluster& c) {
    nlohmann::ordered_json x;
    x["class"] = c.class_name;
    x["key"] = c.class_key;
    if (c.location) {
      x["location"] = {{"script", c.location->script},
                       {"script_id", c.location->script_id},
                       {"line", c.location->line},
                       {"column", c.location->column}};
    }
    x["members"] = c.members;
    x["counts"] = c.counts;
    x["class_counts"] = c.class_counts;
    x["retained"] = c.retained;
    x["gained"] = c.gained;
    x["objects_per_interval"] = per_interval(c.counts.back() - c.counts.front(), n);
    x["retained_per_interval"] = per_interval(c.gained, n);
    if (span > 0) x["bytes_per_hour"] = static_cast<double>(c.gained) / span * 3600;
    x["holder"] = {{"id", g.node_id[c.holder]},       {"class", class_of_node(g, c.holder)},
                   {"kind", holder_words(g, c)},      {"accessor", holder_accessor(g, c)},
                   {"entries", c.holder_entries},     {"holders", c.holder_count},
                   {"members_held", c.holder_members}};
    if (const std::string scoped = scoped_name(g, c); !scoped.empty()) {
      x["holder"]["scope"] = {{"named", scoped},
                              {"script", c.holder_scope->script},
                              {"module", c.holder_scope_is_module}};
    }
    x["chain"] = c.chain;
    if (c.chain) x["chain_edge"] = c.chain_edge;
    if (!c.internal_chain.empty()) x["internal_chain"] = c.internal_chain;
    put_path_steps(x, g, c.holder_path, r.full);
    x["path_from_user_root"] = c.holder_path.from_user_root;
    nlohmann::ordered_json inc = nlohmann::ordered_json::array();
    for (const auto& [name, count] : c.includes) inc.push_back({{"class", name}, {"count", count}});
    x["includes"] = std::move(inc);
    if (!c.leak) x["reason"] = not_leaking_text(g, c);
    return x;
  };
  nlohmann::ordered_json leaks = nlohmann::ordered_json::array();
  for (const LeakCluster& c : f.leaks) leaks.push_back(cluster_json(c));
  j["leaks"] = std::move(leaks);
  nlohmann::ordered_json rejected = nlohmann::ordered_json::array();
  for (const LeakCluster& c : f.rejected) rejected.push_back(cluster_json(c));
  j["not_leaking"] = std::move(rejected);
  return j;
}

}  // namespace leakscope::report
