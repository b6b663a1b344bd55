// Two heap snapshots of one process compared by object id, as DevTools' Comparison view does:
// an object whose id is only in the base snapshot was freed, one only in the target snapshot was
// allocated, and each is counted under its class. Every node counts (hidden, system, concatenated
// strings, symbols, ...), so nothing that grew is left unattributed.
//
// The comparison needs only a compact table per snapshot (id, class, size), so a live process can
// keep the table and drop the snapshot itself between the two points in time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/class_index.h"
#include "heap/heap_graph.h"

namespace leakscope {

// One snapshot reduced to what a comparison needs, sorted by id.
struct IdClassTable {
  struct ClassName {
    std::string key;   // DevTools' class key (name plus allocation site for objects)
    std::string name;  // what DevTools shows
  };
  std::vector<uint32_t> ids;        // ascending
  std::vector<uint32_t> class_of;   // index into classes, parallel to ids
  std::vector<uint64_t> self_size;  // parallel to ids
  std::vector<ClassName> classes;
  uint64_t node_count = 0;
  uint64_t total_size = 0;  // sum of self sizes

  uint64_t memory_bytes() const;
};

// self_sizes: one per node (e.g. from attribute_shallow_sizes()).
IdClassTable make_id_class_table(const HeapGraph& graph, const ClassIndex& classes,
                                 const BigVector<uint64_t>& self_sizes);

struct ClassDelta {
  std::string key;
  std::string name;
  uint64_t added_count = 0;    // ids only in the target
  uint64_t removed_count = 0;  // ids only in the base
  uint64_t added_size = 0;
  uint64_t removed_size = 0;

  int64_t count_delta() const {
    return static_cast<int64_t>(added_count) - static_cast<int64_t>(removed_count);
  }
  int64_t size_delta() const {
    return static_cast<int64_t>(added_size) - static_cast<int64_t>(removed_size);
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

  int64_t size_delta() const {
    return static_cast<int64_t>(after.size) - static_cast<int64_t>(before.size);
  }
};

HeapDiff diff_heaps(const IdClassTable& before, const IdClassTable& after);

}  // namespace leakscope
