// Which edges may make a dominator, as DevTools decides it. An edge is left out when it is weak,
// a self-edge, a shortcut not owned by the root, the table's half of a WeakMap ephemeron pair, or
// when it leads from a node the user roots do not reach into one they do ("page-owned" rule:
// paths from GC-root internals into the user's world must not dominate user objects).
#pragma once

#include <cstdint>

#include "analysis/ephemeron_edges.h"
#include "heap/bit_vector.h"
#include "heap/heap_graph.h"

namespace leakscope {

// Nodes reachable over non-weak edges from the root's shortcut edges (in Node: `global`) and from
// a synthetic `(Document DOM trees)` child of the root (browsers). All clear when the snapshot
// has no user roots, which switches the rule off, as in DevTools.
BitVector mark_page_owned(const HeapGraph& graph);

class EssentialEdges {
 public:
  EssentialEdges(const HeapGraph& graph, const EphemeronEdgeNames& ephemerons);

  const BitVector& page_owned() const { return page_owned_; }

  // `edge` must be one of `owner`'s edges.
  bool is_essential(uint32_t owner, uint64_t edge) const {
    const uint8_t type = graph_->edge_type[edge];
    if (type == kWeak) return false;
    const uint32_t target = graph_->edge_to[edge];
    if (target == owner) return false;
    if (type == kInternal && ephemerons_->is_table_half(*graph_, owner, edge)) return false;
    if (owner != graph_->root) {
      if (type == kShortcut) return false;
      if (page_owned_.get(target) && !page_owned_.get(owner)) return false;
    }
    return true;
  }

  // One bit per edge, for callers that test the same edges many times. Computed with `threads`
  // threads (each on its own range of 64-edge words, so no two write the same word).
  BitVector edge_bits(unsigned threads = 1) const;

 private:
  const HeapGraph* graph_;
  const EphemeronEdgeNames* ephemerons_;
  BitVector page_owned_;
};

}  // namespace leakscope
