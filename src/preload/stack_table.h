// Allocation stacks, interned: each distinct stack gets a small id (its index, in order of first
// sight) and the weighted counters of the samples taken from it. Callers hold the profile lock;
// a stack's addresses never change once added, so the dumper reads them without it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace leakscope::preload {

constexpr std::uint32_t kMaxFrames = 64;
constexpr std::uint32_t kNoStack = 0xffffffffu;

struct StackCounters {
  double live_bytes;
  double live_count;
  double allocated_bytes;
};

class StackTable {
 public:
  // Takes its memory from `map_pages` (anonymous, untouched until used). False when out of memory.
  bool init();
  // The id of this stack, added if new; kNoStack when the table or the frame pool is full.
  std::uint32_t intern(const std::uintptr_t* frames, std::uint32_t depth);
  std::uint32_t size() const { return count_; }
  StackCounters& counters(std::uint32_t id) { return counters_[id]; }
  const StackCounters* all_counters() const { return counters_; }
  // The addresses of stack `id`, innermost first.
  const std::uintptr_t* frames(std::uint32_t id, std::uint32_t* depth) const;

  static constexpr std::uint32_t kCapacity = 1u << 16;
  static constexpr std::size_t kPoolFrames = std::size_t{1} << 20;

 private:
  struct Entry {
    std::uint64_t hash;
    std::uint32_t first;  // index of the first address in pool_
    std::uint32_t depth;
  };
  static constexpr std::uint32_t kIndexSlots = kCapacity * 2;

  Entry* entries_ = nullptr;
  StackCounters* counters_ = nullptr;
  std::uint32_t* index_ = nullptr;  // id + 1 per slot, 0: empty
  std::uintptr_t* pool_ = nullptr;
  std::uint32_t count_ = 0;
  std::size_t pool_used_ = 0;
};

// Anonymous memory outside the heap: the tables must not allocate through the hooks. Pages cost
// nothing until touched. Null on failure.
void* map_pages(std::size_t bytes);

}  // namespace leakscope::preload
