// Normalised retainer paths: the key by which the leak finder clusters objects (and `path --class`
// groups the instances of a class). Two objects get the same key when their shortest retainer
// paths read the same once element indices, Map/Set slots and the keys of dictionary-like owners
// are erased and repeated segments (linked lists, closure-context chains) are folded: the 10,000
// sessions of one Map share a key, and so do the links of one chain.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/class_index.h"
#include "analysis/distances.h"
#include "heap/heap_graph.h"
#include "heap/indices.h"

namespace leakscope {

// One step of a normalised path: the edge into `node` (kNoEdge for the path's start).
struct PathKeyStep {
  uint32_t node = 0;
  uint64_t edge = UINT64_MAX;
  bool name_erased = false;  // an index or key: print it as a wildcard
  bool repeated = false;     // the segment below this step repeats (a folded chain)
};

class PathKeys {
 public:
  static constexpr NodeOrdinal kNoParent = kNoNode;

  // distances must have been computed with record_parent_edges. The references must outlive
  // this object. Memory: 17 bytes per node plus the shortest-path owners.
  PathKeys(const HeapGraph& graph, const Distances& distances, const ClassIndex& classes);

  // The node's normalised-path hash (never 0). Memoised; filling a path walks up iteratively.
  uint64_t key(uint32_t node);
  // True when the node's last step repeated a step just above it (it is a link of a chain).
  // Valid after key(node).
  bool chained(uint32_t node) const { return chained_[node]; }
  // The owner of the node on its shortest path (kNoParent for the BFS starts, unreached nodes).
  uint32_t parent(uint32_t node) const { return parents_[node]; }
  const std::vector<uint32_t>& parents() const { return parents_; }

  // The steps that make up the node's key, outermost first: folded repetitions are dropped and
  // the step they fold onto is marked `repeated`.
  std::vector<PathKeyStep> normalized_path(uint32_t node);

 private:
  void compute(uint32_t node);
  uint32_t folded_onto(uint32_t node) const;

  const HeapGraph& g_;
  const Distances& d_;
  const ClassIndex& c_;
  std::vector<uint32_t> parents_;
  std::vector<uint64_t> key_;
  std::vector<uint64_t> token_;
  std::vector<bool> chained_;
  std::vector<uint32_t> stack_;
};

// Whether a path step's edge name is left out of the key: element indices, numeric internal
// names (Map/Set tables) and the property names of dictionary-like owners.
bool is_erased_edge_name(const HeapGraph& graph, uint32_t owner, uint64_t edge);

// The owner of every node on its shortest path (PathKeys::kNoParent where there is none), in one
// pass over the edges instead of a binary search per lookup.
std::vector<uint32_t> shortest_path_parents(const HeapGraph& graph, const Distances& distances);

}  // namespace leakscope
