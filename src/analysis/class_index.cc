// Class names and keys, following DevTools' HeapSnapshot.calculateObjectNames,
// inferInterfaceDefinitions and applyInterfaceDefinitions, so the Summary rows match it exactly.
#include "analysis/class_index.h"

#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <string_view>
#include <unordered_map>

#include "analysis/devtools_text.h"
#include "analysis/node_names.h"
#include "heap/indices.h"

namespace leakscope {

namespace {

// "None" for the indices this file names (class ordinals use kNoClass): a property name id, an
// interface definition, an entry of the graph's locations.
constexpr uint32_t kNoProperty = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kNoDefinition = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kNoLocation = std::numeric_limits<uint32_t>::max();
// DevTools' limits for inferred interface names.
constexpr size_t kMaxInterfaceNameLength = 120;
constexpr size_t kMinInterfacePropertyCount = 1;
constexpr double kMinObjectCountPerInterface = 2;
constexpr double kMinObjectProportionPerInterface = 1000;

bool is_plain_object(const HeapGraph& g, uint32_t node) {
  return g.type(node) == kObject && g.name(node) == "Object";
}

struct SequenceHash {
  size_t operator()(const std::vector<uint32_t>& v) const {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ v.size();
    for (uint32_t x : v) h = (h ^ x) * 0x100000001B3ull + (h >> 29);
    return static_cast<size_t>(h);
  }
};

// Property names by text: V8 interns its strings, but nothing in the format promises it, and
// DevTools compares names by text.
class PropertyNames {
 public:
  explicit PropertyNames(const HeapGraph& g) : g_(g), canon_(g.strings.size(), kNoProperty) {}
  uint32_t id(uint32_t string_index) {
    uint32_t& c = canon_[string_index];
    if (c == kNoProperty) {
      auto [it, inserted] =
          by_text_.try_emplace(g_.strings.get(string_index), static_cast<uint32_t>(texts_.size()));
      if (inserted) texts_.push_back(it->first);
      c = it->second;
    }
    return c;
  }
  std::string_view text(uint32_t id) const { return texts_[id]; }
  // The id of a name some object has, or kNoProperty when no plain object has that property.
  uint32_t find(std::string_view text) const {
    auto it = by_text_.find(text);
    return it == by_text_.end() ? kNoProperty : it->second;
  }

 private:
  const HeapGraph& g_;
  std::vector<uint32_t> canon_;
  std::unordered_map<std::string_view, uint32_t> by_text_;
  std::vector<std::string_view> texts_;
};

// Plain objects grouped by their exact sequence of property-edge names, so the per-object work
// (naming, matching) is done once per distinct shape.
struct PlainObjectGroups {
  std::vector<std::vector<uint32_t>> sequences;  // property name ids, edge order, all properties
  std::vector<uint64_t> counts;
  std::vector<uint32_t> member_group;  // group of each plain object, in node order
  uint64_t total = 0;
};

PlainObjectGroups group_plain_objects(const HeapGraph& g, PropertyNames& names) {
  PlainObjectGroups out;
  std::unordered_map<std::vector<uint32_t>, uint32_t, SequenceHash> index;
  std::vector<uint32_t> seq;
  const uint32_t n = g.node_count();
  for (uint32_t i = 0; i < n; ++i) {
    if (!is_plain_object(g, i)) continue;
    ++out.total;
    seq.clear();
    for (uint64_t e = g.edges_begin(i), end = g.edges_end(i); e < end; ++e) {
      if (g.edge_type[e] == kProperty) seq.push_back(names.id(g.edge_name[e]));
    }
    auto [it, inserted] = index.try_emplace(seq, static_cast<uint32_t>(out.sequences.size()));
    if (inserted) {
      out.sequences.push_back(seq);
      out.counts.push_back(0);
    }
    ++out.counts[it->second];
    out.member_group.push_back(it->second);
  }
  return out;
}

struct Candidate {
  std::string name;
  std::vector<uint32_t> properties;  // name ids, edge order
  uint64_t count = 0;
};

// The interface name DevTools would propose for one property sequence; empty when none.
Candidate candidate_for(const std::vector<uint32_t>& sequence, const PropertyNames& names) {
  Candidate c;
  std::string name = "{";
  size_t length = 1;  // in UTF-16 units, like JS
  for (uint32_t id : sequence) {
    std::string_view text = names.text(id);
    if (text == "__proto__") continue;
    std::string formatted = devtools_property_name(text);
    const size_t formatted_length = utf16_length(formatted);
    if (length > kMinInterfacePropertyCount &&
        length + formatted_length > kMaxInterfaceNameLength) {
      break;
    }
    if (length != 1) {
      name += ", ";
      length += 2;
    }
    name += formatted;
    length += formatted_length;
    c.properties.push_back(id);
  }
  if (c.properties.empty()) return c;
  c.name = name + "}";
  return c;
}

std::vector<Candidate> select_definitions(const PlainObjectGroups& groups,
                                          const PropertyNames& names) {
  std::vector<Candidate> candidates;
  std::unordered_map<std::string, uint32_t> by_name;
  for (size_t gi = 0; gi < groups.sequences.size(); ++gi) {
    Candidate c = candidate_for(groups.sequences[gi], names);
    if (c.properties.empty()) continue;
    auto [it, inserted] = by_name.try_emplace(c.name, static_cast<uint32_t>(candidates.size()));
    if (inserted) candidates.push_back(std::move(c));
    candidates[it->second].count += groups.counts[gi];
  }
  // Groups were created in node order, so a stable sort keeps DevTools' tie order (first seen).
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.count > b.count; });
  const double min_count =
      std::max(kMinObjectCountPerInterface,
               static_cast<double>(groups.total) / kMinObjectProportionPerInterface);
  size_t keep = 0;
  while (keep < candidates.size() && static_cast<double>(candidates[keep].count) >= min_count)
    ++keep;
  candidates.resize(keep);
  return candidates;
}

// Best definition for a property multiset: the one with the most properties that are all
// present, ties to the more popular (earlier) definition. Returns kNoDefinition for no match.
uint32_t best_definition(std::vector<uint32_t> properties,
                         const std::vector<std::vector<uint32_t>>& sorted_defs) {
  std::sort(properties.begin(), properties.end());
  uint32_t best = kNoDefinition;
  size_t best_count = 0;
  for (uint32_t d = 0; d < sorted_defs.size(); ++d) {
    const std::vector<uint32_t>& def = sorted_defs[d];
    if (def.size() <= best_count || def.size() > properties.size()) continue;
    if (std::includes(properties.begin(), properties.end(), def.begin(), def.end())) {
      best = d;
      best_count = def.size();
    }
  }
  return best;
}

// Assigns class ordinals by key text, in first-seen order.
class ClassTable {
 public:
  explicit ClassTable(ClassIndex& index) : index_(index) {}
  uint32_t get(std::string_view name, const Location* location) {
    std::string key = location ? fmt::format("{},{},{},{}", location->script_id, location->line,
                                             location->column, name)
                               : fmt::format(",{}", name);
    auto [it, inserted] = ids_.try_emplace(std::move(key), 0);
    if (inserted) {
      it->second = static_cast<uint32_t>(index_.classes.size());
      ClassInfo info;
      info.name = std::string(name);
      info.key = it->first;
      if (location) info.location = *location;
      index_.classes.push_back(std::move(info));
    }
    return it->second;
  }

 private:
  ClassIndex& index_;
  std::unordered_map<std::string, uint32_t> ids_;
};

}  // namespace

std::vector<bool> detached_natives(const HeapGraph& g) {
  const uint32_t n = g.node_count();
  std::vector<bool> renamed(n, false);
  if (g.node_detachedness.empty()) return renamed;
  // DevTools: attached spreads first, then detached fills what attached did not reach; the state
  // moves only through native (embedder) nodes and along non-hidden, non-weak edges.
  std::vector<uint8_t> state(g.node_detachedness.begin(), g.node_detachedness.end());
  std::vector<bool> visited(n, false);
  std::vector<uint32_t> attached, detached;
  auto process = [&](uint32_t node, uint8_t new_state) {
    if (visited[node]) return;
    visited[node] = true;
    if (g.type(node) != kNative) return;
    state[node] = new_state;
    if (new_state == 1) attached.push_back(node);
    if (new_state == 2) {
      renamed[node] = true;
      detached.push_back(node);
    }
  };
  auto spread = [&](uint32_t from, uint8_t new_state) {
    for (uint64_t e = g.edges_begin(from), end = g.edges_end(from); e < end; ++e) {
      const uint8_t t = g.edge_type[e];
      if (t == kHiddenEdge || t == kWeak) continue;
      process(g.edge_to[e], new_state);
    }
  };
  for (uint32_t i = 0; i < n; ++i) {
    if (state[i] != 0) process(i, state[i]);
  }
  while (!attached.empty()) {
    const uint32_t node = attached.back();
    attached.pop_back();
    spread(node, 1);
  }
  while (!detached.empty()) {
    const uint32_t node = detached.back();
    detached.pop_back();
    if (state[node] == 1) continue;
    spread(node, 2);
  }
  return renamed;
}

std::vector<InterfaceDefinition> infer_interface_definitions(const HeapGraph& graph) {
  PropertyNames names(graph);
  PlainObjectGroups groups = group_plain_objects(graph, names);
  std::vector<InterfaceDefinition> out;
  for (const Candidate& c : select_definitions(groups, names)) {
    InterfaceDefinition def;
    def.name = c.name;
    for (uint32_t id : c.properties) def.properties.emplace_back(names.text(id));
    out.push_back(std::move(def));
  }
  return out;
}

namespace {

// Where each object was allocated. V8 writes locations in node order, so a cursor finds them;
// a per-node table is built only for a file that does not. When a node has several locations
// the last one wins, as in DevTools. Asked in node order.
class LocationFinder {
 public:
  explicit LocationFinder(const HeapGraph& g)
      : g_(g),
        sorted_(
            std::is_sorted(g.locations.begin(), g.locations.end(),
                           [](const Location& a, const Location& b) { return a.node < b.node; })) {
    if (sorted_) return;
    location_of_.assign(g.node_count(), kNoLocation);
    for (size_t i = 0; i < g.locations.size(); ++i) {
      location_of_[g.locations[i].node] = static_cast<uint32_t>(i);
    }
  }

  const Location* find(uint32_t node) {
    if (!sorted_) {
      return location_of_[node] == kNoLocation ? nullptr : &g_.locations[location_of_[node]];
    }
    while (cursor_ < g_.locations.size() && g_.locations[cursor_].node < node) ++cursor_;
    const Location* found = nullptr;
    while (cursor_ < g_.locations.size() && g_.locations[cursor_].node == node)
      found = &g_.locations[cursor_++];
    return found;
  }

 private:
  const HeapGraph& g_;
  const bool sorted_;
  std::vector<uint32_t> location_of_;  // index into g.locations, unsorted files only
  size_t cursor_ = 0;
};

// The interface definitions that name plain objects, and which one each group of plain objects
// (one property sequence) takes.
struct PlainObjectNaming {
  bool enabled = false;  // an empty list of definitions names all plain objects "Object"
  PlainObjectGroups groups;
  std::vector<std::string> def_names;
  std::vector<uint32_t> group_definition;      // per group: a definition or kNoDefinition
  std::vector<ClassOrdinal> definition_class;  // per definition, when it has no location
  size_t next_member = 0;                      // plain objects are met in node order
};

// The given definitions, or (none given) the ones DevTools would infer from this heap. An empty
// list of definitions names them all "Object", so their property sets are not even grouped.
PlainObjectNaming plain_object_naming(const HeapGraph& g,
                                      const std::vector<InterfaceDefinition>* definitions) {
  PlainObjectNaming out;
  out.enabled = !(definitions != nullptr && definitions->empty());
  PropertyNames names(g);
  if (out.enabled) out.groups = group_plain_objects(g, names);
  std::vector<std::vector<uint32_t>> sorted_defs;
  auto add_definition = [&](std::string name, std::vector<uint32_t> ids) {
    std::sort(ids.begin(), ids.end());
    out.def_names.push_back(std::move(name));
    sorted_defs.push_back(std::move(ids));
  };
  if (definitions) {
    for (const InterfaceDefinition& d : *definitions) {
      std::vector<uint32_t> ids;
      for (const std::string& p : d.properties)
        ids.push_back(names.find(p));  // kNoProperty never matches
      add_definition(d.name, std::move(ids));
    }
  } else {
    for (Candidate& c : select_definitions(out.groups, names)) {
      add_definition(std::move(c.name), std::move(c.properties));
    }
  }
  out.group_definition.resize(out.groups.sequences.size());
  for (size_t gi = 0; gi < out.groups.sequences.size(); ++gi) {
    out.group_definition[gi] = best_definition(out.groups.sequences[gi], sorted_defs);
  }
  out.definition_class.assign(out.def_names.size(), kNoClass);
  return out;
}

// DevTools' name for an object or native that no definition names: detached DOM nodes say so,
// and "<div class=...>" keeps only its tag.
std::string object_name(std::string_view raw, bool detached) {
  if (detached) {
    std::string name = "Detached " + std::string(raw);
    if (name.starts_with("Detached <")) {
      const size_t space = name.find(' ', 10);
      if (space != std::string::npos) name = name.substr(0, space) + ">";
    }
    return name;
  }
  if (raw.starts_with("<")) {
    const size_t space = raw.find(' ');
    return space == std::string_view::npos ? std::string(raw)
                                           : std::string(raw.substr(0, space)) + ">";
  }
  return std::string(raw);
}

}  // namespace

ClassIndex classify_nodes(const HeapGraph& g, const std::vector<InterfaceDefinition>* definitions) {
  const uint32_t n = g.node_count();
  ClassIndex index;
  index.node_class.resize(n);
  ClassTable table(index);
  LocationFinder locations(g);
  // Plain objects: their class is an inferred interface name, or "Object".
  PlainObjectNaming plain = plain_object_naming(g, definitions);
  const std::vector<bool> detached = detached_natives(g);
  // Most nodes are named by their own string; cache the class per (string, type) kind.
  std::vector<ClassOrdinal> by_string(g.strings.size(), kNoClass);
  std::vector<ClassOrdinal> by_type(g.node_type_names.size(), kNoClass);
  for (uint32_t i = 0; i < n; ++i) {
    const NodeType t = g.type(i);
    if (t != kObject && t != kNative) {
      ClassOrdinal& cached = by_type[g.node_type[i]];
      if (cached == kNoClass) cached = table.get(basic_class_name(g, i), nullptr);
      index.node_class[i] = cached;
      continue;
    }
    const Location* location = t == kObject ? locations.find(i) : nullptr;
    if (plain.enabled && is_plain_object(g, i)) {
      const uint32_t d = plain.group_definition[plain.groups.member_group[plain.next_member++]];
      if (d != kNoDefinition) {
        if (location) {
          index.node_class[i] = table.get(plain.def_names[d], location);
        } else {
          ClassOrdinal& cached = plain.definition_class[d];
          if (cached == kNoClass) cached = table.get(plain.def_names[d], nullptr);
          index.node_class[i] = cached;
        }
        continue;
      }
    }
    std::string_view raw = g.name(i);
    if (!detached[i] && !raw.starts_with("<") && !location) {
      ClassOrdinal& cached = by_string[g.node_name[i]];
      if (cached == kNoClass) cached = table.get(raw, nullptr);
      index.node_class[i] = cached;
      continue;
    }
    index.node_class[i] = table.get(object_name(raw, detached[i]), location);
  }
  return index;
}

}  // namespace leakscope
