#include "analysis/checks.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <unordered_map>

#include "analysis/leak_finder.h"
#include "analysis/node_names.h"
#include "analysis/node_roles.h"
#include "report/format.h"

namespace leakscope {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::kHigh:
      return "high";
    case Severity::kMedium:
      return "medium";
    case Severity::kLow:
      return "low";
    default:
      return "info";
  }
}

const char* check_kind_name(CheckKind k) {
  switch (k) {
    case CheckKind::kDominantClass:
      return "dominant-class";
    case CheckKind::kManyListeners:
      return "many-listeners";
    case CheckKind::kLargeObject:
      return "large-object";
    case CheckKind::kRepeatedClosure:
      return "repeated-closure";
    case CheckKind::kDuplicateStrings:
      return "duplicate-strings";
    default:
      return "big-collection";
  }
}

namespace {

constexpr std::array<std::string_view, 12> kBuiltinClasses = {
    "Object",  "Array",   "Function", "Map",    "Set",   "WeakMap",
    "WeakSet", "Promise", "Date",     "RegExp", "Error", "Symbol"};

bool is_builtin(std::string_view name) {
  return std::find(kBuiltinClasses.begin(), kBuiltinClasses.end(), name) != kBuiltinClasses.end();
}

std::string mb(uint64_t bytes) {
  if (bytes >= 1000 * 1000) return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
  if (bytes >= 1000) return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
  return fmt::format("{} B", bytes);
}

Severity by_share(uint64_t bytes, uint64_t total, Severity floor) {
  const double share = total ? static_cast<double>(bytes) / static_cast<double>(total) : 0;
  if (share >= 0.3) return Severity::kHigh;
  if (share >= 0.1) return std::max(floor, Severity::kMedium);
  return floor;
}

bool is_user_object(const HeapGraph& g, uint32_t v) {
  const NodeType t = g.type(v);
  if (t != kObject) return false;
  return !g.name(v).starts_with("system / ");
}

// Node's own tables (builtin module registry, primordials, error codes, internal bindings) are
// big collections in every process; they are not what the user is looking for.
bool is_node_internal(const HeapGraph& g, const Distances& d, uint32_t v) {
  uint64_t e = d.parent_edge[v];
  for (int steps = 0; e != kNoEdge && steps < 64; ++steps) {
    if (g.edge_kind(e) == kProperty || g.edge_kind(e) == kContext || g.edge_kind(e) == kShortcut) {
      const std::string_view name = g.strings.get(g.edge_name[e]);
      if (name == "primordials" || name == "internalBinding" || name == "BuiltinModule" ||
          name == "codes" || name == "<symbol node:per_context_binding_exports>" ||
          name == "moduleLoadList" || name == "_cache" || name == "process") {
        return true;
      }
    }
    const uint32_t owner = edge_owner(g, e);
    e = d.parent_edge[owner];
  }
  return false;
}

// The closest reachable instance (user roots first) of a set of nodes.
uint32_t closest(const Distances& d, const std::vector<uint32_t>& nodes) {
  uint32_t best = nodes.front();
  auto rank = [&](uint32_t v) {
    const int32_t x = d.distance[v];
    return x < 0 ? INT64_MAX : static_cast<int64_t>(x);
  };
  for (uint32_t v : nodes) {
    if (rank(v) < rank(best)) best = v;
  }
  return best;
}

}  // namespace

CheckResults run_checks(const CheckInput& in, const CheckOptions& o) {
  const HeapGraph& g = *in.graph;
  const ClassIndex& classes = *in.classes;
  const DominatorTree& tree = *in.tree;
  const Distances& d = *in.distances;
  const BigVector<uint64_t>& sizes = *in.self_sizes;
  const uint32_t n = g.node_count();
  CheckResults out;
  out.total_size = tree.retained[g.root];
  const uint64_t total = out.total_size;
  std::unordered_map<uint32_t, bool> reported;  // one finding per object: the most specific
  auto add = [&](CheckFinding f) {
    if (f.kind != CheckKind::kDominantClass && f.kind != CheckKind::kRepeatedClosure &&
        !reported.emplace(f.node, true).second) {
      return;
    }
    f.path = shortest_path(g, d, f.node);
    out.findings.push_back(std::move(f));
  };

  // 1. A class that dwarfs the others (by instance count, JS objects only).
  {
    std::vector<uint64_t> count(classes.classes.size(), 0);
    std::vector<uint32_t> example(classes.classes.size(), UINT32_MAX);
    for (uint32_t v = 0; v < n; ++v) {
      if (!is_user_object(g, v) || sizes[v] == 0) continue;
      const uint32_t c = classes.node_class[v];
      ++count[c];
      if (example[c] == UINT32_MAX || d.distance[v] < d.distance[example[c]]) example[c] = v;
    }
    std::vector<uint32_t> order;
    for (uint32_t c = 0; c < count.size(); ++c) {
      if (count[c] > 0) order.push_back(c);
    }
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return count[a] > count[b]; });
    if (order.size() >= 2) {
      const uint32_t top = order[0];
      const uint32_t next = order[1];
      const std::string& name = classes.classes[top].name;
      if (count[top] >= o.dominant_min_count && count[top] > 2 * count[next] && !is_builtin(name)) {
        CheckFinding f;
        f.kind = CheckKind::kDominantClass;
        f.count = count[top];
        f.name = name;
        f.node = example[top];
        uint64_t self = 0;
        for (uint32_t v = 0; v < n; ++v) {
          if (classes.node_class[v] == top) self += sizes[v];
        }
        f.bytes = self;
        f.severity = by_share(self, total, Severity::kMedium);
        f.title = fmt::format("{}: {} instances, {:.1f}x the next largest class ({}, {})", name,
                              report::with_commas(count[top]),
                              static_cast<double>(count[top]) / static_cast<double>(count[next]),
                              classes.classes[next].name, report::with_commas(count[next]));
        f.explanation =
            "One class far outnumbers every other: usually objects that are created per request "
            "or per event and never released.";
        f.location = source_position(g, classes, f.node);
        add(std::move(f));
      }
    }
  }

  // 2. EventEmitter listener lists, and objects with a huge number of entries.
  {
    std::vector<CheckFinding> listeners;
    std::vector<CheckFinding> large;
    for (uint32_t v = 0; v < n; ++v) {
      if (!is_user_object(g, v)) continue;
      for (uint64_t e = g.edges_begin(v); e < g.edges_end(v); ++e) {
        if (g.edge_kind(e) != kProperty || g.strings.get(g.edge_name[e]) != "_events") continue;
        const uint32_t events = g.edge_to[e];
        for (uint64_t f = g.edges_begin(events); f < g.edges_end(events); ++f) {
          if (g.edge_kind(f) != kProperty) continue;
          const std::string_view event = g.strings.get(g.edge_name[f]);
          if (event == "__proto__") continue;
          const uint32_t list = g.edge_to[f];
          if (g.type(list) != kObject || g.name(list) != "Array") continue;
          // Listener functions, by name.
          std::unordered_map<uint32_t, std::pair<uint64_t, uint32_t>> by_fn;  // name -> count, one
          uint64_t total_listeners = 0;
          for (uint64_t x = g.edges_begin(list); x < g.edges_end(list); ++x) {
            if (g.edge_kind(x) != kElement) continue;
            const uint32_t fn = g.edge_to[x];
            ++total_listeners;
            auto& slot = by_fn[g.node_name[fn]];
            if (slot.first++ == 0) slot.second = fn;
          }
          if (total_listeners < o.listeners_warn) continue;
          auto top = std::max_element(by_fn.begin(), by_fn.end(), [](const auto& a, const auto& b) {
            return a.second.first < b.second.first;
          });
          CheckFinding c;
          c.kind = CheckKind::kManyListeners;
          c.count = total_listeners;
          c.name = std::string(event);
          c.node = list;
          c.bytes = tree.retained[list];
          c.severity = total_listeners >= 100 ? Severity::kHigh : Severity::kMedium;
          const uint32_t fn = top->second.second;
          const std::string fn_name =
              g.name(fn).empty() ? std::string("(anonymous)") : std::string(g.name(fn));
          c.location = source_position(g, classes, fn);
          c.title = fmt::format(
              "{} @{} has {} listeners for '{}' ({} of them {}{}), retaining {}",
              basic_class_name(g, v), g.node_id[v], report::with_commas(total_listeners), event,
              report::with_commas(top->second.first), fn_name,
              c.location ? " at " + source_position_text(*c.location) : "", mb(c.bytes));
          c.explanation =
              "Listeners are added (often once per request) and never removed; each keeps its "
              "closure and everything it captured alive. Node warns above 10.";
          listeners.push_back(std::move(c));
        }
      }
      const uint32_t entries = entry_count(g, v);
      if (entries >= o.large_object_entries) {
        CheckFinding c;
        c.kind = CheckKind::kLargeObject;
        c.count = entries;
        c.node = v;
        c.name = basic_class_name(g, v);
        c.bytes = tree.retained[v];
        c.severity = by_share(c.bytes, total, Severity::kLow);
        c.title = fmt::format("{} @{} has {} entries, retaining {}", c.name, g.node_id[v],
                              report::with_commas(entries), mb(c.bytes));
        c.explanation =
            "An object with this many properties or elements is usually a cache or a list that "
            "only ever grows.";
        large.push_back(std::move(c));
      }
    }
    auto by_count = [](const CheckFinding& a, const CheckFinding& b) { return a.count > b.count; };
    std::sort(listeners.begin(), listeners.end(), by_count);
    std::sort(large.begin(), large.end(), by_count);
    for (size_t i = 0; i < listeners.size() && i < o.per_kind; ++i) add(std::move(listeners[i]));
    for (size_t i = 0; i < large.size() && i < o.per_kind; ++i) add(std::move(large[i]));
  }

  // 3. One function instantiated many times (closures by name and source position).
  {
    std::vector<int64_t> location_of(n, -1);
    for (size_t i = 0; i < g.locations.size(); ++i) {
      location_of[g.locations[i].node] = static_cast<int64_t>(i);
    }
    struct Group {
      uint64_t count = 0;
      uint64_t retained = 0;
      std::vector<uint32_t> sample;
    };
    std::unordered_map<uint64_t, Group> groups;
    for (uint32_t v = 0; v < n; ++v) {
      if (g.type(v) != kClosure) continue;
      uint64_t key = g.node_name[v];
      if (location_of[v] >= 0) {
        const Location& l = g.locations[static_cast<size_t>(location_of[v])];
        key = key * 1000003u ^ (static_cast<uint64_t>(l.script_id) << 40) ^
              (static_cast<uint64_t>(l.line) << 16) ^ l.column;
      }
      Group& gr = groups[key];
      ++gr.count;
      gr.retained += tree.retained[v];
      if (gr.sample.size() < 64) gr.sample.push_back(v);
    }
    std::vector<const Group*> big;
    for (const auto& [k, gr] : groups) {
      if (gr.count >= o.closure_min_count) big.push_back(&gr);
    }
    std::sort(big.begin(), big.end(),
              [](const Group* a, const Group* b) { return a->count > b->count; });
    for (size_t i = 0; i < big.size() && i < o.per_kind; ++i) {
      const Group& gr = *big[i];
      CheckFinding c;
      c.kind = CheckKind::kRepeatedClosure;
      c.count = gr.count;
      c.node = closest(d, gr.sample);
      c.bytes = gr.retained;
      const std::string fn = g.name(c.node).empty() ? "(anonymous)" : std::string(g.name(c.node));
      c.name = fn;
      c.location = source_position(g, classes, c.node);
      c.severity = gr.count >= 10000 ? Severity::kHigh : Severity::kMedium;
      c.title = fmt::format("function {}{} exists {} times", fn,
                            c.location ? " at " + source_position_text(*c.location) : "",
                            report::with_commas(gr.count));
      c.explanation =
          "The same closure is created again and again and kept: a callback registered per "
          "request, a timer never cleared, or a function stored in a growing list.";
      add(std::move(c));
    }
  }

  // 4. Duplicate strings: V8 deduplicates the strings table, so equal text means equal name.
  {
    struct Dup {
      uint64_t copies = 0;
      uint64_t bytes = 0;
      uint64_t one = 0;
      uint32_t sample = 0;
    };
    std::unordered_map<uint32_t, Dup> dups;
    for (uint32_t v = 0; v < n; ++v) {
      if (g.type(v) != kString) continue;
      Dup& x = dups[g.node_name[v]];
      if (x.copies++ == 0) {
        x.sample = v;
        x.one = g.node_self_size[v];
      }
      x.bytes += g.node_self_size[v];
    }
    std::vector<std::pair<uint32_t, const Dup*>> worst;
    for (const auto& [name, x] : dups) {
      if (x.copies >= o.duplicate_min_copies && x.bytes - x.one >= o.duplicate_min_wasted) {
        worst.emplace_back(name, &x);
      }
    }
    std::sort(worst.begin(), worst.end(), [](const auto& a, const auto& b) {
      return a.second->bytes - a.second->one > b.second->bytes - b.second->one;
    });
    for (size_t i = 0; i < worst.size() && i < o.per_kind; ++i) {
      const Dup& x = *worst[i].second;
      CheckFinding c;
      c.kind = CheckKind::kDuplicateStrings;
      c.count = x.copies;
      c.bytes = x.bytes - x.one;
      c.node = x.sample;
      std::string text(g.strings.get(worst[i].first));
      if (text.size() > 60) text = text.substr(0, 57) + "...";
      c.name = text;
      c.severity = by_share(c.bytes, total, Severity::kLow);
      c.title = fmt::format("the string \"{}\" is held {} times, wasting {}", text,
                            report::with_commas(x.copies), mb(c.bytes));
      c.explanation =
          "Many copies of one text: intern it (or keep one copy in a Map), or stop keeping the "
          "objects that hold it.";
      add(std::move(c));
    }
  }

  // 5. The collections that retain the most.
  {
    std::vector<uint32_t> cols;
    for (uint32_t v = 0; v < n; ++v) {
      if (!is_user_object(g, v)) continue;
      const std::string_view name = g.name(v);
      const bool collection = name == "Map" || name == "Set" || name == "Array" ||
                              name == "WeakMap" || name == "WeakSet" ||
                              (name == "Object" && entry_count(g, v) >= 64);
      if (collection && tree.retained[v] > 0 && !is_node_internal(g, d, v)) cols.push_back(v);
    }
    const size_t keep = std::min(o.collections, cols.size());
    std::partial_sort(cols.begin(), cols.begin() + static_cast<std::ptrdiff_t>(keep), cols.end(),
                      [&](uint32_t a, uint32_t b) { return tree.retained[a] > tree.retained[b]; });
    for (size_t i = 0; i < keep; ++i) {
      const uint32_t v = cols[i];
      CheckFinding c;
      c.kind = CheckKind::kBigCollection;
      c.node = v;
      c.count = entry_count(g, v);
      c.bytes = tree.retained[v];
      c.name = std::string(g.name(v));
      c.severity = by_share(c.bytes, total, Severity::kInfo);
      c.title = fmt::format(
          "{} @{} with {} entries retains {} ({:.1f} % of the heap)", c.name, g.node_id[v],
          report::with_commas(c.count), mb(c.bytes),
          total ? 100.0 * static_cast<double>(c.bytes) / static_cast<double>(total) : 0.0);
      c.explanation =
          "One of the collections that keep the most memory alive: check that it is bounded "
          "(evicts, or is cleared).";
      add(std::move(c));
    }
  }

  {
    std::vector<uint32_t> nodes;
    for (const CheckFinding& f : out.findings) nodes.push_back(f.node);
    std::vector<std::vector<uint64_t>> named = naming_edges(g, d, nodes);
    for (size_t i = 0; i < out.findings.size(); ++i)
      out.findings[i].named_edges = std::move(named[i]);
  }
  std::stable_sort(out.findings.begin(), out.findings.end(),
                   [](const CheckFinding& a, const CheckFinding& b) {
                     if (a.severity != b.severity) return a.severity > b.severity;
                     return a.bytes > b.bytes;
                   });
  return out;
}

}  // namespace leakscope
