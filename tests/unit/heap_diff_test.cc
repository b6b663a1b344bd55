#include "analysis/heap_diff.h"

#include <gtest/gtest.h>

#include "id_class_table_builder.h"

#include "report/memwatch_format.h"
#include "report/memwatch_heap_diff.h"

namespace leakscope {
namespace {

using testing::id_class_table;

TEST(HeapDiff, CountsIdsPresentOnOneSideOnlyPerClassKey) {
  // Classes are numbered differently on each side; keys join them.
  const IdClassTable before =
      id_class_table({1, 3, 5, 7}, {0, 1, 1, 0}, {10, 20, 20, 10}, {{",A", "A"}, {",B", "B"}});
  const IdClassTable after =
      id_class_table({1, 5, 9, 11, 13}, {1, 0, 0, 2, 1}, {10, 20, 20, 30, 10},
                     {{",B", "B"}, {",A", "A"}, {",C", "C"}});
  const HeapDiff d = diff_heaps(before, after);
  EXPECT_EQ(d.freed_nodes, 2u);      // 3 (B), 7 (A)
  EXPECT_EQ(d.allocated_nodes, 3u);  // 9 (B), 11 (C), 13 (A)
  EXPECT_EQ(d.before.size, 60u);
  EXPECT_EQ(d.after.size, 90u);
  ASSERT_EQ(d.classes.size(), 3u);
  EXPECT_EQ(d.classes[0].name, "A");
  EXPECT_EQ(d.classes[0].added_count, 1u);
  EXPECT_EQ(d.classes[0].removed_count, 1u);
  EXPECT_EQ(d.classes[0].size_delta(), 0);
  EXPECT_EQ(d.classes[1].name, "B");
  EXPECT_EQ(d.classes[1].added_count, 1u);
  EXPECT_EQ(d.classes[1].removed_count, 1u);
  EXPECT_EQ(d.classes[2].name, "C");
  EXPECT_EQ(d.classes[2].added_size, 30u);
  EXPECT_EQ(d.size_delta(), 30);
}

TEST(HeapDiff, RetainedSizeChangesEvenWithoutNewInstances) {
  IdClassTable before =
      id_class_table({1, 2}, {0, 1}, {8, 8}, {{",Holder", "Holder", 100}, {",A", "A", 8}});
  IdClassTable after = id_class_table({1, 2, 3}, {0, 1, 1}, {8, 8, 8},
                                      {{",Holder", "Holder", 116}, {",A", "A", 16}});
  before.has_retained = after.has_retained = true;
  const HeapDiff d = diff_heaps(before, after);
  ASSERT_TRUE(d.has_retained);
  ASSERT_EQ(d.classes.size(), 1u);  // only A got a new instance
  ASSERT_EQ(d.retained_changes.size(), 2u);
  EXPECT_EQ(d.retained_changes[0].name, "Holder");  // largest growth first
  EXPECT_EQ(d.retained_changes[0].retained_delta(), 16);
  EXPECT_EQ(d.retained_changes[1].retained_delta(), 8);
  const auto j = report::memwatch_heap_diff_json(d);
  EXPECT_EQ(j["change"]["retained"][0]["what"], "Holder");
  EXPECT_EQ(j["change"]["retained"][0]["size_bytes"], 16);
}

TEST(HeapDiff, UnchangedClassesAreLeftOut) {
  const IdClassTable t = id_class_table({1, 2}, {0, 0}, {8, 8}, {{",A", "A"}});
  const HeapDiff d = diff_heaps(t, t);
  EXPECT_TRUE(d.classes.empty());
  EXPECT_EQ(d.allocated_nodes, 0u);
  EXPECT_EQ(d.freed_nodes, 0u);
}

TEST(MemwatchFormat, SizesAsMemwatchPrintsThem) {
  EXPECT_EQ(report::memwatch_size(int64_t{976}), "976 bytes");
  EXPECT_EQ(report::memwatch_size(int64_t{1024}), "1024 bytes");
  EXPECT_EQ(report::memwatch_size(int64_t{934448}), "912.55 kb");
  EXPECT_EQ(report::memwatch_size(int64_t{4000000}), "3.81 mb");
  EXPECT_EQ(report::memwatch_size(int64_t{-2120}), "-2.07 kb");
  // 64-bit: memwatch's int wrapped above 2 GiB.
  EXPECT_EQ(report::memwatch_size(int64_t{5} << 30), "5120.00 mb");
}

TEST(MemwatchFormat, Elapsed) {
  EXPECT_EQ(report::memwatch_elapsed(0), "0s");
  EXPECT_EQ(report::memwatch_elapsed(59.4), "59s");
  EXPECT_EQ(report::memwatch_elapsed(80), "1m 20s");
  EXPECT_EQ(report::memwatch_elapsed(3725), "1h 2m 5s");
}

TEST(MemwatchHeapDiff, ShapeAndMergedNames) {
  const IdClassTable before = id_class_table({1}, {0}, {10}, {{"1,2,3,A", "A"}});
  const IdClassTable after = id_class_table({2, 3, 4}, {0, 1, 2}, {10, 10, 1000},
                                            {{"1,2,3,A", "A"}, {"4,5,6,A", "A"}, {",B", "B"}});
  const auto j = report::memwatch_heap_diff_json(diff_heaps(before, after));
  EXPECT_EQ(j["before"]["nodes"], 1);
  EXPECT_EQ(j["after"]["size_bytes"], 1020);
  EXPECT_EQ(j["change"]["size_bytes"], 1010);
  EXPECT_EQ(j["change"]["size"], "1010 bytes");
  ASSERT_EQ(j["change"]["details"].size(), 2u);
  EXPECT_EQ(j["change"]["details"][0]["what"], "A");
  EXPECT_EQ(j["change"]["details"][0]["+"], 2);
  EXPECT_EQ(j["change"]["details"][0]["-"], 1);
  EXPECT_EQ(j["change"]["details"][0]["size_bytes"], 10);
  EXPECT_EQ(j["change"]["details"][1]["what"], "B");
}

}  // namespace
}  // namespace leakscope
