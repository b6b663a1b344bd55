// The native sampler's tables (src/preload): the live-sample table must find every pointer after
// any mix of inserts and removals (backward-shift deletion moves entries), and the stack table
// must give one id per distinct stack.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "preload/live_table.h"
#include "preload/stack_table.h"

namespace leakscope::preload {
namespace {

TEST(PreloadLiveTable, MatchesAMapUnderRandomInsertsAndRemovals) {
  LiveTable table;
  ASSERT_TRUE(table.init());
  std::map<std::uintptr_t, std::uint32_t> truth;
  std::mt19937_64 rng(7);
  // Pointers from a small range, 16-aligned like malloc's, so probe runs collide and wrap.
  auto pointer = [&] { return (rng() % 50000 + 1) * 16; };
  for (int step = 0; step < 400000; ++step) {
    std::uintptr_t p = pointer();
    if (rng() % 3 != 0 && truth.size() < 40000) {
      auto id = static_cast<std::uint32_t>(step);
      ASSERT_TRUE(table.insert(LiveSample{p, id, 1.0f, 16.0}));
      truth[p] = id;
    } else {
      LiveSample out;
      bool found = table.remove(p, &out);
      ASSERT_EQ(found, truth.count(p) == 1) << "step " << step;
      if (found) {
        EXPECT_EQ(out.stack, truth[p]);
        truth.erase(p);
      }
    }
  }
  for (const auto& [p, id] : truth) {
    LiveSample out;
    ASSERT_TRUE(table.remove(p, &out));
    EXPECT_EQ(out.stack, id);
  }
}

TEST(PreloadLiveTable, RefusesPastThreeQuarters) {
  LiveTable table;
  ASSERT_TRUE(table.init());
  std::uint32_t accepted = 0;
  for (std::uintptr_t p = 16; p < 16ull * (LiveTable::kMaxSlots + 16); p += 16) {
    if (table.insert(LiveSample{p, 0, 1.0f, 1.0})) ++accepted;
  }
  EXPECT_EQ(accepted, LiveTable::kMaxSlots / 4 * 3);
}

TEST(PreloadStackTable, OneIdPerDistinctStack) {
  StackTable table;
  ASSERT_TRUE(table.init());
  std::vector<std::uintptr_t> a = {0x401000, 0x402000, 0x403000};
  std::vector<std::uintptr_t> b = {0x401000, 0x402000};
  std::vector<std::uintptr_t> c = {0x401000, 0x402000, 0x403001};
  std::uint32_t ia = table.intern(a.data(), 3);
  std::uint32_t ib = table.intern(b.data(), 2);
  std::uint32_t ic = table.intern(c.data(), 3);
  EXPECT_EQ(ia, 0u);
  EXPECT_EQ(ib, 1u);
  EXPECT_EQ(ic, 2u);
  EXPECT_EQ(table.intern(a.data(), 3), ia);
  EXPECT_EQ(table.intern(b.data(), 2), ib);
  EXPECT_EQ(table.size(), 3u);
  std::uint32_t depth = 0;
  const std::uintptr_t* frames = table.frames(ic, &depth);
  ASSERT_EQ(depth, 3u);
  EXPECT_EQ(frames[2], 0x403001u);
}

TEST(PreloadStackTable, FullTableSaysSo) {
  StackTable table;
  ASSERT_TRUE(table.init());
  std::uintptr_t frame[1];
  for (std::uint32_t i = 0; i < StackTable::kCapacity; ++i) {
    frame[0] = 0x1000 + i;
    ASSERT_EQ(table.intern(frame, 1), i);
  }
  frame[0] = 0x1;
  EXPECT_EQ(table.intern(frame, 1), kNoStack);
  frame[0] = 0x1000;
  EXPECT_EQ(table.intern(frame, 1), 0u);
}

}  // namespace
}  // namespace leakscope::preload
