#include <gtest/gtest.h>

#include "analysis/ephemeron_edges.h"

namespace leakscope {
namespace {

TEST(EphemeronEdgeName, ParsesV8Names) {
  const auto r = parse_ephemeron_edge_name(
      "1 / part of key (Key @6159) -> value (Val @78187) pair in WeakMap (table @78181)");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->table_id, 78181U);
  EXPECT_EQ(r->pair_offset, 1U);
}

TEST(EphemeronEdgeName, NamesMayContainTheSeparators) {
  const auto r = parse_ephemeron_edge_name(
      "12 / part of key (a @1) -> value (b @2) @3 (x @4) -> value (y @5) pair in WeakMap "
      "(table @9)");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->table_id, 9U);
  EXPECT_EQ(r->pair_offset, 2U);
}

TEST(EphemeronEdgeName, RejectsNearMisses) {
  for (const char* s : {
           "/ part of key (Key @1) -> value (Val @2) pair in WeakMap (table @3)",
           "1 / part of key (Key @1) -> value (Val @2) pair in WeakMap (table @3) ",
           "1 / part of key (Key @) -> value (Val @2) pair in WeakMap (table @3)",
           "1 / part of key (Key @1) -> value (Val @x) pair in WeakMap (table @3)",
           "1 / part of key (Key 1) -> value (Val @2) pair in WeakMap (table @3)",
           "1 / part of key (Key @1) -> value (Val @2) pair in WeakMap (table @)",
           "1 / part of key (K\ney @1) -> value (Val @2) pair in WeakMap (table @3)",
           "1 / part of key (Key @1) -> value (Val @2) pair in WeakSet (table @3)",
           "map",
       }) {
    EXPECT_FALSE(parse_ephemeron_edge_name(s).has_value()) << s;
  }
}

TEST(EphemeronEdgeNames, PairsShareAnIdAcrossLeadingNumbers) {
  StringPool pool;
  pool.add("map");
  pool.add("1 / part of key (Key @5) -> value (Val @7) pair in WeakMap (table @9)");
  pool.add("3 / part of key (Key @5) -> value (Val @7) pair in WeakMap (table @9)");
  pool.add("3 / part of key (Key @6) -> value (Val @8) pair in WeakMap (table @9)");
  EphemeronEdgeNames names(pool);
  EXPECT_FALSE(names.is_ephemeron(0));
  EXPECT_TRUE(names.is_ephemeron(1));
  EXPECT_EQ(names.pair_id(1), names.pair_id(2));
  EXPECT_NE(names.pair_id(1), names.pair_id(3));
  EXPECT_EQ(names.table_id(3), 9U);
  EXPECT_EQ(names.pair_count(), 2U);
}

}  // namespace
}  // namespace leakscope
