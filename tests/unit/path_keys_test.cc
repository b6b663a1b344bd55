// Normalised retainer paths: the entries of one Map share a key, the links of one chain share a
// key (the repeated segment folds), different holders give different keys, and the printable
// normalised path marks the fold.
#include "analysis/path_keys.h"

#include <gtest/gtest.h>

#include "analysis/class_index.h"
#include "analysis/retention.h"
#include "analysis/shallow_sizes.h"
#include "test_graph_builder.h"

namespace leakscope {
namespace {

using testing::GraphBuilder;

struct Paths {
  HeapGraph graph;
  std::vector<uint32_t> sessions;  // values of global.sessions (a Map)
  std::vector<uint32_t> others;    // values of global.other (a second Map)
  std::vector<uint32_t> links;     // global.head.next.next...
};

Paths build() {
  GraphBuilder b;
  Paths out;
  const uint32_t root = b.node(kSynthetic, "", 0, 1);
  const uint32_t global = b.node(kObject, "global", 40, 3);
  b.edge(root, kShortcut, "global", global);
  for (const char* name : {"sessions", "other"}) {
    const uint32_t map = b.node(kObject, "Map", 32);
    b.edge(global, kProperty, name, map);
    const uint32_t table = b.node(kArray, "", 16);
    b.edge(map, kInternal, "table", table);
    for (uint32_t i = 0; i < 3; ++i) {
      const uint32_t s = b.node(kObject, "Session", 48);
      b.edge(table, kInternal, std::to_string(20 + 3 * i), s);
      (std::string_view(name) == "sessions" ? out.sessions : out.others).push_back(s);
    }
  }
  const uint32_t head = b.node(kObject, "List", 24);
  b.edge(global, kProperty, "head", head);
  uint32_t prev = head;
  for (uint32_t i = 0; i < 5; ++i) {
    const uint32_t link = b.node(kObject, "ListNode", 32);
    b.edge(prev, kProperty, "next", link);
    out.links.push_back(link);
    prev = link;
  }
  out.graph = b.build();
  return out;
}

struct Analysed {
  Paths paths;
  ClassIndex classes;
  RetentionAnalysis retention;
};

Analysed analyse() {
  Analysed a;
  a.paths = build();
  const HeapGraph& g = a.paths.graph;
  a.classes = classify_nodes(g, nullptr);
  RetentionOptions ro;
  ro.distance_parent_edges = true;
  ro.threads = 1;
  a.retention = analyze_retention(g, attribute_shallow_sizes(g), ro);
  return a;
}

TEST(PathKeys, EntriesOfOneMapShareAKeyAndOtherMapsDoNot) {
  Analysed a = analyse();
  PathKeys keys(a.paths.graph, a.retention.distances, a.classes);
  const uint64_t k = keys.key(a.paths.sessions[0]);
  EXPECT_NE(k, 0u);
  for (uint32_t s : a.paths.sessions) EXPECT_EQ(keys.key(s), k);
  EXPECT_NE(keys.key(a.paths.others[0]), k);
  EXPECT_FALSE(keys.chained(a.paths.sessions[1]));
}

TEST(PathKeys, LinksOfAChainFoldOntoOneKey) {
  Analysed a = analyse();
  PathKeys keys(a.paths.graph, a.retention.distances, a.classes);
  const std::vector<uint32_t>& links = a.paths.links;
  for (uint32_t l : links) EXPECT_EQ(keys.key(l), keys.key(links[0]));
  EXPECT_FALSE(keys.chained(links[0]));
  EXPECT_TRUE(keys.chained(links[4]));
  EXPECT_EQ(keys.parent(links[1]), links[0]);
}

TEST(PathKeys, NormalizedPathDropsTheRepetitionsAndErasesSlots) {
  Analysed a = analyse();
  const HeapGraph& g = a.paths.graph;
  PathKeys keys(g, a.retention.distances, a.classes);
  // A deep link and the first link print the same normalised path.
  const std::vector<PathKeyStep> deep = keys.normalized_path(a.paths.links[4]);
  const std::vector<PathKeyStep> first = keys.normalized_path(a.paths.links[0]);
  ASSERT_EQ(deep.size(), first.size());
  EXPECT_EQ(deep.back().node, a.paths.links[0]);
  EXPECT_TRUE(deep.back().repeated);
  EXPECT_FALSE(first.back().repeated);
  EXPECT_EQ(deep.front().edge, kNoEdge);  // the path starts at a BFS start
  // A Map value's slot number is erased; the Map's own name is not.
  const std::vector<PathKeyStep> entry = keys.normalized_path(a.paths.sessions[2]);
  ASSERT_GE(entry.size(), 3u);
  EXPECT_TRUE(entry.back().name_erased);
  EXPECT_FALSE(entry[entry.size() - 3].name_erased);
  EXPECT_EQ(g.strings.get(g.edge_name[entry[entry.size() - 3].edge]), "sessions");
}

}  // namespace
}  // namespace leakscope
