// `leakscope watch`: what a recording of a live process holds, and the verdict drawn from it.
//
// The verdict answers the seed guide's first two questions: is this a leak at all, and if so, is
// it the JS heap, external (ArrayBuffer) memory, or native memory no heap snapshot shows?
//  - JS-heap leak: the heap that survives GC grows;
//  - external leak: external/ArrayBuffer memory grows while the heap is flat;
//  - native leak: anonymous RSS grows and more than half of that growth is not explained by
//    the JS heap (used or committed) and external memory (the 2013 Walmart leak), and the
//    unexplained part alone exceeds the anonymous RSS's own floor (which its noise and level
//    steps raise: arenas and the young generation move RSS by megabytes without a leak) and the
//    churn of external memory (its raw range: bursts freed again stay resident in the arenas);
//  - handle leak: open file descriptors (or threads) grow, which shows before memory does;
//  - no leak: every series is stable after warm-up;
//  - inconclusive: too short or too noisy to tell, with how long to run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "series/maps_diff.h"
#include "series/procfs.h"
#include "series/trace_gc.h"
#include "series/trend.h"

namespace leakscope::series {

struct ProcSample {
  double t = 0;  // seconds since the watch started
  uint64_t rss = 0;
  uint64_t rss_anon = 0;
  uint64_t rss_file = 0;
  uint64_t vm_size = 0;
  uint64_t vm_swap = 0;
  uint64_t anonymous = 0;  // smaps_rollup Anonymous (exact)
  uint64_t pss = 0;
  int fds = -1;
  uint32_t threads = 0;
};

struct MapsSample {
  double t = 0;
  MapsSummary summary;
};

// process.memoryUsage() as the preload in the child reports it.
struct JsSample {
  double t = 0;
  double rss = 0;
  double heap_total = 0;
  double heap_used = 0;
  double external = 0;
  double array_buffers = 0;
};

struct WatchRecording {
  int pid = 0;
  std::string command;
  bool spawned = false;    // started by watch (-- COMMAND), so GC and JS series exist
  bool gc_traced = false;  // --trace-gc was passed
  double forced_gc_s = 0;  // the preload forced a full GC this often (0: never)
  double start_unix = 0;   // seconds
  double interval_s = 1;
  double elapsed_s = 0;
  std::vector<ProcSample> proc;
  std::vector<MapsSample> maps;
  std::vector<JsSample> js;
  GcLog gc;
  MapsTable first_maps;
  MapsTable last_maps;
  bool process_exited = false;
  int exit_code = -1;        // when it exited by itself
  int exit_signal = 0;       // when a signal ended it
  std::string end_reason;    // "duration", "exited", "interrupted"
  double sampler_cpu_s = 0;  // leakscope's own CPU time while watching
};

enum class LeakKind { kJsHeap, kExternal, kNative, kHandles, kNone, kInconclusive };
std::string_view leak_kind_name(LeakKind kind);  // "js-heap", "external", "native", ...

struct SeriesVerdict {
  std::string name;    // "js_heap", "external", "anon_rss", ...
  std::string label;   // "JS heap after GC"
  std::string source;  // "trace-gc: 9 full GCs", "/proc/PID/status RssAnon", ...
  std::string points;  // what one judged point is: "full GCs", "window minima", "samples"
  bool available = false;
  bool bytes = true;  // else a count
  double first = 0;   // judged window: first and last values
  double last = 0;
  TrendResult trend;
};

struct WatchOptions {
  TrendOptions bytes;   // for byte series (defaults: 1 MiB or 5 % floor)
  TrendOptions counts;  // for fds and threads
  WatchOptions() {
    counts.min_growth_abs = 5;
    counts.min_growth_fraction = 0.1;
  }
};

struct WatchVerdict {
  LeakKind kind = LeakKind::kInconclusive;
  std::vector<LeakKind> also;         // secondary findings
  int primary = -1;                   // index into series of the one behind the verdict
  std::vector<SeriesVerdict> series;  // js_heap, external, anon_rss, rss, fds, threads, maps kinds
  double native_unexplained_fraction = 0;  // of the anon growth rate
  double native_unexplained_growth = 0;    // bytes over the anon window, outside heap and external
  double external_churn = 0;  // raw external range over the anon window: bursts freed again
  // Inconclusive: the whole recording that would decide it (always longer than this one); the
  // primary series is then the one that needs the most time.
  double suggested_duration_s = 0;
  bool have_maps_diff = false;
  MapsDiff maps_diff;  // first vs last smaps
  double window_s = 0;
  double ready_s = 0;  // spawned node: its first preload report; /proc samples before are boot
  double sampler_cpu_percent = 0;

  const SeriesVerdict* find(std::string_view name) const;
  const SeriesVerdict* primary_series() const {
    return primary >= 0 ? &series[static_cast<std::size_t>(primary)] : nullptr;
  }
};

WatchVerdict analyze_watch(const WatchRecording& rec, const WatchOptions& options = {});

// Parses one line the preload writes: "unix_ms rss heapTotal heapUsed external arrayBuffers".
bool parse_js_sample_line(std::string_view line, double start_unix, JsSample& out);

}  // namespace leakscope::series
