#include "addon/v8_snapshot_graph.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <future>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "heap/bit_vector.h"
#include "heap/graph_queries.h"

namespace leakscope::addon {
namespace {

// ---------------------------------------------------------------------------------------------
// V8's own records behind the API's pointers.
//
// A HeapGraphNode* is V8's HeapEntry and a HeapGraphEdge* its HeapGraphEdge. Every V8 in Node
// 18-24 lays them out as
//   HeapEntry      +0  u32 type:4 | index:28
//                  +8  self size (bits 0-47), detachedness (bits 48-49)
//                  +16 HeapSnapshot*    +24 const char* name    +32 u32 id
//   HeapGraphEdge  +0  u32 type:3 | from:29
//                  +8  HeapEntry* to    +16 const char* name, or int index
// Reading the positions and the name pointers there saves a hash lookup per edge and a JS string
// per name (GetName() internalizes one each call). The layout is private, so it is proven on the
// snapshot at hand before use: for ~512 nodes spread over it and their first edges, every field
// must match what the API says and the names must equal GetName() byte for byte (copied through
// a pipe, so a wrong guess fails with EFAULT, never a crash); the walk then checks every 64th
// node and its edges again. Otherwise the reader uses the public API alone.

template <typename T>
T field(const void* record, size_t offset) {
  T value;
  std::memcpy(&value, static_cast<const char*>(record) + offset, sizeof value);
  return value;
}

// The size word's upper bits hold the detachedness and uninitialized padding.
constexpr uint64_t kSelfSizeMask = (uint64_t{1} << 48) - 1;
constexpr unsigned kDetachednessShift = 48;

uint32_t entry_index(const v8::HeapGraphNode* node) {
  return field<uint32_t>(node, 0) >> 4;
}
const char* entry_name(const v8::HeapGraphNode* node) {
  return field<const char*>(node, 24);
}
const char* edge_name_ptr(const v8::HeapGraphEdge* edge) {
  return field<const char*>(edge, 16);
}
int edge_index(const v8::HeapGraphEdge* edge) {
  return field<int>(edge, 16);
}

// Whether V8's records say what the API said about them.
bool entry_matches(const v8::HeapSnapshot& snapshot, const v8::HeapGraphNode* node, uint32_t i,
                   int type, uint64_t self_size, uint32_t id) {
  const uint32_t word = field<uint32_t>(node, 0);
  return (word >> 4) == i && (word & 15U) == static_cast<uint32_t>(type & 15) &&
         (field<uint64_t>(node, 8) & kSelfSizeMask) == self_size &&
         field<const void*>(node, 16) == static_cast<const void*>(&snapshot) &&
         field<uint32_t>(node, 32) == id;
}

bool edge_matches(const v8::HeapGraphEdge* edge, int type, const v8::HeapGraphNode* to) {
  return (field<uint32_t>(edge, 0) & 7U) == static_cast<uint32_t>(type & 7) &&
         field<const v8::HeapGraphNode*>(edge, 8) == to;
}

bool is_index_edge(v8::HeapGraphEdge::Type type) {
  return type == v8::HeapGraphEdge::kElement || type == v8::HeapGraphEdge::kHidden;
}

// Copies `expected.size() + 1` bytes at `p` through a pipe: the kernel reports an unreadable
// address as EFAULT instead of faulting.
class SafeMemory {
 public:
  SafeMemory() {
    if (pipe2(fds_, O_CLOEXEC | O_NONBLOCK) != 0) fds_[0] = fds_[1] = -1;
  }
  ~SafeMemory() {
    if (fds_[0] >= 0) close(fds_[0]);
    if (fds_[1] >= 0) close(fds_[1]);
  }
  SafeMemory(const SafeMemory&) = delete;
  SafeMemory& operator=(const SafeMemory&) = delete;

  bool holds_c_string(const char* p, std::string_view expected) {
    if (fds_[0] < 0 || expected.size() >= sizeof buffer_) return false;
    const size_t n = expected.size() + 1;
    if (write(fds_[1], p, n) != static_cast<ssize_t>(n)) return false;
    if (read(fds_[0], buffer_, n) != static_cast<ssize_t>(n)) return false;
    return std::memcmp(buffer_, expected.data(), expected.size()) == 0 && buffer_[n - 1] == '\0';
  }

 private:
  int fds_[2];
  char buffer_[4096];
};

std::string utf8(v8::Isolate* isolate, v8::Local<v8::Value> value) {
  const v8::String::Utf8Value text(isolate, value);
  return {*text != nullptr ? *text : "", static_cast<size_t>(text.length())};
}

// The sampled half of the proof: names of ~512 nodes spread over the snapshot, and of their
// first edges, equal what GetName() says. The walk proves the rest on every node and edge.
bool names_hold(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot) {
  const auto n = static_cast<uint32_t>(snapshot.GetNodesCount());
  constexpr uint32_t kSamples = 512;
  const uint32_t stride = std::max<uint32_t>(1, n / kSamples);
  SafeMemory memory;
  uint32_t named_edges = 0;
  uint32_t index_edges = 0;
  v8::HandleScope scope(isolate);
  for (uint32_t i = 0; i < n; i += stride) {
    const v8::HeapGraphNode* node = snapshot.GetNode(static_cast<int>(i));
    if (!entry_matches(snapshot, node, i, node->GetType(), node->GetShallowSize(), node->GetId()))
      return false;
    if (!memory.holds_c_string(entry_name(node), utf8(isolate, node->GetName()))) return false;
    if (node->GetChildrenCount() == 0) continue;
    const v8::HeapGraphEdge* edge = node->GetChild(0);
    if (!edge_matches(edge, edge->GetType(), edge->GetToNode())) return false;
    const v8::Local<v8::Value> name = edge->GetName();
    if (is_index_edge(edge->GetType())) {
      if (!name->IsNumber() || name.As<v8::Number>()->Value() != edge_index(edge)) return false;
      ++index_edges;
    } else {
      if (!memory.holds_c_string(edge_name_ptr(edge), utf8(isolate, name))) return false;
      ++named_edges;
    }
  }
  return named_edges > 0 && index_edges > 0;
}

// ---------------------------------------------------------------------------------------------

// An open-addressing map from pointers to 32-bit numbers: it runs once per node or edge, where
// std::unordered_map's node allocations and modulo cost more than the work around them.
class PointerIndex {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  explicit PointerIndex(size_t expected = 512) {
    size_t capacity = 1024;
    while (capacity < expected * 2) capacity *= 2;
    keys_.assign(capacity, nullptr);
    values_.resize(capacity);
  }

  uint32_t find(const void* key) const {
    for (size_t slot = hash(key);; slot = (slot + 1) & (keys_.size() - 1)) {
      if (keys_[slot] == key) return values_[slot];
      if (keys_[slot] == nullptr) return kAbsent;
    }
  }
  // `key` must not be in the map yet.
  void insert(const void* key, uint32_t value) {
    size_t slot = hash(key);
    while (keys_[slot] != nullptr) slot = (slot + 1) & (keys_.size() - 1);
    keys_[slot] = key;
    values_[slot] = value;
    if (++count_ * 2 > keys_.size()) grow();  // at most half full
  }

 private:
  size_t hash(const void* key) const {
    return static_cast<size_t>((reinterpret_cast<uintptr_t>(key) * 0x9E3779B97F4A7C15ULL) >> 24) &
           (keys_.size() - 1);
  }
  void grow() {
    std::vector<const void*> keys(keys_.size() * 2, nullptr);
    std::vector<uint32_t> values(keys.size());
    keys.swap(keys_);
    values.swap(values_);
    count_ = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] != nullptr) insert(keys[i], values[i]);
    }
  }

  std::vector<const void*> keys_;  // power-of-two size
  std::vector<uint32_t> values_;
  size_t count_ = 0;
};

// Positions of nodes from their pointers, for walk_api(): an index built over GetNode().
class NodeOrdinals {
 public:
  explicit NodeOrdinals(const v8::HeapSnapshot& snapshot)
      : index_(static_cast<size_t>(snapshot.GetNodesCount())) {
    const auto n = static_cast<uint32_t>(snapshot.GetNodesCount());
    for (uint32_t i = 0; i < n; ++i) index_.insert(snapshot.GetNode(static_cast<int>(i)), i);
  }

  uint32_t operator()(const v8::HeapGraphNode* node) const {
    const uint32_t i = index_.find(node);
    if (i == PointerIndex::kAbsent)
      throw std::runtime_error("an edge of V8's snapshot leads nowhere");
    return i;
  }

 private:
  PointerIndex index_;
};

// Names read straight from V8's string storage, which holds each distinct name once, so a
// pointer seen before is a name seen before. An open-addressing table: this runs once per edge.
class PointerNames {
 public:
  explicit PointerNames(StringPool& pool) : pool_(pool) {}
  // The name an id of this table stands for (V8's pointer), or nullptr for ids it did not make.
  const char* pointer(uint32_t id) const { return id < pointers_.size() ? pointers_[id] : nullptr; }

  uint32_t id(const char* name) {
    // The slots of an array's backing store are internal edges named "0", "1", ...: a million
    // distinct names for a million-element array. A table by value keeps them out of the hash.
    if (*name >= '0' && *name <= '9') {
      const uint32_t number = decimal(name);
      if (number != kNotDecimal) return number_id(number, name);
    }
    uint32_t id = by_pointer_.find(name);
    if (id == PointerIndex::kAbsent) {
      id = new_id(name);
      by_pointer_.insert(name, id);
    }
    return id;
  }

 private:
  static constexpr uint32_t kNotDecimal = UINT32_MAX;
  static constexpr uint32_t kMaxNumber = 1U << 26;  // beyond this, numbers go through the hash

  // The value of a canonical decimal ("0", "17"; not "017", "1a", or too large), else
  // kNotDecimal.
  static uint32_t decimal(const char* p) {
    if (p[0] == '0') return p[1] == '\0' ? 0 : kNotDecimal;
    uint32_t value = 0;
    for (; *p != '\0'; ++p) {
      if (*p < '0' || *p > '9' || value >= kMaxNumber / 10) return kNotDecimal;
      value = value * 10 + static_cast<uint32_t>(*p - '0');
    }
    return value;
  }
  uint32_t number_id(uint32_t number, const char* name) {
    if (number >= by_number_.size())
      by_number_.resize(std::max<size_t>(number + 1, by_number_.size() * 2), 0);
    uint32_t& id = by_number_[number];
    if (id == 0) id = new_id(name);  // 0 is the empty name's id, never a number's
    return id;
  }
  uint32_t new_id(const char* name) {
    const uint32_t id = pool_.size();
    pool_.add(name);
    if (pointers_.size() <= id) pointers_.resize(id + 1, nullptr);
    pointers_[id] = name;
    return id;
  }

  StringPool& pool_;
  PointerIndex by_pointer_;
  std::vector<uint32_t> by_number_;    // id of each decimal name seen, 0 for none yet
  std::vector<const char*> pointers_;  // by id
};

// Names through the public API. GetName() returns internalized strings, unique by content, so a
// name seen before is found by identity (hash, then handle comparison) without copying its
// characters out of the JS heap again.
class ApiNames {
 public:
  ApiNames(v8::Isolate* isolate, StringPool& pool) : isolate_(isolate), pool_(pool) {}
  ~ApiNames() {
    for (auto& [hash, entries] : by_hash_) {
      for (Entry& e : entries) e.handle.Reset();
    }
  }
  ApiNames(const ApiNames&) = delete;
  ApiNames& operator=(const ApiNames&) = delete;

  // Handles are compared with the previous name first (runs of "Object" are common); call
  // forget_last() before the HandleScope that made it closes.
  uint32_t id(v8::Local<v8::String> name) {
    if (!last_.IsEmpty() && last_ == name) return last_id_;
    last_ = name;
    last_id_ = lookup(name);
    return last_id_;
  }
  void forget_last() { last_.Clear(); }

 private:
  struct Entry {
    v8::Global<v8::String> handle;
    uint32_t id;
  };

  uint32_t lookup(v8::Local<v8::String> name) {
    std::vector<Entry>& entries = by_hash_[name->GetIdentityHash()];
    for (const Entry& e : entries) {
      if (e.handle == name) return e.id;
    }
    const std::string text = utf8(isolate_, name);
    auto [it, added] = by_text_.try_emplace(text, pool_.size());
    if (added) pool_.add(text);
    entries.push_back({v8::Global<v8::String>(isolate_, name), it->second});
    return it->second;
  }

  v8::Isolate* isolate_;
  StringPool& pool_;
  std::unordered_map<int, std::vector<Entry>> by_hash_;
  std::unordered_map<std::string, uint32_t> by_text_;
  v8::Local<v8::String> last_;
  uint32_t last_id_ = 0;
};

template <typename Enum>
Enum extra_type(int v8_type, uint32_t known_count, std::vector<std::string>& names);

// V8's type numbers are the project's for every type V8 has today; newer ones get extra values.
template <typename Enum>
inline Enum map_type(int v8_type, uint32_t known_count, std::vector<std::string>& names) {
  if (v8_type >= 0 && static_cast<uint32_t>(v8_type) < known_count) [[likely]]
    return static_cast<Enum>(v8_type);
  return extra_type<Enum>(v8_type, known_count, names);
}

template <typename Enum>
Enum extra_type(int v8_type, uint32_t known_count, std::vector<std::string>& names) {
  const uint32_t value = kFirstExtraNodeType + static_cast<uint32_t>(v8_type) - known_count;
  if (v8_type < 0 || value > std::numeric_limits<uint8_t>::max())
    throw std::runtime_error("V8's snapshot has an unknown node or edge type");
  if (names.size() <= value) names.resize(value + 1);
  if (names[value].empty()) names[value] = "type " + std::to_string(v8_type);
  return static_cast<Enum>(value);
}

FetchedEdgeName name_of(v8::Isolate* isolate, const v8::HeapGraphEdge* v8edge, uint64_t edge) {
  v8::HandleScope scope(isolate);
  const v8::Local<v8::Value> name = v8edge->GetName();
  if (name->IsString()) return {edge, utf8(isolate, name)};
  const double index = name->IsNumber() ? name.As<v8::Number>()->Value() : 0;
  return {edge, std::to_string(static_cast<int64_t>(index))};
}

// Whether an internal edge's name can be a WeakMap entry's ("12 / part of key (..."), the only
// internal edge names dominators read; a cheap test that spares interning the rest (an array's
// slots "0".."999999", "map", ...).
bool may_be_ephemeron(const char* name) {
  static constexpr char kKeyPart[] = " / part of key (";
  const char* p = name;
  while (*p >= '0' && *p <= '9') ++p;
  return p != name && std::strncmp(p, kKeyPart, sizeof kKeyPart - 1) == 0;
}

// Reads nodes [begin, end) and their edges from V8's records: names, types, ids, sizes,
// detachedness and targets (an edge's target position is read from the target's own entry).
// Every 64th node and its edges are checked against the API once more on the way; false means
// one disagreed. edge_names false keeps only WeakMap entries' edge names.
bool walk_range(const v8::HeapSnapshot& snapshot, HeapGraph& g, uint32_t begin, uint32_t end,
                PointerNames& names, bool edge_names) {
  for (uint32_t i = begin; i < end; ++i) {
    const v8::HeapGraphNode* node = snapshot.GetNode(static_cast<int>(i));
    const uint32_t word = field<uint32_t>(node, 0);
    const uint64_t size_word = field<uint64_t>(node, 8);
    const bool check = i % 64 == 0;
    if (check &&
        !entry_matches(snapshot, node, i, node->GetType(), node->GetShallowSize(), node->GetId()))
      return false;
    const auto type = static_cast<NodeType>(word & 15U);
    g.node_type[i] = type;
    g.node_name[i] = node_name_kept(type) ? names.id(entry_name(node)) : 0;
    g.node_id[i] = field<uint32_t>(node, 32);
    g.node_self_size[i] = size_word & kSelfSizeMask;
    g.node_detachedness[i] = static_cast<uint8_t>((size_word >> kDetachednessShift) & 3U);
    const uint64_t first = g.first_edge[i];
    const auto children = static_cast<int>(g.first_edge[i + 1] - first);
    if (check && node->GetChildrenCount() != children) return false;
    for (int c = 0; c < children; ++c) {
      const v8::HeapGraphEdge* edge = node->GetChild(c);
      const uint32_t edge_type = field<uint32_t>(edge, 0) & 7U;
      if (check && !edge_matches(edge, edge->GetType(), edge->GetToNode())) return false;
      if (edge_type >= kKnownEdgeTypeCount) return false;  // a type this code does not know
      g.edge_type[first + c] = static_cast<uint8_t>(edge_type);
      g.edge_to[first + c] = entry_index(field<const v8::HeapGraphNode*>(edge, 8));
      if (g.edge_name_is_index(first + c)) {
        g.edge_name[first + c] = static_cast<uint32_t>(edge_index(edge));
      } else if (edge_names || (edge_type == kInternal && may_be_ephemeron(edge_name_ptr(edge)))) {
        g.edge_name[first + c] = names.id(edge_name_ptr(edge));
      } else {
        g.edge_name[first + c] = 0;
      }
    }
  }
  return true;
}

// Reads the whole graph from V8's records (the layout names_hold() proved on a sample), the
// second half of the nodes on a helper thread with names of its own, merged afterwards. False:
// a check failed and the graph is to be refilled by walk_api().
bool walk_entries(const v8::HeapSnapshot& snapshot, HeapGraph& g, bool edge_names) {
  const uint32_t n = g.node_count();
  // Halves of about equal edge counts: edges are most of the work.
  const uint64_t half_edges = g.edge_count() / 2;
  const uint32_t mid = static_cast<uint32_t>(
      std::lower_bound(g.first_edge.begin(), g.first_edge.end() - 1, half_edges) -
      g.first_edge.begin());
  g.strings = StringPool();
  g.strings.add("");  // id 0: the name of every node and edge whose name is not read
  StringPool second_pool;
  second_pool.add("");
  PointerNames names(g.strings);
  PointerNames second_names(second_pool);
  // Only V8's snapshot is read, never the JS heap, and the isolate thread waits for the helper
  // (the future's destructor on every return), so the snapshot cannot change or go away.
  auto second = std::async(std::launch::async, [&] {
    return walk_range(snapshot, g, mid, n, second_names, edge_names);
  });
  const bool first_ok = walk_range(snapshot, g, 0, mid, names, edge_names);
  if (!second.get() || !first_ok) return false;
  // The helper's name ids, renumbered into the graph's pool (by V8's pointer, so a name both
  // halves saw gets one id).
  std::vector<uint32_t> renumber(second_pool.size(), 0);
  for (uint32_t id = 1; id < second_pool.size(); ++id)
    renumber[id] = names.id(second_names.pointer(id));
  for (uint32_t i = mid; i < n; ++i) g.node_name[i] = renumber[g.node_name[i]];
  for (uint64_t e = g.first_edge[mid]; e < g.edge_count(); ++e) {
    if (!g.edge_name_is_index(e)) g.edge_name[e] = renumber[g.edge_name[e]];
  }
  g.root = entry_index(snapshot.GetRoot());
  return true;
}

// The same through the public API alone. Edge names are left empty (index 0 for element and
// hidden edges): each GetName() would internalize a JS string.
void walk_api(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot, HeapGraph& g) {
  const uint32_t n = g.node_count();
  g.strings = StringPool();
  g.strings.add("");  // id 0: the name of every node and edge whose name is not read
  const NodeOrdinals ordinal(snapshot);
  ApiNames names(isolate, g.strings);
  constexpr uint32_t kNodesPerScope = 4096;  // handles of names, freed in batches
  for (uint32_t begin = 0; begin < n; begin += kNodesPerScope) {
    v8::HandleScope scope(isolate);
    const uint32_t end = std::min(n, begin + kNodesPerScope);
    for (uint32_t i = begin; i < end; ++i) {
      const v8::HeapGraphNode* node = snapshot.GetNode(static_cast<int>(i));
      const auto type = map_type<NodeType>(node->GetType(), kKnownNodeTypeCount, g.node_type_names);
      g.node_type[i] = type;
      g.node_name[i] = node_name_kept(type) ? names.id(node->GetName()) : 0;
      g.node_id[i] = node->GetId();
      g.node_self_size[i] = node->GetShallowSize();
      const uint64_t first = g.first_edge[i];
      const auto children = static_cast<int>(g.first_edge[i + 1] - first);
      for (int c = 0; c < children; ++c) {
        const v8::HeapGraphEdge* edge = node->GetChild(c);
        g.edge_type[first + c] =
            map_type<EdgeType>(edge->GetType(), kKnownEdgeTypeCount, g.edge_type_names);
        g.edge_name[first + c] = 0;
        g.edge_to[first + c] = ordinal(edge->GetToNode());
      }
    }
    names.forget_last();
  }
  g.root = ordinal(snapshot.GetRoot());
}

// The edge names the analyses read, for walk_api(): every internal edge (a WeakMap entry is a
// pair of internal edges named after its table, which dominators and distances treat apart),
// and with for_distances every edge of NativeContext and "(map descriptors)" nodes (DevTools'
// distance filter).
std::vector<FetchedEdgeName> fetch_analysis_edge_names(v8::Isolate* isolate,
                                                       const v8::HeapSnapshot& snapshot,
                                                       const HeapGraph& graph, bool for_distances) {
  constexpr uint32_t kNoStringIndex = UINT32_MAX;
  uint32_t native_context = kNoStringIndex;
  uint32_t map_descriptors = kNoStringIndex;
  for (uint32_t i = 0; i < graph.strings.size(); ++i) {
    const std::string_view s = graph.strings.get(i);
    if (s == "system / NativeContext") native_context = i;
    if (s == "(map descriptors)") map_descriptors = i;
  }
  std::vector<FetchedEdgeName> out;
  for (uint32_t i = 0; i < graph.node_count(); ++i) {
    const uint8_t type = graph.node_type[i];
    const bool all = for_distances && ((type == kHidden && graph.node_name[i] == native_context) ||
                                       (type == kArray && graph.node_name[i] == map_descriptors));
    const v8::HeapGraphNode* node = snapshot.GetNode(static_cast<int>(i));
    for (uint64_t e = graph.edges_begin(i); e < graph.edges_end(i); ++e) {
      if (!all && graph.edge_type[e] != kInternal) continue;
      out.push_back(
          name_of(isolate, node->GetChild(static_cast<int>(e - graph.edges_begin(i))), e));
    }
  }
  return out;
}

void set_edge_names(HeapGraph& graph, std::span<const FetchedEdgeName> names) {
  std::unordered_map<std::string_view, uint32_t> ids;
  for (const FetchedEdgeName& f : names) {
    if (graph.edge_name_is_index(f.edge)) {
      uint32_t index = 0;
      std::from_chars(f.text.data(), f.text.data() + f.text.size(), index);
      graph.edge_name[f.edge] = index;
      continue;
    }
    auto [it, added] = ids.try_emplace(f.text, graph.strings.size());
    if (added) graph.strings.add(f.text);
    graph.edge_name[f.edge] = it->second;
  }
}

}  // namespace

bool node_name_kept(NodeType type) {
  return type == kObject || type == kNative || type == kSynthetic || type == kHidden ||
         type == kArray;
}

V8GraphRead read_v8_snapshot(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot,
                             const V8ReadOptions& options) {
  const int count = snapshot.GetNodesCount();
  if (count <= 0) throw std::runtime_error("V8's heap snapshot has no nodes");
  const auto n = static_cast<uint32_t>(count);

  V8GraphRead out;
  HeapGraph& g = out.graph;
  g.header.title = "<live heap>";
  g.header.node_count = n;
  for (uint32_t t = 0; t < kKnownNodeTypeCount; ++t)
    g.node_type_names.emplace_back(known_node_type_name(static_cast<NodeType>(t)));
  for (uint32_t t = 0; t < kKnownEdgeTypeCount; ++t)
    g.edge_type_names.emplace_back(known_edge_type_name(static_cast<EdgeType>(t)));
  // CSR offsets: children counts, the second half counted on a helper thread.
  std::vector<uint32_t> counts(n);
  auto count_children = [&](uint32_t begin, uint32_t end) {
    for (uint32_t i = begin; i < end; ++i)
      counts[i] = static_cast<uint32_t>(snapshot.GetNode(static_cast<int>(i))->GetChildrenCount());
  };
  {
    auto second_half = std::async(std::launch::async, count_children, n / 2, n);
    count_children(0, n / 2);
  }
  g.first_edge.resize(size_t{n} + 1);
  uint64_t edges = 0;
  for (uint32_t i = 0; i < n; ++i) {
    g.first_edge[i] = static_cast<uint32_t>(edges);
    edges += counts[i];
    if (edges >= std::numeric_limits<uint32_t>::max())
      throw std::runtime_error("V8's heap snapshot has more than 4G edges");
  }
  g.first_edge[n] = static_cast<uint32_t>(edges);
  g.header.edge_count = edges;
  g.node_type.resize(n);
  g.node_name.resize(n);
  g.node_id.resize(n);
  g.node_self_size.resize(n);
  g.edge_type.resize(edges);
  g.edge_name.resize(edges);
  g.edge_to.resize(edges);
  g.node_detachedness.resize(n);
  const bool from_entries = options.read_records && names_hold(isolate, snapshot) &&
                            walk_entries(snapshot, g, options.edge_names);
  if (!from_entries) {
    g.node_detachedness = {};  // the API does not tell
    walk_api(isolate, snapshot, g);
    set_edge_names(g, fetch_analysis_edge_names(isolate, snapshot, g, options.edge_names));
  }
  out.all_edge_names = from_entries && options.edge_names;
  return out;
}

FetchedEdgeName fetch_edge_name(v8::Isolate* isolate, const v8::HeapSnapshot& snapshot,
                                const HeapGraph& graph, uint64_t edge) {
  const uint32_t owner = edge_owner(graph, edge);
  const v8::HeapGraphNode* node = snapshot.GetNode(static_cast<int>(owner));
  return name_of(isolate, node->GetChild(static_cast<int>(edge - graph.edges_begin(owner))), edge);
}

}  // namespace leakscope::addon
