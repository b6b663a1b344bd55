#include "analysis/dominators.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "analysis/class_retained.h"
#include "analysis/distances.h"
#include "analysis/essential_edges.h"
#include "test_graph_builder.h"

namespace leakscope {
namespace {

using testing::GraphBuilder;

struct Analysis {
  HeapGraph graph;
  EphemeronEdgeNames ephemerons;
  DominatorTree tree;
  Distances distances;
};

Analysis analyse(HeapGraph graph) {
  Analysis a;
  a.graph = std::move(graph);
  a.ephemerons = EphemeronEdgeNames(a.graph.strings);
  EssentialEdges essential(a.graph, a.ephemerons);
  DominatorOptions options;
  options.build_children = true;
  a.tree = compute_dominators(a.graph, essential.edge_bits(2), a.graph.node_self_size, options);
  a.distances = compute_distances(a.graph, a.ephemerons);
  return a;
}

// Root with a `global` reached by a shortcut edge, as in every Node snapshot.
struct NodeHeap {
  GraphBuilder b;
  uint32_t root = b.node(kSynthetic, "", 0, 1);
  uint32_t gc_roots = b.node(kSynthetic, "(GC roots)", 0, 3);
  uint32_t global = b.node(kObject, "global", 10, 5);
  NodeHeap() {
    b.edge(root, kShortcut, "global", global);
    b.edge(root, kElement, "", gc_roots);
  }
};

TEST(Dominators, Diamond) {
  NodeHeap h;
  const uint32_t a = h.b.node(kObject, "A", 1);
  const uint32_t l = h.b.node(kObject, "L", 2);
  const uint32_t r = h.b.node(kObject, "R", 4);
  const uint32_t d = h.b.node(kObject, "D", 8);
  h.b.edge(h.global, kProperty, "a", a);
  h.b.edge(a, kProperty, "l", l);
  h.b.edge(a, kProperty, "r", r);
  h.b.edge(l, kProperty, "d", d);
  h.b.edge(r, kProperty, "d", d);
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.tree.idom[d], a);
  EXPECT_EQ(x.tree.idom[l], a);
  EXPECT_EQ(x.tree.idom[r], a);
  EXPECT_EQ(x.tree.idom[a], h.global);
  EXPECT_EQ(x.tree.idom[h.global], h.root);
  EXPECT_EQ(x.tree.idom[h.root], h.root);
  EXPECT_EQ(x.tree.retained[a], 15U);
  EXPECT_EQ(x.tree.retained[l], 2U);
  EXPECT_EQ(x.tree.retained[h.global], 25U);
  EXPECT_EQ(x.tree.retained[h.root], 25U);
  EXPECT_EQ(x.distances.distance[h.global], 1);
  EXPECT_EQ(x.distances.distance[a], 2);
  EXPECT_EQ(x.distances.distance[d], 4);
  EXPECT_EQ(x.distances.distance[h.root], kSystemDistance);
  EXPECT_EQ(x.distances.distance[h.gc_roots], kSystemDistance + 1);
}

TEST(Dominators, MillionLongChainNeedsNoRecursion) {
  NodeHeap h;
  constexpr uint32_t kLength = 1'000'000;
  uint32_t previous = h.global;
  const uint32_t first = h.b.node(kObject, "Link", 3);
  h.b.edge(previous, kProperty, "next", first);
  previous = first;
  for (uint32_t i = 1; i < kLength; ++i) {
    const uint32_t link = h.b.node(kObject, "Link", 3);
    h.b.edge(previous, kProperty, "next", link);
    previous = link;
  }
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.tree.idom[previous], previous - 1);
  EXPECT_EQ(x.tree.retained[first], 3ULL * kLength);
  EXPECT_EQ(x.tree.retained[h.root], 3ULL * kLength + 10);
  EXPECT_EQ(x.distances.distance[previous], static_cast<int32_t>(kLength) + 1);
  // The per-class pass walks the same depth.
  std::vector<uint32_t> node_class(x.graph.node_count(), 0);
  node_class[first] = 1;  // only the head is a separate class
  for (uint32_t v = first + 1; v < x.graph.node_count(); ++v) node_class[v] = 2;
  const auto sizes = class_retained_sizes(x.tree, node_class, 3, x.graph.node_self_size, h.root);
  EXPECT_EQ(sizes[1], 3ULL * kLength);
  EXPECT_EQ(sizes[2], 3ULL * (kLength - 1));  // only the outermost Link of class 2 counts
}

TEST(Dominators, WeakOnlyRetainedNodeHangsUnderRoot) {
  NodeHeap h;
  const uint32_t a = h.b.node(kObject, "A", 1);
  const uint32_t b = h.b.node(kObject, "B", 2);
  const uint32_t c = h.b.node(kObject, "C", 4);
  h.b.edge(h.global, kProperty, "a", a);
  h.b.edge(a, kWeak, "w", b);
  h.b.edge(b, kProperty, "c", c);
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.tree.idom[b], h.root);
  EXPECT_EQ(x.tree.idom[c], b);
  EXPECT_EQ(x.tree.retained[a], 1U);
  EXPECT_EQ(x.tree.retained[b], 6U);
  EXPECT_EQ(x.tree.retained[h.root], 17U);
  EXPECT_EQ(x.tree.unreachable, 2U);
  EXPECT_EQ(x.distances.distance[b], kNoDistance);
}

TEST(Dominators, UnreachableCycleHangsUnderRootAndDominatesNothing) {
  NodeHeap h;
  const uint32_t a = h.b.node(kObject, "A", 1);
  const uint32_t t = h.b.node(kObject, "T", 2);
  const uint32_t c1 = h.b.node(kObject, "C1", 4);
  const uint32_t c2 = h.b.node(kObject, "C2", 8);
  const uint32_t c3 = h.b.node(kObject, "C3", 16);  // retained only by the cycle
  h.b.edge(h.global, kProperty, "a", a);
  h.b.edge(a, kProperty, "t", t);
  h.b.edge(c1, kProperty, "next", c2);
  h.b.edge(c2, kProperty, "next", c1);
  h.b.edge(c2, kProperty, "x", c3);
  h.b.edge(c1, kProperty, "t", t);  // an edge out of the cycle changes nobody's dominator
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.tree.idom[t], a);
  EXPECT_EQ(x.tree.idom[c1], h.root);
  EXPECT_EQ(x.tree.idom[c2], h.root);
  EXPECT_EQ(x.tree.idom[c3], h.root);
  EXPECT_EQ(x.tree.retained[c2], 8U);
  EXPECT_EQ(x.tree.retained[a], 3U);
  EXPECT_EQ(x.tree.retained[h.root], 1U + 2 + 4 + 8 + 16 + 10);
  EXPECT_EQ(x.tree.unreachable, 3U);
}

TEST(Dominators, PageOwnedRuleIgnoresEdgesFromGcRootsIntoUserWorld) {
  NodeHeap h;
  const uint32_t handles = h.b.node(kSynthetic, "(Global handles)", 0);
  const uint32_t obj = h.b.node(kObject, "Obj", 5);
  const uint32_t internal = h.b.node(kHidden, "system / Internal", 7);
  h.b.edge(h.gc_roots, kElement, "", handles);
  h.b.edge(handles, kElement, "", obj);  // not page-owned -> page-owned: ignored
  h.b.edge(h.global, kProperty, "obj", obj);
  h.b.edge(handles, kElement, "", internal);
  h.b.edge(obj, kInternal, "x", internal);  // makes `internal` page-owned too
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.tree.idom[obj], h.global);
  EXPECT_EQ(x.tree.idom[internal], obj);
  EXPECT_EQ(x.tree.retained[obj], 12U);
  EXPECT_EQ(x.tree.idom[handles], h.gc_roots);
}

TEST(Dominators, ShortcutsCountOnlyFromTheRoot) {
  NodeHeap h;
  const uint32_t a = h.b.node(kObject, "A", 1);
  const uint32_t b = h.b.node(kObject, "B", 2);
  const uint32_t c = h.b.node(kObject, "C", 4);
  h.b.edge(h.global, kProperty, "a", a);
  h.b.edge(h.global, kProperty, "b", b);
  h.b.edge(a, kProperty, "c", c);
  h.b.edge(b, kShortcut, "c", c);
  h.b.edge(c, kProperty, "self", c);
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.tree.idom[c], a);
  EXPECT_EQ(x.tree.retained[a], 5U);
}

TEST(Dominators, WeakMapValueIsDominatedByItsKeyNotTheTable) {
  NodeHeap h;
  const uint32_t map = h.b.node(kObject, "WeakMap", 8, 101);
  const uint32_t table = h.b.node(kArray, "system / EphemeronHashTable", 16, 103);
  const uint32_t key = h.b.node(kObject, "Key", 4, 105);
  const uint32_t holder = h.b.node(kObject, "Holder", 4, 107);
  const uint32_t value = h.b.node(kObject, "Value", 32, 109);
  h.b.edge(h.global, kProperty, "map", map);
  h.b.edge(map, kInternal, "table", table);
  h.b.edge(h.global, kProperty, "holder", holder);
  h.b.edge(holder, kProperty, "key", key);
  const std::string name =
      " / part of key (Key @105) -> value (Value @109) pair in WeakMap (table @103)";
  h.b.edge(table, kInternal, "3" + name, value);
  h.b.edge(key, kInternal, "1" + name, value);
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.tree.idom[value], key);
  EXPECT_EQ(x.tree.retained[key], 36U);
  EXPECT_EQ(x.tree.retained[table], 16U);
  // Distance = max(table, key) + 1: table is at 3, key at 3, the value at 4 (not 4 via the
  // table edge met first).
  EXPECT_EQ(x.distances.distance[table], 3);
  EXPECT_EQ(x.distances.distance[key], 3);
  EXPECT_EQ(x.distances.distance[value], 4);
}

TEST(Dominators, WeakMapValueDistanceIsTheLaterOfKeyAndTable) {
  NodeHeap h;
  const uint32_t table = h.b.node(kArray, "system / EphemeronHashTable", 16, 103);
  const uint32_t deep = h.b.node(kObject, "Deep", 4, 111);
  const uint32_t key = h.b.node(kObject, "Key", 4, 105);
  const uint32_t value = h.b.node(kObject, "Value", 32, 109);
  h.b.edge(h.global, kProperty, "table", table);
  h.b.edge(h.global, kProperty, "deep", deep);
  h.b.edge(deep, kProperty, "key", key);
  const std::string name =
      " / part of key (Key @105) -> value (Value @109) pair in WeakMap (table @103)";
  h.b.edge(table, kInternal, "3" + name, value);
  h.b.edge(key, kInternal, "3" + name, value);
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.distances.distance[table], 2);
  EXPECT_EQ(x.distances.distance[key], 3);
  EXPECT_EQ(x.distances.distance[value], 4);
}

TEST(Dominators, DescriptorAndNativeContextEdgesSkippedForDistances) {
  NodeHeap h;
  const uint32_t ctx = h.b.node(kHidden, "system / NativeContext", 8);
  const uint32_t sloppy = h.b.node(kObject, "system / Map", 8);
  const uint32_t descriptors = h.b.node(kArray, "(map descriptors)", 8);
  const uint32_t d1 = h.b.node(kString, "skipped", 8);
  const uint32_t d2 = h.b.node(kString, "kept", 8);
  h.b.edge(h.global, kInternal, "native_context", ctx);
  h.b.edge(ctx, kInternal, "sloppy_function_map", sloppy);
  h.b.edge(h.global, kInternal, "descriptors", descriptors);
  h.b.element(descriptors, 4, d1);
  h.b.element(descriptors, 5, d2);
  const Analysis x = analyse(h.b.build());
  EXPECT_EQ(x.distances.distance[sloppy], kNoDistance);
  EXPECT_EQ(x.distances.distance[d1], kNoDistance);
  EXPECT_EQ(x.distances.distance[d2], 3);
}

TEST(Dominators, NoUserRootsMeansRootDistanceZeroAndNoPageRule) {
  GraphBuilder b;
  const uint32_t root = b.node(kSynthetic, "", 0, 1);
  const uint32_t gc = b.node(kSynthetic, "(GC roots)", 0, 3);
  const uint32_t a = b.node(kObject, "A", 4);
  b.edge(root, kElement, "", gc);
  b.edge(gc, kElement, "", a);
  const Analysis x = analyse(b.build());
  EXPECT_EQ(x.distances.distance[root], 0);
  EXPECT_EQ(x.distances.distance[a], 2);
  EXPECT_FALSE(x.distances.has_user_roots);
  EXPECT_EQ(x.tree.idom[a], gc);
}

TEST(ClassRetained, NestedInstancesOfTheSameClassCountOnce) {
  NodeHeap h;
  const uint32_t outer = h.b.node(kObject, "Box", 10);
  const uint32_t inner = h.b.node(kObject, "Box", 20);
  const uint32_t zero_size = h.b.node(kObject, "Box", 0);
  const uint32_t under_zero = h.b.node(kObject, "Box", 5);
  const uint32_t other = h.b.node(kObject, "Box", 7);
  h.b.edge(h.global, kProperty, "outer", outer);
  h.b.edge(outer, kProperty, "inner", inner);
  h.b.edge(h.global, kProperty, "z", zero_size);
  h.b.edge(zero_size, kProperty, "u", under_zero);
  h.b.edge(h.global, kProperty, "o", other);
  const Analysis x = analyse(h.b.build());
  std::vector<uint32_t> node_class(x.graph.node_count(), 0);
  for (uint32_t v : {outer, inner, zero_size, under_zero, other}) node_class[v] = 1;
  const auto sizes = class_retained_sizes(x.tree, node_class, 2, x.graph.node_self_size, h.root);
  EXPECT_EQ(sizes[1], 30U + 5 + 7);
  const auto dist =
      class_min_distances(x.distances.distance, node_class, 2, x.graph.node_self_size);
  EXPECT_EQ(dist[1], 2);
}

// Brute force: v's dominators are the nodes whose removal disconnects v from the root in the
// graph of essential edges plus root -> orphan edges.
std::vector<uint32_t> brute_force_idom(const HeapGraph& graph, const EssentialEdges& essential) {
  const uint32_t n = graph.node_count();
  std::vector<std::vector<uint32_t>> succ(n);
  std::vector<bool> has_pred(n, false);
  for (uint32_t v = 0; v < n; ++v) {
    for (uint64_t e = graph.edges_begin(v); e < graph.edges_end(v); ++e) {
      if (essential.is_essential(v, e)) {
        succ[v].push_back(graph.edge_to[e]);
        has_pred[graph.edge_to[e]] = true;
      }
    }
  }
  auto reach = [&](uint32_t removed, bool with_orphans, const std::vector<bool>& orphan) {
    std::vector<bool> seen(n, false);
    std::vector<uint32_t> stack;
    if (removed != graph.root) {
      seen[graph.root] = true;
      stack.push_back(graph.root);
      if (with_orphans) {
        for (uint32_t v = 0; v < n; ++v) {
          if (orphan[v] && v != removed && !seen[v]) {
            seen[v] = true;
            stack.push_back(v);
          }
        }
      }
    }
    while (!stack.empty()) {
      const uint32_t v = stack.back();
      stack.pop_back();
      for (uint32_t w : succ[v]) {
        if (w != removed && !seen[w]) {
          seen[w] = true;
          stack.push_back(w);
        }
      }
    }
    return seen;
  };
  const std::vector<bool> none(n, false);
  const std::vector<bool> from_root = reach(UINT32_MAX, false, none);
  std::vector<bool> orphan(n, false);
  for (uint32_t v = 0; v < n; ++v) orphan[v] = !from_root[v] && !has_pred[v] && v != graph.root;
  const std::vector<bool> all = reach(UINT32_MAX, true, orphan);
  std::vector<std::vector<bool>> dominated_by(n);  // dominated_by[d][v]: d dominates v
  for (uint32_t d = 0; d < n; ++d) {
    const std::vector<bool> r = reach(d, true, orphan);
    dominated_by[d].assign(n, false);
    for (uint32_t v = 0; v < n; ++v) dominated_by[d][v] = all[v] && !r[v];
  }
  std::vector<uint32_t> idom(n, graph.root);
  for (uint32_t v = 0; v < n; ++v) {
    if (v == graph.root || !all[v]) continue;
    // The strict dominator with the most dominators is the immediate one.
    int best_depth = -1;
    for (uint32_t d = 0; d < n; ++d) {
      if (d == v || !dominated_by[d][v]) continue;
      int depth = 0;
      for (uint32_t e = 0; e < n; ++e) depth += dominated_by[e][d] ? 1 : 0;
      if (depth > best_depth) {
        best_depth = depth;
        idom[v] = d;
      }
    }
  }
  return idom;
}

TEST(Dominators, RandomGraphsMatchBruteForce) {
  std::mt19937 engine(12345);
  auto rng = [&engine]() { return static_cast<uint32_t>(engine()); };
  for (int round = 0; round < 300; ++round) {
    NodeHeap h;
    const uint32_t count = 3 + rng() % 25;
    std::vector<uint32_t> nodes{h.root, h.gc_roots, h.global};
    for (uint32_t i = 0; i < count; ++i) {
      nodes.push_back(h.b.node(rng() % 4 == 0 ? kHidden : kObject, "N", 1 + rng() % 100));
    }
    const uint32_t edges = count * (1 + rng() % 3);
    for (uint32_t i = 0; i < edges; ++i) {
      const uint32_t from = nodes[1 + rng() % (nodes.size() - 1)];
      const uint32_t to = nodes[2 + rng() % (nodes.size() - 2)];
      const uint32_t kind = rng() % 10;
      const EdgeType type = kind == 0 ? kWeak : kind == 1 ? kShortcut : kProperty;
      h.b.edge(from, type, "e", to);
    }
    const Analysis x = analyse(h.b.build());
    EphemeronEdgeNames names(x.graph.strings);
    EssentialEdges essential(x.graph, names);
    const std::vector<uint32_t> expected = brute_force_idom(x.graph, essential);
    for (uint32_t v = 0; v < x.graph.node_count(); ++v) {
      ASSERT_EQ(x.tree.idom[v], expected[v]) << "round " << round << " node " << v;
    }
    // Retained sizes are subtree sums of the tree.
    std::vector<uint64_t> sums(x.graph.node_self_size.begin(), x.graph.node_self_size.end());
    for (uint32_t v = 0; v < x.graph.node_count(); ++v) {
      if (v == h.root) continue;
      for (uint32_t a = x.tree.idom[v];; a = x.tree.idom[a]) {
        sums[a] += x.graph.node_self_size[v];
        if (a == h.root) break;
      }
    }
    ASSERT_EQ(sums, std::vector<uint64_t>(x.tree.retained.begin(), x.tree.retained.end()))
        << "round " << round;
  }
}

}  // namespace
}  // namespace leakscope
