#include "preload/live_table.h"

#include "preload/stack_table.h"

namespace leakscope::preload {

static_assert(sizeof(LiveSample) == 24);

bool LiveTable::init() {
  slots_ = static_cast<LiveSample*>(map_pages(sizeof(LiveSample) * kSlots));
  return slots_ != nullptr;
}

std::uint32_t LiveTable::home(std::uintptr_t p) {
  return static_cast<std::uint32_t>(((p >> 4) * 0xff51afd7ed558ccdull) >> 40) & (kSlots - 1);
}

bool LiveTable::insert(const LiveSample& s) {
  if (used_ >= kSlots / 4 * 3) return false;
  std::uint32_t i = home(s.ptr);
  while (slots_[i].ptr != 0 && slots_[i].ptr != s.ptr) i = (i + 1) & (kSlots - 1);
  if (slots_[i].ptr == 0) ++used_;
  slots_[i] = s;
  return true;
}

bool LiveTable::remove(std::uintptr_t p, LiveSample* out) {
  std::uint32_t i = home(p);
  while (slots_[i].ptr != p) {
    if (slots_[i].ptr == 0) return false;
    i = (i + 1) & (kSlots - 1);
  }
  *out = slots_[i];
  // Backward shift: pull later entries of the run into the hole when their home allows it.
  std::uint32_t hole = i;
  for (std::uint32_t j = (i + 1) & (kSlots - 1); slots_[j].ptr != 0; j = (j + 1) & (kSlots - 1)) {
    std::uint32_t h = home(slots_[j].ptr);
    // j's entry may fill the hole when the hole is no nearer to j than its home is.
    if (((j - h) & (kSlots - 1)) >= ((j - hole) & (kSlots - 1))) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole].ptr = 0;
  --used_;
  return true;
}

}  // namespace leakscope::preload
