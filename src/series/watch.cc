#include "series/watch.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace leakscope::series {
namespace {

SeriesVerdict judge(std::string name, std::string label, std::string source, std::string points,
                    const std::vector<Point>& pts, const TrendOptions& opt, bool bytes = true) {
  SeriesVerdict s;
  s.name = std::move(name);
  s.label = std::move(label);
  s.source = std::move(source);
  s.points = std::move(points);
  s.bytes = bytes;
  if (pts.empty()) return s;
  s.available = true;
  s.trend = detect_trend(pts, opt);
  // Fitted values at the window ends: what the trend says, not one noisy sample.
  s.first = s.trend.first_value;
  s.last = s.trend.first_value + s.trend.growth;
  if (s.trend.points_judged < 3) {
    s.first = pts.front().v;
    s.last = pts.back().v;
  }
  return s;
}

bool growing(const SeriesVerdict* s) {
  return s && s->available && s->trend.verdict == Verdict::kGrowing;
}

double positive_rate(const SeriesVerdict* s) {
  return s && s->available ? std::max(0.0, s->trend.rate_per_hour) : 0.0;
}

}  // namespace

std::string_view leak_kind_name(LeakKind kind) {
  switch (kind) {
    case LeakKind::kJsHeap:
      return "js-heap";
    case LeakKind::kExternal:
      return "external";
    case LeakKind::kNative:
      return "native";
    case LeakKind::kHandles:
      return "handles";
    case LeakKind::kNone:
      return "none";
    case LeakKind::kInconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

const SeriesVerdict* WatchVerdict::find(std::string_view name) const {
  for (const SeriesVerdict& s : series) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool parse_js_sample_line(std::string_view line, double start_unix, JsSample& out) {
  double values[6];
  const char* p = line.data();
  const char* e = line.data() + line.size();
  for (double& v : values) {
    while (p < e && *p == ' ') ++p;
    const auto [next, ec] = std::from_chars(p, e, v);
    if (ec != std::errc() || next == p) return false;
    p = next;
  }
  out.t = values[0] / 1000 - start_unix;
  out.rss = values[1];
  out.heap_total = values[2];
  out.heap_used = values[3];
  out.external = values[4];
  out.array_buffers = values[5];
  return true;
}

namespace {

// The primary isolate's series in the --trace-gc log (none without one).
struct GcSeries {
  uint32_t isolate = UINT32_MAX;
  std::vector<Point> full;       // the heap after each full GC
  std::vector<Point> any_gc;     // the heap after any GC
  std::vector<Point> committed;  // the heap's committed size after each GC
};

GcSeries gc_series(const GcLog& gc) {
  GcSeries out;
  out.isolate = primary_isolate(gc);
  if (out.isolate == UINT32_MAX) return out;
  out.full = post_full_gc_series(gc, out.isolate);
  out.any_gc = post_any_gc_series(gc, out.isolate);
  for (const GcEvent& ev : gc.events) {
    if (ev.isolate == out.isolate && ev.after_committed_mb >= 0 && !(ev.flags & kGcTruncated)) {
      out.committed.push_back({ev.t_ms / 1000, ev.after_committed_mb * 1024 * 1024});
    }
  }
  return out;
}

// How few points a series may be judged from when its growth is strong enough to call early.
std::size_t early_points(const WatchOptions& options) {
  return std::min(options.bytes.early_min_points, options.bytes.min_points);
}

// The one "js_heap" series: the post-full-GC series when there are enough full GCs; otherwise the
// lower envelope of the heap after any GC, of heapUsed, or of the V8 pages' RSS, whichever exists.
void add_js_heap(const WatchRecording& rec, const GcSeries& gc, const WatchOptions& options,
                 const TrendOptions& env, WatchVerdict& v) {
  const std::vector<Point>& full = gc.full;
  const std::vector<Point>& any_gc = gc.any_gc;
  // The heap after full GC is the best evidence: judged even from fewer full GCs than a "no leak"
  // needs (a busy machine delivers few), since the shared rule can call a strong growth early.
  // When that leaves it undecided, the lower envelope of the denser series below may decide.
  SeriesVerdict heap_full;
  if (full.size() >= early_points(options)) {
    heap_full = judge("js_heap", "JS heap after full GC",
                      "--trace-gc: heap after each of " + std::to_string(full.size()) + " full GCs",
                      "full GCs", full, options.bytes);
  }
  const bool full_decided =
      heap_full.available && (full.size() >= options.bytes.min_points ||
                              heap_full.trend.verdict != Verdict::kInconclusive);
  if (full_decided) {
    v.series.push_back(std::move(heap_full));
  } else if (any_gc.size() >= 2 * options.bytes.min_points || (!any_gc.empty() && rec.js.empty())) {
    v.series.push_back(judge("js_heap", "JS heap after GC",
                             "--trace-gc: lower envelope of the heap after " +
                                 std::to_string(any_gc.size()) + " GCs (" +
                                 std::to_string(full.size()) + " full)",
                             "GC-cycle minima", any_gc, env));
  } else if (!rec.js.empty()) {
    // Too few GCs to judge (a quiet heap): heapUsed's lower envelope is the surviving heap.
    std::vector<Point> used;
    for (const JsSample& s : rec.js) used.push_back({s.t, s.heap_used});
    v.series.push_back(judge("js_heap", "JS heap used",
                             "process.memoryUsage().heapUsed, lower envelope (only " +
                                 std::to_string(any_gc.size()) + " GCs)",
                             "window minima", used, env));
  } else if (heap_full.available) {
    v.series.push_back(std::move(heap_full));
  } else if (!rec.maps.empty()) {
    std::vector<Point> pages;
    for (const MapsSample& m : rec.maps) {
      pages.push_back({m.t, static_cast<double>(
                                m.summary.rss[static_cast<std::size_t>(MappingKind::kV8Page)])});
    }
    // Sampled at the lower smaps rate: fewer points, and pages hold no GC sawtooth of their own.
    TrendOptions pages_opt = options.bytes;
    pages_opt.min_points = std::min<std::size_t>(pages_opt.min_points, 6);
    v.series.push_back(judge("js_heap", "V8 heap pages (RSS)", "smaps: anonymous 256 KiB mappings",
                             "smaps samples", pages, pages_opt));
  }
}

// The heap's committed size: from the GC trace when it has enough points, else heapTotal.
void add_js_heap_committed(const WatchRecording& rec, std::vector<Point> heap_committed,
                           const WatchOptions& options, WatchVerdict& v) {
  if (heap_committed.size() < options.bytes.min_points && !rec.js.empty()) {
    heap_committed.clear();
    for (const JsSample& s : rec.js) heap_committed.push_back({s.t, s.heap_total});
  }
  if (!heap_committed.empty()) {
    v.series.push_back(judge("js_heap_committed", "JS heap committed",
                             rec.js.empty() || heap_committed.size() != rec.js.size()
                                 ? "--trace-gc: committed size after each GC"
                                 : "process.memoryUsage().heapTotal",
                             "samples", heap_committed, options.bytes));
  }
}

// external and arrayBuffers, as the preload reports them.
void add_external(const WatchRecording& rec, const TrendOptions& env, WatchVerdict& v) {
  if (rec.js.empty()) return;
  std::vector<Point> ext, abuf;
  for (const JsSample& s : rec.js) {
    ext.push_back({s.t, s.external});
    abuf.push_back({s.t, s.array_buffers});
  }
  v.series.push_back(judge("external", "external (incl. ArrayBuffers)",
                           "process.memoryUsage().external, lower envelope", "window minima", ext,
                           env));
  v.series.push_back(judge("array_buffers", "ArrayBuffers",
                           "process.memoryUsage().arrayBuffers, lower envelope", "window minima",
                           abuf, env));
}

// What /proc says of the whole process: anonymous RSS, RSS, descriptors and threads.
void add_proc(const WatchRecording& rec, const WatchOptions& options, const TrendOptions& env,
              WatchVerdict& v) {
  if (rec.proc.empty()) return;
  std::vector<Point> anon, rss, fds, threads;
  for (const ProcSample& s : rec.proc) {
    if (s.t < v.ready_s) continue;
    anon.push_back({s.t, static_cast<double>(s.anonymous ? s.anonymous : s.rss_anon)});
    rss.push_back({s.t, static_cast<double>(s.rss)});
    if (s.fds >= 0) fds.push_back({s.t, static_cast<double>(s.fds)});
    threads.push_back({s.t, static_cast<double>(s.threads)});
  }
  v.series.push_back(judge("anon_rss", "anonymous RSS",
                           "/proc/PID/smaps_rollup Anonymous, lower envelope", "window minima",
                           anon, env));
  v.series.push_back(
      judge("rss", "RSS", "/proc/PID/status VmRSS, lower envelope", "window minima", rss, env));
  TrendOptions counts = options.counts;
  counts.lower_envelope = true;
  if (!fds.empty()) {
    v.series.push_back(
        judge("fds", "open file descriptors", "/proc/PID/fd", "samples", fds, counts, false));
  }
  v.series.push_back(
      judge("threads", "threads", "/proc/PID/status Threads", "samples", threads, counts, false));
}

// RSS by mapping kind from the smaps samples, and the first against the last smaps.
void add_maps(const WatchRecording& rec, const WatchOptions& options, WatchVerdict& v) {
  if (rec.maps.size() >= 2) {
    TrendOptions maps_opt = options.bytes;
    maps_opt.min_points = std::min<std::size_t>(maps_opt.min_points, 6);
    const MappingKind kinds[] = {MappingKind::kBrkHeap, MappingKind::kThreadArena,
                                 MappingKind::kV8Page, MappingKind::kAnonymous};
    for (MappingKind kind : kinds) {
      std::vector<Point> pts;
      for (const MapsSample& m : rec.maps) {
        if (m.t < v.ready_s) continue;
        pts.push_back({m.t, static_cast<double>(m.summary.rss[static_cast<std::size_t>(kind)])});
      }
      v.series.push_back(judge("maps_" + std::string(mapping_kind_name(kind)),
                               std::string(mapping_kind_label(kind)), "smaps, RSS by mapping kind",
                               "smaps samples", pts, maps_opt));
    }
  }
  if (!rec.first_maps.mappings.empty() && !rec.last_maps.mappings.empty()) {
    v.have_maps_diff = true;
    v.maps_diff = diff_maps(rec.first_maps, rec.last_maps);
  }
}

// The judged series the verdict weighs, and their growth rates (per hour, growth only).
struct Judged {
  const SeriesVerdict* heap = nullptr;
  const SeriesVerdict* external = nullptr;
  const SeriesVerdict* anon = nullptr;
  const SeriesVerdict* fds = nullptr;
  const SeriesVerdict* threads = nullptr;
  double r_heap = 0;
  double r_heap_mem = 0;  // what the JS heap adds to anonymous RSS
  double r_ext = 0;
  double r_anon = 0;
};

Judged judged_series(const WatchVerdict& v, bool attached_to_pid) {
  Judged j;
  j.heap = v.find("js_heap");
  j.external = v.find("external");
  j.anon = v.find("anon_rss");
  j.fds = v.find("fds");
  j.threads = v.find("threads");
  j.r_heap = positive_rate(j.heap);
  // The V8 pages' committed memory is anonymous RSS too; it explains anon growth.
  j.r_heap_mem = std::max(j.r_heap, positive_rate(v.find("js_heap_committed")));
  if (attached_to_pid) {
    // Attached to a PID: V8 pages that the kernel merged into bigger anonymous mappings, and V8's
    // large-object pages, land in "other anonymous"; malloc growth lands in [heap] and arenas.
    j.r_heap_mem = std::max(j.r_heap_mem, positive_rate(v.find("maps_v8-page")) +
                                              positive_rate(v.find("maps_anonymous")));
  }
  j.r_ext = positive_rate(j.external);
  j.r_anon = positive_rate(j.anon);
  return j;
}

// Memory that is allocated and freed in bursts stays resident in the allocator's arenas: RSS
// may rise by as much as the bursts' size without a leak (the lower envelope of `external` does
// not show them, its raw samples do). This is the raw range of external over anon's window.
double external_churn(const std::vector<JsSample>& js_samples, const TrendResult& anon) {
  double lo = 0, hi = 0;
  bool any = false;
  for (const JsSample& js : js_samples) {
    if (js.t < anon.window_start_s || js.t > anon.window_end_s) continue;
    lo = any ? std::min(lo, js.external) : js.external;
    hi = any ? std::max(hi, js.external) : js.external;
    any = true;
  }
  return any ? hi - lo : 0;
}

struct Candidate {
  LeakKind kind;
  double score;
  const SeriesVerdict* series;
};

// The memory leaks the series show, the strongest first.
std::vector<Candidate> leak_candidates(const WatchVerdict& v, const Judged& j, bool attributable) {
  std::vector<Candidate> found;
  if (growing(j.heap)) found.push_back({LeakKind::kJsHeap, j.r_heap, j.heap});
  if (growing(j.external)) found.push_back({LeakKind::kExternal, j.r_ext, j.external});
  // The native part must outgrow the anonymous RSS's own floor and the external churn too.
  if (growing(j.anon) && attributable && v.native_unexplained_fraction > 0.5 &&
      v.native_unexplained_growth >= j.anon->trend.growth_floor &&
      v.native_unexplained_growth >= v.external_churn) {
    found.push_back({LeakKind::kNative, j.r_anon - j.r_heap_mem - j.r_ext, j.anon});
  }
  std::sort(found.begin(), found.end(),
            [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  return found;
}

int index_of(const WatchVerdict& v, const SeriesVerdict* s) {
  return s ? static_cast<int>(s - v.series.data()) : -1;
}

// No leak was found: "none" only when every memory series that exists is stable, else
// inconclusive, with the recording's length that the slowest undecided series still needs.
void no_leak_or_inconclusive(const WatchRecording& rec, const WatchOptions& options,
                             const Judged& j, WatchVerdict& v) {
  bool all_stable = true;
  bool any = false;
  const SeriesVerdict* blocker = nullptr;  // the undecided series that needs the most time
  double still_needed = 0;
  for (const SeriesVerdict* s : {j.heap, j.external, j.anon}) {
    if (!s || !s->available) continue;
    any = true;
    if (s->trend.verdict == Verdict::kStable) continue;
    all_stable = false;
    // The series' suggestion is a span from its first point; what is still missing comes on top
    // of the whole recording, so the advice is never a duration that was already run.
    const double more = std::max(0.0, s->trend.suggested_duration_s - s->trend.input_span_s);
    if (!blocker || more > still_needed) {
      blocker = s;
      still_needed = more;
    }
  }
  if (any && all_stable) {
    v.kind = LeakKind::kNone;
    v.primary = index_of(v, j.heap ? j.heap : j.anon);
    return;
  }
  v.kind = LeakKind::kInconclusive;
  v.primary = index_of(v, blocker ? blocker : j.heap ? j.heap : j.anon);
  const double min_more = std::max(options.bytes.min_duration_s * 0.25, 2 * rec.interval_s);
  v.suggested_duration_s = rec.elapsed_s + std::max(still_needed, min_more);
}

// The verdict from the judged series: the strongest memory leak (handles as a secondary finding),
// else a handle leak, else native growth that cannot be attributed yet, else none or
// inconclusive.
void decide(const WatchRecording& rec, const WatchOptions& options, const Judged& j,
            bool attributable, WatchVerdict& v) {
  const std::vector<Candidate> found = leak_candidates(v, j, attributable);
  const SeriesVerdict* handle_series = growing(j.fds)       ? j.fds
                                       : growing(j.threads) ? j.threads
                                                            : nullptr;
  if (!found.empty()) {
    v.kind = found.front().kind;
    v.primary = index_of(v, found.front().series);
    for (std::size_t i = 1; i < found.size(); ++i) v.also.push_back(found[i].kind);
    if (handle_series) v.also.push_back(LeakKind::kHandles);
    return;
  }
  if (handle_series) {
    v.kind = LeakKind::kHandles;
    v.primary = index_of(v, handle_series);
    return;
  }
  if (growing(j.anon) && !attributable) {
    // Anonymous RSS grows, but what part of it is the JS heap or Buffers cannot be told yet.
    v.kind = LeakKind::kInconclusive;
    v.primary = index_of(v, j.external);
    v.suggested_duration_s =
        rec.elapsed_s +
        std::max(j.external->trend.suggested_duration_s - j.external->trend.input_span_s,
                 std::max(options.bytes.min_duration_s * 0.25, 2 * rec.interval_s));
    return;
  }
  no_leak_or_inconclusive(rec, options, j, v);
}

}  // namespace

WatchVerdict analyze_watch(const WatchRecording& rec, const WatchOptions& options) {
  WatchVerdict v;
  v.window_s = rec.elapsed_s;
  if (rec.elapsed_s > 0) v.sampler_cpu_percent = 100 * rec.sampler_cpu_s / rec.elapsed_s;
  TrendOptions env = options.bytes;
  env.lower_envelope = true;
  // A node started by watch reports from its preload as soon as it has booted. The /proc samples
  // before that are the fork, the exec and node's own start-up (seconds on a busy machine, RSS
  // rising from nothing), not the app: they are not judged.
  if (rec.spawned && !rec.js.empty()) v.ready_s = std::max(0.0, rec.js.front().t);

  // Judge every series there is; pointers into v.series are taken only once all are in.
  GcSeries gc = gc_series(rec.gc);
  add_js_heap(rec, gc, options, env, v);
  add_js_heap_committed(rec, std::move(gc.committed), options, v);
  add_external(rec, env, v);
  add_proc(rec, options, env, v);
  add_maps(rec, options, v);

  const Judged j = judged_series(v, gc.isolate == UINT32_MAX && rec.js.empty());
  if (j.r_anon > 0) {
    v.native_unexplained_fraction =
        std::clamp((j.r_anon - j.r_heap_mem - j.r_ext) / j.r_anon, 0.0, 1.0);
    v.native_unexplained_growth =
        std::max(0.0, j.r_anon - j.r_heap_mem - j.r_ext) / 3600 * j.anon->trend.window_s();
  }
  // The unexplained part alone must clear the anonymous RSS's own floor: a control whose RSS
  // steps by a few MB (arenas, the young generation) while the heap wobbles is not a native leak.
  // With the preload's series, the growth can only be attributed once they were judged at all: on
  // a busy machine the app may report too rarely, and then the native part is unknown.
  const bool attributable =
      rec.js.empty() || (j.external && j.external->available &&
                         j.external->trend.points_judged >= early_points(options));
  if (j.anon && j.anon->available && !rec.js.empty()) {
    v.external_churn = external_churn(rec.js, j.anon->trend);
  }
  decide(rec, options, j, attributable, v);
  return v;
}

}  // namespace leakscope::series
