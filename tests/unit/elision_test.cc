// Long paths and lists are cut the same way everywhere (report/elision.h): first and last steps
// kept, the middle replaced by its length and the edges it went through.
#include "report/elision.h"

#include <gtest/gtest.h>

#include <string>

#include "report/path_report.h"
#include "test_graph_builder.h"

namespace leakscope::report {
namespace {

// global -> n1 -> n2 -> ... -> n(links): the edge into node i is `edge_of(i)`.
template <typename EdgeOf>
HeapGraph chain(uint32_t links, EdgeOf edge_of, RetainerPath& path) {
  testing::GraphBuilder b;
  const uint32_t global = b.node(kObject, "global", 10);
  uint32_t prev = global;
  path.steps.push_back({global, kNoEdge});
  for (uint32_t i = 1; i <= links; ++i) {
    const uint32_t n = b.node(kObject, i == links ? "End" : "Link", 10);
    const auto [type, name] = edge_of(i);
    b.edge(prev, type, name, n);
    prev = n;
  }
  HeapGraph g = b.build();
  // Each node has one edge, so the edge into node i is edge i - 1.
  for (uint32_t i = 1; i <= links; ++i) path.steps.push_back({i, uint64_t{i} - 1});
  path.from_user_root = true;
  return g;
}

TEST(Elision, ShortListsAreKeptWhole) {
  EXPECT_EQ(elide(20, 10, 10, false).omitted(), 0u);
  EXPECT_EQ(elide(21, 10, 10, false).omitted(), 0u);  // leaving one out saves nothing
  EXPECT_EQ(elide(22, 10, 10, false).omitted(), 2u);
  EXPECT_EQ(elide(1000, 10, 10, true).omitted(), 0u);
  const Elision e = elide(1000, 10, 10, false);
  size_t shown = 0;
  size_t last = 0;
  for (size_t i = 0; i < e.total; i = e.next(i)) {
    ++shown;
    last = i;
  }
  EXPECT_EQ(shown, 20u);
  EXPECT_EQ(last, 999u);
}

TEST(Elision, PathTextNamesTheSharedEdgeAndTheCount) {
  RetainerPath path;
  const HeapGraph g = chain(
      1000,
      [](uint32_t) {
        return std::pair{kProperty, "next"};
      },
      path);
  const std::string text = path_text(g, path);
  EXPECT_NE(text.find("Link.next → … 981 more steps (.next) … → Link.next"), std::string::npos)
      << text;
  EXPECT_TRUE(text.ends_with("End @2001")) << text;
  EXPECT_EQ(path_text(g, path, true).find("more steps"), std::string::npos);
}

TEST(Elision, MixedEdgesAreSummarizedByTheMostCommon) {
  RetainerPath path;
  const HeapGraph g = chain(
      1000,
      [](uint32_t i) {
        if (i % 100 == 0) return std::pair{kProperty, i % 200 == 0 ? "a" : "b"};
        return i % 2 ? std::pair{kContext, "ctx"} : std::pair{kProperty, "next"};
      },
      path);
  const Elision e = elide_path(path, false);
  EXPECT_EQ(omitted_edges_text(g, path, e), "->ctx ×491, .next ×481, 2 other edge names");
}

// summary and diff share one --top rule: N rows, 0 for all, by default 30 in text and all in JSON.
TEST(TableRowLimit, DefaultsDifferByFormatAndZeroMeansAll) {
  EXPECT_EQ(table_row_limit(-1, false), 30U);
  EXPECT_EQ(table_row_limit(-1, true), SIZE_MAX);
  EXPECT_EQ(table_row_limit(0, false), SIZE_MAX);
  EXPECT_EQ(table_row_limit(0, true), SIZE_MAX);
  EXPECT_EQ(table_row_limit(7, false), 7U);
  EXPECT_EQ(table_row_limit(7, true), 7U);
}

}  // namespace
}  // namespace leakscope::report
