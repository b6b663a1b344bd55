// The class census of the JS heap in a process's memory, without a heap snapshot: find V8's meta
// map, then every map, then every aligned word that holds a known map is an object header. JS
// objects are kept when their properties and elements fields look right, and are named like
// DevTools names them: by the constructor's name, plain objects by their property set "{a, b}",
// functions "Function". Strings are kept when their length fields agree, and are named by
// representation as `leakscope summary` names them: "(string)", "(concatenated string)",
// "(sliced string)". Other objects (backing stores, code, V8's internals) are not counted.
//
// Left out: dead objects inside the sweeper's free-space fillers or past an allocation area's
// top, objects nothing live points at (garbage on pages not swept yet), the young generation's
// from-space (the copies a scavenge left behind), headers outside V8's pages, and from V8 13 the
// read-only space (see the README).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/memory_image.h"
#include "core/v8_layout.h"

namespace leakscope::core {

struct CensusRow {
  std::string name;
  uint64_t count = 0;
  uint64_t shallow_size = 0;  // the maps' instance sizes (fixed-size objects)
};

struct HeapCensus {
  std::vector<CensusRow> rows;  // by shallow size, then count, descending
  uint64_t map_count = 0;
  uint64_t object_count = 0;
  uint64_t total_size = 0;
  uint64_t scanned_bytes = 0;
  uint64_t free_bytes = 0;    // in free-space fillers: swept dead objects
  uint64_t dead_skipped = 0;  // object headers found inside them, not counted
  // Object headers past the top of a linear allocation area: stale, not counted.
  uint64_t unallocated_skipped = 0;
  uint64_t young_skipped = 0;     // object headers in the young generation's from-space
  uint64_t off_heap_skipped = 0;  // object headers outside V8's pages (copies), not counted
  // In V8's read-only space, which a heap snapshot does not list from V8 13 on: not counted there.
  uint64_t read_only_skipped = 0;
  // Found, but nothing outside dead memory points at them or only such objects do: garbage not
  // yet swept (core/unreferenced_objects.h), not counted.
  uint64_t unreferenced_skipped = 0;
};

// Throws CoreError when the memory holds no V8 heap (no meta map).
HeapCensus take_census(const MemoryImage& memory, const V8Layout& layout);

}  // namespace leakscope::core
