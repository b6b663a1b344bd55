#include "analysis/heap_diff.h"

#include <algorithm>
#include <numeric>
#include <string_view>
#include <unordered_map>

namespace leakscope {

uint64_t IdClassTable::memory_bytes() const {
  uint64_t bytes = ids.capacity() * sizeof(uint32_t) + class_of.capacity() * sizeof(uint32_t) +
                   self_size.capacity() * sizeof(uint64_t);
  for (const ClassName& c : classes)
    bytes += sizeof(ClassName) + c.key.capacity() + c.name.capacity();
  return bytes;
}

IdClassTable make_id_class_table(const HeapGraph& graph, const ClassIndex& classes,
                                 const BigVector<uint64_t>& self_sizes) {
  IdClassTable table;
  const uint32_t n = graph.node_count();
  table.node_count = n;
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return graph.node_id[a] < graph.node_id[b]; });
  // Only classes that occur get a row, renumbered densely.
  std::vector<uint32_t> remap(classes.classes.size(), UINT32_MAX);
  table.ids.reserve(n);
  table.class_of.reserve(n);
  table.self_size.reserve(n);
  for (uint32_t node : order) {
    const uint32_t c = classes.node_class[node];
    if (remap[c] == UINT32_MAX) {
      remap[c] = static_cast<uint32_t>(table.classes.size());
      table.classes.push_back({classes.classes[c].key, classes.classes[c].name});
    }
    table.ids.push_back(graph.node_id[node]);
    table.class_of.push_back(remap[c]);
    table.self_size.push_back(self_sizes[node]);
    table.total_size += self_sizes[node];
  }
  return table;
}

HeapDiff diff_heaps(const IdClassTable& before, const IdClassTable& after) {
  HeapDiff diff;
  diff.before = {before.node_count, before.total_size};
  diff.after = {after.node_count, after.total_size};

  // Rows by class key; the two tables number their classes independently.
  std::unordered_map<std::string_view, uint32_t> row_of_key;
  std::vector<ClassDelta> rows;
  auto row_mapping = [&](const IdClassTable& t) {
    std::vector<uint32_t> mapping(t.classes.size());
    for (size_t i = 0; i < t.classes.size(); ++i) {
      auto [it, inserted] =
          row_of_key.try_emplace(t.classes[i].key, static_cast<uint32_t>(rows.size()));
      if (inserted) rows.push_back({t.classes[i].key, t.classes[i].name, 0, 0, 0, 0});
      mapping[i] = it->second;
    }
    return mapping;
  };
  const std::vector<uint32_t> before_rows = row_mapping(before);
  const std::vector<uint32_t> after_rows = row_mapping(after);

  auto freed = [&](size_t i) {
    ClassDelta& r = rows[before_rows[before.class_of[i]]];
    ++r.removed_count;
    r.removed_size += before.self_size[i];
    ++diff.freed_nodes;
    diff.freed_size += before.self_size[i];
  };
  auto allocated = [&](size_t j) {
    ClassDelta& r = rows[after_rows[after.class_of[j]]];
    ++r.added_count;
    r.added_size += after.self_size[j];
    ++diff.allocated_nodes;
    diff.allocated_size += after.self_size[j];
  };
  // Merge join over the two sorted id columns.
  size_t i = 0;
  size_t j = 0;
  while (i < before.ids.size() && j < after.ids.size()) {
    if (before.ids[i] < after.ids[j]) {
      freed(i++);
    } else if (after.ids[j] < before.ids[i]) {
      allocated(j++);
    } else {
      ++i;
      ++j;
    }
  }
  while (i < before.ids.size()) freed(i++);
  while (j < after.ids.size()) allocated(j++);

  for (ClassDelta& r : rows) {
    if (r.added_count != 0 || r.removed_count != 0) diff.classes.push_back(std::move(r));
  }
  std::sort(diff.classes.begin(), diff.classes.end(),
            [](const ClassDelta& a, const ClassDelta& b) { return a.key < b.key; });
  return diff;
}

}  // namespace leakscope
