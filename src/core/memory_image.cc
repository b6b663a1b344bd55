#include "core/memory_image.h"

#include <algorithm>
#include <cstring>

namespace leakscope::core {

void MemoryImage::add(MemorySegment segment) {
  if (segment.size > 0 && segment.data) segments_.push_back(segment);
}

void MemoryImage::finish() {
  std::stable_sort(
      segments_.begin(), segments_.end(),
      [](const MemorySegment& a, const MemorySegment& b) { return a.start < b.start; });
  std::vector<MemorySegment> kept;
  for (const MemorySegment& s : segments_) {
    if (!kept.empty() && s.start < kept.back().start + kept.back().size) continue;
    if (s.start + s.size < s.start) continue;  // wraps around: not a real mapping
    kept.push_back(s);
  }
  segments_ = std::move(kept);
}

void MemoryImage::mark_malloc_heap(uint64_t from, uint64_t to) {
  for (MemorySegment& s : segments_) {
    if (!s.file_backed && s.start >= from && s.start < to) s.malloc_heap = true;
  }
}

const MemorySegment* MemoryImage::find(uint64_t address) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), address,
                             [](uint64_t a, const MemorySegment& s) { return a < s.start; });
  if (it == segments_.begin()) return nullptr;
  --it;
  return address - it->start < it->size ? &*it : nullptr;
}

bool MemoryImage::read(uint64_t address, void* out, uint64_t size) const {
  const MemorySegment* s = find(address);
  if (!s || s->size - (address - s->start) < size) return false;
  std::memcpy(out, s->data + (address - s->start), size);
  return true;
}

std::optional<uint64_t> MemoryImage::word(uint64_t address) const {
  uint64_t w = 0;
  if (!read(address, &w, sizeof w)) return std::nullopt;
  return w;
}

uint64_t MemoryImage::total_bytes() const {
  uint64_t total = 0;
  for (const MemorySegment& s : segments_) total += s.size;
  return total;
}

}  // namespace leakscope::core
