#include "core/unreferenced_objects.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

#include "heap/big_vector.h"

namespace leakscope::core {

namespace {

constexpr int kPageShift = 18;  // V8's 256 KiB pages: object starts are indexed per page
constexpr uint64_t kPageMask = (uint64_t{1} << kPageShift) - 1;
constexpr size_t kBitWords = (size_t{1} << kPageShift) / 8 / 64;  // one bit per 8-byte word

// Finds the object a word points at. This runs for most of the words of the process (nearly
// every tagged pointer passes the cheap tests), so it is two array reads and a popcount: pages
// that hold an object of the census sit in an open-addressed table, and each has a bit per word
// where one starts plus, per 64 words, how many start before them.
class ObjectIndex {
 public:
  explicit ObjectIndex(std::span<const ObjectSpan> objects) {
    size_t pages = 0;
    for (size_t i = 0; i < objects.size(); ++i)
      if (i == 0 || objects[i].start >> kPageShift != objects[i - 1].start >> kPageShift) ++pages;
    size_t capacity = 16;
    while (capacity < 4 * pages) capacity *= 2;
    table_.assign(capacity, kEmpty);
    shift_ = 64 - std::countr_zero(capacity);
    for (size_t i = 0; i < objects.size(); ++i) {
      const uint64_t page = objects[i].start >> kPageShift;
      if (i == 0 || page != objects[i - 1].start >> kPageShift) {
        table_[slot_for(page)] = {page, static_cast<uint32_t>(pages_.size())};
        pages_.push_back({{}, {}, static_cast<uint64_t>(i)});
      }
      PageStarts& p = pages_.back();
      const uint64_t word = (objects[i].start & kPageMask) >> 3;
      p.bits[word / 64] |= uint64_t{1} << (word % 64);
    }
    for (PageStarts& p : pages_) {
      uint32_t before = 0;
      for (size_t w = 0; w < kBitWords; ++w) {
        p.before[w] = before;
        before += static_cast<uint32_t>(std::popcount(p.bits[w]));
      }
    }
  }

  // The index of the object starting at `address`, or -1.
  int64_t find(uint64_t address) const {
    if (address % 8 != 0) return -1;
    const uint64_t page = address >> kPageShift;
    const Slot& slot = table_[slot_for(page)];
    if (slot.page != page) return -1;
    const PageStarts& p = pages_[slot.index];
    const uint64_t word = (address & kPageMask) >> 3;
    const uint64_t bits = p.bits[word / 64];
    const uint64_t bit = uint64_t{1} << (word % 64);
    if ((bits & bit) == 0) return -1;
    return static_cast<int64_t>(p.first + p.before[word / 64] +
                                static_cast<uint64_t>(std::popcount(bits & (bit - 1))));
  }

 private:
  static constexpr uint64_t kNoPage = ~uint64_t{0};
  struct Slot {
    uint64_t page;
    uint32_t index;
  };
  static constexpr Slot kEmpty{kNoPage, 0};
  struct PageStarts {
    std::array<uint64_t, kBitWords> bits;
    std::array<uint32_t, kBitWords> before;  // object starts in the words before
    uint64_t first;                          // the index of the page's first object
  };
  // Linear probing: the slot holding `page`, or the empty one where it would go.
  size_t slot_for(uint64_t page) const {
    size_t i = static_cast<size_t>((page * 0x9E3779B97F4A7C15ull) >> shift_);
    while (table_[i].page != page && table_[i].page != kNoPage) i = (i + 1) & (table_.size() - 1);
    return i;
  }
  std::vector<Slot> table_;
  int shift_ = 0;
  BigVector<PageStarts> pages_;
};

bool in_ranges(const std::vector<std::pair<uint64_t, uint64_t>>& ranges, uint64_t address) {
  const auto it = std::upper_bound(
      ranges.begin(), ranges.end(), address,
      [](uint64_t a, const std::pair<uint64_t, uint64_t>& r) { return a < r.first; });
  return it != ranges.begin() && address < std::prev(it)->second;
}

}  // namespace

std::vector<bool> find_unreferenced(const MemoryImage& memory, std::span<const ObjectSpan> objects,
                                    const std::vector<std::pair<uint64_t, uint64_t>>& dead,
                                    uint64_t tag) {
  std::vector<bool> unreferenced(objects.size(), false);
  if (objects.empty()) return unreferenced;
  const ObjectIndex index(objects);
  const uint64_t lowest = objects.front().start, highest = objects.back().start;
  BigVector<uint32_t> references(objects.size(), 0);

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
