#include "analysis/statistics.h"

namespace leakscope {

HeapStatistics compute_statistics(const HeapGraph& g, const BigVector<uint64_t>& self_sizes) {
  HeapStatistics s;
  const uint32_t n = g.node_count();
  s.nodes_by_type.assign(g.node_type_names.size(), 0);
  s.size_by_type.assign(g.node_type_names.size(), 0);
  s.edges_by_type.assign(g.edge_type_names.size(), 0);
  for (uint64_t e = 0; e < g.edge_count(); ++e) ++s.edges_by_type[g.edge_type[e]];

  // An Array's elements store counts with the array only when the array is its sole retainer,
  // so count the retainers of just those stores.
  std::vector<uint32_t> elements_of;  // per Array node in order: the elements node or n
  std::vector<uint8_t> retainers(n, 0);
  std::vector<bool> is_store(n, false);
  for (uint32_t i = 0; i < n; ++i) {
    const NodeType t = g.type(i);
    if (t == kHidden || t == kNative || t == kCode || t == kString || t == kConsString ||
        t == kSlicedString || g.name(i) != "Array")
      continue;
    for (uint64_t e = g.edges_begin(i); e < g.edges_end(i); ++e) {
      if (g.edge_type[e] == kInternal && g.strings.get(g.edge_name[e]) == "elements") {
        is_store[g.edge_to[e]] = true;
        break;
      }
    }
  }
  for (uint64_t e = 0; e < g.edge_count(); ++e) {
    const uint32_t to = g.edge_to[e];
    if (is_store[to] && retainers[to] < 2) ++retainers[to];
  }

  s.native = g.header.extra_native_bytes;
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const NodeType t = g.type(i);
    const uint64_t size = self_sizes[i];
    ++s.nodes_by_type[t];
    s.size_by_type[t] += g.node_self_size[i];
    sum += size;
    switch (t) {
      case kHidden:
        s.system += size;
        break;
      case kNative:
        s.native += size;
        if (g.name(i) == "system / JSArrayBufferData") s.typed_arrays += size;
        break;
      case kCode:
        s.code += size;
        break;
      case kString:
      case kConsString:
      case kSlicedString:
        s.strings += size;
        break;
      default:
        if (g.name(i) == "Array") {
          s.js_arrays += size;
          for (uint64_t e = g.edges_begin(i); e < g.edges_end(i); ++e) {
            if (g.edge_type[e] == kInternal && g.strings.get(g.edge_name[e]) == "elements") {
              if (retainers[g.edge_to[e]] == 1) s.js_arrays += self_sizes[g.edge_to[e]];
              break;
            }
          }
        }
    }
  }
  // Every node ends up in DevTools' dominator tree, so the root's retained size is the sum of all
  // self sizes (re-attribution moves bytes, it does not create or drop them).
  s.total = sum + g.header.extra_native_bytes;
  s.v8_heap = s.total - s.native;
  return s;
}

}  // namespace leakscope
