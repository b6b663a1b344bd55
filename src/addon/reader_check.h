// Proof that HeapDiff's in-memory reader (v8_snapshot_graph.h) sees what the file reader sees.
// One live snapshot is read both ways: straight from V8's records (or through the public API
// alone), and serialized to JSON and parsed by the CLI's reader. The two graphs and what the
// analyses make of them must agree node for node. Run by the test suite, and useful on a Node
// version the project has not seen: checkSnapshotReader() of lib/internal.js.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <v8.h>

namespace leakscope::addon {

struct ReaderCheck {
  bool from_records = false;  // the fast path was taken
  uint64_t nodes = 0;
  uint64_t edges = 0;
  // Counts of disagreeing nodes or edges, by what disagreed; all zero when the readers agree.
  uint64_t structure = 0;  // node count, types, ids, sizes, edge ranges, edge types, targets
  uint64_t node_names = 0;
  uint64_t edge_names = 0;
  uint64_t classes = 0;   // class names (the JSON side also has allocation sites; names agree)
  uint64_t retained = 0;  // dominator and retained size
  uint64_t distance = 0;
  std::vector<std::string> examples;  // the first few disagreements, described
};

// public_api_only: skip V8's records and read through the public API (the fallback path).
ReaderCheck check_snapshot_reader(v8::Isolate* isolate, bool public_api_only);

}  // namespace leakscope::addon
