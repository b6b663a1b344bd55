#include "analysis/shallow_sizes.h"

#include <limits>

namespace leakscope {

bool has_user_roots(const HeapGraph& graph) {
  // DevTools: a user root is any non-synthetic child of the root, or a synthetic
  // "(Document DOM trees)" node (browsers only).
  for (uint64_t e = graph.edges_begin(graph.root); e < graph.edges_end(graph.root); ++e) {
    const uint32_t child = graph.edge_to[e];
    if (graph.type(child) != kSynthetic || graph.name(child) == "(Document DOM trees)") return true;
  }
  return false;
}

namespace {

// Moves sizes (indexed like the graph's nodes) from owned storage onto its single owner.
void attribute(const HeapGraph& graph, BigVector<uint64_t>& sizes) {
  if (!has_user_roots(graph)) return;  // exposeInternals snapshots stay as V8 wrote them

  const uint32_t n = graph.node_count();
  constexpr uint32_t kUnvisited = std::numeric_limits<uint32_t>::max();
  constexpr uint32_t kMultipleOwners = kUnvisited - 1;

  // Every node that is not internal storage owns itself; a flood over non-weak edges hands each
  // unowned node the owner that reached it, or marks it shared when a second owner arrives.
  // The order of the flood does not change the result.
  BigVector<uint32_t> owner(n);
  BigVector<uint32_t> worklist;
  worklist.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    const NodeType t = graph.type(i);
    const bool storage = t == kHidden || t == kArray ||
                         (t == kNative && graph.name(i) == "system / ExternalStringData");
    if (storage) {
      owner[i] = kUnvisited;
    } else {
      owner[i] = i;
      worklist.push_back(i);
    }
  }
  while (!worklist.empty()) {
    const uint32_t id = worklist.back();
    worklist.pop_back();
    const uint32_t own = owner[id];
    for (uint64_t e = graph.edges_begin(id), end = graph.edges_end(id); e < end; ++e) {
      if (graph.edge_type[e] == kWeak) continue;
      const uint32_t target = graph.edge_to[e];
      const uint32_t current = owner[target];
      if (current == kUnvisited) {
        owner[target] = own;
        worklist.push_back(target);
      } else if (current != target && current != own && current != kMultipleOwners) {
        owner[target] = kMultipleOwners;
        worklist.push_back(target);
      }
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t own = owner[i];
    if (own == kUnvisited || own == kMultipleOwners || own == i) continue;
    // Charging the root or a synthetic node would only hide the size.
    if (own == graph.root || graph.type(own) == kSynthetic) continue;
    sizes[own] += sizes[i];
    sizes[i] = 0;
  }
}

}  // namespace

BigVector<uint64_t> attribute_shallow_sizes(const HeapGraph& graph) {
  BigVector<uint64_t> sizes = graph.node_self_size;
  attribute(graph, sizes);
  return sizes;
}

void attribute_shallow_sizes_in_place(HeapGraph& graph) {
  attribute(graph, graph.node_self_size);
}

}  // namespace leakscope
