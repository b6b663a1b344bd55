#include "core/heap_census.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "analysis/devtools_text.h"
#include "core/core_error.h"

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
constexpr uint64_t kYoungPageFlags = (uint64_t{1} << 3) | (uint64_t{1} << 4);

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

struct MapInfo {
  int64_t type = -1;
  uint64_t instance_size = 0;
  int32_t row = -1;  // -1: not named yet; -2: not counted
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
  std::string property_set(uint64_t map) const;
  bool smi_field(uint64_t details) const;
  bool valid_js_object(uint64_t object) const;
  std::optional<uint64_t> string_size(uint64_t object, const MapInfo& info) const;
  std::optional<uint64_t> object_size(uint64_t object, const MapInfo& info) const;
  void find_free_space_maps();
  enum class Page { kOld, kYoung, kNotV8 };
  Page page_kind(uint64_t page) const;
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
  uint64_t free_space_unit_ = 1;                // bytes per unit of a filler's size field
  std::unordered_map<uint64_t, MapInfo> maps_;  // tagged map pointer → what it makes
  uint64_t min_map_ = UINT64_MAX, max_map_ = 0;
  std::vector<CensusRow> rows_;
  std::unordered_map<std::string, int32_t> row_by_name_;
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

// A field that holds only Smis: V8's heap snapshot records no edge to a Smi, so DevTools' names
// leave such properties out ({id, name} with a numeric id is "{name}").
bool Census::smi_field(uint64_t details) const {
  const uint64_t value = static_cast<uint64_t>(static_cast<int64_t>(details) >> l_.smi_shift);
  const uint64_t representation =
      (value & static_cast<uint64_t>(l_.representation_mask)) >> l_.representation_shift;
  return static_cast<int64_t>(representation) == l_.representation_smi;
}

// A plain object's name: its own properties in order, "{a, b}", as DevTools' interface names
// (capped at 120 UTF-16 units); dictionary-mode and property-less objects stay "Object".
std::string Census::property_set(uint64_t map) const {
  const auto bits = heap_.field(map, l_.map_bit_field3);
  const auto descriptors = heap_.field(map, l_.map_descriptors);
  if (!bits || !descriptors || !heap_.is_heap_object(*descriptors)) return "Object";
  const uint32_t bf3 = static_cast<uint32_t>(*bits);  // an int field: the low half of the word
  if ((bf3 >> l_.dictionary_map_shift) & 1) return "Object";
  const uint64_t own =
      (bf3 & static_cast<uint64_t>(l_.own_descriptors_mask)) >> l_.own_descriptors_shift;
  std::string name = "{";
  size_t length = 1;
  size_t shown = 0;
  for (uint64_t i = 0; i < own && i < kMaxDescriptors; ++i) {
    const int64_t entry = l_.descriptors_header + 8 * static_cast<int64_t>(i) * l_.desc_size;
    const auto key = heap_.field(*descriptors, entry + 8 * l_.desc_key);
    const auto details = heap_.field(*descriptors, entry + 8 * l_.desc_details);
    if (!key || !details || !heap_.is_string(*key)) continue;  // symbols: not in DevTools' names
    if (smi_field(*details)) continue;
    const std::string text = heap_.string(*key);
    if (text == "__proto__") continue;
    const std::string formatted = devtools_property_name(text);
    const size_t formatted_length = utf16_length(formatted);
    if (length > 1 && length + formatted_length > kMaxInterfaceLength) break;
    if (shown++) {
      name += ", ";
      length += 2;
    }
    name += formatted;
    length += formatted_length;
  }
  return shown ? name + "}" : "Object";
}

std::string Census::class_name(uint64_t map) const {
  const MapInfo& info = maps_.at(map);
  if (l_.js_function_types.count(info.type))
    return "Function";  // what `leakscope summary` calls closures
  std::optional<uint64_t> ctor = heap_.field(map, l_.map_constructor);
  for (int step = 0; ctor && step < kMaxChainSteps; ++step) {
    if (!heap_.is_heap_object(*ctor)) break;
    const std::optional<uint64_t> ctor_map = heap_.map_of(*ctor);
    if (!ctor_map || !metas_.count(*ctor_map)) break;
    ctor = heap_.field(*ctor, l_.map_constructor);  // a back pointer to the parent map
  }
  // A function is known by a SharedFunctionInfo in its shared slot, not by its instance type:
  // class constructors have types of their own that the metadata of Node 20 does not list.
  std::string name;
  if (ctor && heap_.is_heap_object(*ctor)) name = heap_.function_name(*ctor);
  if (name.empty()) name = "Object";
  if (name == "Object" && info.type != l_.js_array_type) return property_set(map);
  return name;
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
// chunks) at that alignment with a header whose flags word is the second word in V8 10 and 11
// (after the chunk size) and the first from V8 12 on; flags are a small non-zero integer, never a
// pointer. Chunks without such a header (malloc arenas holding copies of JS objects, the middle
// of a large object) are not V8 pages. Only the young-generation bits are read: the rest of the
// header changes between versions.
Census::Page Census::page_kind(uint64_t page) const {
  const auto first = heap_.memory().word(page);
  if (!first) return Page::kNotV8;
  uint64_t flags = *first;
  const bool chunk_size = flags % 4096 == 0 && flags >= kRegularPageSize && flags >> 40 == 0;
  if (chunk_size) {
    const auto second = heap_.memory().word(page + 8);
    if (!second) return Page::kNotV8;
    flags = *second;
  }
  if (flags == 0 || (flags >> 32) != 0) return Page::kNotV8;
  return (flags & kYoungPageFlags) != 0 ? Page::kYoung : Page::kOld;
}

int32_t Census::row_of(uint64_t map, MapInfo& info) {
  if (info.row != -1) return info.row;
  std::string name;
  if (info.type >= 0 && info.type < l_.first_nonstring_type) {
    name = string_row_name(l_, info.type);
  } else if (is_js_object_type(info.type)) {
    name = class_name(map);
  } else {
    return info.row = -2;
  }
  auto [it, inserted] = row_by_name_.try_emplace(name, static_cast<int32_t>(rows_.size()));
  if (inserted) rows_.push_back({name, 0, 0});
  return info.row = it->second;
}

HeapCensus Census::run() {
  find_meta_maps();
  find_maps();
  HeapCensus out;
  out.map_count = maps_.size();
  find_free_space_maps();
  uint64_t dead_until = 0;  // the end of the last free-space filler: dead objects until there
  uint64_t page = 1;        // the 256 KiB chunk of the last object header, and what it is
  Page kind = Page::kNotV8;
  each_word([&](uint64_t a, uint64_t w) {
    out.scanned_bytes += 8;
    if (w < min_map_ || w > max_map_ || !heap_.is_heap_object(w)) return;
    if (free_space_maps_.count(w)) {
      // A filler inside a free block is a stale one from an earlier sweep: its size says nothing.
      if (a < dead_until) return;
      if (const auto size = free_space_size(a, free_space_unit_)) {
        dead_until = a + *size;
        out.free_bytes += *size;
      }
      return;
    }
    auto it = maps_.find(w);
    if (it == maps_.end()) return;
    const int32_t row = row_of(w, it->second);
    if (row < 0) return;
    if (a < dead_until) {
      ++out.dead_skipped;
      return;
    }
    if ((a & ~(kRegularPageSize - 1)) != page) {
      page = a & ~(kRegularPageSize - 1);
      kind = page_kind(page);
    }
    if (kind == Page::kYoung) {
      ++out.young_skipped;
      return;
    }
    if (kind == Page::kNotV8) {
      ++out.off_heap_skipped;
      return;
    }
    const std::optional<uint64_t> size = object_size(a + l_.heap_object_tag, it->second);
    if (!size) return;
    ++rows_[row].count;
    rows_[row].shallow_size += *size;
    ++out.object_count;
    out.total_size += *size;
  });
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
