// The census's accounting rules on a hand-built heap (two V8 pages in a MemoryImage): strings are
// counted by representation and sized from their length, and object headers inside a free-space
// filler, in the young generation's from-space or outside V8's pages are left out.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/core_error.h"
#include "core/heap_census.h"
#include "core/memory_image.h"
#include "core/v8_layout.h"

namespace leakscope::core {
namespace {

constexpr uint64_t kBase = 0x7f0000000000;  // 256 KiB-aligned
constexpr uint64_t kPageSize = uint64_t{1} << 18;
constexpr uint64_t kWordsPerPage = kPageSize / 8;
constexpr uint64_t kAreaOffset = 0x80;
constexpr uint64_t kMallocHeap = 0x1000000;  // where a page's objects start, after its header

V8Layout layout() {
  V8Layout l;
  l.map_instance_type = 12;
  l.map_instance_size_words = 8;
  l.string_length = 12;
  l.seq_one_byte_chars = 16;
  l.seq_two_byte_chars = 16;
  l.cons_first = 16;
  l.cons_second = 24;
  l.sliced_parent = 16;
  l.sliced_offset = 24;
  l.thin_actual = 16;
  l.first_nonstring_type = 128;
  l.string_representation_mask = 7;
  l.seq_tag = 0;
  l.cons_tag = 1;
  l.external_tag = 2;
  l.sliced_tag = 3;
  l.thin_tag = 5;
  l.string_encoding_mask = 8;
  l.one_byte_tag = 8;
  l.map_type = 200;
  l.free_space_type = 201;
  l.first_js_receiver_type = 1000;
  return l;
}

// Three chunks: an old-space page, a young-generation page, and a chunk without a V8 header.
class FakeHeap {
 public:
  FakeHeap() : words_(3 * kWordsPerPage, 0) {
    // V8 10, 11, 13 header: chunk size, flags (old space), heap, the object area's bounds.
    set(kBase, kPageSize);
    set(kBase + 8, 0x4);
    set(kBase + 16, 0x5000000);
    set(kBase + 24, kBase + kAreaOffset);
    set(kBase + 32, kBase + kPageSize);
    // V8 12 header: flags (TO_PAGE), the chunk, its size, heap, the object area's bounds.
    const uint64_t young = kBase + kPageSize;
    set(young, 0x12);
    set(young + 8, young);
    set(young + 16, kPageSize);
    set(young + 24, 0x5000000);
    set(young + 32, young + kAreaOffset);
    set(young + 40, young + kPageSize);
    set(kBase + 2 * kPageSize, 0x7f1234567890);  // a pointer: not a V8 page
    meta_ = map_at(kBase + 0x100, 200, 10);
    seq_ = map_at(kBase + 0x200, 8, 0);      // one-byte sequential string, variable size
    cons_ = map_at(kBase + 0x300, 9, 4);     // one-byte cons string, 32 bytes
    free_ = map_at(kBase + 0x400, 201, 0);   // free-space filler
    array_ = map_at(kBase + 0x500, 150, 0);  // an internal variable-size type: a FixedArray
  }
  void set(uint64_t address, uint64_t value) { words_[(address - kBase) / 8] = value; }
  void set_half(uint64_t address, uint32_t value) {
    uint64_t& w = words_[(address - kBase) / 8];
    w = (address % 8 == 0) ? (w & ~uint64_t{0xffffffff}) | value
                           : (w & 0xffffffff) | (uint64_t{value} << 32);
  }
  // Objects are made referenced from the third chunk (as from a stack or a handle block), unless
  // `referenced` is false: nothing then points at them.
  uint64_t string(uint64_t at, uint32_t length, bool referenced = true) {
    set(at, seq_);
    set_half(at + 12, length);
    if (referenced) refer(at + 1);
    return at + 1;
  }
  uint64_t cons(uint64_t at, uint64_t first, uint64_t second, uint32_t length,
                bool referenced = true) {
    set(at, cons_);
    set_half(at + 12, length);
    set(at + 16, first);
    set(at + 24, second);
    if (referenced) refer(at + 1);
    return at + 1;
  }
  // A one-byte sequential string holding `text`.
  uint64_t text(uint64_t at, const std::string& text, bool referenced = true) {
    const uint64_t tagged = string(at, static_cast<uint32_t>(text.size()), referenced);
    for (size_t i = 0; i < text.size(); ++i) {
      uint64_t& w = words_[(at + 16 + i - kBase) / 8];
      w |= uint64_t{static_cast<uint8_t>(text[i])} << (8 * ((at + 16 + i) % 8));
    }
    return tagged;
  }
  // A FixedArray's header: its map and its length as a Smi; the slots follow.
  void fixed_array(uint64_t at, uint64_t length) {
    set(at, array_);
    set(at + 8, length << 32);
  }
  void refer(uint64_t tagged) {
    set(next_root_, tagged);
    next_root_ += 8;
  }
  // A map object (its map word the meta map; 80 bytes, the meta map's instance size).
  void map_object(uint64_t at) { set(at, meta_); }
  void free_space(uint64_t at, uint64_t size) {
    set(at, free_);
    set(at + 8, size << 32);
  }
  // `malloc_heap`: the words of a malloc heap elsewhere (V8's C++ objects), not scanned for
  // objects.
  MemoryImage image(const std::vector<uint64_t>* malloc_heap = nullptr) const {
    MemoryImage m;
    m.add({kBase, words_.size() * 8, reinterpret_cast<const uint8_t*>(words_.data()), true, false});
    if (malloc_heap) {
      m.add({kMallocHeap, malloc_heap->size() * 8,
             reinterpret_cast<const uint8_t*>(malloc_heap->data()), true, false, true});
    }
    m.finish();
    return m;
  }

 private:
  uint64_t map_at(uint64_t at, uint16_t type, uint8_t size_words) {
    const uint64_t meta = meta_ ? meta_ : at + 1;
    set(at, meta);
    set(at + 8, size_words | (uint64_t{type} << 32));  // size byte at 8, type at 12
    return at + 1;
  }
  std::vector<uint64_t> words_;
  uint64_t next_root_ = kBase + 2 * kPageSize + 0x8000;
  uint64_t meta_ = 0, seq_ = 0, cons_ = 0, free_ = 0, array_ = 0;
};

const CensusRow* row(const HeapCensus& c, const std::string& name) {
  for (const CensusRow& r : c.rows)
    if (r.name == name) return &r;
  return nullptr;
}

uint64_t strings(const HeapCensus& c) {
  const CensusRow* r = row(c, "(string)");
  return r ? r->count : 0;
}

TEST(CoreCensus, CountsStringsByRepresentationAndSizesThemFromTheirLength) {
  FakeHeap h;
  const uint64_t a = h.string(kBase + 0x1000, 5);   // 16 + 5 → 24 bytes
  const uint64_t b = h.string(kBase + 0x1020, 20);  // 16 + 20 → 40 bytes
  h.cons(kBase + 0x1100, a, b, 25);
  h.cons(kBase + 0x1200, a, b, 26);  // lengths that do not add up: not a string
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 2u);
  EXPECT_EQ(row(c, "(string)")->shallow_size, 64u);
  ASSERT_NE(row(c, "(concatenated string)"), nullptr);
  EXPECT_EQ(row(c, "(concatenated string)")->count, 1u);
  EXPECT_EQ(row(c, "(concatenated string)")->shallow_size, 32u);
}

TEST(CoreCensus, LeavesOutDeadFromSpaceAndOffHeapObjects) {
  FakeHeap h;
  h.string(kBase + 0x1000, 5);
  h.free_space(kBase + 0x2000, 0x100);         // a swept run of dead objects…
  h.string(kBase + 0x2040, 7);                 // …with a dead string inside
  h.string(kBase + 0x2100, 3);                 // right after the filler: live
  h.string(kBase + kPageSize + 0x100, 4);      // young generation, to-space: counted
  h.string(kBase + 2 * kPageSize + 0x100, 4);  // a copy outside V8's pages
  const MemoryImage m = h.image();
  const HeapCensus young = take_census(m, layout());
  EXPECT_EQ(strings(young), 3u);
  EXPECT_EQ(young.dead_skipped, 1u);
  EXPECT_EQ(young.young_skipped, 0u);
  EXPECT_EQ(young.off_heap_skipped, 1u);
  EXPECT_EQ(young.free_bytes, 0x100u);
  h.set(kBase + kPageSize, 0xa);  // the young page is the from-space: stale copies
  const MemoryImage from = h.image();
  const HeapCensus c = take_census(from, layout());
  EXPECT_EQ(strings(c), 2u);
  EXPECT_EQ(c.young_skipped, 1u);
}

// Past the top of the old space's linear allocation area, whose top and limit V8 keeps in its C++
// objects, the block it was carved from still holds the dead objects the sweeper freed there.
TEST(CoreCensus, LeavesOutWhatLiesPastAnAllocationTop) {
  FakeHeap h;
  h.string(kBase + 0x3000, 5);  // allocated before the top: live
  h.string(kBase + 0x3020, 6);
  h.string(kBase + 0x3040, 7);  // stale, past the top
  h.string(kBase + 0x3060, 8);
  h.string(kBase + 0x4000, 9);  // the object the area ends at: live
  h.string(kBase + 0x5000, 9);  // after a pair whose limit is no object start: counted
  h.string(kBase + 0x5020, 9);
  const std::vector<uint64_t> cxx = {
      7,
      kBase + 0x3040,  // top
      kBase + 0x4000,  // limit
      3,
      kBase + 0x5000,  // an address pair that is no allocation area: its limit is mid-object
      kBase + 0x5028,
      kBase + 0x6000,  // a pair in the young generation's page: not an old-space area
      kBase + kPageSize + 0x100,
  };
  const MemoryImage m = h.image(&cxx);
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 5u);
  EXPECT_EQ(c.unallocated_skipped, 2u);
}

// Garbage on a page V8 has not swept yet has intact headers: an object nothing points at is
// dropped, then what only it pointed at; pointers from the young generation's from-space (stale
// copies) or from inside the object itself do not count.
TEST(CoreCensus, LeavesOutWhatNothingPointsAt) {
  FakeHeap h;
  h.string(kBase + 0x1000, 5);                            // referenced: counted
  const uint64_t a = h.string(kBase + 0x1020, 5, false);  // only the dead cons points here
  const uint64_t b = h.string(kBase + 0x1040, 6, false);
  const uint64_t dead = h.cons(kBase + 0x1100, a, b, 11, false);  // nothing points here
  h.cons(kBase + 0x1200, dead, b, 17, false);                     // nor here: a chain of garbage
  const uint64_t kept = h.string(kBase + 0x1300, 7, false);
  h.cons(kBase + 0x1400, kept, kept, 14);  // referenced: keeps `kept`
  const uint64_t stale = h.string(kBase + 0x1500, 8, false);
  h.set(kBase + kPageSize + 0x800, stale);  // from a young page: TO_PAGE, so it counts
  const uint64_t copied = h.string(kBase + 0x1600, 9, false);
  h.set(kBase + 0x1608, copied);  // a pointer to itself does not keep it
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 3u);
  ASSERT_NE(row(c, "(concatenated string)"), nullptr);
  EXPECT_EQ(row(c, "(concatenated string)")->count, 1u);
  EXPECT_EQ(c.unreferenced_skipped, 5u);
}

// A dead concatenation whose half was overwritten (no string there now) is no string, but it
// still points at its other half: it takes part, uncounted, so that half is dropped with it.
TEST(CoreCensus, ABrokenDeadConcatenationKeepsNothing) {
  FakeHeap h;
  const uint64_t half = h.string(kBase + 0x1000, 5, false);
  const uint64_t kept = h.string(kBase + 0x1020, 6, false);
  h.cons(kBase + 0x1100, half, kBase + 0x1041, 11, false);  // no string at 0x1040
  h.cons(kBase + 0x1200, kept, kBase + 0x1041, 12);         // referenced: keeps `kept`
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 1u);
  EXPECT_EQ(row(c, "(concatenated string)"), nullptr);
  EXPECT_EQ(c.unreferenced_skipped, 1u);
}

// V8's number-string cache holds (Smi k, "k") pairs at pair k mod its size until the next full
// GC empties it: the strings only it holds are dropped. A table of another layout keeps its own.
TEST(CoreCensus, TheNumberStringCacheKeepsNothing) {
  FakeHeap h;
  constexpr uint64_t kPairs = 32;
  const uint64_t cache = kBase + 0x8000, other = kBase + 0x9000;
  h.fixed_array(cache, 2 * kPairs);
  h.fixed_array(other, 2 * kPairs);
  uint64_t at = kBase + 0xa000;
  for (uint64_t k = 40; k < 60; ++k) {                          // 20 keys, each at pair k mod 32
    const uint64_t s = h.text(at, std::to_string(k), k == 47);  // "47" is referenced elsewhere
    h.set(cache + 16 + 16 * (k % kPairs), k << 32);
    h.set(cache + 24 + 16 * (k % kPairs), s);
    at += 0x20;
    const uint64_t t = h.text(at, std::to_string(k), false);  // at the wrong pair: not a cache
    h.set(other + 16 + 16 * (k - 40), k << 32);
    h.set(other + 24 + 16 * (k - 40), t);
    at += 0x20;
  }
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 21u);
  EXPECT_EQ(c.unreferenced_skipped, 19u);
}

// A stale young object (on a to-space page not allocated in since the last full GC) that nothing
// points at is dropped and keeps nothing alive; a referenced one is counted and does.
TEST(CoreCensus, StaleYoungObjectsKeepNothing) {
  FakeHeap h;
  const uint64_t old_garbage = h.string(kBase + 0x1000, 5, false);
  h.cons(kBase + kPageSize + 0x1000, old_garbage, old_garbage, 10, false);  // stale
  const uint64_t kept = h.string(kBase + 0x1100, 6, false);
  h.cons(kBase + kPageSize + 0x1100, kept, kept, 12);  // referenced from the roots
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 1u);
  ASSERT_NE(row(c, "(concatenated string)"), nullptr);
  EXPECT_EQ(row(c, "(concatenated string)")->count, 1u);
  EXPECT_EQ(c.young_skipped, 0u);
  EXPECT_EQ(c.unreferenced_skipped, 2u);
}

TEST(CoreCensus, PointersFromTheFromSpaceKeepNothing) {
  FakeHeap h;
  h.set(kBase + kPageSize, 0xa);  // the young page is the inactive semi-space: FROM_PAGE
  h.string(kBase + 0x1000, 5);
  const uint64_t stale = h.string(kBase + 0x1500, 8, false);
  h.set(kBase + kPageSize + 0x800, stale);
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 1u);
  EXPECT_EQ(c.unreferenced_skipped, 1u);
}

// A map's back pointer to its parent map (or an object's field holding a map) looks like an object
// header: words inside a map or inside an object already counted are not headers, nor is one
// whose object would not end where another begins.
TEST(CoreCensus, MapPointersInsideMapsAndCountedObjectsAreFields) {
  FakeHeap h;
  h.map_object(kBase + 0x1000);
  h.string(kBase + 0x1020, 5);  // inside the map's 80 bytes
  h.string(kBase + 0x1050, 5);  // right after it: counted
  h.string(kBase + 0x1068, 100);
  h.string(kBase + 0x1078, 5, false);         // inside the 116-byte string before it, whose
  h.set(kBase + 0x1090, 0x6162636465666768);  // characters go on where this one would end
  h.string(kBase + 0x2000, 5);
  h.set(kBase + 0x2018, 0x6162636465666768);  // no header where it ends: not a string
  h.string(kBase + 0x2020, 5);                // (which would hide this one)
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 3u);
}

// A word equal to a string's map in the last slot of an internal object (which the census does
// not size) reads as a string header whose length is the next object's map pointer's upper half:
// 32 KB here. Believable headers among its "characters" unmask it.
TEST(CoreCensus, AFalseStringHeaderHidesNothing) {
  FakeHeap h;
  const uint64_t a = h.string(kBase + 0x1000, 5);
  h.string(kBase + 0x2000, 0, false);  // the false header
  h.cons(kBase + 0x2008, a, a, 10);    // its map pointer's upper half: the "length"
  h.string(kBase + 0x2028, 5);
  h.string(kBase + 0x2040, 6);
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, layout());
  EXPECT_EQ(strings(c), 3u);
  ASSERT_NE(row(c, "(concatenated string)"), nullptr);
  EXPECT_EQ(row(c, "(concatenated string)")->count, 1u);
}

TEST(CoreCensus, FindsAnUnlistedFreeSpaceMapByItsInstances) {
  FakeHeap h;
  V8Layout l = layout();
  l.free_space_type = -1;  // as on Node 24; the filler's type is then not among type_names
  for (int i = 0; i < 10; ++i) {
    const uint64_t at = kBase + 0x4000 + static_cast<uint64_t>(i) * 0x200;
    h.free_space(at, 0x100 / 8);  // sizes in words, as V8 13 keeps them
    h.string(at + 0x40, 6);       // dead
    h.string(at + 0x100, 6);      // live, right after the filler
  }
  const MemoryImage m = h.image();
  const HeapCensus c = take_census(m, l);
  EXPECT_EQ(strings(c), 10u);
  EXPECT_EQ(c.dead_skipped, 10u);
}

TEST(CoreCensus, RefusesMemoryWithoutAV8Heap) {
  std::vector<uint64_t> words(1024, 0x1234);
  MemoryImage m;
  m.add({kBase, words.size() * 8, reinterpret_cast<const uint8_t*>(words.data()), true, false});
  m.finish();
  EXPECT_THROW(take_census(m, layout()), CoreError);
}

}  // namespace
}  // namespace leakscope::core
