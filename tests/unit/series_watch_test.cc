// The watch verdict on synthetic recordings: each kind of leak is told apart from the others by
// which series grow, and a flat recording is "no leak". Also the preload's line format.
#include <gtest/gtest.h>

#include <cmath>

#include "series/watch.h"
#include "series/watcher.h"

namespace leakscope::series {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

struct Rates {
  double heap = 0;      // MiB/s
  double external = 0;  // MiB/s
  double native = 0;    // MiB/s of anon growth outside heap and external
  double fds = 0;       // per second
  // Steps of anonymous RSS (time s, MiB) that are no leak: an arena or the young generation
  // growing once.
  std::vector<std::pair<double, double>> anon_steps = {};
  double external_bursts = 0;  // MiB of Buffers alive for 0.5 s every 3 s, then freed
};

// 120 s sampled every 0.5 s: heap as GC lines every 1 s (a full GC every 2 s), external from the
// preload, anon RSS = heap committed + external + native + base, with a little sawtooth.
WatchRecording record(const Rates& r) {
  WatchRecording rec;
  rec.spawned = true;
  rec.elapsed_s = 120;
  rec.interval_s = 0.5;
  std::string log;
  for (int i = 1; i <= 120; ++i) {
    const double t = i;
    const double heap = 10 + r.heap * t;
    const char* kind = i % 2 == 0 ? "Mark-Compact" : "Scavenge";
    char line[256];
    std::snprintf(line, sizeof line,
                  "[1:0x1] %8.0f ms: %s %.1f (%.1f) -> %.1f (%.1f) MB, 1.00 / 0.00 ms  (average mu "
                  "= 1.000, current mu = 1.000) testing; GC in old space requested\n",
                  t * 1000, kind, heap + 2, heap * 1.5 + 2, heap + (i % 2 ? 0.3 : 0), heap * 1.5);
    log += line;
  }
  rec.gc = parse_trace_gc(log);
  for (int i = 0; i <= 240; ++i) {
    const double t = i * 0.5;
    const double saw = std::fmod(t, 4.0) * 0.25;  // MiB
    JsSample js;
    js.t = t;
    js.heap_used = (10 + r.heap * t + saw) * kMiB;
    js.heap_total = (10 + r.heap * t) * 1.5 * kMiB;
    js.external = (2 + r.external * t + (std::fmod(t, 3.0) < 0.5 ? r.external_bursts : 0)) * kMiB;
    js.array_buffers = (0.5 + r.external * t) * kMiB;
    rec.js.push_back(js);
    ProcSample p;
    p.t = t;
    double anon = 30 + 1.5 * r.heap * t + r.external * t + r.native * t + saw;
    for (const auto& [at, mib] : r.anon_steps) anon += t >= at ? mib : 0;
    p.anonymous = static_cast<uint64_t>(anon * kMiB);
    p.rss_anon = p.anonymous;
    p.rss = p.anonymous + static_cast<uint64_t>(40 * kMiB);
    p.fds = 20 + static_cast<int>(r.fds * t);
    p.threads = 11;
    rec.proc.push_back(p);
  }
  return rec;
}

TEST(SeriesWatch, JsHeapLeak) {
  const WatchVerdict v = analyze_watch(record({.heap = 0.2}));
  EXPECT_EQ(v.kind, LeakKind::kJsHeap);
  ASSERT_NE(v.primary_series(), nullptr);
  EXPECT_EQ(v.primary_series()->name, "js_heap");
  EXPECT_NEAR(v.primary_series()->trend.rate_per_hour / kMiB, 0.2 * 3600, 0.05 * 720);
  EXPECT_TRUE(v.also.empty());
}

TEST(SeriesWatch, ExternalLeak) {
  const WatchVerdict v = analyze_watch(record({.external = 0.3}));
  EXPECT_EQ(v.kind, LeakKind::kExternal);
  EXPECT_EQ(v.primary_series()->name, "external");
  EXPECT_LT(v.native_unexplained_fraction, 0.5);
}

TEST(SeriesWatch, NativeLeak) {
  const WatchVerdict v = analyze_watch(record({.native = 0.5}));
  EXPECT_EQ(v.kind, LeakKind::kNative);
  EXPECT_EQ(v.primary_series()->name, "anon_rss");
  EXPECT_GT(v.native_unexplained_fraction, 0.9);
}

TEST(SeriesWatch, NativeDominatesASmallHeapGrowth) {
  const WatchVerdict v = analyze_watch(record({.heap = 0.01, .native = 0.5}));
  EXPECT_EQ(v.kind, LeakKind::kNative);
}

TEST(SeriesWatch, HandleLeakShowsBeforeMemory) {
  const WatchVerdict v = analyze_watch(record({.fds = 0.5}));
  EXPECT_EQ(v.kind, LeakKind::kHandles);
  EXPECT_EQ(v.primary_series()->name, "fds");
  const WatchVerdict both = analyze_watch(record({.heap = 0.2, .fds = 0.5}));
  EXPECT_EQ(both.kind, LeakKind::kJsHeap);
  ASSERT_EQ(both.also.size(), 1u);
  EXPECT_EQ(both.also[0], LeakKind::kHandles);
}

TEST(SeriesWatch, FlatIsNoLeak) {
  const WatchVerdict v = analyze_watch(record({}));
  EXPECT_EQ(v.kind, LeakKind::kNone);
}

TEST(SeriesWatch, TooShortIsInconclusiveWithADuration) {
  WatchRecording rec = record({.heap = 0.2});
  WatchOptions opt;
  opt.bytes.min_duration_s = 600;
  opt.counts.min_duration_s = 600;
  const WatchVerdict v = analyze_watch(rec, opt);
  EXPECT_EQ(v.kind, LeakKind::kInconclusive);
  EXPECT_GE(v.suggested_duration_s, 600);
}

TEST(SeriesWatch, AnonStepsOfAControlAreNotANativeLeak) {
  // The false alarm of the issue: +2.3 MB of anonymous RSS in steps over a flat heap. The
  // series' own steps set its floor; the verdict is the same whatever the step times.
  for (double first : {10.0, 30.0, 55.0, 80.0}) {
    const WatchVerdict one = analyze_watch(record({.anon_steps = {{first, 2.3}}}));
    EXPECT_NE(one.kind, LeakKind::kNative) << first;
    const WatchVerdict two =
        analyze_watch(record({.anon_steps = {{first, 1.2}, {first + 25, 1.1}}}));
    EXPECT_NE(two.kind, LeakKind::kNative) << first;
    // Not even the anonymous RSS series calls it growth: one step raises its floor (the level
    // shift), two leave too little once the two largest rises are taken out.
    for (const WatchVerdict* w : {&one, &two}) {
      const SeriesVerdict* anon = w->find("anon_rss");
      ASSERT_NE(anon, nullptr);
      EXPECT_NE(anon->trend.verdict, Verdict::kGrowing) << first;
    }
  }
  // A real native leak of the same total size per minute still is one.
  const WatchVerdict leak = analyze_watch(record({.native = 0.3, .anon_steps = {{40, 2.3}}}));
  EXPECT_EQ(leak.kind, LeakKind::kNative);
  EXPECT_GT(leak.native_unexplained_growth, leak.primary_series()->trend.growth_floor);
}

TEST(SeriesWatch, RssRetainedAfterBurstsOfBuffersIsNotANativeLeak) {
  // Bursts of 40 MB of Buffers, freed again: the arenas keep some of it resident and anonymous
  // RSS creeps up by 12 MB over the 2 minutes while no series the app reports grows. Without the
  // bursts, the same creep is a native leak.
  const WatchVerdict churn = analyze_watch(record({.native = 0.1, .external_bursts = 40}));
  EXPECT_NE(churn.kind, LeakKind::kNative);
  EXPECT_GT(churn.external_churn, 30 * kMiB);
  const WatchVerdict leak = analyze_watch(record({.native = 0.1}));
  EXPECT_EQ(leak.kind, LeakKind::kNative);
}

// A busy machine: the app gets little CPU, so over 24 s it runs a full GC only every 3.5 s (6
// of them) and a scavenge in between, and the sampler's 1 s samples arrive late and uneven.
WatchRecording loaded_recording(double heap_mib_per_s) {
  WatchRecording rec;
  rec.spawned = true;
  rec.elapsed_s = 24;
  rec.interval_s = 1;
  std::string log;
  int i = 0;
  for (double t = 1.2; t < 24; t += 1.75, ++i) {
    const double heap = 12 + heap_mib_per_s * t;
    const bool full = i % 2 == 1;
    char line[256];
    std::snprintf(line, sizeof line,
                  "[1:0x1] %8.0f ms: %s %.1f (%.1f) -> %.1f (%.1f) MB, 3.00 / 0.00 ms  (average mu "
                  "= 1.000, current mu = 1.000) testing; GC in old space requested\n",
                  t * 1000, full ? "Mark-Compact" : "Scavenge", heap + 4, heap * 1.5 + 4,
                  heap + (full ? 0 : 1.5), heap * 1.5);
    log += line;
  }
  rec.gc = parse_trace_gc(log);
  double t = 0;
  for (int k = 0; t < 24; ++k) {
    JsSample js;
    js.t = t;
    js.heap_used = (12 + heap_mib_per_s * t + std::fmod(t, 3.5)) * kMiB;
    js.heap_total = (12 + heap_mib_per_s * t) * 1.5 * kMiB;
    js.external = 2 * kMiB;
    js.array_buffers = 0.5 * kMiB;
    rec.js.push_back(js);
    ProcSample p;
    p.t = t;
    p.anonymous = static_cast<uint64_t>((30 + 1.5 * heap_mib_per_s * t) * kMiB);
    p.rss_anon = p.anonymous;
    p.rss = p.anonymous + static_cast<uint64_t>(40 * kMiB);
    p.fds = 20;
    p.threads = 11;
    rec.proc.push_back(p);
    t += k % 3 == 2 ? 1.9 : 1.1;  // late and uneven
  }
  return rec;
}

TEST(SeriesWatch, ObviousGrowthUnderLoadIsALeakBeforeTheMinimumWindow) {
  WatchOptions opt;
  opt.bytes.min_duration_s = 20;
  opt.counts.min_duration_s = 20;
  // +1.8 MB/s: 40 MB in the 24 s, from only 6 full GCs.
  const WatchVerdict v = analyze_watch(loaded_recording(1.8), opt);
  ASSERT_EQ(v.kind, LeakKind::kJsHeap);
  const SeriesVerdict* heap = v.primary_series();
  EXPECT_EQ(heap->trend.verdict, Verdict::kGrowing);
  EXPECT_GT(heap->trend.confidence, 0.99);
  // A flat heap under the same load is not a leak (too little to call "no leak" from 6 GCs is
  // fine; calling it a leak is not).
  const WatchVerdict flat = analyze_watch(loaded_recording(0), opt);
  EXPECT_NE(flat.kind, LeakKind::kJsHeap);
  EXPECT_NE(flat.kind, LeakKind::kNative);
}

TEST(SeriesWatch, InconclusiveAdviceIsLongerThanTheRecording) {
  WatchOptions opt;
  opt.bytes.min_duration_s = 60;
  opt.counts.min_duration_s = 60;
  WatchRecording rec = loaded_recording(0);
  const WatchVerdict v = analyze_watch(rec, opt);
  ASSERT_EQ(v.kind, LeakKind::kInconclusive);
  EXPECT_GT(v.suggested_duration_s, rec.elapsed_s + 10);
  ASSERT_NE(v.primary_series(), nullptr);
}

TEST(SeriesWatch, PreloadLinesParse) {
  JsSample s;
  ASSERT_TRUE(parse_js_sample_line("1795230137500 41058304 4169728 3199128 1193051 10511",
                                   1795230137.0, s));
  EXPECT_DOUBLE_EQ(s.t, 0.5);
  EXPECT_DOUBLE_EQ(s.heap_used, 3199128);
  EXPECT_DOUBLE_EQ(s.external, 1193051);
  EXPECT_DOUBLE_EQ(s.array_buffers, 10511);
  EXPECT_FALSE(parse_js_sample_line("garbage", 0, s));
  EXPECT_FALSE(parse_js_sample_line("1 2 3", 0, s));
}

TEST(SeriesWatch, NodeCommandsAreRecognised) {
  EXPECT_TRUE(is_node_command("node"));
  EXPECT_TRUE(is_node_command("/usr/bin/node"));
  EXPECT_TRUE(is_node_command("nodejs"));
  EXPECT_TRUE(is_node_command("node20"));
  EXPECT_FALSE(is_node_command("npm"));
  EXPECT_FALSE(is_node_command("/usr/bin/nodemon"));
  EXPECT_FALSE(is_node_command("python3"));
}

}  // namespace
}  // namespace leakscope::series
