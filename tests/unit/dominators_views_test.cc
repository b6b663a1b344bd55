// Retainers index, retainer paths, top holders and display names on hand-built graphs.
#include <gtest/gtest.h>

#include "analysis/distances.h"
#include "analysis/dominators.h"
#include "analysis/essential_edges.h"
#include "analysis/node_names.h"
#include "analysis/object_inspection.h"
#include "analysis/retainer_paths.h"
#include "analysis/top_holders.h"
#include "heap/retainers.h"
#include "test_graph_builder.h"

namespace leakscope {
namespace {

using testing::GraphBuilder;

// root -shortcut-> global -sessions-> Map -table-> (array) -[1]-> Session
//                                                 (array) -[2]-> Session2
// Session2 is also reachable through global.list (an Array) and weakly from global.
struct Heap {
  GraphBuilder b;
  uint32_t root = b.node(kSynthetic, "", 0, 1);
  uint32_t gc_roots = b.node(kSynthetic, "(GC roots)", 0, 3);
  uint32_t global = b.node(kObject, "global", 10, 5);
  uint32_t map = b.node(kObject, "Map", 32, 7);
  uint32_t table = b.node(kArray, "", 100, 9);
  uint32_t session = b.node(kObject, "Session", 40, 11);
  uint32_t session2 = b.node(kObject, "Session", 40, 13);
  uint32_t list = b.node(kObject, "Array", 16, 15);
  uint32_t plain = b.node(kObject, "Object", 24, 17);
  uint32_t text = b.node(kString, "hello world", 32, 19);
  HeapGraph graph;
  EphemeronEdgeNames names;
  DominatorTree tree;
  Distances distances;

  Heap() {
    b.edge(root, kShortcut, "global", global);
    b.edge(root, kElement, "", gc_roots);
    b.edge(global, kProperty, "sessions", map);
    b.edge(map, kInternal, "table", table);
    b.element(table, 1, session);
    b.element(table, 2, session2);
    b.edge(global, kProperty, "list", list);
    b.element(list, 0, session2);
    b.edge(global, kWeak, "cache", session2);
    b.edge(global, kProperty, "config", plain);
    b.edge(plain, kProperty, "name", text);
    b.edge(plain, kProperty, "__proto__", list);
    b.edge(plain, kProperty, "a,b", text);
    graph = b.build();
    names = EphemeronEdgeNames(graph.strings);
    EssentialEdges essential(graph, names);
    DominatorOptions options;
    options.build_children = true;
    tree = compute_dominators(graph, essential.edge_bits(), graph.node_self_size, options);
    DistanceOptions d;
    d.record_parent_edges = true;
    distances = compute_distances(graph, names, d);
  }
};

TEST(Retainers, ReverseCsrListsEveryIncomingEdgeInEdgeOrder) {
  Heap h;
  const Retainers r(h.graph);
  ASSERT_EQ(r.count(h.session2), 3U);
  EXPECT_EQ(r.retaining_node(r.begin(h.session2)), h.global);  // the weak one, lowest edge index
  EXPECT_EQ(r.retaining_node(r.begin(h.session2) + 1), h.table);
  EXPECT_EQ(r.retaining_node(r.begin(h.session2) + 2), h.list);
  for (uint64_t i = r.begin(h.session2); i < r.end(h.session2); ++i) {
    EXPECT_EQ(h.graph.edge_to[r.retaining_edge(i)], h.session2);
  }
  EXPECT_EQ(r.count(h.root), 0U);
}

TEST(RetainerPaths, ShortestPathFollowsTheDistanceBfs) {
  Heap h;
  const RetainerPath p = shortest_path(h.graph, h.distances, h.session);
  ASSERT_EQ(p.steps.size(), 4U);
  EXPECT_TRUE(p.from_user_root);
  EXPECT_EQ(p.steps[0].node, h.global);
  EXPECT_EQ(p.steps[0].edge, kNoEdge);
  EXPECT_EQ(p.steps[1].node, h.map);
  EXPECT_EQ(p.steps[3].node, h.session);
  EXPECT_EQ(h.graph.edge_name_text(p.steps[3].edge), "1");
  EXPECT_EQ(static_cast<int32_t>(p.steps.size()), h.distances.distance[h.session]);
}

TEST(RetainerPaths, SeveralPathsUseDifferentRetainersAndNeverWeakEdges) {
  Heap h;
  const Retainers r(h.graph);
  const auto paths = retainer_paths(h.graph, h.distances, r, h.session2, 5);
  ASSERT_EQ(paths.size(), 2U);
  EXPECT_EQ(paths[0].steps.size(), 3U);  // global.list[0]: the shortest
  EXPECT_EQ(paths[0].steps[1].node, h.list);
  EXPECT_EQ(paths[1].steps.size(), 4U);  // global.sessions -> Map -> table[2]
  for (const auto& p : paths) {
    for (const auto& s : p.steps) {
      if (s.edge != kNoEdge) {
        EXPECT_NE(h.graph.edge_kind(s.edge), kWeak);
      }
    }
  }
}

TEST(RetainerPaths, GcRootOnlyObjectsArePathsFromTheRoot) {
  Heap h;
  const RetainerPath p = shortest_path(h.graph, h.distances, h.gc_roots);
  ASSERT_EQ(p.steps.size(), 2U);
  EXPECT_FALSE(p.from_user_root);
  EXPECT_EQ(p.steps[0].node, h.root);
}

TEST(TopHolders, LargestChildrenFirstDepthLimited) {
  Heap h;
  TopHoldersOptions o;
  o.start = h.global;
  o.top = 2;
  o.depth = 0;
  const TopHolders t = top_holders(h.graph, h.tree, h.graph.node_self_size, o);
  ASSERT_EQ(t.entries.size(), 3U);
  EXPECT_EQ(t.entries[0].node, h.global);
  EXPECT_EQ(t.entries[1].node, h.map);  // 32 + 100 + 40
  EXPECT_EQ(t.entries[1].retained_size, 172U);
  EXPECT_EQ(t.entries[1].depth, 1U);
  EXPECT_EQ(t.entries[2].node, h.plain);  // 24 + the string 32
  EXPECT_EQ(t.entries[2].retained_size, 56U);
  // Session2 is shared by the table and the list, so global dominates it directly.
  EXPECT_EQ(h.tree.idom[h.session2], h.global);
  EXPECT_EQ(t.total_size, h.tree.retained[h.root]);
}

TEST(NodeNames, PlainObjectsAreNamedByTheirPropertiesLikeDevTools) {
  Heap h;
  EXPECT_EQ(display_name(h.graph, h.plain), "{name, \"a,b\"}");
  EXPECT_EQ(display_name(h.graph, h.map), "Map");
  EXPECT_EQ(basic_class_name(h.graph, h.table), "(array)");
  EXPECT_EQ(node_label(h.graph, h.text, 5), "\"hello…\"");
  EXPECT_EQ(node_label(h.graph, h.root), "(root)");
  EXPECT_EQ(edge_display(h.graph, h.graph.edges_begin(h.plain) + 2), ".a,b");
  EXPECT_EQ(edge_display(h.graph, h.graph.edges_begin(h.table)), "[1]");
  EXPECT_EQ(edge_display(h.graph, h.graph.edges_begin(h.map)), "{table}");
}

TEST(NodeNames, ConsStringsReadAsTheirText) {
  GraphBuilder b;
  b.node(kSynthetic, "", 0, 1);
  const uint32_t cons = b.node(kConsString, "", 20);
  const uint32_t inner = b.node(kConsString, "", 20);
  const uint32_t a = b.node(kString, "foo", 16);
  const uint32_t c = b.node(kString, "bar", 16);
  const uint32_t d = b.node(kString, "!", 16);
  b.edge(cons, kInternal, "first", inner);
  b.edge(cons, kInternal, "second", d);
  b.edge(inner, kInternal, "second", c);
  b.edge(inner, kInternal, "first", a);
  const HeapGraph g = b.build();
  EXPECT_EQ(display_name(g, cons), "foobar!");
}

TEST(NodeNames, PropertyNamesThatWouldNotReadBackAreQuotedAsJsWouldWriteThem) {
  GraphBuilder b;
  const uint32_t holder = b.node(kObject, "Object", 24);
  const uint32_t value = b.node(kObject, "Object", 24);
  b.edge(holder, kProperty, "a b", value);
  b.edge(holder, kProperty, "x\"]+[\"y", value);
  b.edge(holder, kProperty, "esc\x1b[2J", value);
  b.edge(holder, kProperty, "plain", value);
  const HeapGraph g = b.build();
  const uint64_t first = g.edges_begin(holder);
  EXPECT_EQ(edge_display(g, first), "[\"a b\"]");
  EXPECT_EQ(edge_display(g, first + 1), "[\"x\\\"]+[\\\"y\"]");
  EXPECT_EQ(edge_display(g, first + 2), "[\"esc\\u001b[2J\"]");
  EXPECT_EQ(edge_display(g, first + 3), ".plain");
}

TEST(ObjectInspection, EdgesRetainersAndHiddenOnes) {
  Heap h;
  const Retainers r(h.graph);
  const ObjectInspection o =
      inspect_object(h.graph, h.graph.node_self_size, h.tree, h.distances, r, h.session2);
  EXPECT_EQ(o.retained_size, 40U);
  EXPECT_EQ(o.dominator, h.global);
  ASSERT_EQ(o.retainers.size(), 2U);
  EXPECT_EQ(o.retainers[0].node, h.list);  // distance 2 before the table's 3
  EXPECT_EQ(o.retainers[1].node, h.table);
  EXPECT_EQ(o.hidden_retainers, 1U);  // the weak edge
}

}  // namespace
}  // namespace leakscope
