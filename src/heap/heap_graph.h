// HeapGraph: the one model every analysis reads. A V8 heap snapshot loaded into flat columns.
//
// Nodes are a struct of arrays indexed by node ordinal (0 = the synthetic root unless the header
// says otherwise); edges are in CSR form: node i owns edges [first_edge[i], first_edge[i + 1]).
// Edge targets are node ordinals, not the file's "node index" (ordinal x node field count).
// No per-node allocation and no pointers, so a 1 GB snapshot fits in about its own size.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "heap/big_vector.h"
#include "heap/string_pool.h"

namespace leakscope {

// V8's node types. The file's own `meta.node_types` is mapped onto these at load time, so the
// numbering of any V8 version works. Types a newer V8 adds get values from kFirstExtraNodeType
// upwards and keep their names in HeapGraph::node_type_names.
enum NodeType : uint8_t {
  kHidden = 0,
  kArray,
  kString,
  kObject,
  kCode,
  kClosure,
  kRegExp,
  kNumber,
  kNative,
  kSynthetic,
  kConsString,
  kSlicedString,
  kSymbol,
  kBigInt,
  kObjectShape,
  kWasmObject,
  kKnownNodeTypeCount,
  kFirstExtraNodeType = 32,
};

enum EdgeType : uint8_t {
  kContext = 0,
  kElement,
  kProperty,
  kInternal,
  kHiddenEdge,
  kShortcut,
  kWeak,
  kKnownEdgeTypeCount,
  kFirstExtraEdgeType = 32,
};

// V8's names for the types above, as they appear in snapshot meta.
std::string_view known_node_type_name(NodeType type);
std::string_view known_edge_type_name(EdgeType type);

struct SnapshotHeader {
  std::string title;
  uint64_t uid = 0;
  uint64_t node_count = 0;            // as the header claims; checked against the arrays
  uint64_t edge_count = 0;            // as the header claims; checked against the arrays
  uint64_t trace_function_count = 0;  // can be stale (V8 writes it early); not trusted
  uint64_t extra_native_bytes = 0;    // Node 24+: native memory not in any node
  bool has_root_index = false;
  uint64_t root_index = 0;  // file node index, when a producer writes one
  std::vector<std::string> node_fields;
  std::vector<std::string> edge_fields;
  std::vector<std::string> trace_function_info_fields;
  std::vector<std::string> trace_node_fields;
  std::vector<std::string> sample_fields;
  std::vector<std::string> location_fields;
};

struct Location {
  uint32_t node;  // node ordinal
  uint32_t script_id;
  uint32_t line;    // 0-based, as in the file
  uint32_t column;  // 0-based, as in the file
};

struct TraceFunctionInfo {
  uint64_t function_id;
  uint32_t name;         // string index
  uint32_t script_name;  // string index
  uint64_t script_id;
  int64_t line;  // -1 when unknown
  int64_t column;
};

// Allocation-trace tree, flattened in pre-order; children of node k are the nodes k+1.. up to the
// end of k's subtree (subtree_end is one past its last descendant).
struct TraceNode {
  uint64_t id;
  uint64_t function_info_index;
  uint64_t count;
  uint64_t size;
  uint32_t parent;       // kNoTraceParent for the top-level nodes
  uint32_t subtree_end;  // one past the last descendant, in this vector
};
inline constexpr uint32_t kNoTraceParent = UINT32_MAX;

struct Sample {
  uint64_t timestamp_us;
  uint64_t last_assigned_id;
};

class HeapGraph {
 public:
  SnapshotHeader header;

  // Nodes, one entry per node ordinal.
  BigVector<uint8_t> node_type;        // NodeType (or an extra type >= kFirstExtraNodeType)
  BigVector<uint32_t> node_name;       // index into strings
  BigVector<uint32_t> node_id;         // V8's snapshot object id, stable within a process
  BigVector<uint64_t> node_self_size;  // bytes, as V8 wrote them
  // Size node_count + 1 (CSR offsets, edge ordinals; 32 bits hold 4G edges, a ~60 GB file).
  BigVector<uint32_t> first_edge;
  BigVector<uint32_t> node_trace_id;     // empty unless the file has trace_node_id
  BigVector<uint8_t> node_detachedness;  // empty unless the file has detachedness; 0/1/2

  // Edges, grouped by owner in node order.
  BigVector<uint8_t> edge_type;   // EdgeType (or an extra type)
  BigVector<uint32_t> edge_name;  // string index, or the numeric index for element/hidden
  BigVector<uint32_t> edge_to;    // target node ordinal

  StringPool strings;
  BigVector<Location> locations;  // in file order
  std::vector<TraceFunctionInfo> trace_function_infos;
  std::vector<TraceNode> trace_tree;
  std::vector<Sample> samples;

  // Names of the node/edge types by value, including extra ones (index = the type value).
  std::vector<std::string> node_type_names;
  std::vector<std::string> edge_type_names;

  uint32_t root = 0;  // ordinal of the root node

  uint32_t node_count() const { return static_cast<uint32_t>(node_type.size()); }
  uint64_t edge_count() const { return edge_type.size(); }

  NodeType type(uint32_t node) const { return static_cast<NodeType>(node_type[node]); }
  std::string_view name(uint32_t node) const { return strings.get(node_name[node]); }
  std::string_view type_name(uint32_t node) const { return node_type_names[node_type[node]]; }
  uint64_t edges_begin(uint32_t node) const { return first_edge[node]; }
  uint64_t edges_end(uint32_t node) const { return first_edge[node + 1]; }

  EdgeType edge_kind(uint64_t edge) const { return static_cast<EdgeType>(edge_type[edge]); }
  // True when the edge's name field is a number (element and hidden edges), not a string index.
  bool edge_name_is_index(uint64_t edge) const {
    return edge_type[edge] == kElement || edge_type[edge] == kHiddenEdge;
  }
  // The edge's name as text ("42" for element and hidden edges).
  std::string edge_name_text(uint64_t edge) const;

  // Byte estimate of the loaded model, for the memory budget and `info`.
  uint64_t memory_bytes() const;
};

}  // namespace leakscope
