// The biggest holders: the top of the dominator tree, largest retained sizes first, each with its
// largest dominated children, a few levels deep.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/dominators.h"
#include "heap/heap_graph.h"

namespace leakscope {

struct HolderEntry {
  uint32_t node = 0;
  uint32_t depth = 0;  // 0 for the start node
  uint64_t retained_size = 0;
  uint64_t self_size = 0;        // re-attributed
  uint64_t dominated_count = 0;  // direct dominated children (all of them, not only those shown)
  std::string class_name;        // DevTools' per-type class (no interface inference)
  std::string label;             // short display name, e.g. `{cache, records, …}`
};

struct TopHoldersOptions {
  uint32_t start = 0;      // node ordinal to start from (the root by default)
  uint32_t top = 10;       // children of the start node to list
  uint32_t children = 5;   // largest dominated children shown under each listed node
  uint32_t depth = 2;      // levels below the start node's children to expand
  bool skip_empty = true;  // leave out nodes that retain nothing
};

struct TopHolders {
  uint64_t total_size = 0;           // the root's retained size
  std::vector<HolderEntry> entries;  // pre-order: each entry's children follow it
};

// `tree` must have its dominated children built.
TopHolders top_holders(const HeapGraph& graph, const DominatorTree& tree,
                       const BigVector<uint64_t>& self_sizes, const TopHoldersOptions& options);

}  // namespace leakscope
