// The dominator tree and retained sizes, with DevTools' semantics, node for node.
//
// DevTools runs Lengauer-Tarjan over its "essential" edges (see essential_edges.h) from the root,
// then from every unvisited node that no essential edge reaches ("only weak retainers"), each hung
// under the root; nodes still unvisited (cycles that nothing else reaches) are hung under the root
// one by one and dominate nothing. Edges out of those cycles never change anyone's dominator.
// That makes the result the dominator tree of the graph "essential edges + root -> each orphan",
// which is unique, so any correct algorithm gives the same tree. This one is semi-NCA over an
// iterative DFS, working in DFS-number space for locality, with O(nodes) memory besides the
// predecessor lists.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/essential_edges.h"
#include "heap/heap_graph.h"

namespace leakscope {

struct DominatorTree {
  std::vector<uint32_t> idom;      // immediate dominator per node ordinal; idom[root] == root
  BigVector<uint64_t> retained;  // retained size per node ordinal (self sizes as given)
  uint32_t unreachable = 0;        // nodes no essential path from the root reaches, hung under the
                                   // root (DevTools warns "N nodes are unreachable from the root")

  // Dominated children, built on request: node v's children are
  // children[first_child[v] .. first_child[v + 1]).
  std::vector<uint32_t> first_child;
  std::vector<uint32_t> children;
  bool has_children() const { return !first_child.empty(); }
};

struct DominatorOptions {
  bool build_children = false;
};

// essential: one bit per edge (EssentialEdges::edge_bits()); self_sizes: one per node (after
// attribute_shallow_sizes(), to match DevTools).
DominatorTree compute_dominators(const HeapGraph& graph, const BitVector& essential,
                                 const BigVector<uint64_t>& self_sizes,
                                 const DominatorOptions& options = {});

// Fills first_child/children from idom (children of each node in ascending ordinal order).
void build_dominated_children(DominatorTree& tree, uint32_t root);

}  // namespace leakscope
