// Builds a small IdClassTable by hand for the diff and comparison tests.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "analysis/heap_diff.h"

namespace leakscope::testing {

inline IdClassTable id_class_table(std::vector<uint32_t> ids, std::vector<uint32_t> class_of,
                                   std::vector<uint64_t> sizes,
                                   std::vector<IdClassTable::ClassName> classes) {
  IdClassTable t;
  t.ids = std::move(ids);
  t.class_of = std::move(class_of);
  t.self_size = std::move(sizes);
  t.classes = std::move(classes);
  t.node_count = t.ids.size();
  for (uint64_t s : t.self_size) t.total_size += s;
  return t;
}

}  // namespace leakscope::testing
