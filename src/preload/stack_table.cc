#include "preload/stack_table.h"

#include <sys/mman.h>

#include <cstring>

namespace leakscope::preload {

void* map_pages(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
}

namespace {

std::uint64_t hash_frames(const std::uintptr_t* frames, std::uint32_t depth) {
  std::uint64_t h = 0x84222325cbf29ce4ull ^ depth;
  for (std::uint32_t i = 0; i < depth; ++i) {
    h ^= frames[i];
    h *= 0x100000001b3ull;
    h ^= h >> 29;
  }
  return h;
}

}  // namespace

bool StackTable::init() {
  entries_ = static_cast<Entry*>(map_pages(sizeof(Entry) * kCapacity));
  counters_ = static_cast<StackCounters*>(map_pages(sizeof(StackCounters) * kCapacity));
  index_ = static_cast<std::uint32_t*>(map_pages(sizeof(std::uint32_t) * kIndexSlots));
  pool_ = static_cast<std::uintptr_t*>(map_pages(sizeof(std::uintptr_t) * kPoolFrames));
  return entries_ && counters_ && index_ && pool_;
}

std::uint32_t StackTable::intern(const std::uintptr_t* frames, std::uint32_t depth) {
  std::uint64_t h = hash_frames(frames, depth);
  std::uint32_t slot = static_cast<std::uint32_t>(h) & (kIndexSlots - 1);
  for (;; slot = (slot + 1) & (kIndexSlots - 1)) {
    std::uint32_t held = index_[slot];
    if (held == 0) break;
    const Entry& e = entries_[held - 1];
    if (e.hash == h && e.depth == depth &&
        std::memcmp(pool_ + e.first, frames, depth * sizeof(std::uintptr_t)) == 0) {
      return held - 1;
    }
  }
  if (count_ == kCapacity || pool_used_ + depth > kPoolFrames) return kNoStack;
  std::uint32_t id = count_;
  std::memcpy(pool_ + pool_used_, frames, depth * sizeof(std::uintptr_t));
  entries_[id] = Entry{h, static_cast<std::uint32_t>(pool_used_), depth};
  pool_used_ += depth;
  index_[slot] = id + 1;
  // Published last: the dumper reads size() under the lock, then the entry without it.
  count_ = id + 1;
  return id;
}

const std::uintptr_t* StackTable::frames(std::uint32_t id, std::uint32_t* depth) const {
  *depth = entries_[id].depth;
  return pool_ + entries_[id].first;
}

}  // namespace leakscope::preload
