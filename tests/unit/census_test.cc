// What counts as an instance of a class (analysis/census.h): one rule, on the re-attributed
// sizes, for the census and for the per-snapshot class counts the leak finder compares.
#include "analysis/census.h"

#include <gtest/gtest.h>

#include "analysis/class_index.h"
#include "analysis/shallow_sizes.h"
#include "test_graph_builder.h"

namespace leakscope {
namespace {

// Two Foo objects, each the single owner of its elements store: re-attribution charges each
// store to its Foo and leaves the store at 0.
HeapGraph two_objects_with_stores() {
  testing::GraphBuilder b;
  const uint32_t root = b.node(kSynthetic, "", 0);
  for (uint32_t i = 0; i < 2; ++i) {
    const uint32_t foo = b.node(kObject, "Foo", 24);
    b.element(root, i + 1, foo, kShortcut);
    b.edge(foo, kInternal, "elements", b.node(kArray, "(object elements)", 32));
  }
  return b.build();
}

TEST(Census, StorageChargedToItsOwnerIsNotAnInstance) {
  const HeapGraph g = two_objects_with_stores();
  const ClassIndex classes = classify_nodes(g);
  const BigVector<uint64_t> sizes = attribute_shallow_sizes(g);
  const uint32_t store_class = classes.node_class[2];
  const std::string& store_key = classes.classes[store_class].key;
  const std::string& foo_key = classes.classes[classes.node_class[1]].key;

  const auto counts = counts_by_class_key(classes, sizes);
  EXPECT_EQ(counts.count(store_key), 0U);
  ASSERT_EQ(counts.count(foo_key), 1U);
  EXPECT_EQ(counts.at(foo_key), 2U);
  // On V8's own sizes the stores would count: counts taken by the two rules disagree.
  EXPECT_EQ(counts_by_class_key(classes, g.node_self_size).at(store_key), 2U);

  // The census counts by the same rule.
  const Census census = take_census(g, classes, sizes);
  for (const ClassRow& row : census.rows) {
    EXPECT_NE(row.class_id, store_class);
    EXPECT_EQ(row.count, counts.at(classes.classes[row.class_id].key));
    if (row.class_id == classes.node_class[1]) {
      EXPECT_EQ(row.shallow_size, 2U * (24 + 32));
    }
  }
}

}  // namespace
}  // namespace leakscope
