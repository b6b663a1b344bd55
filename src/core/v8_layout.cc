#include "core/v8_layout.h"

#include <bit>
#include <cstring>
#include <map>

#include "core/core_error.h"

namespace leakscope::core {

namespace {

class Symbols {
 public:
  Symbols(const ElfReader& binary, std::string name) : name_(std::move(name)) {
    for (const ElfSymbol& s : binary.dynamic_symbols("v8dbg_")) {
      if (s.size != 4 && s.size != 8 && s.size != 1 && s.size != 2) continue;
      const std::optional<Bytes> bytes = binary.bytes_at(s.value, s.size);
      if (!bytes) {
        if (binary.in_zero_section(s.value)) values_.emplace(s.name.substr(6), 0);  // .bss
        continue;
      }
      int64_t v = 0;
      if (s.size == 8) {
        std::memcpy(&v, bytes->data(), 8);
      } else if (s.size == 4) {
        int32_t v32 = 0;
        std::memcpy(&v32, bytes->data(), 4);
        v = v32;
      } else if (s.size == 2) {
        int16_t v16 = 0;
        std::memcpy(&v16, bytes->data(), 2);
        v = v16;
      } else {
        v = static_cast<int8_t>((*bytes)[0]);
      }
      values_.emplace(s.name.substr(6), v);
    }
    if (values_.empty()) {
      throw CoreError(name_ + ": no V8 postmortem symbols (v8dbg_*): not a node binary?");
    }
  }
  int64_t exact(const std::string& key) const {
    auto it = values_.find(key);
    if (it == values_.end()) missing(key);
    return it->second;
  }
  // "class_Map__constructor_or_back_pointer" matches "..._Object" and "..._Tagged_Object_".
  int64_t field(const std::string& cls, const std::string& field_name) const {
    const std::string prefix = "class_" + cls + "__" + field_name + "__";
    auto it = values_.lower_bound(prefix);
    if (it == values_.end() || !it->first.starts_with(prefix)) missing(prefix + "*");
    return it->second;
  }
  const std::map<std::string, int64_t>& all() const { return values_; }

 private:
  [[noreturn]] void missing(const std::string& key) const {
    throw CoreError(name_ +
                    ": V8 metadata this version of leakscope does not understand (no v8dbg_" + key +
                    ")");
  }
  std::string name_;
  std::map<std::string, int64_t> values_;
};

// Classes that derive from `root` (itself included), from the v8dbg_parent_<Child>__<Parent> pairs.
std::unordered_set<std::string> descendants(const Symbols& syms, const std::string& root) {
  std::unordered_map<std::string, std::string> parent;
  for (const auto& [key, value] : syms.all()) {
    if (!key.starts_with("parent_")) continue;
    const size_t sep = key.find("__", 7);
    if (sep == std::string::npos) continue;
    parent[key.substr(7, sep - 7)] = key.substr(sep + 2);
  }
  std::unordered_set<std::string> out{root};
  for (const auto& [child, unused] : parent) {
    std::string c = child;
    for (int depth = 0; depth < 32 && !c.empty(); ++depth) {  // capped: the table is input
      if (c == root) {
        out.insert(child);
        break;
      }
      auto it = parent.find(c);
      c = it == parent.end() ? std::string() : it->second;
    }
  }
  return out;
}

void read_types(const Symbols& syms, V8Layout& l) {
  const std::unordered_set<std::string> objects = descendants(syms, "JSObject");
  const std::unordered_set<std::string> functions = descendants(syms, "JSFunction");
  for (const auto& [key, value] : syms.all()) {
    if (!key.starts_with("type_")) continue;
    const size_t sep = key.find("__", 5);
    if (sep == std::string::npos) continue;
    const std::string cls = key.substr(5, sep - 5);
    l.type_names[value] = key.substr(sep + 2);
    if (objects.count(cls)) l.js_object_types.insert(value);
    if (functions.count(cls)) l.js_function_types.insert(value);
  }
  const auto& all = syms.all();
  // JS receivers are the last range of instance types (V8 keeps them there for range checks),
  // starting at JS_PROXY_TYPE; Node 22+ lists no parent classes, so this is what finds JSMap,
  // JSSet, JSArray and the others there.
  if (all.count("type_JSProxy__JS_PROXY_TYPE")) {
    const int64_t first_receiver = syms.exact("type_JSProxy__JS_PROXY_TYPE");
    for (const auto& [type, name] : l.type_names) {
      if (type > first_receiver) l.js_object_types.insert(type);
    }
    l.first_js_receiver_type = first_receiver;
  }
  if (all.count("FirstJSFunctionType") && all.count("LastJSFunctionType")) {
    const int64_t first = syms.exact("FirstJSFunctionType");
    const int64_t last = syms.exact("LastJSFunctionType");
    for (int64_t t = first; t <= last && t - first < 256; ++t) l.js_function_types.insert(t);
  }
  l.map_type = syms.exact("type_Map__MAP_TYPE");
  l.shared_function_info_type = syms.exact("type_SharedFunctionInfo__SHARED_FUNCTION_INFO_TYPE");
  l.scope_info_type = syms.exact("type_ScopeInfo__SCOPE_INFO_TYPE");
  l.js_array_type = syms.exact("type_JSArray__JS_ARRAY_TYPE");
  const auto optional_type = [&](const char* key) {
    return all.count(key) ? syms.exact(key) : int64_t{-1};
  };
  l.js_bound_function_type = optional_type("type_JSBoundFunction__JS_BOUND_FUNCTION_TYPE");
  l.oddball_type = optional_type("type_Oddball__ODDBALL_TYPE");
  l.js_primitive_wrapper_type = optional_type("type_JSPrimitiveWrapper__JS_PRIMITIVE_WRAPPER_TYPE");
  l.heap_number_type = optional_type("type_HeapNumber__HEAP_NUMBER_TYPE");
  l.symbol_type = optional_type("type_Symbol__SYMBOL_TYPE");
  l.accessor_pair_type = optional_type("type_AccessorPair__ACCESSOR_PAIR_TYPE");
  l.first_nonstring_type = syms.exact("FirstNonstringType");
  l.string_representation_mask = syms.exact("StringRepresentationMask");
  l.seq_tag = syms.exact("SeqStringTag");
  l.cons_tag = syms.exact("ConsStringTag");
  l.thin_tag = syms.exact("ThinStringTag");
  l.sliced_tag = syms.exact("SlicedStringTag");
  l.external_tag = syms.exact("ExternalStringTag");
  if (all.count("type_FreeSpace__FREE_SPACE_TYPE"))
    l.free_space_type = syms.exact("type_FreeSpace__FREE_SPACE_TYPE");
  l.string_encoding_mask = syms.exact("StringEncodingMask");
  l.one_byte_tag = syms.exact("OneByteStringTag");
  if (l.js_object_types.empty()) {
    throw CoreError("V8 metadata without JSObject instance types (no v8dbg_parent_*)");
  }
}

void read_property_fields(const Symbols& syms, V8Layout& l) {
  l.map_inobject_start_words =
      syms.field("Map", "inobject_properties_start_or_constructor_function_index");
  l.map_prototype = syms.field("Map", "prototype");
  l.desc_value = syms.exact("prop_desc_value");
  l.prop_kind_mask = syms.exact("prop_kind_mask");
  l.prop_kind_accessor = syms.exact("prop_kind_Accessor");
  l.prop_location_mask = syms.exact("prop_location_mask");
  l.prop_location_shift = syms.exact("prop_location_shift");
  l.prop_location_field = syms.exact("prop_location_Field");
  l.prop_index_mask = syms.exact("prop_index_mask");
  l.prop_index_shift = syms.exact("prop_index_shift");
  l.representation_double = syms.exact("prop_representation_double");
  l.fixed_array_header = syms.field("FixedArray", "data");
  l.property_array_header = l.fixed_array_header;  // map and length-and-hash, like a FixedArray
  const int64_t prefix_start = syms.exact("namedictionary_prefix_start_index");
  l.dictionary_capacity_index = prefix_start - 1;
  l.dictionary_entries_start = prefix_start + syms.exact("namedictionaryshape_prefix_size");
  l.dictionary_entry_size = syms.exact("namedictionaryshape_entry_size");
  l.accessor_getter = syms.field("AccessorPair", "getter");
  l.accessor_setter = syms.field("AccessorPair", "setter");
  l.symbol_description = syms.field("Symbol", "name");
  const int64_t own_width = std::popcount(static_cast<uint64_t>(l.own_descriptors_mask));
  if (l.own_descriptors_shift + own_width + 1 == l.dictionary_map_shift)
    l.prototype_map_shift = l.dictionary_map_shift - 1;
}

void read_fields(const Symbols& syms, V8Layout& l) {
  l.map = syms.field("HeapObject", "map");
  l.map_instance_type = syms.field("Map", "instance_type");
  l.map_instance_size_words = syms.field("Map", "instance_size_in_words");
  l.map_constructor = syms.field("Map", "constructor_or_back_pointer");
  l.map_descriptors = syms.field("Map", "instance_descriptors");
  l.map_bit_field3 = syms.field("Map", "bit_field3");
  l.js_properties = syms.field("JSReceiver", "raw_properties_or_hash");
  l.js_elements = syms.field("JSObject", "elements");
  l.function_shared = syms.field("JSFunction", "shared");
  l.shared_name = syms.field("SharedFunctionInfo", "name_or_scope_info");
  l.string_length = syms.field("String", "length");
  l.seq_one_byte_chars = syms.field("SeqOneByteString", "chars");
  l.seq_two_byte_chars = syms.field("SeqTwoByteString", "chars");
  l.thin_actual = syms.field("ThinString", "actual");
  l.cons_first = syms.field("ConsString", "first");
  l.cons_second = syms.field("ConsString", "second");
  l.sliced_parent = syms.field("SlicedString", "parent");
  l.sliced_offset = syms.field("SlicedString", "offset");
  l.descriptors_header = syms.field("DescriptorArray", "header_size");
  l.desc_size = syms.exact("prop_desc_size");
  l.desc_key = syms.exact("prop_desc_key");
  l.desc_details = syms.exact("prop_desc_details");
  l.representation_mask = syms.exact("prop_representation_mask");
  l.representation_shift = syms.exact("prop_representation_shift");
  l.representation_smi = syms.exact("prop_representation_smi");
  l.own_descriptors_mask = syms.exact("bit_field3_number_of_own_descriptors_mask");
  l.own_descriptors_shift = syms.exact("bit_field3_number_of_own_descriptors_shift");
  l.dictionary_map_shift = syms.exact("bit_field3_is_dictionary_map_shift");
  l.scope_info_first_vars = syms.exact("scopeinfo_idx_first_vars");
  l.scope_info_context_locals = syms.exact("scopeinfo_idx_ncontextlocals");
  read_property_fields(syms, l);
}

int64_t v8_major_version(const ElfReader& binary) {
  for (const ElfSymbol& s : binary.dynamic_symbols("_ZN2v88internal7Version6major_E")) {
    int32_t major = 0;
    const std::optional<Bytes> bytes = binary.bytes_at(s.value, sizeof major);
    if (s.size != sizeof major || !bytes) continue;
    std::memcpy(&major, bytes->data(), sizeof major);
    return major;
  }
  return 0;
}

}  // namespace

V8Layout load_v8_layout(const ElfReader& binary, const std::string& binary_name) {
  const Symbols syms(binary, binary_name);
  V8Layout l;
  l.v8_major = v8_major_version(binary);
  l.heap_object_tag = static_cast<uint64_t>(syms.exact("HeapObjectTag"));
  l.heap_object_tag_mask = static_cast<uint64_t>(syms.exact("HeapObjectTagMask"));
  l.smi_tag = static_cast<uint64_t>(syms.exact("SmiTag"));
  l.smi_tag_mask = static_cast<uint64_t>(syms.exact("SmiTagMask"));
  l.smi_shift = syms.exact("SmiShiftSize") + 1;
  if (syms.all().count("SystemPointerSize") && syms.exact("SystemPointerSize") != 8) {
    throw CoreError(binary_name + ": not a 64-bit V8");
  }
  if (l.smi_shift != 32) {
    throw CoreError(binary_name +
                    ": V8 built with pointer compression (31-bit Smis), which leakscope core does "
                    "not read yet");
  }
  read_fields(syms, l);
  read_types(syms, l);
  if (l.map != 0) throw CoreError(binary_name + ": V8 metadata with the map word not first");
  for (int64_t off : {l.map_instance_type, l.map_constructor, l.js_properties, l.js_elements,
                      l.function_shared, l.shared_name, l.string_length, l.descriptors_header,
                      l.seq_one_byte_chars, l.seq_two_byte_chars, l.cons_first, l.cons_second,
                      l.sliced_parent, l.sliced_offset, l.thin_actual}) {
    if (off < 0 || off > 4096) throw CoreError(binary_name + ": implausible V8 field offset");
  }
  return l;
}

}  // namespace leakscope::core
