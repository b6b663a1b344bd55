// Names for the integers that index the model, after heaptrack's util/indices.h: a signature then
// says which table a number indexes, and "none" is one named value per kind instead of UINT32_MAX
// spelled in each file. Plain aliases, so the struct-of-arrays columns and the algorithms over
// them keep their integer arithmetic and their layout.
#pragma once

#include <cstdint>

namespace leakscope {

using NodeOrdinal = uint32_t;   // position in HeapGraph's node columns (not the snapshot's id)
using EdgeOrdinal = uint64_t;   // position in HeapGraph's edge columns (CSR order)
using ClassOrdinal = uint32_t;  // position in ClassIndex::classes

inline constexpr NodeOrdinal kNoNode = UINT32_MAX;
inline constexpr ClassOrdinal kNoClass = UINT32_MAX;

}  // namespace leakscope
