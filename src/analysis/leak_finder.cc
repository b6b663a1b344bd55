#include "analysis/leak_finder.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <unordered_set>

#include "analysis/census.h"
#include "analysis/node_names.h"
#include "analysis/node_roles.h"
#include "analysis/path_keys.h"
#include "analysis/shallow_sizes.h"
#include "analysis/source_position.h"
#include "heap/bit_vector.h"
#include "heap/indices.h"

namespace leakscope {

namespace {

constexpr uint32_t kChainLookback = 4;  // as in path_keys.cc: the longest folded segment
// What an index points into, and "none" for each kind: nodes are heap/indices.h's (NodeOrdinal,
// kNoNode); a cluster is a position in building_ and clusters_ alike, a slot one in Slots.
using ClusterIndex = uint32_t;
using SlotIndex = uint32_t;
constexpr ClusterIndex kNoCluster = UINT32_MAX;
constexpr SlotIndex kNoSlot = UINT32_MAX;

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

// The shortest-path owners, as PathKeys finds them (kNoNode: none).
using Parents = std::vector<NodeOrdinal>;
inline NodeOrdinal path_parent(const Parents& parents, NodeOrdinal v) {
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
      // Counted as the last snapshot's classes are (census.h's rule, on re-attributed sizes), so
      // that a class's counts line up across the snapshots.
      const ClassIndex classes = classify_nodes(g, &definitions);
      class_counts = counts_by_class_key(classes, attribute_shallow_sizes(g));
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
NodeOrdinal holder_of(const HeapGraph& g, const Parents& parents, NodeOrdinal member) {
  NodeOrdinal p = path_parent(parents, member);
  while (p != kNoNode && is_backing_store(g, p)) {
    const NodeOrdinal up = path_parent(parents, p);
    if (up == kNoNode) break;
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

// The counted members of leaks (attribute_sizes), by slot.
struct Slots {
  std::vector<NodeOrdinal> member;
  std::vector<int64_t> own;      // its retained size less that of its cluster's members below it
  std::vector<uint8_t> dropped;  // part of another leak after all (count_shared)
};

struct Building {
  std::vector<NodeOrdinal> members;
  bool chain = false;
  bool internal = false;  // links of an engine-internal chain (admitted only as holders)
  NodeOrdinal representative = kNoNode;
  NodeOrdinal holder = kNoNode;
  std::unordered_map<NodeOrdinal, uint64_t> holders;
  ClusterIndex merged_into = kNoCluster;
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

// A link of an engine-internal linked list of records (a promise's PromiseReaction list): a
// hidden object whose shortest-path owner is one of the same name. Compiled code, maps, stores
// and closure contexts also link to their like (transition trees, nested stores, scope chains),
// but those are compilation artifacts, storage, or reached through the user's closures.
bool is_internal_link(const HeapGraph& g, const Parents& parents, uint32_t v) {
  if (g.type(v) != kHidden) return false;
  const NodeOrdinal p = path_parent(parents, v);
  return p != kNoNode && g.type(p) == kHidden && g.node_name[p] == g.node_name[v];
}

bool is_string_type(NodeType t) {
  return t == kString || t == kConsString || t == kSlicedString;
}

// The halves of a concatenated string and the parent of a sliced one belong to that string.
bool is_string_part(const HeapGraph& g, const Parents& parents, uint32_t v) {
  if (!is_string_type(g.type(v))) return false;
  const NodeOrdinal p = path_parent(parents, v);
  return p != kNoNode && is_string_type(g.type(p));
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

bool in_program(const std::optional<SourcePosition>& at) {
  return at && !at->script.empty() && !at->script.starts_with("node:");
}

// Where the culprit comes from. An object that Node's own code builds (a Timeout, built in
// node:internal/timers) carries what the program wrote: the function it will call. Its first
// function property with a location in the program says where the leak was made.
std::optional<SourcePosition> culprit_location(const HeapGraph& g, const ClassIndex& classes,
                                               uint32_t v) {
  std::optional<SourcePosition> at = source_position(g, classes, v);
  if (!at || !at->script.starts_with("node:") || g.type(v) != kObject) return at;
  for (uint64_t e = g.edges_begin(v); e < g.edges_end(v); ++e) {
    if (g.edge_kind(e) != kProperty || g.type(g.edge_to[e]) != kClosure) continue;
    std::optional<SourcePosition> callback = source_position(g, classes, g.edge_to[e]);
    if (in_program(callback)) return callback;
  }
  return at;
}

// The scope that names a holder whose names start at a closure context (`sessions` in
// `...->sessions`): a function closing over that context says which script it is, and a context
// whose enclosing context is the native one is a module's (or script's) top-level scope.
void find_holder_scopes(const HeapGraph& g, const ClassIndex& classes,
                        std::vector<LeakCluster>& leaks) {
  std::unordered_map<uint32_t, std::vector<size_t>> by_context;
  for (size_t i = 0; i < leaks.size(); ++i) {
    const std::vector<uint64_t>& named = leaks[i].named_edges;
    if (named.empty() || g.edge_kind(named.front()) != kContext) continue;
    const NodeOrdinal context = edge_owner(g, named.front());
    if (context != kNoNode && g.name(context) == "system / Context") {
      by_context[context].push_back(i);
    }
  }
  if (by_context.empty()) return;
  for (uint32_t u = 0; u < g.node_count() && !by_context.empty(); ++u) {
    if (g.type(u) != kClosure) continue;
    for (uint64_t e = g.edges_begin(u); e < g.edges_end(u); ++e) {
      if (g.edge_kind(e) != kInternal || g.strings.get(g.edge_name[e]) != "context") continue;
      auto it = by_context.find(g.edge_to[e]);
      if (it == by_context.end()) break;
      const std::optional<SourcePosition> at = source_position(g, classes, u);
      if (!at || at->script.empty()) break;
      bool module = false;
      const uint32_t context = it->first;
      for (uint64_t f = g.edges_begin(context); f < g.edges_end(context); ++f) {
        if (g.edge_kind(f) == kInternal && g.strings.get(g.edge_name[f]) == "previous") {
          module = g.name(g.edge_to[f]) == "system / NativeContext";
        }
      }
      for (size_t i : it->second) {
        leaks[i].holder_scope = at;
        leaks[i].holder_scope_is_module = module;
      }
      by_context.erase(it);
      break;
    }
  }
}

// "Chain" means that the members hold each other one after another (a linked list, closure
// contexts, a promise's reactions). Path keys also fold a tree of nested arrays (an index edge
// repeats), where one member holds many: that is a collection of collections, whose entries are
// its holders' own, so a cluster is kept a chain only when most members that hang off another
// member hang off different ones.
void confirm_chains(const Parents& parents, std::vector<Building>& building, uint32_t n) {
  if (std::none_of(building.begin(), building.end(), [](const Building& b) { return b.chain; })) {
    return;
  }
  std::vector<ClusterIndex> member_of(n, kNoCluster);
  for (size_t i = 0; i < building.size(); ++i) {
    if (!building[i].chain) continue;
    for (NodeOrdinal m : building[i].members) member_of[m] = static_cast<ClusterIndex>(i);
  }
  // A member found above another is marked (high bit) the first time, so distinct members
  // above are counted without sorting.
  constexpr uint32_t kSeen = 0x80000000u;
  for (size_t i = 0; i < building.size(); ++i) {
    Building& b = building[i];
    if (!b.chain) continue;
    const ClusterIndex self = static_cast<ClusterIndex>(i);
    size_t linked = 0;
    size_t distinct = 0;
    for (uint32_t m : b.members) {
      NodeOrdinal u = path_parent(parents, m);
      for (uint32_t step = 0; step < kChainLookback && u != kNoNode; ++step) {
        if ((member_of[u] & ~kSeen) == self) {
          ++linked;
          if (member_of[u] == self) ++distinct;
          member_of[u] = self | kSeen;
          break;
        }
        u = path_parent(parents, u);
      }
    }
    b.chain = linked != 0 && distinct * 4 >= linked * 3;
  }
}

// A growing internal chain is reported for the user objects it keeps and named after them: the
// kept cluster with a source location in the program (the results, the callbacks), else the
// largest. A chain that keeps none is no finding (it stays among the internals left out).
void name_internal_chains(const HeapGraph& g, const ClassIndex& classes,
                          const std::vector<Building>& building,
                          const std::vector<ClusterIndex>& owner,
                          std::vector<LeakCluster>& clusters) {
  for (size_t i = 0; i < clusters.size(); ++i) {
    LeakCluster& c = clusters[i];
    if (!building[i].internal || !c.leak || c.retained_final == 0) continue;
    size_t best = kNoCluster;
    bool best_located = false;
    for (size_t j = 0; j < clusters.size(); ++j) {
      if (j == i || owner[j] != i || building[j].internal) continue;
      const NodeType t = g.type(clusters[j].representative);
      if (t != kObject && t != kClosure) continue;
      const std::optional<SourcePosition> at =
          source_position(g, classes, clusters[j].representative);
      const bool located = at && !at->script.empty() && !at->script.starts_with("node:");
      if (best == kNoCluster || (located && !best_located) ||
          (located == best_located && clusters[j].members > clusters[best].members)) {
        best = j;
        best_located = located;
      }
    }
    if (best == kNoCluster) {
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
    c.class_counts = kept.class_counts;
    // The kept objects of that class may come in more than one cluster (reached through the
    // chain's head or through its links): they are counted together.
    c.members = 0;
    c.counts.assign(kept.counts.size(), 0);
    for (size_t j = 0; j < clusters.size(); ++j) {
      if (j == i || owner[j] != i || clusters[j].class_key != kept.class_key) continue;
      c.members += clusters[j].members;
      for (size_t k = 0; k < c.counts.size(); ++k) c.counts[k] += clusters[j].counts[k];
    }
    std::erase_if(c.includes, [&](const auto& inc) { return inc.first == kept.class_name; });
  }
}

// The state the stages of find_leaks share. Each stage is one method, in the order run.
class Finder {
 public:
  Finder(const LeakFinderInput& in, const LeakFinderOptions& options)
      : in_(in),
        options_(options),
        g_(*in.graph),
        d_(*in.distances),
        tree_(*in.tree),
        classes_(*in.classes),
        sizes_(*in.self_sizes),
        snapshots_(in.earlier.size() + 1),
        n_(in.graph->node_count()),
        keys_(g_, d_, classes_),
        parents_(keys_.parents()) {}

  LeakFindings run() {
    mark_births();
    collect_candidates();
    confirm_chains(parents_, building_, n_);
    merge_by_holder();
    judge_growth();
    attribute_sizes();
    fold_into_owners();
    name_internal_chains(g_, classes_, building_, owner_, clusters_);
    publish();
    return std::move(out_);
  }

 private:
  bool existed(size_t k, uint32_t v) const { return born_[v] <= k; }
  bool closest(uint32_t x, uint32_t y) const {
    const int64_t dx = d_.distance[x];
    const int64_t dy = d_.distance[y];
    return dx != dy ? dx < dy : g_.node_id[x] < g_.node_id[y];
  }

  // The first snapshot each node of the last one appears in (ids are never reused within a
  // process, so a node alive at the end that existed in snapshot k exists in all later ones).
  void mark_births() {
    born_.assign(n_, static_cast<uint8_t>(snapshots_ - 1));
    std::vector<uint64_t> by_id(n_);
    for (uint32_t v = 0; v < n_; ++v) by_id[v] = (static_cast<uint64_t>(g_.node_id[v]) << 32) | v;
    sort_by_high_word(by_id);
    for (size_t k = in_.earlier.size(); k-- > 0;) {
      const std::vector<uint32_t>& ids = in_.earlier[k]->ids;
      size_t j = 0;
      for (const uint64_t x : by_id) {
        const uint32_t id = static_cast<uint32_t>(x >> 32);
        while (j < ids.size() && ids[j] < id) ++j;
        if (j < ids.size() && ids[j] == id)
          born_[static_cast<uint32_t>(x)] = static_cast<uint8_t>(k);
      }
    }
  }

  // Alive at the end, strongly reachable, not in the baseline.
  bool is_candidate(uint32_t v) const {
    if (sizes_[v] == 0 && tree_.retained[v] == 0) return false;
    if (d_.distance[v] == kNoDistance || d_.parent_edge[v] == kNoEdge) return false;
    return born_[v] != 0;
  }

  void add_member(std::unordered_map<uint64_t, ClusterIndex>& of_key, uint64_t key, NodeOrdinal v,
                  bool internal) {
    auto [it, inserted] = of_key.try_emplace(key, static_cast<ClusterIndex>(building_.size()));
    if (inserted) {
      building_.emplace_back();
      building_.back().internal = internal;
    }
    Building& b = building_[it->second];
    b.members.push_back(v);
    if (keys_.chained(v)) b.chain = true;
  }

  // 1. Candidates, clustered by path key. Internals are left out as culprits, but a growing
  // internal chain (the reactions of a promise that never settles) is a holder: its links are
  // clustered apart and reported only when they keep user objects (name_internal_chains). The
  // head link has a path key of its own (the edge into it differs); it joins its links' cluster.
  void collect_candidates() {
    std::unordered_map<uint64_t, ClusterIndex> cluster_of_key;
    std::unordered_map<uint64_t, ClusterIndex> internal_cluster_of_key;
    std::unordered_set<uint32_t> internal_heads;
    for (uint32_t v = 0; v < n_; ++v) {
      if (!is_candidate(v)) continue;
      ++out_.candidates;
      if (!options_.all && (is_internal_node(g_, v) || is_string_part(g_, parents_, v))) {
        ++out_.excluded_internal;
        if (is_internal_link(g_, parents_, v)) {
          const uint64_t k = keys_.key(v);
          add_member(internal_cluster_of_key, k, v, true);
          const NodeOrdinal head = path_parent(parents_, v);
          if (!is_internal_link(g_, parents_, head) && is_candidate(head) &&
              internal_heads.insert(head).second) {
            add_member(internal_cluster_of_key, k, head, true);
          }
        }
        continue;
      }
      add_member(cluster_of_key, keys_.key(v), v, false);
    }
  }

  // 2. Representative and holder per cluster; clusters of one class held by one holder are one
  // cluster (a doubly-linked list is reached from both ends, one key per direction).
  void merge_by_holder() {
    std::unordered_map<uint64_t, ClusterIndex> by_class_and_holder;
    for (size_t i = 0; i < building_.size(); ++i) {
      Building& b = building_[i];
      b.representative = *std::min_element(b.members.begin(), b.members.end(),
                                           [&](uint32_t x, uint32_t y) { return closest(x, y); });
      NodeOrdinal h = holder_of(g_, parents_, b.representative);
      if (b.chain) {
        // A chain is held by the first object above its links that is not a link itself (links
        // of the same class that were already there before the baseline count as links).
        const uint32_t link_class = classes_.node_class[b.representative];
        while (h != kNoNode && classes_.node_class[h] == link_class) h = holder_of(g_, parents_, h);
      }
      // Every member's holder is found only for clusters that pass the growth test (below).
      b.holder = h == kNoNode ? g_.root : h;
      if (b.chain) b.holders[b.holder] = b.members.size();
      const uint64_t key = mix(classes_.node_class[b.representative], b.holder);
      auto [it, inserted] = by_class_and_holder.try_emplace(key, static_cast<ClusterIndex>(i));
      if (inserted) continue;
      Building& into = building_[it->second];
      into.members.insert(into.members.end(), b.members.begin(), b.members.end());
      into.chain = into.chain || b.chain;
      if (into.chain) into.holders[into.holder] = into.members.size();
      if (closest(b.representative, into.representative)) into.representative = b.representative;
      b.merged_into = it->second;
      b.members.clear();
    }
    std::vector<Building> merged;
    for (Building& b : building_) {
      // An internal cluster whose members do not hold each other is no chain: internals only.
      if (b.merged_into == kNoCluster && (b.chain || !b.internal)) merged.push_back(std::move(b));
    }
    building_ = std::move(merged);
    out_.clusters = static_cast<uint64_t>(std::count_if(
        building_.begin(), building_.end(), [](const Building& b) { return !b.internal; }));
  }

  std::unordered_map<std::string, uint64_t> final_class_counts() const {
    return counts_by_class_key(classes_, sizes_);
  }

  // The holders of a cluster that is no chain and their entries per snapshot. Growth is measured
  // on holders seen since the second snapshot: new holders appearing is growth of whatever holds
  // *them* (a full LRU of pages, each page holding its strings).
  // Holders are counted by sorting, not in a hash map: a cluster can have a holder per member.
  void measure_holders(const Building& b, LeakCluster& c) const {
    std::vector<NodeOrdinal> of_member;
    of_member.reserve(b.members.size());
    for (NodeOrdinal m : b.members) {
      const NodeOrdinal h = holder_of(g_, parents_, m);
      if (h != kNoNode) of_member.push_back(h);
    }
    std::sort(of_member.begin(), of_member.end());
    std::vector<std::pair<uint32_t, uint64_t>> holders;  // (holder, members it holds)
    for (uint32_t h : of_member) {
      if (holders.empty() || holders.back().first != h) holders.emplace_back(h, 0);
      ++holders.back().second;
    }
    uint64_t best = 0;
    for (const auto& [h, count] : holders) {
      if (count > best || (count == best && h < c.holder)) {
        best = count;
        c.holder = h;
      }
    }
    c.holder_count = std::max<size_t>(1, holders.size());
    c.holder_members = best;
    const size_t second = std::min<size_t>(1, in_.earlier.size() - 1);
    uint64_t persistent = 0;
    for (const auto& [h, count] : holders) {
      const uint32_t id = g_.node_id[h];
      if (!existed(second, h)) continue;
      persistent += count;
      for (size_t k = 0; k + 1 < snapshots_; ++k) {
        c.holder_entries[k] += in_.earlier[k]->entries_of(id).value_or(0);
      }
      c.holder_entries.back() += entry_count(g_, h);
    }
    if (persistent * 2 < c.members) c.why = NotLeaking::kHoldersAreNew;
    // Many holders, all made after the baseline and none keeping most of the members (an array
    // per request, each with its few callbacks): their summed entries grow because holders are
    // added, which is the growth of whatever keeps the holders, not of any holder. One long-lived
    // holder that grows (a socket's listener list) is the leak; a holder made after the baseline
    // and keeping most members is one too (a cache created on first use).
    if (holders.size() > 1 && best * 2 < c.members &&
        std::none_of(holders.begin(), holders.end(),
                     [&](const auto& h) { return existed(0, h.first); })) {
      c.why = NotLeaking::kHoldersAreNew;
    }
  }

  LeakCluster judge(Building& b, const std::unordered_map<std::string, uint64_t>& final_counts) {
    LeakCluster c;
    const uint32_t rep = b.representative;
    const ClassInfo& info = classes_.classes[classes_.node_class[rep]];
    c.class_name = info.name;
    c.class_key = info.key;
    if (g_.type(rep) == kClosure) {
      c.class_name = g_.name(rep).empty() ? "(anonymous)()" : std::string(g_.name(rep)) + "()";
    }
    c.members = b.members.size();
    c.chain = b.chain;
    c.representative = rep;
    c.holder = b.holder;
    c.holder_count = 1;
    c.holder_members = c.members;
    c.counts.assign(snapshots_, 0);
    c.counts.back() = c.members;
    for (size_t k = 0; k + 1 < snapshots_; ++k) {
      uint64_t count = 0;
      for (uint32_t m : b.members) count += existed(k, m) ? 1 : 0;
      c.counts[k] = count;
    }
    for (size_t k = 1; k < snapshots_ && c.why == NotLeaking::kLeaking; ++k) {
      if (c.counts[k] - c.counts[k - 1] < options_.min_new_per_interval) {
        c.why = k + 1 == snapshots_ ? NotLeaking::kPlateau : NotLeaking::kNothingAddedBetween;
        c.why_snapshot = static_cast<uint32_t>(k);
      }
    }
    // Holder sizes are looked up only for clusters that grew in every interval.
    c.holder_entries.assign(snapshots_, 0);
    if (c.why == NotLeaking::kLeaking) {
      if (c.chain) {
        // A chain's holder is its head; its size is the chain's length.
        c.holder_entries = c.counts;
        c.chain_edge = chain_segment(g_, d_, b.members);
      } else {
        measure_holders(b, c);
      }
    }
    c.class_counts.assign(snapshots_, 0);
    for (size_t k = 0; k + 1 < snapshots_; ++k) {
      auto it = in_.earlier[k]->class_counts.find(c.class_key);
      if (it != in_.earlier[k]->class_counts.end()) c.class_counts[k] = it->second;
    }
    if (auto it = final_counts.find(c.class_key); it != final_counts.end()) {
      c.class_counts.back() = it->second;
    }
    if (c.why == NotLeaking::kLeaking && !options_.all && is_engine_table(g_, c.holder)) {
      c.why = NotLeaking::kEngineTable;
    }
    if (c.why == NotLeaking::kLeaking && !strictly_increasing(c.holder_entries)) {
      c.why = NotLeaking::kHolderDoesNotGrow;
    }
    c.leak = c.why == NotLeaking::kLeaking;
    return c;
  }

  // 3. Growth per snapshot and the verdict.
  void judge_growth() {
    const std::unordered_map<std::string, uint64_t> final_counts = final_class_counts();
    clusters_.reserve(building_.size());
    for (Building& b : building_) clusters_.push_back(judge(b, final_counts));
  }

  // 4. Sizes. A pre-order walk of the dominator tree finds, for every member of a leaking
  // cluster, whether a member of another leaking cluster holds it (then it is part of that leak,
  // listed under "includes") and which member of its own cluster is closest above it (in a chain
  // each link's own share is its retained size minus the next link's).
  void attribute_sizes() {
    leak_cluster_of_.assign(n_, kNoCluster);
    for (size_t i = 0; i < clusters_.size(); ++i) {
      if (!clusters_[i].leak) continue;
      for (NodeOrdinal m : building_[i].members) leak_cluster_of_[m] = static_cast<ClusterIndex>(i);
    }
    // Counted members get a slot each, in walk order, with their own share; every node gets the
    // slot of the nearest counted member that dominates it (kNoSlot: none). Sizes per slot, not
    // per node: a fresh array per node costs its page faults, and there are few members.
    std::vector<SlotIndex> region(n_, kNoSlot);
    Slots slots;
    std::vector<std::unordered_map<std::string, uint64_t>> nested(clusters_.size());
    struct Frame {
      NodeOrdinal node;
      ClusterIndex top;   // leaking cluster of the outermost member above (kNoCluster if none)
      SlotIndex nearest;  // slot of the closest member above of that same cluster
    };
    std::vector<Frame> stack{{g_.root, kNoCluster, kNoSlot}};
    while (!stack.empty()) {
      const Frame f = stack.back();
      stack.pop_back();
      Frame carry = f;
      const ClusterIndex c = leak_cluster_of_[f.node];
      if (c != kNoCluster) {
        const int64_t retained = static_cast<int64_t>(tree_.retained[f.node]);
        // A user leak inside an internal chain is counted for itself: the chain is reported
        // only for what is not a leak of its own.
        const bool takes_over = f.top != kNoCluster && f.top != c && building_[f.top].internal &&
                                !building_[c].internal;
        if (f.nearest != kNoSlot && (takes_over || f.top == c)) slots.own[f.nearest] -= retained;
        if (f.top == kNoCluster || f.top == c || takes_over) {
          carry = {f.node, c, static_cast<SlotIndex>(slots.member.size())};
          slots.member.push_back(f.node);
          slots.own.push_back(retained);
        } else if (!building_[c].internal) {
          ++nested[f.top][clusters_[c].class_name];
        }
      }
      region[f.node] = carry.nearest;
      for (uint32_t i = tree_.first_child[f.node]; i < tree_.first_child[f.node + 1]; ++i) {
        stack.push_back({tree_.children[i], carry.top, carry.nearest});
      }
    }
    slots.dropped.assign(slots.member.size(), 0);
    count_shared(region, slots, nested);
    for (size_t i = 0; i < clusters_.size(); ++i) {
      LeakCluster& c = clusters_[i];
      c.retained.assign(snapshots_, 0);
      if (c.leak) continue;  // summed by slot below
      for (uint32_t m : building_[i].members) add_retained(c, m, tree_.retained[m]);
    }
    for (size_t s = 0; s < slots.member.size(); ++s) {
      if (slots.dropped[s]) continue;  // part of another leak
      const uint32_t m = slots.member[s];
      add_retained(clusters_[leak_cluster_of_[m]], m,
                   static_cast<uint64_t>(std::max<int64_t>(0, slots.own[s])));
    }
    for (size_t i = 0; i < clusters_.size(); ++i) {
      LeakCluster& c = clusters_[i];
      c.retained.back() = c.retained_final;
      c.gained = c.retained_final - c.retained.front();
      for (auto& [name, count] : nested[i]) c.includes.emplace_back(name, count);
    }
  }

  void add_retained(LeakCluster& c, uint32_t member, uint64_t r) const {
    c.retained_final += r;
    for (size_t k = 0; k + 1 < snapshots_; ++k) {
      if (existed(k, member)) c.retained[k] += r;
    }
  }

  // What members of leaks hold together. Two listeners of one request closing over one context:
  // neither dominates the context, so no member's retained size has it (DevTools shows each
  // listener at its own few bytes), yet the context and all it keeps go only when the listeners
  // go. DevTools has no size for a set of objects. The rule here: an object outside the
  // dominator subtrees of all leak members whose every holder (over non-weak edges) is inside
  // those subtrees or dominated by the object itself is kept by those members as a set. Its
  // retained size is counted once, for the member above the first holder found (so per snapshot
  // it counts when that member existed). Objects held only by such objects are inside their
  // retained size when the object dominates them; others are not looked for (each further level
  // costs another pass over all edges, and a closure's context is one edge from the closure or
  // from a context the closure dominates). When the holders lie under members of several leaks
  // (the request's 'close' and 'data' listeners), those leaks are one, joined by
  // absorb_joined(); leaks inside the shared object are part of the leak that counts it.
  // region[v]: the slot of the nearest counted leak member that dominates v (kNoSlot: none).
  void count_shared(const std::vector<SlotIndex>& region, Slots& slots,
                    std::vector<std::unordered_map<std::string, uint64_t>>& nested) {
    auto cluster_of_slot = [&](SlotIndex s) { return leak_cluster_of_[slots.member[s]]; };
    auto user_leak = [&](NodeOrdinal u) {
      return region[u] != kNoSlot && !building_[cluster_of_slot(region[u])].internal;
    };
    // Bits and a short list, not a claim per node: few objects qualify, and every fresh array of
    // a million entries costs its page faults.
    std::vector<std::pair<NodeOrdinal, SlotIndex>> found;  // (shared object, slot above a holder)
    BitVector wanted;
    for (uint32_t u = 0; u < n_; ++u) {
      if (!user_leak(u)) continue;
      for (uint64_t e = g_.edges_begin(u); e < g_.edges_end(u); ++e) {
        const uint32_t x = g_.edge_to[e];
        if (region[x] != kNoSlot || tree_.retained[x] == 0 || g_.edge_kind(e) == kWeak) continue;
        if (wanted.size() == 0) wanted = BitVector(n_);
        if (wanted.get(x)) continue;
        wanted.set(x);
        found.emplace_back(x, region[u]);
      }
    }
    if (found.empty()) return;
    // A holder that the object itself dominates (the request's ClientRequest, kept by the context
    // and holding a closure over it) is part of it. Dominator chains can be a million long, so
    // only the nearest few dominators are looked at; a holder further below counts as outside.
    constexpr int kDominatorSteps = 16;
    auto dominated_by = [&](uint32_t u, uint32_t x) {
      for (int step = 0; step < kDominatorSteps && u != g_.root; ++step) {
        u = tree_.idom[u];
        if (u == x) return true;
      }
      return false;
    };
    size_t kept = found.size();
    for (uint32_t u = 0; u < n_ && kept != 0; ++u) {
      if (user_leak(u)) continue;
      for (uint64_t e = g_.edges_begin(u); e < g_.edges_end(u); ++e) {
        const uint32_t x = g_.edge_to[e];
        if (!wanted.get(x) || x == u || g_.edge_kind(e) == kWeak || dominated_by(u, x)) continue;
        wanted.clear(x);  // held from outside
        --kept;
      }
    }
    if (kept == 0) return;
    std::erase_if(found, [&](const auto& f) { return !wanted.get(f.first); });
    std::sort(found.begin(), found.end());
    // The other leaks holding a kept object: one more pass over the leaks' own nodes.
    for (uint32_t u = 0; u < n_; ++u) {
      if (!user_leak(u)) continue;
      for (uint64_t e = g_.edges_begin(u); e < g_.edges_end(u); ++e) {
        const uint32_t x = g_.edge_to[e];
        if (!wanted.get(x)) continue;
        const auto it = std::lower_bound(found.begin(), found.end(), std::make_pair(x, 0u));
        const ClusterIndex first = cluster_of_slot(it->second);
        const ClusterIndex also = cluster_of_slot(region[u]);
        if (also != first) joined_.emplace_back(first, also);
      }
    }
    std::sort(joined_.begin(), joined_.end());
    joined_.erase(std::unique(joined_.begin(), joined_.end()), joined_.end());
    std::vector<uint32_t> stack;
    for (const auto& [x, slot] : found) {
      const ClusterIndex c = cluster_of_slot(slot);
      slots.own[slot] += static_cast<int64_t>(tree_.retained[x]);
      stack.assign(1, x);
      while (!stack.empty()) {
        const uint32_t y = stack.back();
        stack.pop_back();
        const ClusterIndex inner = leak_cluster_of_[y];
        const SlotIndex own_slot = region[y];  // y's own when y is a counted member
        if (inner != kNoCluster && own_slot != kNoSlot && slots.member[own_slot] == y &&
            !slots.dropped[own_slot]) {
          slots.dropped[own_slot] = 1;
          if (inner != c && !building_[inner].internal) ++nested[c][clusters_[inner].class_name];
        }
        for (uint32_t i = tree_.first_child[y]; i < tree_.first_child[y + 1]; ++i) {
          stack.push_back(tree_.children[i]);
        }
      }
    }
  }

  // Leaks whose members hold objects together (count_shared) are one leak: the one that gained
  // most names it and includes the others.
  void absorb_joined() {
    if (joined_.empty()) return;
    std::vector<ClusterIndex> group(clusters_.size());
    for (size_t i = 0; i < group.size(); ++i) group[i] = static_cast<ClusterIndex>(i);
    auto find = [&](ClusterIndex i) {
      while (group[i] != i) i = group[i] = group[group[i]];
      return i;
    };
    for (const auto& [a, b] : joined_) group[find(a)] = find(b);
    std::vector<ClusterIndex> main(clusters_.size(), kNoCluster);
    for (size_t i = 0; i < clusters_.size(); ++i) {
      if (!clusters_[i].leak || clusters_[i].retained_final == 0) continue;
      ClusterIndex& m = main[find(static_cast<ClusterIndex>(i))];
      if (m == kNoCluster || clusters_[i].gained > clusters_[m].gained)
        m = static_cast<ClusterIndex>(i);
    }
    for (size_t i = 0; i < clusters_.size(); ++i) {
      if (!clusters_[i].leak || clusters_[i].retained_final == 0) continue;
      const ClusterIndex m = main[find(static_cast<ClusterIndex>(i))];
      if (m != i) absorb(i, m);
    }
  }

  // One leak becomes part of another: its sizes, its own name and what it included move over
  // (what the absorbed leak dragged along is part of the bigger one too). Engine-internal
  // clusters are not listed by name: the user knows the objects, not the engine's lists.
  void absorb(size_t from, size_t into) {
    absorbed_into_[from] = static_cast<ClusterIndex>(into);
    LeakCluster& c = clusters_[from];
    LeakCluster& to = clusters_[into];
    for (size_t k = 0; k < snapshots_; ++k) to.retained[k] += c.retained[k];
    to.retained_final += c.retained_final;
    to.gained += c.gained;
    if (!building_[from].internal) to.includes.emplace_back(c.class_name, c.members);
    for (const auto& inc : c.includes) to.includes.push_back(inc);
    c.includes.clear();
    c.retained_final = 0;
  }

  // Leaking clusters of one holder (a Map's keys and its values) are one leak: the largest
  // absorbs the others. A Map's string keys can outweigh its values; the leak is named after the
  // objects it holds.
  void absorb_by_holder() {
    std::unordered_map<NodeOrdinal, size_t> main_of_holder;
    std::vector<size_t> order(clusters_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    auto is_text = [&](size_t i) { return is_string_type(g_.type(clusters_[i].representative)); };
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (is_text(a) != is_text(b)) return is_text(b);
      return clusters_[a].gained > clusters_[b].gained;
    });
    for (size_t i : order) {
      const LeakCluster& c = clusters_[i];
      if (!c.leak || c.retained_final == 0) continue;
      auto [it, inserted] = main_of_holder.try_emplace(c.holder, i);
      if (!inserted) absorb(i, it->second);
    }
  }

  // A leak whose objects hang off the members of another leak (the id strings of leaking
  // sessions, shared with a dictionary's keys) is part of that leak.
  void absorb_by_members() {
    for (size_t i = 0; i < clusters_.size(); ++i) {
      const LeakCluster& c = clusters_[i];
      if (!c.leak || c.retained_final == 0) continue;
      ClusterIndex target = leak_cluster_of_[c.holder];
      for (int hops = 0; target != kNoCluster && hops < 8; ++hops) {
        if (clusters_[target].retained_final != 0 || target == i) break;
        target = leak_cluster_of_[clusters_[target].holder];  // absorbed itself: follow it
      }
      if (target == kNoCluster || target == i || clusters_[target].retained_final == 0) continue;
      absorb(i, target);
    }
  }

  // 5. Leaks inside leaks, and non-leaking clusters whose holder is a member of a leak (the
  // carts of leaking sessions, the items in those carts), are part of it, not separate findings.
  void fold_into_owners() {
    absorbed_into_.assign(clusters_.size(), kNoCluster);
    absorb_joined();
    absorb_by_holder();
    absorb_by_members();
    std::vector<ClusterIndex> cluster_of(n_, kNoCluster);
    for (size_t i = 0; i < clusters_.size(); ++i) {
      if (building_[i].internal && !clusters_[i].leak) continue;
      for (NodeOrdinal m : building_[i].members) cluster_of[m] = static_cast<ClusterIndex>(i);
    }
    // owner_[i]: the leaking cluster that cluster i is part of (kNoCluster: none).
    owner_.assign(clusters_.size(), kNoCluster);
    for (size_t i = 0; i < clusters_.size(); ++i) {
      if (clusters_[i].leak && clusters_[i].retained_final != 0)
        owner_[i] = static_cast<ClusterIndex>(i);
    }
    for (size_t i = 0; i < clusters_.size(); ++i) {
      if (!clusters_[i].leak || owner_[i] != kNoCluster)
        continue;  // absorbed leaks: find their owner
      // The leak that absorbed it owns it, whatever holds it: what hangs off the 'close'
      // listeners belongs to the leak named after the 'data' listeners they joined.
      ClusterIndex t = absorbed_into_[i];
      for (int hops = 0; hops < 8 && t != kNoCluster && owner_[t] == kNoCluster; ++hops)
        t = absorbed_into_[t];
      if (t != kNoCluster && owner_[t] != kNoCluster) {
        owner_[i] = owner_[t];
        continue;
      }
      t = leak_cluster_of_[clusters_[i].holder];
      for (int hops = 0; hops < 8 && t != kNoCluster && owner_[t] == kNoCluster; ++hops) {
        t = leak_cluster_of_[clusters_[t].holder];
      }
      if (t != kNoCluster) owner_[i] = owner_[t];
    }
    part_of_leak_.assign(clusters_.size(), false);
    for (int round = 0; round < 8; ++round) {
      bool changed = false;
      for (size_t i = 0; i < clusters_.size(); ++i) {
        if (clusters_[i].leak || part_of_leak_[i] || building_[i].internal) continue;
        // The nearest cluster member above (through closures, contexts and backing stores).
        ClusterIndex h = kNoCluster;
        NodeOrdinal u = path_parent(parents_, clusters_[i].representative);
        for (int step = 0; step < 6 && u != kNoNode && h == kNoCluster; ++step) {
          h = cluster_of[u];
          u = path_parent(parents_, u);
        }
        if (h == kNoCluster || h == i || owner_[h] == kNoCluster) continue;
        owner_[i] = owner_[h];
        part_of_leak_[i] = true;
        clusters_[owner_[i]].includes.emplace_back(clusters_[i].class_name, clusters_[i].members);
        changed = true;
      }
      if (!changed) break;
    }
  }

  // 6. The findings: leaks and the largest rejected clusters, with their paths and names.
  void publish() {
    for (size_t i = 0; i < clusters_.size(); ++i) {
      LeakCluster& c = clusters_[i];
      if (part_of_leak_[i]) continue;
      if (building_[i].internal && !c.leak) continue;  // internals are no culprits
      std::unordered_map<std::string, uint64_t> merged_includes;
      for (const auto& [name, count] : c.includes) merged_includes[name] += count;
      c.includes.assign(merged_includes.begin(), merged_includes.end());
      std::sort(c.includes.begin(), c.includes.end(), [](const auto& a, const auto& b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
      });
      if (c.leak && c.retained_final == 0) continue;  // part of another leak
      if (c.leak && c.gained < options_.min_gained_bytes) {
        c.leak = false;
        c.why = NotLeaking::kGainedTooLittle;
      }
      if (c.leak) {
        c.holder_path = shortest_path(g_, d_, c.holder);
        c.location = culprit_location(g_, classes_, c.representative);
        out_.leaks.push_back(std::move(c));
      } else {
        out_.rejected.push_back(std::move(c));
      }
    }
    std::sort(out_.leaks.begin(), out_.leaks.end(), [](const LeakCluster& a, const LeakCluster& b) {
      return a.gained != b.gained ? a.gained > b.gained : a.members > b.members;
    });
    std::sort(out_.rejected.begin(), out_.rejected.end(),
              [](const LeakCluster& a, const LeakCluster& b) {
                return a.retained_final != b.retained_final ? a.retained_final > b.retained_final
                                                            : a.members > b.members;
              });
    if (out_.rejected.size() > options_.max_rejected) out_.rejected.resize(options_.max_rejected);
    for (LeakCluster& c : out_.rejected) c.holder_path = shortest_path(g_, d_, c.holder);
    std::vector<uint32_t> holders;
    for (const LeakCluster& c : out_.leaks) holders.push_back(c.holder);
    std::vector<std::vector<uint64_t>> named = naming_edges(g_, d_, holders);
    for (size_t i = 0; i < out_.leaks.size(); ++i) out_.leaks[i].named_edges = std::move(named[i]);
    find_holder_scopes(g_, classes_, out_.leaks);
  }

  const LeakFinderInput& in_;
  const LeakFinderOptions& options_;
  const HeapGraph& g_;
  const Distances& d_;
  const DominatorTree& tree_;
  const ClassIndex& classes_;
  const BigVector<uint64_t>& sizes_;
  const size_t snapshots_;
  const uint32_t n_;
  PathKeys keys_;
  const Parents& parents_;
  std::vector<uint8_t> born_;
  std::vector<Building> building_;
  std::vector<LeakCluster> clusters_;
  std::vector<ClusterIndex> leak_cluster_of_;                  // per node: its leaking cluster
  std::vector<std::pair<ClusterIndex, ClusterIndex>> joined_;  // leaks holding objects together
  std::vector<ClusterIndex> absorbed_into_;  // the leak each absorbed leak became part of
  std::vector<ClusterIndex> owner_;
  std::vector<bool> part_of_leak_;
  LeakFindings out_;
};

}  // namespace

LeakFindings find_leaks(const LeakFinderInput& in, const LeakFinderOptions& options) {
  return Finder(in, options).run();
}

}  // namespace leakscope
