// Two heap snapshots of one process compared by object id, as DevTools' Comparison view does:
// an object whose id is only in the base snapshot was freed, one only in the target snapshot was
// allocated, and each is counted under its class. Every node counts (hidden, system, concatenated
// strings, symbols, ...), so nothing that grew is left unattributed.
//
// The comparison needs only a compact table per snapshot (id, class, size), so a live process can
// keep the table and drop the snapshot itself between the two points in time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/class_index.h"
#include "analysis/distances.h"
#include "heap/heap_graph.h"

namespace leakscope {

// One snapshot reduced to what a comparison needs, sorted by id.
struct IdClassTable {
  struct ClassName {
    std::string key;        // DevTools' class key (name plus allocation site for objects)
    std::string name;       // what DevTools shows
    uint64_t retained = 0;  // the class's retained size (class_retained.h), when computed
  };
  std::vector<uint32_t> ids;        // ascending
  std::vector<uint32_t> class_of;   // index into classes, parallel to ids
  std::vector<uint64_t> self_size;  // parallel to ids
  std::vector<ClassName> classes;
  uint64_t node_count = 0;
  uint64_t total_size = 0;    // sum of self sizes
  bool has_retained = false;  // ClassName::retained is filled

  uint64_t memory_bytes() const;
};

// self_sizes: one per node (e.g. from attribute_shallow_sizes()). class_retained: empty, or the
// retained size per class ordinal of `classes` (class_retained_sizes()). DevTools' Comparison
// does not see nodes whose (re-attributed) self size is 0; skip_zero_size leaves them out too.
IdClassTable make_id_class_table(const HeapGraph& graph, const ClassIndex& classes,
                                 std::span<const uint64_t> self_sizes,
                                 std::span<const uint64_t> class_retained = {},
                                 bool skip_zero_size = false);

struct ClassDelta {
  std::string key;
  std::string name;
  uint64_t added_count = 0;    // ids only in the target
  uint64_t removed_count = 0;  // ids only in the base
  uint64_t added_size = 0;
  uint64_t removed_size = 0;
  uint64_t retained_before = 0;  // when both tables have retained sizes
  uint64_t retained_after = 0;

  int64_t count_delta() const {
    return static_cast<int64_t>(added_count) - static_cast<int64_t>(removed_count);
  }
  int64_t size_delta() const {
    return static_cast<int64_t>(added_size) - static_cast<int64_t>(removed_size);
  }
  int64_t retained_delta() const {
    return static_cast<int64_t>(retained_after) - static_cast<int64_t>(retained_before);
  }
};

struct HeapSide {
  uint64_t nodes = 0;
  uint64_t size = 0;
};

struct HeapDiff {
  HeapSide before;
  HeapSide after;
  uint64_t allocated_nodes = 0;
  uint64_t freed_nodes = 0;
  uint64_t allocated_size = 0;
  uint64_t freed_size = 0;
  std::vector<ClassDelta> classes;  // classes with a change, sorted by key (byte order)
  // With retained sizes on both sides: every class whose retained size changed, largest growth
  // first (objects that existed before can come to retain more, so this is not `classes`).
  bool has_retained = false;
  std::vector<ClassDelta> retained_changes;

  int64_t size_delta() const {
    return static_cast<int64_t>(after.size) - static_cast<int64_t>(before.size);
  }
};

// How an id present on both sides is counted when its class differs (a plain object that gained
// properties moves from `{a}` to `{a, b}`).
enum class DiffMatching {
  kById,          // the same object: not counted at all (memwatch, the agent)
  kByClassAndId,  // deleted from the old class, new in the new one (DevTools' per-class join)
};

HeapDiff diff_heaps(const IdClassTable& before, const IdClassTable& after,
                    DiffMatching matching = DiffMatching::kById);

// One step of a retaining path, independent of the graph it came from.
struct RetainerStep {
  std::string edge;        // the edge's name ("cache", "42"); empty for the root
  std::string edge_type;   // "property", "element", "context", "internal", ... ; empty for the root
  std::string class_name;  // class of the node the edge leads to
  uint32_t node_id = 0;    // its snapshot id
  // The edge's ordinal in the target graph; UINT64_MAX for the root.
  uint64_t edge_ordinal = UINT64_MAX;
};

// The class that grew most by size, and the shortest path (retainer_paths.h: from the user roots
// when they reach it, else from the GC roots) to the nearest of its new instances in the target
// snapshot: the first thing to read about a leak.
struct TopGrowth {
  bool found = false;
  std::string key;
  std::string name;
  int64_t size_delta = 0;
  uint64_t added_count = 0;
  std::vector<RetainerStep> path;  // root first; empty when no new instance is reachable
};

// `after_table` / `after` / `after_classes`: the diff's target table and the snapshot and
// classes it was made from; `distances`: its DevTools distances with parent edges
// (path_distances()).
TopGrowth top_growth(const HeapDiff& diff, const IdClassTable& before,
                     const IdClassTable& after_table, const HeapGraph& after,
                     const ClassIndex& after_classes, const Distances& distances);

// The distances top_growth() reads. Independent of the diff, so they can be computed while the
// comparison waits for its other half.
Distances path_distances(const HeapGraph& after);

}  // namespace leakscope
