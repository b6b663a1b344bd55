#include "analysis/census.h"

#include <algorithm>
#include <limits>

namespace leakscope {

Census take_census(const HeapGraph& graph, const ClassIndex& classes,
                   const BigVector<uint64_t>& self_sizes) {
  constexpr uint32_t kNoRow = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> row_of(classes.classes.size(), kNoRow);
  Census census;
  const uint32_t n = graph.node_count();
  for (uint32_t i = 0; i < n; ++i) {
    // DevTools leaves zero-size nodes out of the Summary entirely.
    if (self_sizes[i] == 0) continue;
    const uint32_t cls = classes.node_class[i];
    if (row_of[cls] == kNoRow) {
      row_of[cls] = static_cast<uint32_t>(census.rows.size());
      ClassRow row;
      row.class_id = cls;
      census.rows.push_back(row);
    }
    ClassRow& row = census.rows[row_of[cls]];
    ++row.count;
    row.shallow_size += self_sizes[i];
  }
  return census;
}

}  // namespace leakscope
