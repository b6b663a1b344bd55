#include "core/unreferenced_objects.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

namespace leakscope::core {

namespace {

constexpr int kPageShift = 18;  // V8's 256 KiB pages: object starts are indexed per page
constexpr uint64_t kPageMask = (uint64_t{1} << kPageShift) - 1;
constexpr size_t kBitWords = (size_t{1} << kPageShift) / 8 / 64;  // one bit per 8-byte word

// Finds the object a word points at. Most words that look like tagged pointers point at maps
// and V8's internal objects, not at an object of the census: a bit per word of each page that
// holds one rules them out before the binary search.
class ObjectIndex {
 public:
  explicit ObjectIndex(const std::vector<ObjectSpan>& objects) : objects_(objects) {
    for (const ObjectSpan& o : objects) {
      auto [it, inserted] = page_slot_.try_emplace(o.start >> kPageShift, starts_.size());
      if (inserted) starts_.emplace_back();
      const uint64_t word = (o.start & kPageMask) >> 3;
      starts_[it->second][word / 64] |= uint64_t{1} << (word % 64);
    }
  }

  // The index of the object starting at `address`, or -1.
  int64_t find(uint64_t address) const {
    if (address % 8 != 0) return -1;
    const uint64_t page = address >> kPageShift;
    if (page != cached_page_) {
      const auto it = page_slot_.find(page);
      cached_page_ = page;
      cached_bits_ = it == page_slot_.end() ? nullptr : &starts_[it->second];
    }
    if (!cached_bits_) return -1;
    const uint64_t word = (address & kPageMask) >> 3;
    if (((*cached_bits_)[word / 64] >> (word % 64) & 1) == 0) return -1;
    const auto it = std::lower_bound(objects_.begin(), objects_.end(), address,
                                     [](const ObjectSpan& o, uint64_t a) { return o.start < a; });
    return it - objects_.begin();
  }

 private:
  const std::vector<ObjectSpan>& objects_;
  std::unordered_map<uint64_t, size_t> page_slot_;
  std::vector<std::array<uint64_t, kBitWords>> starts_;
  mutable uint64_t cached_page_ = ~uint64_t{0};
  mutable const std::array<uint64_t, kBitWords>* cached_bits_ = nullptr;
};

bool in_ranges(const std::vector<std::pair<uint64_t, uint64_t>>& ranges, uint64_t address) {
  const auto it = std::upper_bound(
      ranges.begin(), ranges.end(), address,
      [](uint64_t a, const std::pair<uint64_t, uint64_t>& r) { return a < r.first; });
  return it != ranges.begin() && address < std::prev(it)->second;
}

}  // namespace

std::vector<bool> find_unreferenced(const MemoryImage& memory,
                                    const std::vector<ObjectSpan>& objects,
                                    const std::vector<std::pair<uint64_t, uint64_t>>& dead,
                                    uint64_t tag) {
  std::vector<bool> unreferenced(objects.size(), false);
  if (objects.empty()) return unreferenced;
  const ObjectIndex index(objects);
  const uint64_t lowest = objects.front().start, highest = objects.back().start;
  std::vector<uint32_t> references(objects.size(), 0);

  // Every word of the process's memory, in address order (segments are sorted), that points at
  // an object: words inside dead ranges and an object's pointers to itself do not count. A word
  // belongs to the object that starts last at or before it, if it is that object's (an object
  // found inside another, as a map pointer held in an array looks like a header, owns the words
  // from its start on): no word is let go of twice below.
  size_t next_dead = 0, owner = 0;
  for (const MemorySegment& s : memory.segments()) {
    const uint64_t first = (s.start + 7) & ~uint64_t{7};
    for (uint64_t a = first; a + 8 <= s.start + s.size; a += 8) {
      while (next_dead < dead.size() && dead[next_dead].second <= a) ++next_dead;
      if (next_dead < dead.size() && dead[next_dead].first <= a) continue;
      uint64_t w;
      std::memcpy(&w, s.data + (a - s.start), 8);
      const uint64_t target = w - tag;
      if (target < lowest || target > highest) continue;
      const int64_t i = index.find(target);
      if (i < 0) continue;
      while (owner + 1 < objects.size() && objects[owner + 1].start <= a) ++owner;
      const bool inside_itself = static_cast<size_t>(i) == owner && objects[owner].start <= a &&
                                 a < objects[owner].start + objects[owner].size;
      if (!inside_itself && references[static_cast<size_t>(i)] < UINT32_MAX)
        ++references[static_cast<size_t>(i)];
    }
  }

  // Drop the unreferenced, then what only they pointed at (a work list: garbage chains can be
  // a million long).
  std::vector<size_t> pending;
  for (size_t i = 0; i < objects.size(); ++i)
    if (references[i] == 0) pending.push_back(i);
  while (!pending.empty()) {
    const size_t i = pending.back();
    pending.pop_back();
    unreferenced[i] = true;
    const ObjectSpan& o = objects[i];
    uint64_t end = o.start + o.size;
    if (i + 1 < objects.size()) end = std::min(end, objects[i + 1].start);
    for (uint64_t a = o.start; a + 8 <= end; a += 8) {
      const std::optional<uint64_t> w = memory.word(a);
      if (!w || in_ranges(dead, a)) continue;
      const int64_t j = index.find(*w - tag);
      if (j < 0 || static_cast<size_t>(j) == i || unreferenced[static_cast<size_t>(j)]) continue;
      uint32_t& r = references[static_cast<size_t>(j)];
      if (r > 0 && --r == 0) pending.push_back(static_cast<size_t>(j));
    }
  }
  return unreferenced;
}

}  // namespace leakscope::core
