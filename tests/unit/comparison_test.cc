// DevTools' Comparison join (per class key) versus memwatch's (per id), and the same-process test.
#include "analysis/comparison.h"

#include <gtest/gtest.h>

#include "id_class_table_builder.h"

namespace leakscope {
namespace {

using testing::id_class_table;

TEST(Comparison, AnObjectThatChangedClassIsDeletedAndNewPerClassButNotById) {
  // Object 3 was `{a}` and is now `{a, b}` (it gained a property).
  const IdClassTable before = id_class_table({1, 3}, {0, 0}, {8, 16}, {{",{a}", "{a}"}});
  const IdClassTable after =
      id_class_table({1, 3}, {0, 1}, {8, 24}, {{",{a}", "{a}"}, {",{a, b}", "{a, b}"}});
  const HeapDiff by_id = diff_heaps(before, after, DiffMatching::kById);
  EXPECT_TRUE(by_id.classes.empty());
  const HeapDiff by_class = diff_heaps(before, after, DiffMatching::kByClassAndId);
  ASSERT_EQ(by_class.classes.size(), 2u);
  EXPECT_EQ(by_class.classes[0].name, "{a, b}");
  EXPECT_EQ(by_class.classes[0].added_count, 1u);
  EXPECT_EQ(by_class.classes[0].added_size, 24u);
  EXPECT_EQ(by_class.classes[1].name, "{a}");
  EXPECT_EQ(by_class.classes[1].removed_count, 1u);
  EXPECT_EQ(by_class.classes[1].removed_size, 16u);
}

TEST(Comparison, RowsSortedBySizeDeltaWithRetainedDelta) {
  ComparisonSide base;
  base.table = id_class_table({1, 3}, {0, 1}, {10, 10}, {{",A", "A", 100}, {",B", "B", 50}});
  base.table.has_retained = true;
  ComparisonSide current;
  current.table =
      id_class_table({1, 5, 7}, {0, 1, 1}, {10, 30, 30}, {{",A", "A", 90}, {",B", "B", 500}});
  current.table.has_retained = true;
  const Comparison c = compare_snapshots(base, current);
  ASSERT_EQ(c.rows.size(), 1u);  // A did not change
  EXPECT_EQ(c.rows[0].delta.name, "B");
  EXPECT_EQ(c.rows[0].delta.size_delta(), 50);
  EXPECT_EQ(c.rows[0].retained_delta(), 450);
}

TEST(Comparison, SameProcessNeedsSharedIdsNamingTheSameObjects) {
  JsIdentity a;
  JsIdentity b;
  JsIdentity other;
  for (uint64_t i = 0; i < 1000; ++i) {
    a.id_name.push_back(((2 * i + 1) << 32) | (i % 7));
    b.id_name.push_back(((2 * i + 1) << 32) | (i % 7));
    other.id_name.push_back(((2 * i + 1) << 32) | (i % 5));  // same ids, other objects
  }
  EXPECT_TRUE(match_processes(a, b).comparable());
  const ProcessMatch m = match_processes(a, other);
  EXPECT_EQ(m.shared_ids, 1000u);
  EXPECT_FALSE(m.comparable());
  JsIdentity disjoint;
  for (uint64_t i = 0; i < 1000; ++i) disjoint.id_name.push_back((100001 + 2 * i) << 32);
  EXPECT_FALSE(match_processes(a, disjoint).comparable());
}

}  // namespace
}  // namespace leakscope
