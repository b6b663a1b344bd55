#include "analysis/checks.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "analysis/node_names.h"
#include "analysis/node_roles.h"

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

double share_of(uint64_t bytes, uint64_t total) {
  return total ? static_cast<double>(bytes) / static_cast<double>(total) : 0;
}

Severity by_share(uint64_t bytes, uint64_t total, Severity floor) {
  const double share = share_of(bytes, total);
  if (share >= 0.3) return Severity::kHigh;
  if (share >= 0.1) return std::max(floor, Severity::kMedium);
  return floor;
}

bool is_user_object(const HeapGraph& g, uint32_t v) {
  const NodeType t = g.type(v);
  if (t != kObject) return false;
  return !g.name(v).starts_with("system / ");
}

bool is_collection(const HeapGraph& g, uint32_t v) {
  const std::string_view name = g.name(v);
  return name == "Map" || name == "Set" || name == "Array" || name == "WeakMap" ||
         name == "WeakSet" || (name == "Object" && entry_count(g, v) >= 64);
}

// The file a closure's code comes from (its SharedFunctionInfo's Script), empty when the snapshot
// does not say (V8 builtins have no script).
std::string_view closure_script(const HeapGraph& g, uint32_t closure) {
  for (uint64_t e = g.edges_begin(closure); e < g.edges_end(closure); ++e) {
    if (g.edge_kind(e) != kInternal || g.strings.get(g.edge_name[e]) != "shared") continue;
    const uint32_t shared = g.edge_to[e];
    for (uint64_t f = g.edges_begin(shared); f < g.edges_end(shared); ++f) {
      const std::string_view name = g.strings.get(g.edge_name[f]);
      if (g.edge_kind(f) == kInternal && (name == "script_or_debug_info" || name == "script")) {
        return g.name(g.edge_to[f]);
      }
    }
  }
  return {};
}

bool is_node_script(std::string_view script) {
  // Node 16+ names its own modules node:internal/..., node:events; older releases internal/...
  return script.starts_with("node:") || script.starts_with("internal/");
}

bool is_module_object(const HeapGraph& g, uint32_t v) {
  return g.type(v) == kObject && (g.name(v) == "Module" || g.name(v) == "BuiltinModule");
}

// Node's module registries (require.cache, BuiltinModule's map): collections whose values are
// mostly Module objects. They hold every module, so they retain everything; the modules' own
// state is what the user wants to see, and it is judged on its own.
bool is_module_registry(const HeapGraph& g, uint32_t v) {
  uint64_t modules = 0;
  auto count_modules = [&](uint32_t holder) {
    for (uint64_t e = g.edges_begin(holder); e < g.edges_end(holder); ++e) {
      if (g.edge_kind(e) != kWeak && is_module_object(g, g.edge_to[e])) ++modules;
    }
  };
  count_modules(v);
  for (uint64_t e = g.edges_begin(v); e < g.edges_end(v); ++e) {
    if (g.edge_kind(e) == kInternal && g.strings.get(g.edge_name[e]) == "table") {
      count_modules(g.edge_to[e]);
    }
  }
  return modules > 0 && 2 * modules >= entry_count(g, v);
}

// Node's own tables (the module registries, primordials, error codes, internal bindings, what
// hangs off `process`) are big collections in every process; they are not what the user is
// looking for. Judged by who owns the collection: walking its BFS path back towards the roots,
// the first closure says by its script, a user Module object says "the user's" when the path
// leaves it through its exports (module state reached through require.cache or
// process.mainModule), and the process object says "Node's".
bool is_node_internal(const HeapGraph& g, const Distances& d, uint32_t v) {
  if (is_module_registry(g, v)) return true;
  uint64_t e = d.parent_edge[v];
  if (e != kNoEdge && is_builtin(g.name(v))) {
    // Array.prototype and friends: V8's, in every process.
    const std::string_view name = g.strings.get(g.edge_name[e]);
    if (name == "prototype" || name == "__proto__") return true;
  }
  for (int steps = 0; e != kNoEdge && steps < 64; ++steps) {
    const EdgeType kind = g.edge_kind(e);
    if (kind == kProperty || kind == kContext || kind == kShortcut) {
      // Context variables and properties of Node's bootstrap that no closure on the path owns.
      const std::string_view name = g.strings.get(g.edge_name[e]);
      if (name == "primordials" || name == "internalBinding" || name == "BuiltinModule" ||
          name == "codes" || name == "<symbol node:per_context_binding_exports>" ||
          name == "moduleLoadList") {
        return true;
      }
    }
    const uint32_t owner = edge_owner(g, e);
    if (g.type(owner) == kClosure) {
      const std::string_view script = closure_script(g, owner);
      if (!script.empty()) return is_node_script(script);
    } else if (g.type(owner) == kObject) {
      // A module's exports are the user's; its bookkeeping (paths, children) is Node's.
      if (g.name(owner) == "Module") return g.strings.get(g.edge_name[e]) != "exports";
      if (g.name(owner) == "BuiltinModule" || g.name(owner) == "process") return true;
    }
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

struct CheckScope {
  const HeapGraph& g;
  const ClassIndex& classes;
  const DominatorTree& tree;
  const Distances& d;
  const BigVector<uint64_t>& sizes;
  const CheckOptions& o;
  uint64_t total = 0;
};

using Findings = std::vector<CheckFinding>;

// Most first by `count`, at most per_kind of them.
Findings keep_most(Findings found, size_t per_kind) {
  std::stable_sort(found.begin(), found.end(),
                   [](const CheckFinding& a, const CheckFinding& b) { return a.count > b.count; });
  if (found.size() > per_kind) found.resize(per_kind);
  return found;
}

// A class that dwarfs the others (by instance count, JS objects only).
Findings dominant_class(const CheckScope& s) {
  const HeapGraph& g = s.g;
  const uint32_t n = g.node_count();
  std::vector<uint64_t> count(s.classes.classes.size(), 0);
  std::vector<uint32_t> example(s.classes.classes.size(), kNoNode);
  for (uint32_t v = 0; v < n; ++v) {
    if (!is_user_object(g, v) || s.sizes[v] == 0) continue;
    const uint32_t c = s.classes.node_class[v];
    ++count[c];
    if (example[c] == kNoNode || s.d.distance[v] < s.d.distance[example[c]]) example[c] = v;
  }
  std::vector<uint32_t> order;
  for (uint32_t c = 0; c < count.size(); ++c) {
    if (count[c] > 0) order.push_back(c);
  }
  if (order.size() < 2) return {};
  std::partial_sort(order.begin(), order.begin() + 2, order.end(),
                    [&](uint32_t a, uint32_t b) { return count[a] > count[b]; });
  const uint32_t top = order[0];
  const uint32_t next = order[1];
  const std::string& name = s.classes.classes[top].name;
  if (count[top] < s.o.dominant_min_count || count[top] <= 2 * count[next] || is_builtin(name)) {
    return {};
  }
  CheckFinding f;
  f.kind = CheckKind::kDominantClass;
  f.count = count[top];
  f.name = name;
  f.node = example[top];
  for (uint32_t v = 0; v < n; ++v) {
    if (s.classes.node_class[v] == top) f.bytes += s.sizes[v];
  }
  f.severity = by_share(f.bytes, s.total, Severity::kMedium);
  f.other_name = s.classes.classes[next].name;
  f.other_count = count[next];
  f.location = source_position(s.g, s.classes, f.node);
  return {std::move(f)};
}

// EventEmitter listener lists: `emitter._events[event]` arrays of many functions.
Findings many_listeners(const CheckScope& s) {
  const HeapGraph& g = s.g;
  Findings found;
  std::unordered_map<uint32_t, std::pair<uint64_t, uint32_t>> by_fn;  // name -> count, one
  for (uint32_t v = 0; v < g.node_count(); ++v) {
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
        by_fn.clear();
        uint64_t listeners = 0;
        for (uint64_t x = g.edges_begin(list); x < g.edges_end(list); ++x) {
          if (g.edge_kind(x) != kElement) continue;
          const uint32_t fn = g.edge_to[x];
          ++listeners;
          auto& slot = by_fn[g.node_name[fn]];
          if (slot.first++ == 0) slot.second = fn;
        }
        if (listeners < s.o.listeners_warn) continue;
        const auto top = std::max_element(
            by_fn.begin(), by_fn.end(),
            [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
        CheckFinding c;
        c.kind = CheckKind::kManyListeners;
        c.count = listeners;
        c.name = std::string(event);
        c.node = list;
        c.holder = v;
        c.bytes = s.tree.retained[list];
        c.severity = listeners >= 100 ? Severity::kHigh : Severity::kMedium;
        c.other_node = top->second.second;
        c.other_count = top->second.first;
        c.location = source_position(g, s.classes, c.other_node);
        found.push_back(std::move(c));
      }
    }
  }
  return keep_most(std::move(found), s.o.per_kind);
}

// Objects with a huge number of entries, and collections that keep a large share of the heap
// with fewer.
Findings large_objects(const CheckScope& s) {
  const HeapGraph& g = s.g;
  Findings found;
  for (uint32_t v = 0; v < g.node_count(); ++v) {
    if (!is_user_object(g, v)) continue;
    const uint32_t entries = entry_count(g, v);
    const uint64_t retained = s.tree.retained[v];
    const bool many = entries >= s.o.large_object_entries;
    const bool heavy = entries >= s.o.large_share_min_entries &&
                       share_of(retained, s.total) >= s.o.large_share && is_collection(g, v);
    if (!many && !(heavy && !is_node_internal(g, s.d, v))) continue;
    CheckFinding c;
    c.kind = CheckKind::kLargeObject;
    c.count = entries;
    c.node = v;
    c.name = basic_class_name(g, v);
    c.bytes = retained;
    c.severity = by_share(c.bytes, s.total, Severity::kLow);
    c.heavy = !many;
    found.push_back(std::move(c));
  }
  return keep_most(std::move(found), s.o.per_kind);
}

// One function instantiated many times (closures by name and source position).
Findings repeated_closures(const CheckScope& s) {
  const HeapGraph& g = s.g;
  const uint32_t n = g.node_count();
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
    gr.retained += s.tree.retained[v];
    if (gr.sample.size() < 64) gr.sample.push_back(v);
  }
  Findings found;
  for (const auto& [key, gr] : groups) {
    if (gr.count < s.o.closure_min_count) continue;
    CheckFinding c;
    c.kind = CheckKind::kRepeatedClosure;
    c.count = gr.count;
    c.node = closest(s.d, gr.sample);
    c.bytes = gr.retained;
    c.name = g.name(c.node).empty() ? "(anonymous)" : std::string(g.name(c.node));
    c.severity = gr.count >= 10000 ? Severity::kHigh : Severity::kMedium;
    found.push_back(std::move(c));
  }
  found = keep_most(std::move(found), s.o.per_kind);
  for (CheckFinding& c : found) c.location = source_position(g, s.classes, c.node);
  return found;
}

// Duplicate strings: V8 deduplicates the strings table, so equal text means equal name.
Findings duplicate_strings(const CheckScope& s) {
  const HeapGraph& g = s.g;
  struct Dup {
    uint64_t copies = 0;
    uint64_t bytes = 0;
    uint64_t one = 0;
    uint32_t sample = 0;
  };
  std::unordered_map<uint32_t, Dup> dups;
  for (uint32_t v = 0; v < g.node_count(); ++v) {
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
    if (x.copies >= s.o.duplicate_min_copies && x.bytes - x.one >= s.o.duplicate_min_wasted) {
      worst.emplace_back(name, &x);
    }
  }
  std::sort(worst.begin(), worst.end(), [](const auto& a, const auto& b) {
    return a.second->bytes - a.second->one > b.second->bytes - b.second->one;
  });
  Findings found;
  for (size_t i = 0; i < worst.size() && i < s.o.per_kind; ++i) {
    const Dup& x = *worst[i].second;
    CheckFinding c;
    c.kind = CheckKind::kDuplicateStrings;
    c.count = x.copies;
    c.bytes = x.bytes - x.one;
    c.node = x.sample;
    c.name = std::string(g.strings.get(worst[i].first));
    c.severity = by_share(c.bytes, s.total, Severity::kLow);
    found.push_back(std::move(c));
  }
  return found;
}

// The collections that retain the most (Node's own tables left out).
Findings big_collections(const CheckScope& s) {
  const HeapGraph& g = s.g;
  std::vector<uint32_t> cols;
  for (uint32_t v = 0; v < g.node_count(); ++v) {
    if (is_user_object(g, v) && s.tree.retained[v] > 0 && is_collection(g, v)) cols.push_back(v);
  }
  // Largest first; the ownership walk runs only until enough user collections are found.
  std::sort(cols.begin(), cols.end(),
            [&](uint32_t a, uint32_t b) { return s.tree.retained[a] > s.tree.retained[b]; });
  Findings found;
  for (size_t i = 0; i < cols.size() && found.size() < s.o.collections; ++i) {
    const uint32_t v = cols[i];
    if (is_node_internal(g, s.d, v)) continue;
    CheckFinding c;
    c.kind = CheckKind::kBigCollection;
    c.node = v;
    c.count = entry_count(g, v);
    c.bytes = s.tree.retained[v];
    c.name = std::string(g.name(v));
    c.severity = by_share(c.bytes, s.total, Severity::kInfo);
    found.push_back(std::move(c));
  }
  return found;
}

struct Check {
  CheckKind kind;
  Findings (*run)(const CheckScope&);
};

// In order of precedence: an object found by two checks is reported by the first (the most
// specific), except for the per-class and per-function checks, whose node is only an example.
constexpr std::array kChecks = {
    Check{CheckKind::kDominantClass, dominant_class},
    Check{CheckKind::kManyListeners, many_listeners},
    Check{CheckKind::kLargeObject, large_objects},
    Check{CheckKind::kRepeatedClosure, repeated_closures},
    Check{CheckKind::kDuplicateStrings, duplicate_strings},
    Check{CheckKind::kBigCollection, big_collections},
};

bool node_is_an_example(CheckKind kind) {
  return kind == CheckKind::kDominantClass || kind == CheckKind::kRepeatedClosure;
}

}  // namespace

CheckResults run_checks(const CheckInput& in, const CheckOptions& o) {
  const HeapGraph& g = *in.graph;
  CheckResults out;
  out.total_size = in.tree->retained[g.root];
  const CheckScope scope{g, *in.classes,   *in.tree, *in.distances, *in.self_sizes,
                         o, out.total_size};
  std::unordered_map<uint32_t, bool> reported;
  for (const Check& check : kChecks) {
    for (CheckFinding& f : check.run(scope)) {
      if (!node_is_an_example(check.kind) && !reported.emplace(f.node, true).second) continue;
      f.path = shortest_path(g, *in.distances, f.node);
      out.findings.push_back(std::move(f));
    }
  }
  std::vector<uint32_t> nodes;
  for (const CheckFinding& f : out.findings) nodes.push_back(f.node);
  std::vector<std::vector<uint64_t>> named = naming_edges(g, *in.distances, nodes);
  for (size_t i = 0; i < out.findings.size(); ++i) {
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
