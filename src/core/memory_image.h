// A process's memory as a set of address ranges with their bytes: from a core file's PT_LOAD
// segments (mapped) or from a live process (owned buffers). Reads are bounds-checked; a missing
// address is simply unreadable.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace leakscope::core {

struct MemorySegment {
  uint64_t start = 0;
  uint64_t size = 0;  // bytes readable at `data`
  const uint8_t* data = nullptr;
  bool writable = false;
  bool file_backed = false;  // a mapped file (NT_FILE): not JS heap, not scanned
  // The brk heap (malloc): V8 never puts its pages there, but Node 24 keeps copies of JS objects
  // in it (measured: 4,000 stale Sessions besides 30,000), so it is not scanned either.
  bool malloc_heap = false;
  bool scanned() const { return !file_backed && !malloc_heap; }
};

class MemoryImage {
 public:
  // Sorts the segments; overlapping ones keep the first.
  void add(MemorySegment segment);
  void finish();
  // Marks the segments that start in [from, to) as the malloc heap (not scanned).
  void mark_malloc_heap(uint64_t from, uint64_t to);
  // Keeps `owner` alive as long as the image (the mapped core or the buffers of a live dump).
  void keep(std::shared_ptr<void> owner) { owners_.push_back(std::move(owner)); }

  const std::vector<MemorySegment>& segments() const { return segments_; }
  const MemorySegment* find(uint64_t address) const;
  bool read(uint64_t address, void* out, uint64_t size) const;
  std::optional<uint64_t> word(uint64_t address) const;
  uint64_t total_bytes() const;

 private:
  std::vector<MemorySegment> segments_;
  std::vector<std::shared_ptr<void>> owners_;
};

}  // namespace leakscope::core
