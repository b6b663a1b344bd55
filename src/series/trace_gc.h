// The `--trace-gc` parser: V8's one-line-per-GC trace as Node 18 to 24 print it.
//
// Understood:
//  - Scavenge, Minor Mark-Compact, Minor Mark-Sweep, Mark-Compact and Mark-sweep lines, with the
//    "Shared " prefix and the " (reduce)", " (interleaved)", " (during sweeping)" modifiers;
//  - "A (B) -> C (D) MB" (and the old "A -> C MB"), newer V8's "pooled: N MB,", one- or
//    two-decimal pauses "X / Y ms", the incremental-marking "(+ S ms in N steps ...)" suffix,
//    "(average mu = a, current mu = c)", and "reason; collector reason" (old V8 has no ';');
//  - Windows isolate pointers without 0x, and the trailing space of Scavenge lines;
//  - `--trace-gc-verbose` blocks: "External memory reported", "Backing store memory" and
//    "All spaces" are attached to the GC they follow;
//  - the OOM epilogue: "<--- Last few GCs --->" ring-buffer entries, which V8 truncates and may
//    run together on one line; entries not already seen are added (flagged), then the
//    "FATAL ERROR" message;
//  - V8 diagnostics that share the stream ([IncrementalMarking], [HeapController], Shrinking
//    page, --trace-gc-nvp lines) are recognised and skipped.
// Anything else (the application's own output, garbage) is counted as unknown, never fatal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "series/trend.h"

namespace leakscope::series {

enum class GcKind : uint8_t {
  kScavenge,
  kMinorMarkCompact,  // --minor-mc, and V8's Minor Mark-Sweep
  kMarkCompact,       // "Mark-Compact", and "Mark-sweep" of older V8
};
inline constexpr std::size_t kGcKindCount = 3;
std::string_view gc_kind_name(GcKind kind);  // "Scavenge", "Minor Mark-Compact", "Mark-Compact"
inline bool is_full_gc(GcKind kind) {
  return kind == GcKind::kMarkCompact;
}

enum GcFlag : uint16_t {
  kGcReduce = 1 << 0,          // " (reduce)": a memory-reducing GC
  kGcShared = 1 << 1,          // "Shared " prefix
  kGcInterleaved = 1 << 2,     // " (interleaved)"
  kGcDuringSweeping = 1 << 3,  // " (during sweeping)"
  kGcIncremental = 1 << 4,     // finished an incremental marking cycle: "(+ ... )"
  kGcFromOomRing = 1 << 5,     // only seen in the "Last few GCs" block
  kGcTruncated = 1 << 6,       // the line ended early (OOM ring entries are cut short)
  kGcVerbose = 1 << 7,         // verbose fields below were filled in
};

struct GcEvent {
  double t_ms = 0;  // since isolate start
  double before_mb = 0;
  double before_committed_mb = -1;  // -1: not printed
  double after_mb = 0;
  double after_committed_mb = -1;
  double pooled_mb = -1;  // newer V8 only
  double pause_ms = 0;
  double external_ms = -1;  // time in embedder/external callbacks
  double incremental_ms = 0;
  double marking_walltime_ms = -1;
  double average_mu = -1;
  double current_mu = -1;
  // --trace-gc-verbose, KB as printed; -1 when absent.
  double external_kb = -1;
  double backing_store_kb = -1;
  double all_used_kb = -1;
  double all_committed_kb = -1;
  uint32_t incremental_steps = 0;
  uint32_t isolate = 0;  // index into GcLog::isolates
  uint16_t reason = 0;   // index into GcLog::reasons (0 = "")
  uint16_t collector_reason = 0;
  uint16_t flags = 0;
  GcKind kind = GcKind::kScavenge;
};

struct GcIsolate {
  uint64_t pid = 0;
  uint64_t address = 0;
  std::size_t events = 0;
};

struct UnknownLine {
  std::size_t line_number = 0;  // 1-based
  std::string text;             // first 200 bytes
};

struct GcLog {
  std::vector<GcEvent> events;
  std::vector<GcIsolate> isolates;
  std::vector<std::string> reasons{""};
  std::size_t lines = 0;
  std::size_t bytes = 0;
  std::size_t gc_lines = 0;
  std::size_t verbose_lines = 0;   // --trace-gc-verbose tables
  std::size_t v8_other_lines = 0;  // recognised V8 diagnostics that carry no GC
  std::size_t nvp_lines = 0;       // --trace-gc-nvp lines (recognised, not parsed)
  std::size_t oom_lines = 0;       // lines of the OOM epilogue
  std::size_t blank_lines = 0;
  std::size_t unknown_lines = 0;
  std::vector<UnknownLine> unknown_samples;  // the first few
  bool oom = false;
  std::string fatal_error;           // "Reached heap limit Allocation failed - ..."
  std::size_t oom_ring_entries = 0;  // entries in "Last few GCs"
  std::size_t oom_ring_new = 0;      // of which were not seen earlier in the log
};

// Streaming parser: feed chunks of any size (lines may straddle chunks), then finish().
class TraceGcParser {
 public:
  void feed(std::string_view chunk);
  void finish();
  // A hint from the input size (a GC line is 150 to 250 bytes; over-reserving is cheap) to avoid
  // regrowing the vector.
  void reserve_for_bytes(std::size_t bytes) { log_.events.reserve(bytes / 150); }
  const GcLog& log() const { return log_; }
  GcLog take() { return std::move(log_); }

  // Called for every GC event as it is parsed (for live use); may be empty.
  void set_on_event(void (*fn)(const GcEvent&, void*), void* user) {
    on_event_ = fn;
    on_event_user_ = user;
  }
  // Lines that are not V8's (the application's own output), e.g. to pass them through.
  void set_on_foreign_line(void (*fn)(std::string_view, void*), void* user) {
    on_foreign_ = fn;
    on_foreign_user_ = user;
  }

 private:
  void line(std::string_view text);
  void oom_ring_line(std::string_view text);
  bool gc_body(std::string_view body, uint32_t isolate, double t_ms, bool ring);
  void verbose_body(std::string_view body, uint32_t isolate);
  uint32_t isolate_index(uint64_t pid, uint64_t address);
  uint16_t intern_reason(std::string_view reason);
  void unknown(std::string_view text);
  void flush_if_too_long();

  // A line longer than this is cut into pieces (each treated as a line of its own).
  static constexpr std::size_t kMaxPendingLine = 64 * 1024;

  GcLog log_;
  std::string pending_;
  bool in_oom_ring_ = false;
  bool after_fatal_ = false;
  uint32_t last_isolate_ = UINT32_MAX;
  void (*on_event_)(const GcEvent&, void*) = nullptr;
  void* on_event_user_ = nullptr;
  void (*on_foreign_)(std::string_view, void*) = nullptr;
  void* on_foreign_user_ = nullptr;
};

GcLog parse_trace_gc(std::string_view text);

// The isolate with the most GCs (the main thread, in practice); UINT32_MAX when there is none.
uint32_t primary_isolate(const GcLog& log);

// Heap after each full GC of one isolate, as (seconds since isolate start, bytes).
std::vector<Point> post_full_gc_series(const GcLog& log, uint32_t isolate);
// Heap after every GC of one isolate (scavenges too): its lower envelope stands in for the
// post-full-GC series when there are too few full GCs.
std::vector<Point> post_any_gc_series(const GcLog& log, uint32_t isolate);

}  // namespace leakscope::series
