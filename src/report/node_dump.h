// The per-node arrays of the retention analysis in a compact binary file, for differential tests
// against DevTools (tests/js/devtools_oracle.mjs reads it). Layout, little-endian:
//   16-byte header: magic 0x41445346 ("FSDA"), node count, two zero words;
//   retained size f64[n] (DevTools keeps them as doubles), id u32[n], immediate dominator's id
//   u32[n], distance i32[n], re-attributed self size u32[n] (DevTools' width).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/retention.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

// Throws std::runtime_error naming the file when it cannot be written.
void write_node_dump(const std::string& path, const HeapGraph& graph,
                     const BigVector<uint64_t>& self_sizes, const RetentionAnalysis& analysis);

}  // namespace leakscope::report
