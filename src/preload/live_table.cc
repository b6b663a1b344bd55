#include "preload/live_table.h"

#include <sys/mman.h>

#include "preload/stack_table.h"

namespace leakscope::preload {

static_assert(sizeof(LiveSample) == 24);

bool LiveTable::init() {
  slots_ = static_cast<LiveSample*>(map_pages(sizeof(LiveSample) * kFirstSlots));
  mask_ = kFirstSlots - 1;
  return slots_ != nullptr;
}

std::uint32_t LiveTable::home(std::uintptr_t p) const {
  return static_cast<std::uint32_t>(((p >> 4) * 0xff51afd7ed558ccdull) >> 40) & mask_;
}

bool LiveTable::grow() {
  std::uint32_t old_slots = mask_ + 1;
  if (old_slots >= kMaxSlots) return false;
  auto* bigger = static_cast<LiveSample*>(map_pages(sizeof(LiveSample) * old_slots * 2));
  if (bigger == nullptr) return false;
  LiveSample* old = slots_;
  slots_ = bigger;
  mask_ = old_slots * 2 - 1;
  used_ = 0;
  for (std::uint32_t i = 0; i < old_slots; ++i) {
    if (old[i].ptr != 0) insert(old[i]);
  }
  munmap(old, sizeof(LiveSample) * old_slots);
  return true;
}

bool LiveTable::insert(const LiveSample& s) {
  if (used_ >= (mask_ + 1) / 4 * 3 && !grow()) return false;
  std::uint32_t i = home(s.ptr);
  while (slots_[i].ptr != 0 && slots_[i].ptr != s.ptr) i = (i + 1) & mask_;
  if (slots_[i].ptr == 0) ++used_;
  slots_[i] = s;
  return true;
}

bool LiveTable::remove(std::uintptr_t p, LiveSample* out) {
  std::uint32_t i = home(p);
  while (slots_[i].ptr != p) {
    if (slots_[i].ptr == 0) return false;
    i = (i + 1) & mask_;
  }
  *out = slots_[i];
  // Backward shift: pull later entries of the run into the hole when their home allows it.
  std::uint32_t hole = i;
  for (std::uint32_t j = (i + 1) & mask_; slots_[j].ptr != 0; j = (j + 1) & mask_) {
    std::uint32_t h = home(slots_[j].ptr);
    // j's entry may fill the hole when the hole is no nearer to j than its home is.
    if (((j - h) & mask_) >= ((j - hole) & mask_)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole].ptr = 0;
  --used_;
  return true;
}

}  // namespace leakscope::preload
