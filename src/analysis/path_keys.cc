#include "analysis/path_keys.h"

#include "analysis/node_roles.h"

namespace leakscope {

namespace {

constexpr uint32_t kDictionaryEdges = 32;  // owners with more edges are treated as dictionaries
constexpr uint32_t kChainLookback = 4;     // longest repeated path segment that is folded

uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 29);
}

}  // namespace

bool is_erased_edge_name(const HeapGraph& g, uint32_t owner, uint64_t e) {
  const EdgeType k = g.edge_kind(e);
  if (k == kElement || k == kHiddenEdge) return true;
  if (k == kInternal && is_numeric_name(g.strings.get(g.edge_name[e]))) return true;
  if (k == kProperty && g.edges_end(owner) - g.edges_begin(owner) > kDictionaryEdges) return true;
  return false;
}

std::vector<uint32_t> shortest_path_parents(const HeapGraph& g, const Distances& d) {
  std::vector<uint32_t> parents(g.node_count(), kNoNode);
  for (uint32_t u = 0; u < g.node_count(); ++u) {
    for (uint64_t e = g.edges_begin(u); e < g.edges_end(u); ++e) {
      const uint32_t to = g.edge_to[e];
      if (d.parent_edge[to] == e) parents[to] = u;
    }
  }
  return parents;
}

PathKeys::PathKeys(const HeapGraph& g, const Distances& d, const ClassIndex& c)
    : g_(g),
      d_(d),
      c_(c),
      parents_(shortest_path_parents(g, d)),
      key_(g.node_count(), 0),
      token_(g.node_count(), 0),
      chained_(g.node_count(), false) {}

uint64_t PathKeys::key(uint32_t v) {
  if (key_[v] != 0) return key_[v];
  // Walk up to the first node with a key, then fill keys downwards: paths can be a million
  // steps long, so no recursion.
  stack_.clear();
  uint32_t u = v;
  while (u != kNoNode && key_[u] == 0) {
    stack_.push_back(u);
    u = parents_[u];
  }
  while (!stack_.empty()) {
    const uint32_t x = stack_.back();
    stack_.pop_back();
    compute(x);
  }
  return key_[v];
}

// key(x) = key(parent) + token(edge into x, class of x), except that a token equal to one of the
// last few tokens above it folds back onto that ancestor's key, so the repeated links of a list
// or chain all get the same key.
void PathKeys::compute(uint32_t x) {
  const uint64_t e = d_.parent_edge[x];
  const uint64_t cls = c_.node_class[x];
  if (e == kNoEdge) {  // a BFS start: global, the root, or unreached
    token_[x] = mix(0x51ed27ULL, (cls << 1) | 1);
    key_[x] = token_[x] | 1;
    return;
  }
  const uint32_t p = parents_[x];
  uint64_t t = mix(g_.edge_kind(e), cls);
  if (!is_erased_edge_name(g_, p, e)) t = mix(t, static_cast<uint64_t>(g_.edge_name[e]) + 1);
  token_[x] = t;
  uint32_t a = p;
  for (uint32_t step = 0; step < kChainLookback && a != kNoNode; ++step) {
    if (token_[a] == t) {
      key_[x] = key_[a];
      chained_[x] = true;
      return;
    }
    a = parents_[a];
  }
  key_[x] = mix(key_[p], t) | 1;
}

uint32_t PathKeys::folded_onto(uint32_t x) const {
  uint32_t a = parents_[x];
  for (uint32_t step = 0; step < kChainLookback && a != kNoNode; ++step) {
    if (token_[a] == token_[x]) return a;
    a = parents_[a];
  }
  return kNoNode;
}

std::vector<PathKeyStep> PathKeys::normalized_path(uint32_t v) {
  key(v);
  std::vector<PathKeyStep> steps;
  bool mark_repeated = false;
  uint32_t x = v;
  while (x != kNoNode) {
    if (chained_[x]) {
      const uint32_t a = folded_onto(x);
      if (a == kNoNode) break;  // cannot happen: a chained node folded onto an ancestor
      x = a;
      mark_repeated = true;
      continue;
    }
    PathKeyStep s;
    s.node = x;
    s.edge = d_.parent_edge[x];
    s.name_erased = s.edge != kNoEdge && is_erased_edge_name(g_, parents_[x], s.edge);
    s.repeated = mark_repeated;
    mark_repeated = false;
    steps.push_back(s);
    x = parents_[x];
  }
  return {steps.rbegin(), steps.rend()};
}

}  // namespace leakscope
