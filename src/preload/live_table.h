// The sampled allocations still live: pointer -> (stack, weight), so a free finds what to take
// back. Open addressing with linear probing and backward-shift deletion (no tombstones, so a long
// run of allocations and frees never degrades it). Callers hold the profile lock.
#pragma once

#include <cstddef>
#include <cstdint>

namespace leakscope::preload {

struct LiveSample {
  std::uintptr_t ptr;  // 0: empty slot
  std::uint32_t stack;
  float count;   // estimated allocations this sample stands for
  double bytes;  // estimated bytes it stands for
};

class LiveTable {
 public:
  bool init();
  // False when full (3/4 of kMaxSlots): the sample is then not tracked as live.
  bool insert(const LiveSample& s);
  // Removes p's sample into *out; false if p was not sampled.
  bool remove(std::uintptr_t p, LiveSample* out);

  // It starts small and doubles at 3/4 full (a rehash under the lock, which every use holds): a
  // sample in a big fixed table touched a fresh page each time (a page fault, and RSS). At most
  // 2^18 slots of 24 bytes (6 MiB); at the default 512 KiB interval the 196k samples they hold
  // stand for ~100 GB of live memory.
  static constexpr std::uint32_t kFirstSlots = 1u << 12;
  static constexpr std::uint32_t kMaxSlots = 1u << 18;

 private:
  std::uint32_t home(std::uintptr_t p) const;
  bool grow();
  LiveSample* slots_ = nullptr;
  std::uint32_t mask_ = 0;  // slots - 1
  std::uint32_t used_ = 0;
};

}  // namespace leakscope::preload
