// Which of the objects a word scan found nothing still points at. A heap snapshot collects
// garbage first; a core cannot, and a page V8 has not swept yet (the concurrent sweeper lags
// behind a full GC on a loaded machine) still holds its dead objects with intact headers. Most
// of them, and everything only they point at, have no tagged pointer left anywhere in the
// process's memory: an object is dropped when no word outside known-dead memory (and outside
// itself) holds its address, and so, in turn, are the objects only dropped objects point at.
// Cycles of garbage and garbage that V8's internal objects (uncounted, so never dropped) point
// at stay counted.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/memory_image.h"

namespace leakscope::core {

struct ObjectSpan {
  uint64_t start = 0;  // untagged address of the object's map word
  uint64_t size = 0;
};

// `objects` sorted by start, not overlapping; `dead` sorted, not overlapping [from, to) ranges
// whose words point at nothing (free-space fillers, unused allocation areas); `tag` and `tag_mask`:
// a word w points at an object at s when w == s + tag (strong pointers only: weak ones have another
// tag). Returns, for each object, whether it is unreferenced.
std::vector<bool> find_unreferenced(const MemoryImage& memory, std::span<const ObjectSpan> objects,
                                    const std::vector<std::pair<uint64_t, uint64_t>>& dead,
                                    uint64_t tag);

}  // namespace leakscope::core
