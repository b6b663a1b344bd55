// WeakMap ephemeron edges. V8 writes a WeakMap value as retained by two internal edges with the
// same descriptive name, one from the key and one from the backing table:
//   `1 / part of key (Key @61) -> value (Val @78) pair in WeakMap (table @75)`
// DevTools drops the table's half for dominators and lets the value's distance be
// max(key, table) + 1. Both need the names parsed, which is done once per distinct string.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "heap/bit_vector.h"
#include "heap/heap_graph.h"

namespace leakscope {

struct EphemeronName {
  uint64_t table_id = 0;   // the `table @T` id (saturated when it does not fit)
  size_t pair_offset = 0;  // where the part shared by the two halves starts (after the digits)
};

// Parses one edge name exactly as DevTools' regular expression does; nullopt when it is not an
// ephemeron edge name.
std::optional<EphemeronName> parse_ephemeron_edge_name(std::string_view name);

// Every ephemeron edge name of a snapshot's string table.
class EphemeronEdgeNames {
 public:
  EphemeronEdgeNames() = default;
  explicit EphemeronEdgeNames(const StringPool& strings);

  // Cheap test, meant for hot loops over internal edges.
  bool is_ephemeron(uint32_t string_index) const {
    return string_index < names_.size() && names_.get(string_index);
  }
  // The table's id, for a string where is_ephemeron() holds.
  uint64_t table_id(uint32_t string_index) const { return info_.at(string_index).table_id; }
  // One id per distinct shared part, so that the key's and the table's edge of the same pair
  // map to the same id even when their leading numbers differ. Dense: 0..pair_count()-1.
  uint32_t pair_id(uint32_t string_index) const { return info_.at(string_index).pair_id; }
  uint32_t pair_count() const { return pair_count_; }
  bool empty() const { return info_.empty(); }

  // True when the internal edge `edge` owned by `owner` is the table's half of a pair.
  bool is_table_half(const HeapGraph& graph, uint32_t owner, uint64_t edge) const {
    if (graph.edge_type[edge] != kInternal) return false;
    const uint32_t name = graph.edge_name[edge];
    return is_ephemeron(name) && table_id(name) == graph.node_id[owner];
  }

 private:
  struct Info {
    uint64_t table_id;
    uint32_t pair_id;
  };
  BitVector names_;
  std::unordered_map<uint32_t, Info> info_;
  uint32_t pair_count_ = 0;
};

}  // namespace leakscope
