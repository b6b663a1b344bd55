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
  // False when full (3/4 of the slots): the sample is then not tracked as live.
  bool insert(const LiveSample& s);
  // Removes p's sample into *out; false if p was not sampled.
  bool remove(std::uintptr_t p, LiveSample* out);

  // 2^18 slots of 24 bytes: 6 MiB reserved; at the default 512 KiB interval the 196k samples it
  // holds stand for ~100 GB of live memory.
  static constexpr std::uint32_t kSlots = 1u << 18;

 private:
  static std::uint32_t home(std::uintptr_t p);
  LiveSample* slots_ = nullptr;
  std::uint32_t used_ = 0;
};

}  // namespace leakscope::preload
