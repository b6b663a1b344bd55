// path --class's grouping: instances grouped by a key, largest group first, a group's retained
// size counting a member inside another member once, unreachable instances left out.
#include "analysis/instance_groups.h"

#include <gtest/gtest.h>

#include "analysis/retention.h"
#include "analysis/shallow_sizes.h"
#include "test_graph_builder.h"

namespace leakscope {
namespace {

using testing::GraphBuilder;

TEST(InstanceGroups, LargestGroupFirstWithMembersCountedOnce) {
  GraphBuilder b;
  const uint32_t root = b.node(kSynthetic, "", 0);
  const uint32_t global = b.node(kObject, "global", 40);
  b.edge(root, kShortcut, "global", global);
  // global.list: three Jobs, the second holding a fourth Job of its own (retained inside it).
  const uint32_t list = b.node(kObject, "Array", 16);
  b.edge(global, kProperty, "list", list);
  std::vector<uint32_t> jobs;
  for (uint32_t i = 0; i < 3; ++i) {
    jobs.push_back(b.node(kObject, "Job", 100));
    b.element(list, i, jobs.back());
  }
  const uint32_t inner = b.node(kObject, "Job", 100);
  b.edge(jobs[1], kProperty, "child", inner);
  // global.one: a single Job, reached first (distance 2, as the list's members are at 3).
  const uint32_t one = b.node(kObject, "Job", 50);
  b.edge(global, kProperty, "one", one);
  // An unreachable Job: no retainer path to group it by.
  const uint32_t lost = b.node(kObject, "Job", 70);
  const HeapGraph g = b.build();
  const BigVector<uint64_t> sizes = attribute_shallow_sizes(g);
  RetentionOptions ro;
  ro.distance_parent_edges = true;
  ro.threads = 1;
  const RetentionAnalysis ra = analyze_retention(g, sizes, ro);
  // Key: the list's members and the inner Job together, `one` apart.
  auto key = [&](uint32_t v) -> uint64_t { return v == one ? 2 : 1; };
  const std::vector<InstanceGroup> groups =
      group_instances(g, ra.distances, ra.tree, {one, jobs[0], jobs[1], jobs[2], inner, lost}, key);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].key, 1u);
  EXPECT_EQ(groups[0].count, 4u);
  EXPECT_EQ(groups[0].retained, 400u);  // jobs[1] retains inner: 100 + 200 + 100, not + 100 more
  EXPECT_EQ(groups[0].representative, jobs[0]);  // closest, then lowest id
  EXPECT_EQ(groups[1].key, 2u);
  EXPECT_EQ(groups[1].count, 1u);
  EXPECT_EQ(groups[1].retained, 50u);
  EXPECT_EQ(groups[1].representative, one);
}

}  // namespace
}  // namespace leakscope
