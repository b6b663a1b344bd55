#include "analysis/leak_finder.h"

#include <fmt/core.h>

#include <algorithm>
#include <exception>
#include <thread>
#include <unordered_set>

#include "analysis/node_names.h"
#include "analysis/node_roles.h"
#include "analysis/path_keys.h"
#include "analysis/source_position.h"
#include "report/format.h"

namespace leakscope {

namespace {

constexpr uint32_t kChainLookback = 4;  // as in path_keys.cc: the longest folded segment
constexpr uint32_t kNone = UINT32_MAX;

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 29);
}

// Sorts (id << 32 | payload) words by id: two 16-bit LSD radix passes, several times faster than
// std::sort on millions of nodes. The payload order within one id does not matter.
void sort_by_high_word(std::vector<uint64_t>& v) {
  std::vector<uint64_t> tmp(v.size());
  for (int shift = 32; shift < 64; shift += 16) {
    std::vector<size_t> offsets(65537, 0);
    for (const uint64_t x : v) ++offsets[((x >> shift) & 0xffff) + 1];
    for (size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
    for (const uint64_t x : v) tmp[offsets[(x >> shift) & 0xffff]++] = x;
    v.swap(tmp);
  }
}
// The shortest-path owners, as PathKeys finds them.
using Parents = std::vector<uint32_t>;
inline uint32_t path_parent(const Parents& parents, uint32_t v) {
  return parents[v];
}

}  // namespace

bool EarlierSnapshot::contains(uint32_t id) const {
  return std::binary_search(ids.begin(), ids.end(), id);
}

std::optional<uint32_t> EarlierSnapshot::entries_of(uint32_t id) const {
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) return std::nullopt;
  return entries[static_cast<size_t>(it - ids.begin())];
}

EarlierSnapshot summarize_earlier_snapshot(const HeapGraph& g,
                                           const std::vector<InterfaceDefinition>& definitions) {
  EarlierSnapshot s;
  const uint32_t n = g.node_count();
  s.node_count = n;
  // Class counts need the class index; ids and entry counts do not: two threads.
  std::unordered_map<std::string, uint64_t> class_counts;
  std::exception_ptr error;
  std::thread classify([&] {
    try {
      const ClassIndex classes = classify_nodes(g, &definitions);
      std::vector<uint64_t> per_class(classes.classes.size(), 0);
      for (uint32_t v = 0; v < n; ++v) {
        if (g.node_self_size[v] != 0) ++per_class[classes.node_class[v]];
      }
      for (size_t c = 0; c < per_class.size(); ++c) {
        if (per_class[c] != 0) class_counts[classes.classes[c].key] += per_class[c];
      }
    } catch (...) {
      error = std::current_exception();
    }
  });
  try {
    std::vector<uint64_t> id_entries(n);
    for (uint32_t v = 0; v < n; ++v) {
      const NodeType t = g.type(v);
      // Only objects can hold entries; other nodes skip the edge scan.
      const uint32_t entries = (t == kObject || t == kClosure) ? entry_count(g, v) : 0;
      id_entries[v] = (static_cast<uint64_t>(g.node_id[v]) << 32) | entries;
      s.total_size += g.node_self_size[v];
      if ((t == kObject || t == kClosure) && (g.node_id[v] & 1u) != 0) ++s.js_objects;
    }
    sort_by_high_word(id_entries);
    s.ids.resize(n);
    s.entries.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
      s.ids[i] = static_cast<uint32_t>(id_entries[i] >> 32);
      s.entries[i] = static_cast<uint32_t>(id_entries[i]);
    }
  } catch (...) {
    classify.join();
    throw;
  }
  classify.join();
  if (error) std::rethrow_exception(error);
  s.class_counts = std::move(class_counts);
  s.identity = js_identity(g);
  return s;
}

namespace {

// The object that holds a member: its path parent, skipping backing stores.
uint32_t holder_of(const HeapGraph& g, const Parents& parents, uint32_t member) {
  uint32_t p = path_parent(parents, member);
  while (p != kNone && is_backing_store(g, p)) {
    const uint32_t up = path_parent(parents, p);
    if (up == kNone) break;
    p = up;
  }
  return p;
}

bool strictly_increasing(const std::vector<uint64_t>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (v[i] <= v[i - 1]) return false;
  }
  return true;
}

struct Building {
  std::vector<uint32_t> members;
  bool chain = false;
  bool internal = false;  // links of an engine-internal chain (admitted only as holders)
  uint32_t representative = kNone;
  uint32_t holder = kNone;
  std::unordered_map<uint32_t, uint64_t> holders;
  uint32_t merged_into = kNone;
};

// V8's own root lists: strings there are property names and literals, interned by the engine.
bool is_engine_table(const HeapGraph& g, uint32_t v) {
  if (g.type(v) != kSynthetic) return false;
  const std::string_view name = g.name(v);
  return name == "(Internalized strings)" || name == "(External strings)" ||
         name == "(Compilation cache)" || name == "(Startup object cache)" ||
         name == "(Builtins)" || name == "(Read-only roots)" || name == "(Bootstrapper)" ||
         name == "(Code flusher)";
}

// A link of an engine-internal linked list (a promise's PromiseReaction list, a queue): an
// internal node whose shortest-path owner is an internal node of the same kind and name.
bool is_internal_link(const HeapGraph& g, const Parents& parents, uint32_t v) {
  const uint32_t p = path_parent(parents, v);
  return p != kNone && g.type(p) == g.type(v) && g.node_name[p] == g.node_name[v] &&
         is_internal_node(g, p) && g.type(v) != kNative;
}

bool is_string_type(NodeType t) {
  return t == kString || t == kConsString || t == kSlicedString;
}

// The halves of a concatenated string and the parent of a sliced one belong to that string.
bool is_string_part(const HeapGraph& g, const Parents& parents, uint32_t v) {
  if (!is_string_type(g.type(v))) return false;
  const uint32_t p = path_parent(parents, v);
  return p != kNone && is_string_type(g.type(p));
}

// The edges from a chain member back up to the previous member, e.g. ".someMethod->context
// ->originalThing".
std::string chain_segment(const HeapGraph& g, const Distances& d,
                          const std::vector<uint32_t>& members) {
  std::unordered_set<uint32_t> set(members.begin(), members.end());
  for (uint32_t m : members) {
    std::vector<uint64_t> edges;
    uint32_t u = m;
    for (uint32_t step = 0; step < kChainLookback; ++step) {
      const uint64_t e = d.parent_edge[u];
      if (e == kNoEdge) break;
      edges.push_back(e);
      u = edge_owner(g, e);
      if (set.count(u)) {
        std::string text;
        for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
          const bool context =
              g.edge_kind(*it) == kInternal && g.strings.get(g.edge_name[*it]) == "context";
          text += context ? std::string("(closure context)") : edge_display(g, *it);
        }
        return text;
      }
    }
  }
  return {};
}

// A growing internal chain is reported for the user objects it keeps and named after them: the
// kept cluster with a source location in the program (the results, the callbacks), else the
// largest. A chain that keeps none is no finding (it stays among the internals left out).
void name_internal_chains(const HeapGraph& g, const ClassIndex& classes,
                          const std::vector<Building>& building, const std::vector<uint32_t>& owner,
                          std::vector<LeakCluster>& clusters) {
  for (size_t i = 0; i < clusters.size(); ++i) {
    LeakCluster& c = clusters[i];
    if (!building[i].internal || !c.leak || c.retained_final == 0) continue;
    size_t best = kNone;
    bool best_located = false;
    for (size_t j = 0; j < clusters.size(); ++j) {
      if (j == i || owner[j] != i || building[j].internal) continue;
      const NodeType t = g.type(clusters[j].representative);
      if (t != kObject && t != kClosure) continue;
      const std::optional<SourcePosition> at =
          source_position(g, classes, clusters[j].representative);
      const bool located = at && !at->script.empty() && !at->script.starts_with("node:");
      if (best == kNone || (located && !best_located) ||
          (located == best_located && clusters[j].members > clusters[best].members)) {
        best = j;
        best_located = located;
      }
    }
    if (best == kNone) {
      c.leak = false;
      continue;
    }
    const LeakCluster& kept = clusters[best];
    std::string_view link = g.name(c.representative);
    if (link.starts_with("system / ")) link.remove_prefix(9);
    c.internal_chain = link;
    c.class_name = kept.class_name;
    c.class_key = kept.class_key;
    c.representative = kept.representative;
    c.members = kept.members;
    c.counts = kept.counts;
    c.class_counts = kept.class_counts;
    const auto listed = std::find(c.includes.begin(), c.includes.end(),
                                  std::make_pair(kept.class_name, kept.members));
    if (listed != c.includes.end()) c.includes.erase(listed);
  }
}

}  // namespace

LeakFindings find_leaks(const LeakFinderInput& in, const LeakFinderOptions& options) {
  const HeapGraph& g = *in.graph;
  const Distances& d = *in.distances;
  const DominatorTree& tree = *in.tree;
  const ClassIndex& classes = *in.classes;
  const BigVector<uint64_t>& sizes = *in.self_sizes;
  const size_t snapshots = in.earlier.size() + 1;
  const uint32_t n = g.node_count();
  LeakFindings out;

  // The first snapshot each node of the last one appears in (ids are never reused within a
  // process, so a node alive at the end that existed in snapshot k exists in all later ones).
  std::vector<uint8_t> born(n, static_cast<uint8_t>(snapshots - 1));
  {
    std::vector<uint64_t> by_id(n);
    for (uint32_t v = 0; v < n; ++v) by_id[v] = (static_cast<uint64_t>(g.node_id[v]) << 32) | v;
    sort_by_high_word(by_id);
    for (size_t k = in.earlier.size(); k-- > 0;) {
      const std::vector<uint32_t>& ids = in.earlier[k]->ids;
      size_t j = 0;
      for (const uint64_t x : by_id) {
        const uint32_t id = static_cast<uint32_t>(x >> 32);
        while (j < ids.size() && ids[j] < id) ++j;
        if (j < ids.size() && ids[j] == id)
          born[static_cast<uint32_t>(x)] = static_cast<uint8_t>(k);
      }
    }
  }
  auto existed = [&](size_t k, uint32_t v) { return born[v] <= k; };

  // 1. Candidates: alive at the end, strongly reachable, not in the baseline.
  PathKeys keys(g, d, classes);
  const Parents& parents = keys.parents();
  std::unordered_map<uint64_t, uint32_t> cluster_of_key;
  std::vector<Building> building;
  auto is_candidate = [&](uint32_t v) {
    if (sizes[v] == 0 && tree.retained[v] == 0) return false;
    if (d.distance[v] == kNoDistance || d.parent_edge[v] == kNoEdge) return false;
    return born[v] != 0;
  };
  auto add_member = [&](std::unordered_map<uint64_t, uint32_t>& of_key, uint64_t key, uint32_t v,
                        bool internal) {
    auto [it, inserted] = of_key.try_emplace(key, static_cast<uint32_t>(building.size()));
    if (inserted) {
      building.emplace_back();
      building.back().internal = internal;
    }
    Building& b = building[it->second];
    b.members.push_back(v);
    if (keys.chained(v)) b.chain = true;
  };
  // Internals are left out as culprits, but a growing internal chain (the reactions of a promise
  // that never settles) is a holder: its links are clustered apart and reported only when they
  // keep user objects (below). The head link has a path key of its own (the edge into it differs
  // from the links' edge); it joins its links' cluster.
  std::unordered_map<uint64_t, uint32_t> internal_cluster_of_key;
  std::unordered_set<uint32_t> internal_heads;
  for (uint32_t v = 0; v < n; ++v) {
    if (!is_candidate(v)) continue;
    ++out.candidates;
    if (!options.all && (is_internal_node(g, v) || is_string_part(g, parents, v))) {
      ++out.excluded_internal;
      if (is_internal_link(g, parents, v)) {
        const uint64_t k = keys.key(v);
        add_member(internal_cluster_of_key, k, v, true);
        const uint32_t head = path_parent(parents, v);
        if (!is_internal_link(g, parents, head) && is_candidate(head) &&
            internal_heads.insert(head).second) {
          add_member(internal_cluster_of_key, k, head, true);
        }
      }
      continue;
    }
    add_member(cluster_of_key, keys.key(v), v, false);
  }
  // 2. Representative and holders per cluster; clusters of one class held by one holder are one
  // cluster (a doubly-linked list is reached from both ends, one key per direction).
  auto closest = [&](uint32_t x, uint32_t y) {
    const int64_t dx = d.distance[x];
    const int64_t dy = d.distance[y];
    return dx != dy ? dx < dy : g.node_id[x] < g.node_id[y];
  };
  std::unordered_map<uint64_t, uint32_t> by_class_and_holder;
  for (size_t i = 0; i < building.size(); ++i) {
    Building& b = building[i];
    b.representative = *std::min_element(b.members.begin(), b.members.end(), closest);
    if (b.chain) {
      // A chain is held by the first object above its links that is not a link itself (links
      // of the same class that were already there before the baseline count as links).
      uint32_t h = holder_of(g, parents, b.representative);
      const uint32_t link_class = classes.node_class[b.representative];
      while (h != kNone && classes.node_class[h] == link_class) h = holder_of(g, parents, h);
      b.holder = h == kNone ? g.root : h;
      b.holders[b.holder] = b.members.size();
    } else {
      // Every member's holder is found only for clusters that pass the growth test (below).
      const uint32_t h = holder_of(g, parents, b.representative);
      b.holder = h == kNone ? g.root : h;
    }
    const uint64_t key = mix(classes.node_class[b.representative], b.holder);
    auto [it, inserted] = by_class_and_holder.try_emplace(key, static_cast<uint32_t>(i));
    if (inserted) continue;
    Building& into = building[it->second];
    into.members.insert(into.members.end(), b.members.begin(), b.members.end());
    into.chain = into.chain || b.chain;
    if (into.chain) into.holders[into.holder] = into.members.size();
    if (closest(b.representative, into.representative)) into.representative = b.representative;
    b.merged_into = it->second;
    b.members.clear();
  }
  std::vector<Building> merged;
  for (Building& b : building) {
    // An internal cluster whose members do not hold each other is no chain: internals only.
    if (b.merged_into == kNone && (b.chain || !b.internal)) merged.push_back(std::move(b));
  }
  building = std::move(merged);
  out.clusters = static_cast<uint64_t>(std::count_if(
      building.begin(), building.end(), [](const Building& b) { return !b.internal; }));

  std::unordered_map<std::string, uint64_t> final_class_counts;
  {
    std::vector<uint64_t> per_class(classes.classes.size(), 0);
    for (uint32_t v = 0; v < n; ++v) {
      if (sizes[v] != 0) ++per_class[classes.node_class[v]];
    }
    for (size_t c = 0; c < per_class.size(); ++c) {
      if (per_class[c] != 0) final_class_counts[classes.classes[c].key] += per_class[c];
    }
  }

  // 3. Growth per snapshot and the verdict.
  std::vector<LeakCluster> clusters;
  clusters.reserve(building.size());
  for (Building& b : building) {
    LeakCluster c;
    const uint32_t rep = b.representative;
    const ClassInfo& info = classes.classes[classes.node_class[rep]];
    c.class_name = info.name;
    c.class_key = info.key;
    if (g.type(rep) == kClosure) {
      c.class_name = g.name(rep).empty() ? "(anonymous)()" : fmt::format("{}()", g.name(rep));
    }
    c.members = b.members.size();
    c.chain = b.chain;
    c.representative = rep;
    c.holder = b.holder;
    c.holder_count = 1;
    c.holder_members = c.members;
    c.counts.assign(snapshots, 0);
    c.counts.back() = c.members;
    for (size_t k = 0; k + 1 < snapshots; ++k) {
      uint64_t count = 0;
      for (uint32_t m : b.members) count += existed(k, m) ? 1 : 0;
      c.counts[k] = count;
    }
    for (size_t k = 1; k < snapshots && c.reason.empty(); ++k) {
      const uint64_t added = c.counts[k] - c.counts[k - 1];
      if (added < options.min_new_per_interval) {
        c.reason =
            k + 1 == snapshots
                ? fmt::format("nothing added after snapshot {} stayed alive (plateau)", k)
                : fmt::format("nothing added between snapshots {} and {} stayed alive", k, k + 1);
      }
    }
    // Holder sizes are looked up only for clusters that grew in every interval.
    c.holder_entries.assign(snapshots, 0);
    if (c.reason.empty()) {
      if (c.chain) {
        // A chain's holder is its head; its size is the chain's length.
        c.holder_entries = c.counts;
        c.chain_edge = chain_segment(g, d, b.members);
      } else {
        // Growth is measured on holders seen since the second snapshot: new holders appearing is
        // growth of whatever holds *them* (a full LRU of pages, each page holding its strings).
        for (uint32_t m : b.members) ++b.holders[holder_of(g, parents, m)];
        b.holders.erase(kNone);
        uint64_t best = 0;
        for (const auto& [h, count] : b.holders) {
          if (count > best || (count == best && h < c.holder)) {
            best = count;
            c.holder = h;
          }
        }
        c.holder_count = std::max<size_t>(1, b.holders.size());
        c.holder_members = best;
        const size_t second = std::min<size_t>(1, in.earlier.size() - 1);
        uint64_t persistent = 0;
        for (const auto& [h, count] : b.holders) {
          const uint32_t id = g.node_id[h];
          if (!existed(second, h)) continue;
          persistent += count;
          for (size_t k = 0; k + 1 < snapshots; ++k) {
            c.holder_entries[k] += in.earlier[k]->entries_of(id).value_or(0);
          }
          c.holder_entries.back() += entry_count(g, h);
        }
        if (persistent * 2 < c.members) {
          c.reason = "its holders are themselves new objects (judged together with them)";
        }
      }
    }
    c.class_counts.assign(snapshots, 0);
    for (size_t k = 0; k + 1 < snapshots; ++k) {
      auto it = in.earlier[k]->class_counts.find(c.class_key);
      if (it != in.earlier[k]->class_counts.end()) c.class_counts[k] = it->second;
    }
    if (auto it = final_class_counts.find(c.class_key); it != final_class_counts.end()) {
      c.class_counts.back() = it->second;
    }
    if (c.reason.empty() && !options.all && is_engine_table(g, c.holder)) {
      c.reason = fmt::format("held by V8's {} table, not by the program", g.name(c.holder));
    }
    if (c.reason.empty() && !strictly_increasing(c.holder_entries)) {
      c.reason = fmt::format(
          "new objects replace old ones but the holder does not grow ({} entries in snapshot "
          "{}, {} at the end): a full cache",
          report::with_commas(c.holder_entries[snapshots - 2]), snapshots - 1,
          report::with_commas(c.holder_entries.back()));
    }
    c.leak = c.reason.empty();
    clusters.push_back(std::move(c));
  }

  // 4. Sizes. A pre-order walk of the dominator tree finds, for every member of a leaking
  // cluster, whether a member of another leaking cluster holds it (then it is part of that leak,
  // listed under "includes") and which member of its own cluster is closest above it (in a chain
  // each link's own share is its retained size minus the next link's).
  std::vector<uint32_t> leak_cluster_of(n, kNone);
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (!clusters[i].leak) continue;
    for (uint32_t m : building[i].members) leak_cluster_of[m] = static_cast<uint32_t>(i);
  }
  std::vector<int64_t> own(n, 0);
  std::vector<bool> counted(n, false);
  std::vector<std::unordered_map<std::string, uint64_t>> nested(clusters.size());
  {
    struct Frame {
      uint32_t node;
      uint32_t top;      // leaking cluster of the outermost member above (kNone if none)
      uint32_t nearest;  // closest member above of that same cluster
    };
    std::vector<Frame> stack{{g.root, kNone, kNone}};
    while (!stack.empty()) {
      const Frame f = stack.back();
      stack.pop_back();
      Frame carry = f;
      const uint32_t c = leak_cluster_of[f.node];
      if (c != kNone) {
        // A user leak inside an internal chain is counted for itself: the chain is reported
        // only for what is not a leak of its own.
        const bool takes_over =
            f.top != kNone && f.top != c && building[f.top].internal && !building[c].internal;
        if (takes_over && f.nearest != kNone) {
          own[f.nearest] -= static_cast<int64_t>(tree.retained[f.node]);
        }
        if (f.top == kNone || f.top == c || takes_over) {
          counted[f.node] = true;
          own[f.node] += static_cast<int64_t>(tree.retained[f.node]);
          if (f.nearest != kNone && !takes_over) {
            own[f.nearest] -= static_cast<int64_t>(tree.retained[f.node]);
          }
          carry = {f.node, c, f.node};
        } else if (!building[c].internal) {
          ++nested[f.top][clusters[c].class_name];
        }
      }
      for (uint32_t i = tree.first_child[f.node]; i < tree.first_child[f.node + 1]; ++i) {
        stack.push_back({tree.children[i], carry.top, carry.nearest});
      }
    }
  }
  for (size_t i = 0; i < clusters.size(); ++i) {
    LeakCluster& c = clusters[i];
    c.retained.assign(snapshots, 0);
    for (uint32_t m : building[i].members) {
      uint64_t r = tree.retained[m];
      if (c.leak) {
        if (!counted[m]) continue;  // part of another leak
        r = static_cast<uint64_t>(std::max<int64_t>(0, own[m]));
      }
      c.retained_final += r;
      for (size_t k = 0; k + 1 < snapshots; ++k) {
        if (existed(k, m)) c.retained[k] += r;
      }
    }
    c.retained.back() = c.retained_final;
    c.gained = c.retained_final - c.retained.front();
    for (auto& [name, count] : nested[i]) c.includes.emplace_back(name, count);
  }

  // 5. Leaking clusters of one holder (a Map's keys and its values) are one leak: the largest
  // absorbs the others.
  {
    std::unordered_map<uint32_t, size_t> main_of_holder;
    std::vector<size_t> order(clusters.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return clusters[a].gained > clusters[b].gained; });
    for (size_t i : order) {
      LeakCluster& c = clusters[i];
      if (!c.leak || c.retained_final == 0) continue;
      auto [it, inserted] = main_of_holder.try_emplace(c.holder, i);
      if (inserted) continue;
      LeakCluster& into = clusters[it->second];
      for (size_t k = 0; k < snapshots; ++k) into.retained[k] += c.retained[k];
      into.retained_final += c.retained_final;
      into.gained += c.gained;
      if (!building[i].internal) into.includes.emplace_back(c.class_name, c.members);
      for (auto& inc : c.includes) into.includes.push_back(inc);
      c.retained_final = 0;  // absorbed
    }
  }

  // A leak whose objects hang off the members of another leak (the id strings of leaking
  // sessions, shared with a dictionary's keys) is part of that leak.
  for (size_t i = 0; i < clusters.size(); ++i) {
    LeakCluster& c = clusters[i];
    if (!c.leak || c.retained_final == 0) continue;
    uint32_t target = leak_cluster_of[c.holder];
    for (int hops = 0; target != kNone && hops < 8; ++hops) {
      if (clusters[target].retained_final != 0 || target == i) break;
      target = leak_cluster_of[clusters[target].holder];  // absorbed itself: follow it
    }
    if (target == kNone || target == i || clusters[target].retained_final == 0) continue;
    LeakCluster& into = clusters[target];
    for (size_t k = 0; k < snapshots; ++k) into.retained[k] += c.retained[k];
    into.retained_final += c.retained_final;
    into.gained += c.gained;
    if (!building[i].internal) into.includes.emplace_back(c.class_name, c.members);
    c.retained_final = 0;
  }

  // Non-leaking clusters whose holder is a member of a leak (the carts of leaking sessions, the
  // items in those carts) are part of it, not a separate finding.
  std::vector<uint32_t> cluster_of(n, kNone);
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (building[i].internal && !clusters[i].leak) continue;
    for (uint32_t m : building[i].members) cluster_of[m] = static_cast<uint32_t>(i);
  }
  // owner[i]: the leaking cluster that cluster i is part of (kNone: none).
  std::vector<uint32_t> owner(clusters.size(), kNone);
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (clusters[i].leak && clusters[i].retained_final != 0) owner[i] = static_cast<uint32_t>(i);
  }
  for (size_t i = 0; i < clusters.size(); ++i) {
    if (!clusters[i].leak || owner[i] != kNone) continue;  // absorbed leaks: find their owner
    uint32_t t = leak_cluster_of[clusters[i].holder];
    for (int hops = 0; hops < 8 && t != kNone && owner[t] == kNone; ++hops) {
      t = leak_cluster_of[clusters[t].holder];
    }
    if (t != kNone) owner[i] = owner[t];
  }
  std::vector<bool> part_of_leak(clusters.size(), false);
  for (int round = 0; round < 8; ++round) {
    bool changed = false;
    for (size_t i = 0; i < clusters.size(); ++i) {
      if (clusters[i].leak || part_of_leak[i] || building[i].internal) continue;
      // The nearest cluster member above (through closures, contexts and backing stores).
      uint32_t h = kNone;
      uint32_t u = path_parent(parents, clusters[i].representative);
      for (int step = 0; step < 6 && u != kNone && h == kNone; ++step) {
        h = cluster_of[u];
        u = path_parent(parents, u);
      }
      if (h == kNone || h == i || owner[h] == kNone) continue;
      owner[i] = owner[h];
      part_of_leak[i] = true;
      clusters[owner[i]].includes.emplace_back(clusters[i].class_name, clusters[i].members);
      changed = true;
    }
    if (!changed) break;
  }

  name_internal_chains(g, classes, building, owner, clusters);

  for (size_t i = 0; i < clusters.size(); ++i) {
    LeakCluster& c = clusters[i];
    if (part_of_leak[i]) continue;
    if (building[i].internal && !c.leak) continue;  // internals are no culprits
    {
      std::unordered_map<std::string, uint64_t> merged_includes;
      for (const auto& [name, count] : c.includes) merged_includes[name] += count;
      c.includes.assign(merged_includes.begin(), merged_includes.end());
    }
    std::sort(c.includes.begin(), c.includes.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    if (c.leak && c.retained_final == 0) continue;  // part of another leak
    if (c.leak && c.gained < options.min_gained_bytes) {
      c.leak = false;
      c.reason = fmt::format("it gained only {} bytes", c.gained);
    }
    if (c.leak) {
      c.holder_path = shortest_path(g, d, c.holder);
      c.location = source_position(g, classes, c.representative);
      out.leaks.push_back(std::move(c));
    } else {
      out.rejected.push_back(std::move(c));
    }
  }
  std::sort(out.leaks.begin(), out.leaks.end(), [](const LeakCluster& a, const LeakCluster& b) {
    return a.gained != b.gained ? a.gained > b.gained : a.members > b.members;
  });
  std::sort(out.rejected.begin(), out.rejected.end(),
            [](const LeakCluster& a, const LeakCluster& b) {
              return a.retained_final != b.retained_final ? a.retained_final > b.retained_final
                                                          : a.members > b.members;
            });
  if (out.rejected.size() > options.max_rejected) out.rejected.resize(options.max_rejected);
  for (LeakCluster& c : out.rejected) c.holder_path = shortest_path(g, d, c.holder);
  {
    std::vector<uint32_t> holders;
    for (const LeakCluster& c : out.leaks) holders.push_back(c.holder);
    std::vector<std::vector<uint64_t>> named = naming_edges(g, d, holders);
    for (size_t i = 0; i < out.leaks.size(); ++i) out.leaks[i].named_edges = std::move(named[i]);
  }
  return out;
}

}  // namespace leakscope
