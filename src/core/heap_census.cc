#include "core/heap_census.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "analysis/devtools_text.h"
#include "core/core_error.h"
#include "core/interface_names.h"
#include "core/unreferenced_objects.h"
#include "heap/big_vector.h"

namespace leakscope::core {

namespace {

constexpr size_t kMaxNameBytes = 1024;
constexpr int kMaxChainSteps = 64;           // map back pointers, thin/cons strings
constexpr size_t kMaxInterfaceLength = 120;  // DevTools' cap on "{a, b}" names
constexpr uint64_t kMaxDescriptors = 1020;
constexpr int64_t kMaxStringLength = (int64_t{1} << 30) - 25;  // V8's String::kMaxLength, 64-bit
constexpr uint64_t kRegularPageSize = uint64_t{1} << 18;       // V8's 256 KiB pages
// MemoryChunk::FROM_PAGE and TO_PAGE, the same bits in V8 10 to 13 (Node 18 to 24): the young
// generation's two semi-spaces.
constexpr uint64_t kFromPageFlag = uint64_t{1} << 3;
constexpr uint64_t kYoungPageFlags = kFromPageFlag | (uint64_t{1} << 4);
// From V8 13 (Node 24) a heap snapshot lists no object of the read-only space (V8's immutable
// roots: 1,545 strings there, none in the snapshot), which Node 18 to 22 list (1,504 strings).
constexpr int64_t kFirstMajorWithoutReadOnlyNodes = 13;
// A V8 chunk's header: the words read, where its object area may start, how far it may end.
constexpr size_t kHeaderWords = 8;
constexpr size_t kMetadataWords = 12;
constexpr uint64_t kMinAreaOffset = 16;
constexpr uint64_t kMaxAreaOffset = uint64_t{1} << 14;
constexpr uint64_t kMinChunkSize = uint64_t{1} << 12;
constexpr uint64_t kMaxChunkSize = uint64_t{1} << 34;

// Reads tagged values out of the image, every read checked.
class Heap {
 public:
  Heap(const MemoryImage& m, const V8Layout& l) : m_(m), l_(l) {}

  bool is_heap_object(uint64_t v) const {
    return (v & l_.heap_object_tag_mask) == l_.heap_object_tag;
  }
  // Full 64-bit Smis keep their value in the upper half: the lower half is all tag and zeros.
  bool is_smi(uint64_t v) const {
    const uint64_t low_mask = (uint64_t{1} << l_.smi_shift) - 1;
    return (v & l_.smi_tag_mask) == l_.smi_tag && (v & low_mask & ~l_.smi_tag_mask) == 0;
  }
  std::optional<uint64_t> field(uint64_t object, int64_t offset) const {
    return m_.word(object - l_.heap_object_tag + static_cast<uint64_t>(offset));
  }
  std::optional<uint64_t> map_of(uint64_t object) const {
    if (!is_heap_object(object)) return std::nullopt;
    return field(object, l_.map);
  }
  int64_t instance_type_of_map(uint64_t map) const {
    uint16_t t = 0;
    if (!m_.read(map - l_.heap_object_tag + static_cast<uint64_t>(l_.map_instance_type), &t, 2))
      return -1;
    return t;
  }
  int64_t instance_type(uint64_t object) const {
    const std::optional<uint64_t> map = map_of(object);
    return map && is_heap_object(*map) ? instance_type_of_map(*map) : -1;
  }
  bool is_oddball(uint64_t v) const {
    return l_.oddball_type >= 0 && is_heap_object(v) && instance_type(v) == l_.oddball_type;
  }
  bool is_string(uint64_t object) const {
    const int64_t t = instance_type(object);
    return t >= 0 && t < l_.first_nonstring_type;
  }
  // The length field of a string, when it holds a plausible length.
  std::optional<int64_t> string_length(uint64_t object) const {
    int32_t length = 0;
    if (!m_.read(object - l_.heap_object_tag + static_cast<uint64_t>(l_.string_length), &length,
                 4) ||
        length < 0 || length > kMaxStringLength)
      return std::nullopt;
    return length;
  }
  std::string string(uint64_t object) const;
  std::string function_name(uint64_t function) const;
  const V8Layout& layout() const { return l_; }
  const MemoryImage& memory() const { return m_; }

 private:
  std::string scope_info_name(uint64_t scope_info) const;
  const MemoryImage& m_;
  const V8Layout& l_;
};

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {  // lone surrogates come out as WTF-8, as the snapshot reader keeps them
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Sequential and thin strings, and cons strings by an explicit stack (no recursion on heap data);
// the text is capped at kMaxNameBytes.
std::string Heap::string(uint64_t object) const {
  std::string out;
  std::vector<uint64_t> pending{object};
  int steps = 0;
  while (!pending.empty() && out.size() < kMaxNameBytes && ++steps < kMaxChainSteps) {
    const uint64_t s = pending.back();
    pending.pop_back();
    const int64_t type = instance_type(s);
    if (type < 0 || type >= l_.first_nonstring_type) return {};
    const int64_t repr = type & l_.string_representation_mask;
    if (repr == l_.thin_tag) {
      if (auto actual = field(s, l_.thin_actual)) pending.push_back(*actual);
      continue;
    }
    if (repr == l_.cons_tag) {
      const auto first = field(s, l_.cons_first), second = field(s, l_.cons_second);
      if (!first || !second) return {};
      pending.push_back(*second);
      pending.push_back(*first);
      continue;
    }
    if (repr != l_.seq_tag) return {};  // sliced and external names: not read (rare for names)
    int32_t length = 0;
    const uint64_t base = s - l_.heap_object_tag;
    if (!m_.read(base + static_cast<uint64_t>(l_.string_length), &length, 4) || length < 0)
      return {};
    const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(length), kMaxNameBytes);
    if ((type & l_.string_encoding_mask) == l_.one_byte_tag) {
      std::string latin1(n, '\0');
      if (!m_.read(base + static_cast<uint64_t>(l_.seq_one_byte_chars), latin1.data(), n))
        return {};
      for (unsigned char c : latin1) append_utf8(out, c);
    } else {
      std::vector<uint16_t> units(n);
      if (!m_.read(base + static_cast<uint64_t>(l_.seq_two_byte_chars), units.data(), n * 2))
        return {};
      for (size_t i = 0; i < n; ++i) {
        const uint32_t u = units[i];
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < n && units[i + 1] >= 0xDC00 &&
            units[i + 1] < 0xE000) {
          const uint32_t cp = 0x10000 + ((u - 0xD800) << 10) + (units[i + 1] - 0xDC00);
          out += static_cast<char>(0xF0 | (cp >> 18));
          out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (cp & 0x3F));
          ++i;
        } else {
          append_utf8(out, u);
        }
      }
    }
  }
  return out;
}

// The metadata does not say where a ScopeInfo keeps the function's name: like llnode, try the
// few slots after the context locals' names and infos, first string wins.
std::string Heap::scope_info_name(uint64_t scope_info) const {
  const int64_t header_words[] = {1, 2};  // V8 ≥ 9: map only; older: FixedArray map + length
  for (int64_t header : header_words) {
    const auto count = field(scope_info, 8 * (header + l_.scope_info_context_locals));
    if (!count || !is_smi(*count)) continue;
    const int64_t locals = static_cast<int64_t>(*count) >> l_.smi_shift;
    if (locals < 0 || locals > 100000) continue;
    const int64_t name_slots = locals < 75 ? locals : 1;  // many locals: one hash table
    const int64_t start = header + l_.scope_info_first_vars + name_slots + locals;
    for (int64_t slot = start; slot < start + 5; ++slot) {
      const auto v = field(scope_info, 8 * slot);
      if (v && is_heap_object(*v) && is_string(*v)) {
        std::string name = string(*v);
        if (!name.empty()) return name;
      }
    }
  }
  return {};
}

std::string Heap::function_name(uint64_t function) const {
  const auto shared = field(function, l_.function_shared);
  if (!shared || instance_type(*shared) != l_.shared_function_info_type) return {};
  const auto name = field(*shared, l_.shared_name);
  if (!name || !is_heap_object(*name)) return {};
  const int64_t type = instance_type(*name);
  if (type >= 0 && type < l_.first_nonstring_type) return string(*name);
  if (type == l_.scope_info_type) return scope_info_name(*name);
  return {};
}

constexpr int32_t kUnnamed = -1, kNotCounted = -2, kPlainObject = -3;

struct MapInfo {
  int64_t type = -1;
  uint64_t instance_size = 0;
  int32_t row = kUnnamed;  // a row, or kNotCounted, or kPlainObject: named by its own properties
};

// A property edge's name in a plain object's list: the key's tagged pointer (V8 interns property
// keys) with the accessor prefix in the pointer's two free bits above the tag.
enum class EdgePrefix : uint64_t { kNone = 0, kGet = 1, kSet = 2 };
uint64_t edge_key(uint64_t key, EdgePrefix prefix) {
  return key + (static_cast<uint64_t>(prefix) << 1);
}

struct KeysHash {
  size_t operator()(const std::vector<uint64_t>& keys) const {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ keys.size();
    for (uint64_t k : keys) h = (h ^ k) * 0x100000001B3ull + (h >> 29);
    return static_cast<size_t>(h);
  }
};

// What `leakscope summary` calls strings, by representation: a heap snapshot names every string
// node by its text and type, and the census of types "string", "concatenated string" and "sliced
// string" is what these rows match. Thin strings (a string internalized in place, forwarding to
// the copy in the string table) are "(string)" there too.
const char* string_row_name(const V8Layout& l, int64_t type) {
  const int64_t repr = type & l.string_representation_mask;
  if (repr == l.cons_tag) return "(concatenated string)";
  if (repr == l.sliced_tag) return "(sliced string)";
  return "(string)";
}

class Census {
 public:
  Census(const MemoryImage& m, const V8Layout& l) : heap_(m, l), l_(l) {}
  HeapCensus run();

 private:
  void find_meta_maps();
  void find_maps();
  std::string class_name(uint64_t map) const;
  std::string map_constructor_name(uint64_t map) const;
  std::string constructor_name(uint64_t map) const;
  bool is_prototype_map(uint64_t map) const;
  template <typename Visit>
  void each_own_property(uint64_t object, uint64_t map, Visit&& visit) const;
  template <typename Visit>
  void each_dictionary_property(uint64_t object, Visit&& visit) const;
  std::optional<uint64_t> own_property(uint64_t object, uint64_t map, const std::string& key,
                                       bool symbol = false) const;
  std::string to_string_tag(uint64_t object, uint64_t map) const;
  // Where an object was counted: a row, or a plain object's property set (named at the end).
  struct Tally {
    bool plain = false;
    uint32_t index = 0;
  };
  static constexpr Tally kUncounted{false, UINT32_MAX};  // found, not counted: takes part only
  Tally count_named(const std::string& name, uint64_t size);
  Tally count_in(Tally tally, uint64_t size);
  void uncount(Tally tally, uint64_t size);
  const char* wrapped_class(uint64_t object, uint64_t map) const;
  bool is_name(uint64_t key) const;
  std::string edge_name(uint64_t edge) const;
  Tally count_plain_object(uint64_t object, uint64_t map, uint64_t size);
  void name_plain_rows();
  bool valid_js_object(uint64_t object) const;
  std::optional<uint64_t> string_size(uint64_t object, const MapInfo& info) const;
  std::optional<uint64_t> object_size(uint64_t object, const MapInfo& info) const;
  void find_free_space_maps();
  void find_allocation_areas();
  void add_from_space(std::vector<std::pair<uint64_t, uint64_t>>& dead);
  void add_number_string_caches(std::vector<std::pair<uint64_t, uint64_t>>& dead) const;
  enum class Page { kOld, kYoung, kNotV8 };
  struct PageInfo {
    Page kind = Page::kNotV8;
    uint64_t area_start = 0, area_end = 0;  // where its objects are
    bool read_only = false;                 // mapped read-only: V8's read-only space
    // The young generation's inactive semi-space: what the last scavenge copied out of it.
    bool from_space = false;
  };
  PageInfo page_info(uint64_t page) const;
  const PageInfo& cached_page_info(uint64_t page);
  bool ends_at_object(uint64_t end, const PageInfo& page, uint64_t top) const;
  // The word scan's state: where it is and what it found.
  struct Scan {
    size_t next_area = 0;     // the first allocation area not yet passed
    uint64_t dead_until = 0;  // the end of the last free-space filler: dead objects until there
    std::vector<std::pair<uint64_t, uint64_t>> dead;  // fillers; then every dead range
    BigVector<ObjectSpan> found;                      // in address order
    BigVector<Tally> tallies;                         // where each was counted
    uint64_t page = 1;  // the 256 KiB chunk of the last object header, and what it is
    const PageInfo* info = nullptr;
    uint64_t inside_until = 0;  // the end of the last map or counted object
    bool inside_chars = false;  // that object is a sequential string: characters, no pointers
    // The top of the next allocation area, where an object may end (0: none).
    uint64_t top(const std::vector<std::pair<uint64_t, uint64_t>>& areas) const {
      return next_area < areas.size() ? areas[next_area].first : 0;
    }
  };
  std::optional<uint64_t> believable_size(uint64_t a, const MapInfo& map, const Scan& scan) const;
  bool inside_last_object(uint64_t a, uint64_t w, MapInfo& map, Scan& scan, HeapCensus& out);
  bool left_out(uint64_t a, Scan& scan, HeapCensus& out);
  void scan_word(uint64_t a, uint64_t w, Scan& scan, HeapCensus& out);
  void drop_unreferenced(Scan& scan, HeapCensus& out);
  std::optional<uint64_t> free_space_size(uint64_t address, uint64_t unit) const;
  bool is_js_object_type(int64_t type) const {
    return (l_.first_js_receiver_type >= 0 && type > l_.first_js_receiver_type) ||
           l_.js_object_types.count(type);
  }
  int32_t row_of(uint64_t map, MapInfo& info);
  template <typename Visit>
  void each_word(Visit&& visit) const;

  Heap heap_;
  const V8Layout& l_;
  std::unordered_set<uint64_t> metas_;
  std::unordered_set<uint64_t> free_space_maps_;
  uint64_t free_space_unit_ = 1;  // bytes per unit of a filler's size field
  // The unused rest [top, limit) of each linear allocation area (old and young), by top: stale
  // bytes.
  std::vector<std::pair<uint64_t, uint64_t>> allocation_areas_;
  std::unordered_map<uint64_t, PageInfo> pages_;
  std::unordered_map<uint64_t, MapInfo> maps_;  // tagged map pointer → what it makes
  uint64_t min_map_ = UINT64_MAX, max_map_ = 0;
  std::vector<CensusRow> rows_;
  std::unordered_map<std::string, int32_t> row_by_name_;
  // Plain objects by their property-edge list: the list, how many, their size.
  std::unordered_map<std::vector<uint64_t>, uint32_t, KeysHash> plain_index_;
  std::vector<std::vector<uint64_t>> plain_keys_;
  std::vector<CensusRow> plain_rows_;
  std::vector<uint64_t> scratch_;
};

template <typename Visit>
void Census::each_word(Visit&& visit) const {
  for (const MemorySegment& s : heap_.memory().segments()) {
    if (!s.scanned()) continue;
    const uint64_t first = (s.start + 7) & ~uint64_t{7};
    for (uint64_t a = first; a + 8 <= s.start + s.size; a += 8) {
      uint64_t w;
      std::memcpy(&w, s.data + (a - s.start), 8);
      visit(a, w);
    }
  }
}

// A meta map is a map of maps: its map word points at itself. There can be more than one (V8 12
// keeps one in read-only space and one in the isolate's heap; workers add theirs), so every such
// word is one, and a map is any object whose map word is a meta map.
void Census::find_meta_maps() {
  each_word([&](uint64_t a, uint64_t w) {
    if (w == a + l_.heap_object_tag && heap_.instance_type_of_map(w) == l_.map_type) {
      metas_.insert(w);
    }
  });
  if (metas_.empty()) {
    throw CoreError(
        "no V8 heap found in this memory (no meta map): not a Node process, or the "
        "core lacks its anonymous mappings");
  }
}

void Census::find_maps() {
  each_word([&](uint64_t a, uint64_t w) {
    if (!metas_.count(w)) return;
    const uint64_t map = a + l_.heap_object_tag;
    MapInfo info;
    info.type = heap_.instance_type_of_map(map);
    uint8_t words = 0;
    if (heap_.memory().read(a + static_cast<uint64_t>(l_.map_instance_size_words), &words, 1))
      info.instance_size = uint64_t{words} * 8;
    maps_.emplace(map, info);
    min_map_ = std::min(min_map_, map);
    max_map_ = std::max(max_map_, map);
  });
}

// Map::is_prototype_map: V8 names a prototype by the "constructor" up its chain, not by its map's
// constructor (OptimizeAsPrototype replaced that with Object).
bool Census::is_prototype_map(uint64_t map) const {
  if (l_.prototype_map_shift < 0) return false;
  const auto bits = heap_.field(map, l_.map_bit_field3);
  return bits && ((static_cast<uint32_t>(*bits) >> l_.prototype_map_shift) & 1) != 0;
}

// The name of the function the map's constructor slot leads to (through the back pointers of
// transitioned maps); "" when it is no function or has no name.
std::string Census::map_constructor_name(uint64_t map) const {
  std::optional<uint64_t> ctor = heap_.field(map, l_.map_constructor);
  for (int step = 0; ctor && step < kMaxChainSteps; ++step) {
    if (!heap_.is_heap_object(*ctor)) break;
    const std::optional<uint64_t> ctor_map = heap_.map_of(*ctor);
    if (!ctor_map || !metas_.count(*ctor_map)) break;
    ctor = heap_.field(*ctor, l_.map_constructor);  // a back pointer to the parent map
  }
  // A function is known by a SharedFunctionInfo in its shared slot, not by its instance type:
  // class constructors have types of their own that the metadata of Node 20 does not list.
  if (ctor && heap_.is_heap_object(*ctor)) return heap_.function_name(*ctor);
  return {};
}

// V8's JSReceiver::GetConstructorName, which names a heap snapshot's objects: the map's
// constructor (not a prototype's), else up the prototype chain a Symbol.toStringTag string or the
// "constructor" property (B.prototype in `class B extends A` is an "A"); a name that is empty or
// "Object" does not count. "" when none is found. The object's own Symbol.toStringTag, which V8
// looks at first, is the caller's (it is the object's, not its map's).
std::string Census::constructor_name(uint64_t map) const {
  if (!is_prototype_map(map)) {
    std::string name = map_constructor_name(map);
    if (!name.empty() && name != "Object") return name;
  }
  std::optional<uint64_t> proto = heap_.field(map, l_.map_prototype);
  for (int step = 0; proto && step < kMaxChainSteps; ++step) {
    if (!heap_.is_heap_object(*proto)) break;
    const std::optional<uint64_t> proto_map = heap_.map_of(*proto);
    if (!proto_map || !maps_.count(*proto_map) || !is_js_object_type(maps_.at(*proto_map).type))
      break;
    std::string tag = to_string_tag(*proto, *proto_map);
    if (!tag.empty()) return tag;
    const std::optional<uint64_t> ctor = own_property(*proto, *proto_map, "constructor");
    if (ctor && heap_.is_heap_object(*ctor)) {
      std::string name = heap_.function_name(*ctor);
      if (!name.empty() && name != "Object") return name;
    }
    proto = heap_.field(*proto_map, l_.map_prototype);
  }
  return {};
}

std::string Census::class_name(uint64_t map) const {
  const MapInfo& info = maps_.at(map);
  // What `leakscope summary` calls closures: functions and bound functions.
  if (l_.js_function_types.count(info.type) || info.type == l_.js_bound_function_type)
    return "Function";
  std::string name = constructor_name(map);
  return name.empty() ? "Object" : name;
}

bool Census::is_name(uint64_t key) const {
  if (!heap_.is_heap_object(key)) return false;
  const int64_t type = heap_.instance_type(key);
  return (type >= 0 && type < l_.first_nonstring_type) || type == l_.symbol_type;
}

// Every own property of a JS object as (key, value, details, unboxed): in the map's descriptors
// (values in the object, its PropertyArray or the descriptor) or, for a dictionary-mode object,
// in its NameDictionary. `unboxed` marks fields whose representation is Smi or double, for which a
// heap snapshot records no edge; their values are not read.
template <typename Visit>
void Census::each_own_property(uint64_t object, uint64_t map, Visit&& visit) const {
  const auto bits = heap_.field(map, l_.map_bit_field3);
  if (!bits) return;
  const uint32_t bf3 = static_cast<uint32_t>(*bits);  // an int field: the low half of the word
  if ((bf3 >> l_.dictionary_map_shift) & 1) return each_dictionary_property(object, visit);
  const auto descriptors = heap_.field(map, l_.map_descriptors);
  if (!descriptors || !heap_.is_heap_object(*descriptors)) return;
  uint8_t start = 0, size = 0;
  const uint64_t base = map - l_.heap_object_tag;
  if (!heap_.memory().read(base + static_cast<uint64_t>(l_.map_inobject_start_words), &start, 1) ||
      !heap_.memory().read(base + static_cast<uint64_t>(l_.map_instance_size_words), &size, 1))
    return;
  const uint64_t in_object = size > start ? uint64_t{size} - start : 0;
  const uint64_t own =
      (bf3 & static_cast<uint64_t>(l_.own_descriptors_mask)) >> l_.own_descriptors_shift;
  for (uint64_t i = 0; i < own && i < kMaxDescriptors; ++i) {
    const int64_t entry = l_.descriptors_header + 8 * static_cast<int64_t>(i) * l_.desc_size;
    const auto key = heap_.field(*descriptors, entry + 8 * l_.desc_key);
    const auto raw = heap_.field(*descriptors, entry + 8 * l_.desc_details);
    if (!key || !raw || !heap_.is_smi(*raw)) continue;
    const auto details = static_cast<uint64_t>(static_cast<int64_t>(*raw) >> l_.smi_shift);
    const auto field_of = [&](int64_t mask, int64_t shift) {
      return static_cast<int64_t>((details & static_cast<uint64_t>(mask)) >> shift);
    };
    if (field_of(l_.prop_location_mask, l_.prop_location_shift) != l_.prop_location_field) {
      visit(*key, heap_.field(*descriptors, entry + 8 * l_.desc_value), details, false);
      continue;
    }
    const int64_t representation = field_of(l_.representation_mask, l_.representation_shift);
    if (representation == l_.representation_smi || representation == l_.representation_double) {
      visit(*key, std::optional<uint64_t>(), details, true);
      continue;
    }
    const auto index = static_cast<uint64_t>(field_of(l_.prop_index_mask, l_.prop_index_shift));
    std::optional<uint64_t> value;
    if (index < in_object) {
      value = heap_.field(object, static_cast<int64_t>(8 * (start + index)));
    } else if (const auto array = heap_.field(object, l_.js_properties);
               array && heap_.is_heap_object(*array)) {
      value = heap_.field(*array,
                          l_.property_array_header + static_cast<int64_t>(8 * (index - in_object)));
    }
    visit(*key, value, details, false);
  }
}

// A dictionary-mode object's properties in its NameDictionary's slot order, as the heap snapshot
// lists them; empty and deleted slots (keys that are no name) are skipped.
template <typename Visit>
void Census::each_dictionary_property(uint64_t object, Visit&& visit) const {
  const auto dictionary = heap_.field(object, l_.js_properties);
  if (!dictionary || !heap_.is_heap_object(*dictionary)) return;
  const auto slot = [&](int64_t index) {
    return heap_.field(*dictionary, l_.fixed_array_header + 8 * index);
  };
  const auto capacity = slot(l_.dictionary_capacity_index);
  if (!capacity || !heap_.is_smi(*capacity)) return;
  const int64_t entries = static_cast<int64_t>(*capacity) >> l_.smi_shift;
  if (entries <= 0 || entries > (int64_t{1} << 24)) return;
  // The table's length (a Smi before its slots) covers exactly the prefix and the entries.
  const auto length = heap_.field(*dictionary, l_.fixed_array_header - 8);
  if (!length || !heap_.is_smi(*length) ||
      (static_cast<int64_t>(*length) >> l_.smi_shift) !=
          l_.dictionary_entries_start + entries * l_.dictionary_entry_size)
    return;
  for (int64_t i = 0; i < entries; ++i) {
    const int64_t at = l_.dictionary_entries_start + i * l_.dictionary_entry_size;
    const auto key = slot(at);
    if (!key) return;  // past the memory read
    if (!is_name(*key)) continue;
    const auto raw = slot(at + 2);
    if (!raw || !heap_.is_smi(*raw)) continue;
    visit(*key, slot(at + 1), static_cast<uint64_t>(static_cast<int64_t>(*raw) >> l_.smi_shift),
          false);
  }
}

// The value of an own data property named `key` (a symbol's description when `symbol`), if the
// object has one.
std::optional<uint64_t> Census::own_property(uint64_t object, uint64_t map, const std::string& key,
                                             bool symbol) const {
  std::optional<uint64_t> found;
  each_own_property(
      object, map, [&](uint64_t k, std::optional<uint64_t> value, uint64_t details, bool unboxed) {
        if (found || unboxed || !value) return;
        if ((details & static_cast<uint64_t>(l_.prop_kind_mask)) ==
            static_cast<uint64_t>(l_.prop_kind_accessor))
          return;
        if (!symbol && heap_.is_string(k) && heap_.string(k) == key) found = value;
        if (symbol && heap_.instance_type(k) == l_.symbol_type) {
          const auto description = heap_.field(k, l_.symbol_description);
          if (description && heap_.is_string(*description) && heap_.string(*description) == key)
            found = value;
        }
      });
  return found;
}

// The object's own Symbol.toStringTag when it is a string (a data property): V8 names an object
// by it before any "constructor" up the chain (Map.prototype is a "Map"). "" when none.
std::string Census::to_string_tag(uint64_t object, uint64_t map) const {
  const auto tag = own_property(object, map, "Symbol.toStringTag", true);
  if (!tag || !heap_.is_heap_object(*tag) || !heap_.is_string(*tag)) return {};
  return heap_.string(*tag);
}

// V8's class name of a primitive wrapper (new String(""), and String.prototype itself), which
// names it when no constructor does: by the value it wraps.
const char* Census::wrapped_class(uint64_t object, uint64_t map) const {
  if (l_.js_primitive_wrapper_type < 0 || maps_.at(map).type != l_.js_primitive_wrapper_type)
    return nullptr;
  const auto value = heap_.field(object, l_.js_elements + 8);
  if (!value) return nullptr;
  if (heap_.is_smi(*value)) return "Number";
  const int64_t type = heap_.instance_type(*value);
  if (type < 0) return nullptr;
  if (type < l_.first_nonstring_type) return "String";
  if (type == l_.heap_number_type) return "Number";
  if (type == l_.oddball_type) return "Boolean";
  if (type == l_.symbol_type) return "Symbol";
  return nullptr;
}

Census::Tally Census::count_named(const std::string& name, uint64_t size) {
  auto [it, inserted] = row_by_name_.try_emplace(name, static_cast<int32_t>(rows_.size()));
  if (inserted) rows_.push_back({name, 0, 0});
  return count_in({false, static_cast<uint32_t>(it->second)}, size);
}

Census::Tally Census::count_in(Tally tally, uint64_t size) {
  CensusRow& r = tally.plain ? plain_rows_[tally.index] : rows_[tally.index];
  ++r.count;
  r.shallow_size += size;
  return tally;
}

void Census::uncount(Tally tally, uint64_t size) {
  CensusRow& r = tally.plain ? plain_rows_[tally.index] : rows_[tally.index];
  --r.count;
  r.shallow_size -= size;
}

// A plain object's property edges as V8's heap snapshot writes them (ExtractPropertyReferences):
// one per own property whose value is a heap object (Smis have no node; null and undefined do),
// none for Smi and double fields; an accessor pair adds "get k" and "set k" for its functions.
// Names with an empty text are internal edges, not properties.
Census::Tally Census::count_plain_object(uint64_t object, uint64_t map, uint64_t size) {
  if (const char* wrapper = wrapped_class(object, map)) return count_named(wrapper, size);
  if (std::string tag = to_string_tag(object, map); !tag.empty()) return count_named(tag, size);
  scratch_.clear();
  each_own_property(
      object, map,
      [&](uint64_t key, std::optional<uint64_t> value, uint64_t details, bool unboxed) {
        if (unboxed || !value || !heap_.is_heap_object(*value) || !is_name(key)) return;
        if (heap_.is_string(key) && heap_.string_length(key) == 0) return;
        const bool accessor = (details & static_cast<uint64_t>(l_.prop_kind_mask)) ==
                              static_cast<uint64_t>(l_.prop_kind_accessor);
        if (!accessor) {
          scratch_.push_back(edge_key(key, EdgePrefix::kNone));
          return;
        }
        if (heap_.instance_type(*value) != l_.accessor_pair_type) return;
        scratch_.push_back(edge_key(key, EdgePrefix::kNone));
        const auto getter = heap_.field(*value, l_.accessor_getter);
        if (getter && heap_.is_heap_object(*getter) && !heap_.is_oddball(*getter))
          scratch_.push_back(edge_key(key, EdgePrefix::kGet));
        const auto setter = heap_.field(*value, l_.accessor_setter);
        if (setter && heap_.is_heap_object(*setter) && !heap_.is_oddball(*setter))
          scratch_.push_back(edge_key(key, EdgePrefix::kSet));
      });
  auto [it, inserted] =
      plain_index_.try_emplace(scratch_, static_cast<uint32_t>(plain_keys_.size()));
  if (inserted) {
    plain_keys_.push_back(scratch_);
    plain_rows_.push_back({});
  }
  return count_in({true, it->second}, size);
}

// A property edge's name: the key's text, "<symbol description>" for a symbol, with the accessor
// prefix.
std::string Census::edge_name(uint64_t edge) const {
  const uint64_t key = edge & ~uint64_t{6};
  const auto prefix = static_cast<EdgePrefix>((edge >> 1) & 3);
  std::string text;
  if (heap_.is_string(key)) {
    text = heap_.string(key);
  } else {
    const auto description = heap_.field(key, l_.symbol_description);
    const bool described = description && heap_.is_string(*description) &&
                           heap_.string_length(*description).value_or(0) > 0;
    text = described ? "<symbol " + heap_.string(*description) + ">" : "<symbol>";
  }
  if (!heap_.is_string(key)) return text;  // V8 formats "get %s" for string keys only
  if (prefix == EdgePrefix::kGet) return "get " + text;
  if (prefix == EdgePrefix::kSet) return "set " + text;
  return text;
}

// Names the plain objects as DevTools would from their property lists, into the rows.
void Census::name_plain_rows() {
  std::vector<PlainObjectGroup> groups(plain_keys_.size());
  std::unordered_map<uint64_t, std::string> texts;
  for (size_t g = 0; g < plain_keys_.size(); ++g) {
    for (uint64_t edge : plain_keys_[g]) {
      auto [it, inserted] = texts.try_emplace(edge);
      if (inserted) it->second = edge_name(edge);
      groups[g].properties.push_back(it->second);
    }
    groups[g].count = plain_rows_[g].count;
  }
  const std::vector<std::string> names = core::name_plain_objects(groups);
  for (size_t g = 0; g < names.size(); ++g) {
    auto [it, inserted] = row_by_name_.try_emplace(names[g], static_cast<int32_t>(rows_.size()));
    if (inserted) rows_.push_back({names[g], 0, 0});
    rows_[static_cast<size_t>(it->second)].count += plain_rows_[g].count;
    rows_[static_cast<size_t>(it->second)].shallow_size += plain_rows_[g].shallow_size;
  }
}

// A word that equals a map pointer is an object header only if the object's first fields hold
// what a JS object holds: properties a Smi (hash) or a heap object, elements a heap object.
bool Census::valid_js_object(uint64_t object) const {
  const auto properties = heap_.field(object, l_.js_properties);
  const auto elements = heap_.field(object, l_.js_elements);
  if (!properties || !elements || !heap_.is_heap_object(*elements)) return false;
  const auto elements_map = heap_.map_of(*elements);
  if (!elements_map || !maps_.count(*elements_map)) return false;
  if (heap_.is_smi(*properties)) return true;
  const auto properties_map = heap_.map_of(*properties);
  return properties_map && maps_.count(*properties_map);
}

// A string's size from its length (sequential strings) or its map; nullopt when its fields do
// not hold what a string of its representation holds (a stale or accidental map word).
std::optional<uint64_t> Census::string_size(uint64_t object, const MapInfo& info) const {
  const auto length = heap_.string_length(object);
  if (!length) return std::nullopt;
  const int64_t repr = info.type & l_.string_representation_mask;
  if (repr == l_.seq_tag) {
    const bool one_byte = (info.type & l_.string_encoding_mask) == l_.one_byte_tag;
    const int64_t chars = one_byte ? l_.seq_one_byte_chars : l_.seq_two_byte_chars;
    const uint64_t size =
        (static_cast<uint64_t>(chars + *length * (one_byte ? 1 : 2)) + 7) & ~uint64_t{7};
    const MemorySegment* segment = heap_.memory().find(object - l_.heap_object_tag);
    if (!segment || object - l_.heap_object_tag + size > segment->start + segment->size)
      return std::nullopt;
    return size;
  }
  if (info.instance_size == 0) return std::nullopt;
  if (repr == l_.cons_tag) {
    const auto first = heap_.field(object, l_.cons_first);
    const auto second = heap_.field(object, l_.cons_second);
    if (!first || !second || !heap_.is_string(*first) || !heap_.is_string(*second))
      return std::nullopt;
    const auto a = heap_.string_length(*first), b = heap_.string_length(*second);
    if (!a || !b || *a + *b != *length) return std::nullopt;
  } else if (repr == l_.sliced_tag) {
    const auto parent = heap_.field(object, l_.sliced_parent);
    const auto offset = heap_.field(object, l_.sliced_offset);
    if (!parent || !offset || !heap_.is_string(*parent) || !heap_.is_smi(*offset))
      return std::nullopt;
    const auto parent_length = heap_.string_length(*parent);
    const int64_t start = static_cast<int64_t>(*offset) >> l_.smi_shift;
    if (!parent_length || start < 0 || start + *length > *parent_length) return std::nullopt;
  } else if (repr == l_.thin_tag) {
    const auto actual = heap_.field(object, l_.thin_actual);
    if (!actual || !heap_.is_string(*actual) || heap_.string_length(*actual) != length)
      return std::nullopt;
  }
  return info.instance_size;
}

std::optional<uint64_t> Census::object_size(uint64_t object, const MapInfo& info) const {
  if (info.type >= 0 && info.type < l_.first_nonstring_type) return string_size(object, info);
  if (!valid_js_object(object)) return std::nullopt;
  return info.instance_size;
}

// A free-space filler's size in bytes (a Smi after its map word, in bytes up to V8 12 and in
// words in V8 13: `unit`), when it is plausible: at least two words, within one regular page and
// within the memory read.
std::optional<uint64_t> Census::free_space_size(uint64_t address, uint64_t unit) const {
  const auto raw = heap_.memory().word(address + 8);
  if (!raw || !heap_.is_smi(*raw)) return std::nullopt;
  const int64_t value = static_cast<int64_t>(*raw) >> l_.smi_shift;
  if (value <= 0 || static_cast<uint64_t>(value) > kRegularPageSize / unit) return std::nullopt;
  const uint64_t size = static_cast<uint64_t>(value) * unit;
  if (size < 16 || size % 8 != 0) return std::nullopt;
  const MemorySegment* segment = heap_.memory().find(address);
  if (!segment || address + size > segment->start + segment->size) return std::nullopt;
  return size;
}

// V8 turns the dead objects of a swept page into free-space fillers (a map word and a size) but
// leaves their bytes: without the fillers, a word scan counts them. The filler's map is the one
// of FREE_SPACE_TYPE when the metadata lists it; otherwise (Node 24) the variable-size map of an
// unlisted type whose instances are followed, `size` bytes or words on, by another object or a
// page end, nine times in ten.
void Census::find_free_space_maps() {
  if (l_.free_space_type >= 0) {
    for (const auto& [map, info] : maps_)
      if (info.type == l_.free_space_type) free_space_maps_.insert(map);
    return;
  }
  struct Score {
    uint64_t seen = 0, followed_bytes = 0, followed_words = 0;
  };
  std::unordered_map<uint64_t, Score> score;
  for (const auto& [map, info] : maps_) {
    if (info.instance_size == 0 && info.type >= l_.first_nonstring_type &&
        !l_.type_names.count(info.type) && !is_js_object_type(info.type))
      score[map] = {};
  }
  if (score.empty()) return;
  const auto followed = [&](uint64_t a, uint64_t unit) {
    const auto size = free_space_size(a, unit);
    if (!size) return false;
    const uint64_t next = a + *size;
    const auto next_word = heap_.memory().word(next);
    return next % kRegularPageSize == 0 || (next_word && maps_.count(*next_word));
  };
  each_word([&](uint64_t a, uint64_t w) {
    auto it = score.find(w);
    if (it == score.end()) return;
    ++it->second.seen;
    it->second.followed_bytes += followed(a, 1);
    it->second.followed_words += followed(a, 8);
  });
  uint64_t best = 0, best_followed = 0, best_unit = 1;
  for (const auto& [map, sc] : score) {
    for (const auto& [n, unit] :
         {std::pair{sc.followed_bytes, uint64_t{1}}, std::pair{sc.followed_words, uint64_t{8}}}) {
      if (n >= 8 && n * 10 >= sc.seen * 9 && n > best_followed) {
        best = map;
        best_followed = n;
        best_unit = unit;
      }
    }
  }
  if (best_followed == 0) return;
  free_space_maps_.insert(best);
  free_space_unit_ = best_unit;
}

// What the 256 KiB-aligned chunk at `page` is. V8 allocates its pages (and large objects'
// chunks) at that alignment, and the chunk's first words hold its flags, whatever the version,
// then either its size and object area's bounds (V8 10 to 12, Node 18 to 22: [size, flags, heap,
// area start, area end] or [flags, chunk, size, heap, area start, area end]) or a pointer to
// metadata outside the chunk that holds them (V8 13, Node 24: [flags, metadata]; the metadata has
// the size, then the area's end and start a few words on). The flags are a small non-zero integer;
// the size a multiple of 4 KiB; the area starts after the chunk's header (0x1130, 0x1140 and 0x10
// bytes measured) and ends within its size. Chunks without such a header (malloc arenas holding
// copies of JS objects, the middle of a large object) are not V8 pages. Only the young-generation
// bits of the flags are read.
Census::PageInfo Census::page_info(uint64_t page) const {
  uint64_t header[kHeaderWords];
  if (!heap_.memory().read(page, header, sizeof header)) return {};
  const auto is_size = [page](uint64_t w) {
    return w % 4096 == 0 && w >= kMinChunkSize && w <= kMaxChunkSize && w != page;
  };
  const bool size_first = is_size(header[0]);
  const uint64_t flags = size_first ? header[1] : header[0];
  if (flags == 0 || (flags >> 32) != 0) return {};
  const Page kind = (flags & kYoungPageFlags) != 0 ? Page::kYoung : Page::kOld;
  const auto area_in = [&](const uint64_t* words, size_t n) -> PageInfo {
    const uint64_t* size = std::find_if(words, words + n, is_size);
    if (size == words + n) return {};
    uint64_t start = UINT64_MAX, end = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint64_t w = words[i];
      if (w % 8 == 0 && w >= page + kMinAreaOffset && w < page + kMaxAreaOffset)
        start = std::min(start, w);
    }
    for (size_t i = 0; i < n; ++i) {
      const uint64_t w = words[i];
      if (w % 8 == 0 && w > start && w - page <= *size) end = std::max(end, w);
    }
    if (start == UINT64_MAX || end == 0) return {};
    const MemorySegment* segment = heap_.memory().find(page);
    return {kind, start, end, segment && !segment->writable, (flags & kFromPageFlag) != 0};
  };
  if (PageInfo in_chunk = area_in(header, kHeaderWords); in_chunk.kind != Page::kNotV8)
    return in_chunk;
  uint64_t metadata[kMetadataWords];
  if (size_first || !heap_.memory().read(header[1], metadata, sizeof metadata)) return {};
  return area_in(metadata, kMetadataWords);
}

const Census::PageInfo& Census::cached_page_info(uint64_t page) {
  auto [it, inserted] = pages_.try_emplace(page);
  if (inserted) it->second = page_info(page);
  return it->second;
}

// V8 allocates by bumping `top` towards `limit` in a linear allocation area carved from a free
// block, and writes the block's free-space filler back only when it gives the area up (before a
// GC or a heap snapshot). Until then [top, limit) still holds what the block held before the
// sweep freed it: dead objects with intact headers, thousands of them (measured: 4,416 dead
// number strings behind the old space's top, +4 % of `(string)`, in one run of ten). The areas'
// `top` and `limit` live in V8's C++ objects (the spaces, each thread's local heap: the malloc
// heap) as two adjacent words, which is all this relies on: any pair of words there holding two
// 8-aligned addresses in one V8 page's object area, `top` above its start, where `limit` is the
// area's end or the start of an object or filler. For one limit, the highest top wins: V8 also
// keeps where an area started, and what was allocated since is live. The young generation's
// areas count too: what their stale objects point at is no reason to keep an object.
void Census::find_allocation_areas() {
  std::unordered_map<uint64_t, uint64_t> top_by_limit;
  for (const MemorySegment& s : heap_.memory().segments()) {
    if (!s.malloc_heap) continue;
    const uint64_t first = (s.start + 7) & ~uint64_t{7};
    uint64_t top = 0;
    uint64_t here_page = 1;
    bool here_v8 = false;
    for (uint64_t a = first; a + 8 <= s.start + s.size; a += 8) {
      uint64_t limit;
      std::memcpy(&limit, s.data + (a - s.start), 8);
      const uint64_t previous = std::exchange(top, limit);
      if ((previous | limit) % 8 != 0 || previous == 0 || previous >= limit) continue;
      const uint64_t page = previous & ~(kRegularPageSize - 1);
      if (limit - page > kRegularPageSize) continue;
      if ((a & ~(kRegularPageSize - 1)) != here_page) {
        here_page = a & ~(kRegularPageSize - 1);
        here_v8 = cached_page_info(here_page).kind != Page::kNotV8;
      }
      if (here_v8) continue;
      const PageInfo& target = cached_page_info(page);
      if (target.kind == Page::kNotV8 || previous <= target.area_start || limit > target.area_end)
        continue;
      const auto at_limit = heap_.memory().word(limit);
      if (limit != target.area_end && !(at_limit && maps_.count(*at_limit))) continue;
      uint64_t& best = top_by_limit[limit];
      best = std::max(best, previous);
    }
  }
  for (const auto& [limit, top] : top_by_limit) allocation_areas_.emplace_back(top, limit);
  std::sort(allocation_areas_.begin(), allocation_areas_.end());
}

// The from-space pages hold only stale copies once a scavenge has moved their live objects out:
// what they point at is no reason to keep an object.
void Census::add_from_space(std::vector<std::pair<uint64_t, uint64_t>>& dead) {
  for (const MemorySegment& s : heap_.memory().segments()) {
    if (!s.scanned()) continue;
    for (uint64_t page = (s.start + kRegularPageSize - 1) & ~(kRegularPageSize - 1);
         page + kRegularPageSize <= s.start + s.size; page += kRegularPageSize) {
      const PageInfo& info = cached_page_info(page);
      if (info.kind == Page::kYoung && info.from_space && info.area_end - page <= kRegularPageSize)
        dead.emplace_back(info.area_start, info.area_end);
    }
  }
}

// Objects lie end to end in a page, so an object header is believed only where the object ends
// at another header (a map word: fillers have maps too), at the end of the page's object area,
// at an allocation top, or at memory never written (zeros: a fresh page, a large object's
// padding). A word equal to a string's map in the last slot of an uncounted internal object read
// as a 12 KB string that hid the 218 live closures after it (measured on Node 18).
bool Census::ends_at_object(uint64_t end, const PageInfo& page, uint64_t top) const {
  if (end > page.area_end) return false;
  if (end == page.area_end || end == top) return true;
  const std::optional<uint64_t> next = heap_.memory().word(end);
  if (!next) return false;
  return *next == 0 || (*next >= min_map_ && *next <= max_map_ && maps_.count(*next) != 0);
}

// V8 keeps the strings it makes from numbers in a cache (the number-string cache: a FixedArray of
// (number, string) pairs, a Smi k at pair k mod the pair count) and empties it at every full GC,
// so a heap snapshot, which collects first, lists none of the strings only the cache holds: a
// fresh process that had built 20,000 ids held 16,374 of them (+38 % of `(string)`). The cache
// is found by that layout: after a map word, a length that is a power of two, and nine in ten
// of its Smi keys at their own pair with their decimal text as the value. Its words keep nothing.
void Census::add_number_string_caches(std::vector<std::pair<uint64_t, uint64_t>>& dead) const {
  constexpr int64_t kMinLength = 64, kMaxLength = int64_t{1} << 20;
  constexpr uint64_t kSampled = 64;  // keys checked before the whole array is
  each_word([&](uint64_t a, uint64_t w) {
    if (!heap_.is_smi(w)) return;
    const int64_t length = static_cast<int64_t>(w) >> l_.smi_shift;
    if (length < kMinLength || length > kMaxLength || (length & (length - 1)) != 0) return;
    const std::optional<uint64_t> map = heap_.memory().word(a - 8);
    if (!map || *map < min_map_ || *map > max_map_ || !maps_.count(*map)) return;
    const uint64_t pairs = static_cast<uint64_t>(length) / 2, slots = a + 8;
    uint64_t keys = 0, matches = 0;
    for (uint64_t p = 0; p < pairs; ++p) {
      const std::optional<uint64_t> key = heap_.memory().word(slots + 16 * p);
      const std::optional<uint64_t> value = heap_.memory().word(slots + 16 * p + 8);
      if (!key || !value) return;
      // Empty (undefined, or zeros), or a heap number's pair.
      if (!heap_.is_smi(*key) || !heap_.is_heap_object(*value)) continue;
      const int64_t k = static_cast<int64_t>(*key) >> l_.smi_shift;
      ++keys;
      if ((static_cast<uint64_t>(k) & (pairs - 1)) == p && heap_.is_string(*value) &&
          heap_.string(*value) == std::to_string(k))
        ++matches;
      if (keys == kSampled && matches * 10 < keys * 9) return;
    }
    if (keys >= 16 && matches * 10 >= keys * 9) dead.emplace_back(a - 8, slots + 8 * pairs * 2);
  });
}

int32_t Census::row_of(uint64_t map, MapInfo& info) {
  if (info.row != kUnnamed) return info.row;
  std::string name;
  if (info.type >= 0 && info.type < l_.first_nonstring_type) {
    name = string_row_name(l_, info.type);
  } else if (is_js_object_type(info.type)) {
    name = class_name(map);
    if (name == "Object" && info.type != l_.js_array_type) return info.row = kPlainObject;
  } else {
    return info.row = kNotCounted;
  }
  auto [it, inserted] = row_by_name_.try_emplace(name, static_cast<int32_t>(rows_.size()));
  if (inserted) rows_.push_back({name, 0, 0});
  return info.row = it->second;
}

// A believable header's object size: its fields hold what its type holds and it ends where
// another object does (see ends_at_object).
std::optional<uint64_t> Census::believable_size(uint64_t a, const MapInfo& map,
                                                const Scan& scan) const {
  const std::optional<uint64_t> size = object_size(a + l_.heap_object_tag, map);
  if (!size || !ends_at_object(a + *size, *scan.info, scan.top(allocation_areas_))) return {};
  return size;
}

// A map pointer inside a map (its back pointer to the parent map) or inside an object already
// counted (a function's initial map) is a field, not an object header. But a string's characters
// hold no pointers: a believable header among them means the string's header was a false one (a
// word equal to a string map in the last slot of an uncounted internal object), which would hide
// all up to its "length" (measured on Node 18: a 12 KB false string that hid 218 live closures,
// ending at one by chance). Returns whether the word at `a` is a field.
bool Census::inside_last_object(uint64_t a, uint64_t w, MapInfo& map, Scan& scan, HeapCensus& out) {
  if (a >= scan.inside_until) return false;
  if (!scan.inside_chars || (a & ~(kRegularPageSize - 1)) != scan.page ||
      row_of(w, map) == kNotCounted || !believable_size(a, map, scan))
    return true;
  const Tally last = scan.tallies.back();
  if (last.index != kUncounted.index) {
    uncount(last, scan.found.back().size);
    --out.object_count;
    out.total_size -= scan.found.back().size;
  }
  scan.found.pop_back();
  scan.tallies.pop_back();
  scan.inside_until = 0;
  scan.inside_chars = false;
  return false;
}

// Whether a header at `a` lies where nothing is counted, and why (the reason's tally in `out`).
bool Census::left_out(uint64_t a, Scan& scan, HeapCensus& out) {
  if (a < scan.dead_until) {
    ++out.dead_skipped;
    return true;
  }
  const auto& areas = allocation_areas_;
  while (scan.next_area < areas.size() && areas[scan.next_area].second <= a) ++scan.next_area;
  if (scan.next_area < areas.size() && areas[scan.next_area].first <= a) {
    ++out.unallocated_skipped;
    return true;
  }
  if ((a & ~(kRegularPageSize - 1)) != scan.page) {
    scan.page = a & ~(kRegularPageSize - 1);
    scan.info = &cached_page_info(scan.page);
  }
  // The young generation's to-space holds what was allocated since the last scavenge: counted
  // like the rest (a fresh process keeps much of what it made there: its 2,000 instances of a
  // class were all young), and its stale objects (to-space pages not allocated in since the
  // last full GC) are dropped when nothing points at them. The from-space holds only the
  // copies a scavenge left behind.
  const PageInfo& info = *scan.info;
  if (info.kind == Page::kYoung && info.from_space) {
    ++out.young_skipped;
    return true;
  }
  if (info.kind == Page::kNotV8 || a < info.area_start || a >= info.area_end) {
    ++out.off_heap_skipped;
    return true;
  }
  if (info.read_only && l_.v8_major >= kFirstMajorWithoutReadOnlyNodes) {
    ++out.read_only_skipped;
    return true;
  }
  return false;
}

// One word of the scan: a filler, a map, an object header to count, or nothing.
void Census::scan_word(uint64_t a, uint64_t w, Scan& scan, HeapCensus& out) {
  if (w < min_map_ || w > max_map_ || !heap_.is_heap_object(w)) return;
  if (free_space_maps_.count(w)) {
    // A filler inside a free block is a stale one from an earlier sweep: its size says nothing.
    if (a < scan.dead_until) return;
    if (const auto size = free_space_size(a, free_space_unit_)) {
      scan.dead_until = a + *size;
      out.free_bytes += *size;
      scan.dead.emplace_back(a, scan.dead_until);
    }
    return;
  }
  auto it = maps_.find(w);
  if (it == maps_.end() || inside_last_object(a, w, it->second, scan, out)) return;
  MapInfo& map = it->second;
  if (metas_.count(w)) {
    scan.inside_until = a + map.instance_size;
    scan.inside_chars = false;
    return;
  }
  const int32_t row = row_of(w, map);
  if (row == kNotCounted || left_out(a, scan, out)) return;
  const std::optional<uint64_t> size = believable_size(a, map, scan);
  if (!size) {
    // A fixed-size string whose fields do not hold what a string holds, where a string of its
    // size would end at an object: garbage whose parts were reused (a concatenation whose half
    // was overwritten). It is not counted, but takes part in the reference count, so that what
    // only it points at is dropped (measured, Node 18 under load: such concatenations kept
    // +1.36 % of `(concatenated string)`, +0.03 % after).
    if (map.type < l_.first_nonstring_type && map.instance_size != 0 &&
        ends_at_object(a + map.instance_size, *scan.info, scan.top(allocation_areas_))) {
      scan.found.push_back({a, map.instance_size});
      scan.tallies.push_back(kUncounted);
    }
    return;
  }
  scan.inside_until = a + *size;
  scan.inside_chars = map.type < l_.first_nonstring_type &&
                      (map.type & l_.string_representation_mask) == l_.seq_tag;
  scan.found.push_back({a, *size});
  scan.tallies.push_back(row == kPlainObject
                             ? count_plain_object(a + l_.heap_object_tag, w, *size)
                             : count_in({false, static_cast<uint32_t>(row)}, *size));
  ++out.object_count;
  out.total_size += *size;
}

// Takes back out what nothing outside dead memory points at, and what only that points at.
void Census::drop_unreferenced(Scan& scan, HeapCensus& out) {
  std::vector<std::pair<uint64_t, uint64_t>>& dead = scan.dead;
  dead.insert(dead.end(), allocation_areas_.begin(), allocation_areas_.end());
  add_from_space(dead);
  add_number_string_caches(dead);
  std::sort(dead.begin(), dead.end());
  // Ranges can nest (a stale filler inside an allocation area or a from-space page): merged, as
  // find_unreferenced wants them.
  size_t merged = 0;
  for (const auto& range : dead) {
    if (merged > 0 && range.first <= dead[merged - 1].second) {
      dead[merged - 1].second = std::max(dead[merged - 1].second, range.second);
    } else {
      dead[merged++] = range;
    }
  }
  dead.resize(merged);
  const std::vector<bool> unreferenced =
      find_unreferenced(heap_.memory(), scan.found, dead, l_.heap_object_tag);
  for (size_t i = 0; i < scan.found.size(); ++i) {
    if (!unreferenced[i] || scan.tallies[i].index == kUncounted.index) continue;
    uncount(scan.tallies[i], scan.found[i].size);
    ++out.unreferenced_skipped;
    --out.object_count;
    out.total_size -= scan.found[i].size;
  }
}

HeapCensus Census::run() {
  find_meta_maps();
  find_maps();
  HeapCensus out;
  out.map_count = maps_.size();
  find_free_space_maps();
  find_allocation_areas();
  // The objects found, in address order, and where they were counted: counted while their bytes
  // are in the cache (counting them in a second pass took 2 s more on a 1 GB heap), taken back
  // out when nothing points at them. Reserved for objects of 32 bytes on average (measured: 131
  // there): growing these copied 200 MB; pages reserved and never touched cost nothing.
  Scan scan;
  const uint64_t expected = heap_.memory().total_bytes() / 32;
  scan.found.reserve(expected);
  scan.tallies.reserve(expected);
  each_word([&](uint64_t a, uint64_t w) {
    out.scanned_bytes += 8;
    scan_word(a, w, scan, out);
  });
  drop_unreferenced(scan, out);
  name_plain_rows();
  std::erase_if(rows_, [](const CensusRow& r) { return r.count == 0; });
  std::sort(rows_.begin(), rows_.end(), [](const CensusRow& a, const CensusRow& b) {
    if (a.shallow_size != b.shallow_size) return a.shallow_size > b.shallow_size;
    if (a.count != b.count) return a.count > b.count;
    return a.name < b.name;
  });
  out.rows = std::move(rows_);
  return out;
}

}  // namespace

HeapCensus take_census(const MemoryImage& memory, const V8Layout& layout) {
  Census census(memory, layout);
  return census.run();
}

}  // namespace leakscope::core
