#include "analysis/node_roles.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "heap/indices.h"

namespace leakscope {

namespace {

uint32_t backing_entries(const HeapGraph& g, uint32_t store) {
  uint32_t n = 0;
  for (uint64_t e = g.edges_begin(store); e < g.edges_end(store); ++e) {
    const EdgeType k = g.edge_kind(e);
    if (k == kElement) {
      ++n;
    } else if (k == kInternal && is_numeric_name(g.strings.get(g.edge_name[e]))) {
      ++n;
    }
  }
  return n;
}

// A Map's OrderedHashMap stores entry i as (key, value, chain) at slots start + 3i ..; keys and
// values that are small integers have no edge, so entries are counted by slot triple. A cache
// Map has hundreds of thousands of slots and is measured once per cluster it holds: the slots
// are read without allocating per edge, and the triples marked in bits rather than sorted.
uint32_t map_entries(const HeapGraph& g, uint32_t table) {
  constexpr uint32_t kNoSlot = UINT32_MAX;
  auto slot_of = [&](uint64_t e) {
    if (g.edge_kind(e) != kInternal) return kNoSlot;
    const std::string_view name = g.strings.get(g.edge_name[e]);
    if (!is_numeric_name(name) || name.size() > 9) return kNoSlot;
    uint32_t slot = 0;
    for (const char c : name) slot = slot * 10 + static_cast<uint32_t>(c - '0');
    return slot;
  };
  uint32_t first = kNoSlot;
  uint32_t last = 0;
  for (uint64_t e = g.edges_begin(table); e < g.edges_end(table); ++e) {
    const uint32_t slot = slot_of(e);
    if (slot == kNoSlot) continue;
    first = std::min(first, slot);
    last = std::max(last, slot);
  }
  if (first == kNoSlot) return 0;
  std::vector<bool> seen((last - first) / 3 + 1, false);
  uint32_t count = 0;
  for (uint64_t e = g.edges_begin(table); e < g.edges_end(table); ++e) {
    const uint32_t slot = slot_of(e);
    if (slot == kNoSlot) continue;
    const uint32_t group = (slot - first) / 3;
    if (!seen[group]) {
      seen[group] = true;
      ++count;
    }
  }
  return count;
}

// Node's own stream machinery (end-of-stream's cleanup(), pipeline's callbacks) adds closures
// to the user's sockets and streams, one set per use; they are Node's, like its other internals,
// and what leaks is whatever keeps adding them. The function's script says whose it is.
bool is_node_stream_closure(const HeapGraph& g, uint32_t v) {
  for (uint64_t e = g.edges_begin(v); e < g.edges_end(v); ++e) {
    if (g.edge_kind(e) != kInternal || g.strings.get(g.edge_name[e]) != "shared") continue;
    const uint32_t shared = g.edge_to[e];
    for (uint64_t f = g.edges_begin(shared); f < g.edges_end(shared); ++f) {
      const std::string_view name = g.strings.get(g.edge_name[f]);
      if (g.edge_kind(f) == kInternal && (name == "script_or_debug_info" || name == "script")) {
        return g.name(g.edge_to[f]).starts_with("node:internal/streams/");
      }
    }
    return false;
  }
  return false;
}

}  // namespace

bool is_numeric_name(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_backing_store(const HeapGraph& g, uint32_t v) {
  const NodeType t = g.type(v);
  return t == kArray || t == kHidden;
}

uint32_t entry_count(const HeapGraph& g, uint32_t v) {
  uint32_t elements = 0;
  uint32_t properties = 0;
  uint32_t table = 0;
  uint32_t element_store = 0;
  uint32_t property_store = 0;
  for (uint64_t e = g.edges_begin(v); e < g.edges_end(v); ++e) {
    switch (g.edge_kind(e)) {
      case kElement:
        ++elements;
        break;
      case kContext:
        ++properties;
        break;
      case kProperty:
        if (g.strings.get(g.edge_name[e]) != "__proto__") ++properties;
        break;
      case kInternal: {
        const std::string_view name = g.strings.get(g.edge_name[e]);
        const uint32_t to = g.edge_to[e];
        if (is_numeric_name(name)) {
          ++elements;
        } else if (is_backing_store(g, to)) {
          if (name == "table")
            table += g.name(v) == "Map" ? map_entries(g, to) : backing_entries(g, to);
          if (name == "elements") element_store += backing_entries(g, to);
          if (name == "properties") property_store += backing_entries(g, to);
        }
        break;
      }
      default:
        break;
    }
  }
  // V8 lists elements and dictionary properties on the object itself; the stores are counted
  // only when it does not.
  if (elements == 0) elements = element_store;
  if (properties == 0) properties = property_store;
  const std::string_view name = g.name(v);
  if (g.type(v) == kObject && name == "WeakMap") table /= 2;  // key + value
  return elements + properties + table;
}

bool is_internal_node(const HeapGraph& g, uint32_t v) {
  switch (g.type(v)) {
    case kHidden:
    case kArray:
    case kCode:
    case kSynthetic:
    case kNumber:
    case kObjectShape:
      return true;
    case kNative:
      // Embedder (C++) nodes get fresh ids in every snapshot, so they always look new.
      return true;
    case kObject:
      return g.name(v).starts_with("system / ");
    case kClosure:
      return is_node_stream_closure(g, v);
    default:
      return g.type(v) >= kKnownNodeTypeCount;
  }
}

// For each leak's holder, the chain of property/context edges that name it: one pass over all
// edges per level (a few levels), for all leaks at once. Among several named owners the one
// closest to the roots wins.
std::vector<std::vector<uint64_t>> naming_edges(const HeapGraph& g, const Distances& d,
                                                const std::vector<uint32_t>& nodes) {
  constexpr int kLevels = 4;
  std::vector<std::vector<uint64_t>> named(nodes.size());
  std::vector<uint32_t> target = nodes;
  std::vector<bool> open(nodes.size(), true);
  auto rank = [&](uint32_t v) {
    const int32_t x = d.distance[v];
    return x < 0 ? INT64_MAX : static_cast<int64_t>(x);
  };
  for (int level = 0; level < kLevels; ++level) {
    std::unordered_map<uint32_t, std::vector<size_t>> wanted;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (open[i]) wanted[target[i]].push_back(i);
    }
    if (wanted.empty()) break;
    std::vector<uint64_t> best(nodes.size(), kNoEdge);
    std::vector<NodeOrdinal> best_owner(nodes.size(), kNoNode);
    for (uint32_t u = 0; u < g.node_count(); ++u) {
      const NodeType t = g.type(u);
      if (t != kObject && t != kClosure) continue;
      for (uint64_t e = g.edges_begin(u); e < g.edges_end(u); ++e) {
        const EdgeType k = g.edge_kind(e);
        if (k != kProperty && k != kContext) continue;
        auto it = wanted.find(g.edge_to[e]);
        if (it == wanted.end()) continue;
        if (k == kProperty && g.strings.get(g.edge_name[e]) == "__proto__") continue;
        for (size_t i : it->second) {
          if (best_owner[i] == kNoNode || rank(u) < rank(best_owner[i])) {
            best[i] = e;
            best_owner[i] = u;
          }
        }
      }
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!open[i]) continue;
      if (best[i] == kNoEdge) {
        open[i] = false;
        continue;
      }
      named[i].insert(named[i].begin(), best[i]);
      target[i] = best_owner[i];
      // A closure context names its variables; what holds the context (a closure) does not.
      if (g.name(best_owner[i]) == "system / Context") open[i] = false;
    }
  }
  return named;
}
}  // namespace leakscope
