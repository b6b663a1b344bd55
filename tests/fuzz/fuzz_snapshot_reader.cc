// libFuzzer target for the snapshot reader.
//
// Every input goes through both entry points: load_snapshot_buffer (the whole text at once) and
// SnapshotStreamReader (the same bytes pushed in chunks whose sizes are drawn from a hash of the
// input, so chunk boundaries fall inside numbers, escapes, UTF-8 sequences and keywords). Bad
// input must surface as SnapshotError; anything else (a crash, a sanitizer report, another
// exception, a hang, a huge allocation) is a finding. When both entry points accept an input
// they must build the same graph.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "heap/heap_graph.h"
#include "heap/snapshot_reader.h"

namespace {

// FNV-1a, then xorshift: deterministic per input, so a crash reproduces from its file alone.
uint64_t hash_bytes(std::string_view data) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h | 1;
}

uint64_t next_random(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

bool same_graph(const leakscope::HeapGraph& a, const leakscope::HeapGraph& b) {
  if (a.strings.size() != b.strings.size()) return false;
  for (uint32_t i = 0; i < a.strings.size(); ++i) {
    if (a.strings.get(i) != b.strings.get(i)) return false;
  }
  return a.node_type == b.node_type && a.node_name == b.node_name && a.node_id == b.node_id &&
         a.node_self_size == b.node_self_size && a.first_edge == b.first_edge &&
         a.node_detachedness == b.node_detachedness && a.edge_type == b.edge_type &&
         a.edge_name == b.edge_name && a.edge_to == b.edge_to && a.root == b.root &&
         a.locations.size() == b.locations.size() &&
         a.trace_function_infos.size() == b.trace_function_infos.size() &&
         a.trace_tree.size() == b.trace_tree.size() && a.samples.size() == b.samples.size() &&
         a.header.extra_native_bytes == b.header.extra_native_bytes;
}

// Touches what analyses will read, so a graph that violates its own invariants shows up here
// (under ASan) rather than in a later analysis.
void check_invariants(const leakscope::HeapGraph& g) {
  const uint32_t n = g.node_count();
  if (g.first_edge.size() != static_cast<size_t>(n) + 1 || g.first_edge.back() != g.edge_count())
    std::abort();
  for (uint32_t i = 0; i < n; ++i) {
    if (g.first_edge[i] > g.first_edge[i + 1]) std::abort();
    if (g.node_name[i] >= g.strings.size()) std::abort();
    if (g.node_type[i] >= g.node_type_names.size()) std::abort();
  }
  for (uint64_t e = 0; e < g.edge_count(); ++e) {
    if (g.edge_to[e] >= n) std::abort();
    if (g.edge_type[e] >= g.edge_type_names.size()) std::abort();
    if (!g.edge_name_is_index(e) && g.edge_name[e] >= g.strings.size()) std::abort();
  }
  for (const auto& loc : g.locations) {
    if (loc.node >= n) std::abort();
  }
  if (n > 0 && g.root >= n) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  uint64_t state = hash_bytes(text);

  leakscope::LoadOptions options;
  // Mostly one thread (fast); sometimes two, to run the parallel decode path under the sanitizers.
  options.threads = (state & 7) == 0 ? 2 : 1;

  std::optional<leakscope::HeapGraph> whole;
  try {
    whole = leakscope::load_snapshot_buffer(text, "<fuzz>", options);
    check_invariants(*whole);
  } catch (const leakscope::SnapshotError&) {
  }

  std::optional<leakscope::HeapGraph> streamed;
  try {
    leakscope::SnapshotStreamReader reader("<fuzz-stream>", options);
    size_t at = 0;
    while (at < size) {
      // Chunks of 1..64 bytes, now and then larger, so boundaries land everywhere.
      const uint64_t r = next_random(state);
      size_t len = (r & 3) == 0 ? 1 + (r >> 8) % 4096 : 1 + (r >> 8) % 64;
      if (len > size - at) len = size - at;
      reader.push(text.substr(at, len));
      at += len;
    }
    streamed = reader.finish();
    check_invariants(*streamed);
  } catch (const leakscope::SnapshotError&) {
  }

  // Both entry points must agree on what is a valid snapshot and on the graph it describes.
  if (whole.has_value() != streamed.has_value()) {
    std::fprintf(stderr, "buffer and stream readers disagree: buffer %s, stream %s\n",
                 whole ? "accepted" : "rejected", streamed ? "accepted" : "rejected");
    std::abort();
  }
  if (whole && !same_graph(*whole, *streamed)) {
    std::fprintf(stderr, "buffer and stream readers built different graphs\n");
    std::abort();
  }
  return 0;
}
