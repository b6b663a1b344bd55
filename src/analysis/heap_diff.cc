#include "analysis/heap_diff.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>

#include "analysis/distances.h"
#include "analysis/ephemeron_edges.h"
#include "analysis/retainer_paths.h"
#include "heap/indices.h"

namespace leakscope {

uint64_t IdClassTable::memory_bytes() const {
  uint64_t bytes = ids.capacity() * sizeof(uint32_t) + class_of.capacity() * sizeof(uint32_t) +
                   self_size.capacity() * sizeof(uint64_t);
  for (const ClassName& c : classes)
    bytes += sizeof(ClassName) + c.key.capacity() + c.name.capacity();
  return bytes;
}

namespace {

// Node ordinals in ascending id order. V8 numbers objects by allocation, not by heap position,
// so the ids come almost shuffled; an LSD radix sort of (id, ordinal) pairs on the id's four
// bytes beats a comparison sort through node_id[] several times over.
std::vector<uint32_t> nodes_by_id(const HeapGraph& graph) {
  const uint32_t n = graph.node_count();
  std::vector<uint64_t> keys(n);
  std::vector<uint64_t> scratch(n);
  for (uint32_t i = 0; i < n; ++i) keys[i] = (uint64_t{graph.node_id[i]} << 32) | i;
  for (unsigned shift = 32; shift < 64; shift += 8) {
    size_t counts[257] = {};
    for (uint64_t k : keys) ++counts[((k >> shift) & 0xFF) + 1];
    if (counts[((keys.empty() ? 0 : keys[0]) >> shift & 0xFF) + 1] == n) continue;  // one bucket
    for (size_t b = 0; b < 256; ++b) counts[b + 1] += counts[b];
    for (uint64_t k : keys) scratch[counts[(k >> shift) & 0xFF]++] = k;
    keys.swap(scratch);
  }
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(keys[i]);
  return order;
}

}  // namespace

IdClassTable make_id_class_table(const HeapGraph& graph, const ClassIndex& classes,
                                 std::span<const uint64_t> self_sizes,
                                 std::span<const uint64_t> class_retained, bool skip_zero_size) {
  IdClassTable table;
  table.has_retained = !class_retained.empty();
  const uint32_t n = graph.node_count();
  table.node_count = 0;
  const std::vector<uint32_t> order = nodes_by_id(graph);
  // Only classes that occur get a row, renumbered densely.
  std::vector<ClassOrdinal> remap(classes.classes.size(), kNoClass);
  table.ids.reserve(n);
  table.class_of.reserve(n);
  table.self_size.reserve(n);
  for (uint32_t node : order) {
    if (skip_zero_size && self_sizes[node] == 0) continue;
    const ClassOrdinal c = classes.node_class[node];
    if (remap[c] == kNoClass) {
      remap[c] = static_cast<uint32_t>(table.classes.size());
      table.classes.push_back({classes.classes[c].key, classes.classes[c].name,
                               table.has_retained ? class_retained[c] : 0});
    }
    table.ids.push_back(graph.node_id[node]);
    table.class_of.push_back(remap[c]);
    table.self_size.push_back(self_sizes[node]);
    table.total_size += self_sizes[node];
    ++table.node_count;
  }
  return table;
}

HeapDiff diff_heaps(const IdClassTable& before, const IdClassTable& after, DiffMatching matching) {
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
  diff.has_retained = before.has_retained && after.has_retained;
  if (diff.has_retained) {
    for (size_t c = 0; c < before.classes.size(); ++c)
      rows[before_rows[c]].retained_before = before.classes[c].retained;
    for (size_t c = 0; c < after.classes.size(); ++c)
      rows[after_rows[c]].retained_after = after.classes[c].retained;
  }

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
      if (matching == DiffMatching::kByClassAndId &&
          before_rows[before.class_of[i]] != after_rows[after.class_of[j]]) {
        freed(i);
        allocated(j);
      }
      ++i;
      ++j;
    }
  }
  while (i < before.ids.size()) freed(i++);
  while (j < after.ids.size()) allocated(j++);

  for (ClassDelta& r : rows) {
    if (diff.has_retained && r.retained_before != r.retained_after)
      diff.retained_changes.push_back(r);
    if (r.added_count != 0 || r.removed_count != 0) diff.classes.push_back(std::move(r));
  }
  std::sort(diff.retained_changes.begin(), diff.retained_changes.end(),
            [](const ClassDelta& a, const ClassDelta& b) {
              if (a.retained_delta() != b.retained_delta())
                return a.retained_delta() > b.retained_delta();
              return a.key < b.key;
            });
  std::sort(diff.classes.begin(), diff.classes.end(),
            [](const ClassDelta& a, const ClassDelta& b) { return a.key < b.key; });
  return diff;
}

Distances path_distances(const HeapGraph& after) {
  // DevTools' distances (user roots first, weak and filtered edges skipped), with parent edges.
  const EphemeronEdgeNames ephemerons(after.strings);
  return compute_distances(after, ephemerons, {.record_parent_edges = true});
}

TopGrowth top_growth(const HeapDiff& diff, const IdClassTable& before,
                     const IdClassTable& after_table, const HeapGraph& after,
                     const ClassIndex& after_classes, const Distances& d) {
  TopGrowth top;
  const ClassDelta* best = nullptr;
  for (const ClassDelta& c : diff.classes) {
    if (c.size_delta() > 0 && (best == nullptr || c.size_delta() > best->size_delta())) best = &c;
  }
  if (best == nullptr) return top;
  top.found = true;
  top.key = best->key;
  top.name = best->name;
  top.size_delta = best->size_delta();
  top.added_count = best->added_count;

  // The class's new ids, from a merge of the two sorted id columns: a short list to look the
  // class's nodes up in (not the whole first snapshot).
  std::vector<bool> table_class(after_table.classes.size(), false);
  for (size_t c = 0; c < after_table.classes.size(); ++c)
    table_class[c] = after_table.classes[c].key == top.key;
  std::vector<uint32_t> new_ids;
  for (size_t j = 0, i = 0; j < after_table.ids.size(); ++j) {
    if (!table_class[after_table.class_of[j]]) continue;
    while (i < before.ids.size() && before.ids[i] < after_table.ids[j]) ++i;
    if (i == before.ids.size() || before.ids[i] != after_table.ids[j])
      new_ids.push_back(after_table.ids[j]);
  }
  std::vector<bool> in_class(after_classes.classes.size(), false);
  for (size_t c = 0; c < after_classes.classes.size(); ++c)
    in_class[c] = after_classes.classes[c].key == top.key;
  NodeOrdinal nearest = kNoNode;
  for (uint32_t node = 0; node < after.node_count(); ++node) {
    if (!in_class[after_classes.node_class[node]] || d.distance[node] == kNoDistance) continue;
    if (nearest != kNoNode && d.distance[node] >= d.distance[nearest]) continue;
    if (!std::binary_search(new_ids.begin(), new_ids.end(), after.node_id[node])) continue;
    nearest = node;
  }
  if (nearest == kNoNode) return top;
  for (const PathStep& step : shortest_path(after, d, nearest).steps) {
    RetainerStep r;
    if (step.edge != kNoEdge) {
      r.edge = after.edge_name_text(step.edge);
      r.edge_ordinal = step.edge;
      r.edge_type = after.edge_type_names[after.edge_type[step.edge]];
    }
    r.class_name = after_classes.classes[after_classes.node_class[step.node]].name;
    r.node_id = after.node_id[step.node];
    top.path.push_back(std::move(r));
  }
  return top;
}

}  // namespace leakscope
