// Per-isolate GC monitor: V8 prologue/epilogue callbacks that count and time every GC by kind,
// and after each full (mark-compact) GC compute memwatch's stats. The callbacks never touch JS:
// they record into plain structs and ask the owner to notify its loop.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include <v8.h>

#include "addon/baseline.h"

namespace leakscope::addon {

enum GcKind : int {
  kGcMinor = 0,         // Scavenge
  kGcMinorMarkCompact,  // MinorMarkCompact / MinorMarkSweep
  kGcMajor,             // MarkSweepCompact
  kGcIncremental,       // IncrementalMarking (start/finalize steps)
  kGcWeakCallbacks,     // ProcessWeakCallbacks
  kGcKindCount,
};

std::string_view gc_kind_label(int kind);  // "minor", "major", ... (prom-client's names)
int gc_kind_of(v8::GCType type);

// Upper bounds (seconds) of the GC duration histogram; +Inf is implicit.
inline constexpr std::array<double, 12> kGcBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

struct GcKindStats {
  uint64_t count = 0;
  double seconds = 0;
  double max_seconds = 0;
  std::array<uint64_t, kGcBuckets.size()> buckets{};  // cumulative per bound, as Prometheus wants
};

struct FullGcStats {
  uint64_t num_full_gc = 0;
  uint64_t num_inc_gc = 0;
  uint64_t heap_compactions = 0;
  BaselineFigures base;
  uint32_t gc_flags = 0;
  double gc_duration_ms = 0;
  uint64_t used_heap_size = 0;
  uint64_t total_heap_size = 0;
  uint64_t heap_size_limit = 0;
  uint64_t external_memory = 0;
  uint64_t rss = 0;
  double timestamp_ms = 0;  // wall clock, ms since the epoch
};

class GcMonitor {
 public:
  explicit GcMonitor(v8::Isolate* isolate);
  ~GcMonitor();
  GcMonitor(const GcMonitor&) = delete;
  GcMonitor& operator=(const GcMonitor&) = delete;

  void install();
  void uninstall();

  // Called (on the isolate's thread, inside the GC epilogue) after each full GC. Must not call JS.
  std::function<void(const FullGcStats&)> on_full_gc;

  const std::array<GcKindStats, kGcKindCount>& kinds() const { return kinds_; }
  uint64_t num_full_gc() const { return num_full_gc_; }
  uint64_t num_inc_gc() const { return num_inc_gc_; }
  uint64_t nested_gcs() const { return nested_gcs_; }
  const FullGcStats& last() const { return last_; }
  bool has_last() const { return num_full_gc_ > 0; }
  v8::Isolate* isolate() const { return isolate_; }

 private:
  static void prologue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                       void* data);
  static void epilogue(v8::Isolate* isolate, v8::GCType type, v8::GCCallbackFlags flags,
                       void* data);
  void finish_full_gc(v8::GCCallbackFlags flags, double seconds);

  v8::Isolate* isolate_;
  bool installed_ = false;
  // V8 nests GCs (weak-callback processing inside a mark-compact): only the outermost pair is a
  // GC of its own, and its duration covers the nested ones (nodejs/node#44046).
  int depth_ = 0;
  v8::GCType outer_type_ = v8::kGCTypeScavenge;
  std::chrono::steady_clock::time_point outer_start_;
  std::array<GcKindStats, kGcKindCount> kinds_{};
  uint64_t num_full_gc_ = 0;
  uint64_t num_inc_gc_ = 0;
  uint64_t nested_gcs_ = 0;
  Baseline baseline_;
  FullGcStats last_;
};

}  // namespace leakscope::addon
