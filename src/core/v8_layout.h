// V8's object layout for one node binary, read from its postmortem symbols (`v8dbg_*` in
// .dynsym): field offsets, instance types, tags. Nothing is hard-coded per version; Node 22+
// renamed fields with their Tagged<> type ("__Tagged_Object_"), so fields are found by the
// "v8dbg_class_<Class>__<field>__" prefix whatever type suffix follows.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/elf_reader.h"

namespace leakscope::core {

struct V8Layout {
  // Tags (64-bit words: no pointer compression in official Linux builds).
  uint64_t heap_object_tag = 1;
  uint64_t heap_object_tag_mask = 3;
  uint64_t smi_tag_mask = 1;
  uint64_t smi_tag = 0;
  int64_t smi_shift = 32;  // SmiShiftSize + SmiTagSize

  // Field offsets (bytes from the object's untagged start).
  int64_t map = 0;
  int64_t map_instance_type = 0;
  int64_t map_instance_size_words = 0;
  int64_t map_constructor = 0;
  int64_t map_descriptors = 0;
  int64_t map_bit_field3 = 0;
  int64_t js_properties = 0;
  int64_t js_elements = 0;
  int64_t function_shared = 0;
  int64_t shared_name = 0;
  int64_t string_length = 0;
  int64_t seq_one_byte_chars = 0;
  int64_t seq_two_byte_chars = 0;
  int64_t thin_actual = 0;
  int64_t cons_first = 0;
  int64_t cons_second = 0;
  int64_t sliced_parent = 0;
  int64_t sliced_offset = 0;
  int64_t descriptors_header = 0;
  int64_t desc_size = 3;
  int64_t desc_key = 0;
  int64_t desc_details = 1;
  int64_t representation_mask = 0, representation_shift = 0, representation_smi = 0;
  int64_t own_descriptors_mask = 0;
  int64_t own_descriptors_shift = 0;
  int64_t dictionary_map_shift = 0;
  int64_t scope_info_first_vars = 0;
  int64_t scope_info_context_locals = 0;
  // What a heap snapshot's property edges are read from: a field's place (in-object from the
  // map's start word, else in the PropertyArray), a descriptor's own value, accessor pairs, the
  // NameDictionary of a dictionary-mode object, a symbol's description.
  int64_t map_inobject_start_words = 0;
  int64_t map_prototype = 0;
  int64_t desc_value = 2;
  int64_t prop_kind_mask = 1, prop_kind_accessor = 1;
  int64_t prop_location_mask = 0, prop_location_shift = 0, prop_location_field = 0;
  int64_t prop_index_mask = 0, prop_index_shift = 0;
  int64_t representation_double = -1;
  int64_t property_array_header = 16;
  int64_t fixed_array_header = 16;
  int64_t dictionary_capacity_index = 2;  // HashTable::kCapacityIndex, before the prefix
  int64_t dictionary_entries_start = 6;   // prefix start + NameDictionary's prefix size
  int64_t dictionary_entry_size = 3;      // key, value, details
  int64_t accessor_getter = 8, accessor_setter = 16;
  int64_t symbol_description = 16;
  // Map::bit_field3's is_prototype_map bit: V8 keeps it right before is_dictionary_map, after the
  // own descriptors' count (10 to 13); -1 when the metadata does not agree with that order.
  int64_t prototype_map_shift = -1;

  // Instance types.
  int64_t map_type = 0;
  int64_t shared_function_info_type = 0;
  int64_t scope_info_type = 0;
  int64_t js_array_type = 0;
  int64_t js_bound_function_type = -1;
  int64_t js_primitive_wrapper_type = -1;  // its value follows the elements field
  int64_t heap_number_type = -1;
  int64_t oddball_type = -1;
  int64_t symbol_type = -1;
  int64_t accessor_pair_type = -1;
  int64_t first_nonstring_type = 0;
  int64_t string_representation_mask = 0, seq_tag = 0, cons_tag = 0, thin_tag = 0;
  int64_t sliced_tag = 0, external_tag = 0;
  // FREE_SPACE_TYPE, the filler V8 writes over swept dead objects; -1 when the metadata does not
  // list it (Node 24): the census then recognises its map by its instances (heap_census.cc).
  int64_t free_space_type = -1;
  int64_t string_encoding_mask = 0, one_byte_tag = 0;
  // Above JS_PROXY_TYPE every type is a JS receiver, listed in the metadata or not (-1: unknown).
  int64_t first_js_receiver_type = -1;
  std::unordered_set<int64_t> js_object_types;          // JSObject and every subclass
  std::unordered_set<int64_t> js_function_types;        // JSFunction and its subclasses
  std::unordered_map<int64_t, std::string> type_names;  // e.g. 0x421 → "JS_OBJECT_TYPE"
  // V8's major version (v8::internal::Version::major_, exported by Node's binaries); 0 unknown.
  // Only what a heap snapshot lists depends on it, never how memory is read.
  int64_t v8_major = 0;
};

// Reads the layout from the binary; throws CoreError naming a missing or odd symbol.
V8Layout load_v8_layout(const ElfReader& binary, const std::string& binary_name);

}  // namespace leakscope::core
