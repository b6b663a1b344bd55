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
    if (!counted_in_summary(self_sizes[i])) continue;
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

std::unordered_map<std::string, uint64_t> counts_by_class_key(
    const ClassIndex& classes, const BigVector<uint64_t>& self_sizes) {
  std::vector<uint64_t> per_class(classes.classes.size(), 0);
  for (size_t v = 0; v < classes.node_class.size(); ++v) {
    if (counted_in_summary(self_sizes[v])) ++per_class[classes.node_class[v]];
  }
  std::unordered_map<std::string, uint64_t> counts;
  for (size_t c = 0; c < per_class.size(); ++c) {
    if (per_class[c] != 0) counts[classes.classes[c].key] += per_class[c];
  }
  return counts;
}

}  // namespace leakscope
