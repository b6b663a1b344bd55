// The --trace-gc parser on verbatim lines of Node 18, 20 and 22+ (from the research captures and
// public logs), on the OOM epilogue, on --trace-gc-verbose blocks, and on a real log written by
// the node on this machine at test time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "series/trace_gc.h"

namespace leakscope::series {
namespace {

// Node 20.20.2 (V8 11.3), captured on this machine.
constexpr const char* kNode20Scavenge =
    "[16112:0x3ba65da0]       13 ms: Scavenge 3.9 (4.0) -> 3.1 (5.0) MB, 0.44 / 0.00 ms  (average "
    "mu = 1.000, current mu = 1.000) allocation failure; ";
constexpr const char* kNode20MarkCompact =
    "[16112:0x3ba65da0]       69 ms: Mark-Compact 12.7 (28.2) -> 11.2 (45.3) MB, 7.59 / 0.00 ms  "
    "(+ 0.0 ms in 1 steps since start of marking, biggest step 0.0 ms, walltime since start of "
    "marking 10 ms) (average mu = 1.000, current mu = 1.000) finalize incremental marking via "
    "stack guard; GC in old space requested";
constexpr const char* kNode20Reduce =
    "[16365:0xa4d5c00]    16369 ms: Mark-Compact (reduce) 2.6 (35.7) -> 2.5 (4.0) MB, 3.29 / 0.00 "
    "ms  (+ 0.0 ms in 1 steps since start of marking, biggest step 0.0 ms, walltime since start "
    "of marking 6 ms) (average mu = 1.000, current mu = 1.000) finalize incremental marking via "
    "task; GC in old space requested";
constexpr const char* kNode20Minor =
    "[17054:0x40772c40]       15 ms: Minor Mark-Compact 3.9 (4.0) -> 3.1 (4.0) MB, 0.28 / 0.00 "
    "ms  (average mu = 1.000, current mu = 1.000) allocation failure; ";
constexpr const char* kNode20Testing =
    "[17062:0x9014d50]       54 ms: Mark-Compact 18.5 (27.2) -> 8.7 (26.5) MB, 6.23 / 0.00 ms  "
    "(average mu = 1.000, current mu = 1.000) testing; GC in old space requested";
// Node 18 and older (V8 10.x and before): Mark-sweep, one-decimal pauses, no ';'.
constexpr const char* kNode18MarkSweep =
    "[124370:0x5a07190]   623191 ms: Mark-sweep 880.9 (910.2) -> 871.8 (909.2) MB, 650.3 / 0.0 ms "
    " (average mu = 0.137, current mu = 0.050) allocation failure; scavenge might not succeed";
constexpr const char* kOldNoSemicolon =
    "[32:0x4c74180]     6174 ms: Mark-sweep 133.6 (139.1) -> 132.4 (139.1) MB, 157.9 / 0.0 ms  "
    "(average mu = 0.514, current mu = 0.113) allocation failure GC in old space requested";
// Node 22+ (V8 12.x): pooled:, modifiers, Windows isolate pointers, single space before '('.
constexpr const char* kNode22Pooled =
    "[116552:0x3a4a2000]   350628 ms: Scavenge 520.0 (556.6) -> 488.8 (556.9) MB, pooled: 48 MB, "
    "8.69 / 4.92 ms  (average mu = 0.992, current mu = 0.998) allocation failure;";
constexpr const char* kNode22Interleaved =
    "[6628:0000013B784AD000]     3272 ms: Scavenge (interleaved) 71.6 (105.7) -> 62.8 (183.0) MB, "
    "pooled: 0 MB, 34.04 / 0.00 ms  (average mu = 0.972, current mu = 0.972) allocation failure; ";
constexpr const char* kNode24DuringSweeping =
    "[26458:0xacd40c000] 155966399 ms: Scavenge (during sweeping) 2024.9 (2051.5) -> 2024.8 "
    "(2053.0) MB, pooled: 2.5 MB, 4.08 / 0.00 ms (average mu = 0.377, current mu = 0.413) "
    "allocation failure; ";

GcLog parse_lines(std::initializer_list<const char*> lines) {
  std::string text;
  for (const char* l : lines) {
    text += l;
    text += '\n';
  }
  return parse_trace_gc(text);
}

TEST(SeriesTraceGc, Node20ScavengeLineWithTrailingSpace) {
  const GcLog log = parse_lines({kNode20Scavenge});
  ASSERT_EQ(log.events.size(), 1u);
  const GcEvent& ev = log.events[0];
  EXPECT_EQ(ev.kind, GcKind::kScavenge);
  EXPECT_DOUBLE_EQ(ev.t_ms, 13);
  EXPECT_DOUBLE_EQ(ev.before_mb, 3.9);
  EXPECT_DOUBLE_EQ(ev.before_committed_mb, 4.0);
  EXPECT_DOUBLE_EQ(ev.after_mb, 3.1);
  EXPECT_DOUBLE_EQ(ev.after_committed_mb, 5.0);
  EXPECT_DOUBLE_EQ(ev.pause_ms, 0.44);
  EXPECT_DOUBLE_EQ(ev.external_ms, 0);
  EXPECT_DOUBLE_EQ(ev.average_mu, 1.0);
  EXPECT_EQ(log.reasons[ev.reason], "allocation failure");
  EXPECT_EQ(ev.collector_reason, 0);
  EXPECT_EQ(ev.flags, 0);
  ASSERT_EQ(log.isolates.size(), 1u);
  EXPECT_EQ(log.isolates[0].pid, 16112u);
  EXPECT_EQ(log.isolates[0].address, 0x3ba65da0u);
  EXPECT_EQ(log.unknown_lines, 0u);
}

TEST(SeriesTraceGc, Node20MarkCompactWithIncrementalSuffix) {
  const GcLog log = parse_lines({kNode20MarkCompact, kNode20Reduce, kNode20Testing});
  ASSERT_EQ(log.events.size(), 3u);
  const GcEvent& mc = log.events[0];
  EXPECT_EQ(mc.kind, GcKind::kMarkCompact);
  EXPECT_TRUE(mc.flags & kGcIncremental);
  EXPECT_DOUBLE_EQ(mc.marking_walltime_ms, 10);
  EXPECT_EQ(mc.incremental_steps, 1u);
  EXPECT_DOUBLE_EQ(mc.pause_ms, 7.59);
  EXPECT_DOUBLE_EQ(mc.after_committed_mb, 45.3);
  EXPECT_EQ(log.reasons[mc.reason], "finalize incremental marking via stack guard");
  EXPECT_EQ(log.reasons[mc.collector_reason], "GC in old space requested");
  EXPECT_TRUE(log.events[1].flags & kGcReduce);
  EXPECT_DOUBLE_EQ(log.events[1].t_ms, 16369);
  EXPECT_FALSE(log.events[2].flags & kGcIncremental);
  EXPECT_EQ(log.reasons[log.events[2].reason], "testing");
}

TEST(SeriesTraceGc, MinorMarkCompact) {
  const GcLog log = parse_lines({kNode20Minor});
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].kind, GcKind::kMinorMarkCompact);
  EXPECT_DOUBLE_EQ(log.events[0].pause_ms, 0.28);
}

TEST(SeriesTraceGc, OlderMarkSweepAndMissingSemicolon) {
  const GcLog log = parse_lines({kNode18MarkSweep, kOldNoSemicolon});
  ASSERT_EQ(log.events.size(), 2u);
  EXPECT_EQ(log.events[0].kind, GcKind::kMarkCompact);
  EXPECT_DOUBLE_EQ(log.events[0].pause_ms, 650.3);
  EXPECT_EQ(log.reasons[log.events[0].collector_reason], "scavenge might not succeed");
  EXPECT_EQ(log.reasons[log.events[1].reason], "allocation failure");
  EXPECT_EQ(log.reasons[log.events[1].collector_reason], "GC in old space requested");
}

TEST(SeriesTraceGc, NewerV8PooledModifiersAndWindowsPointers) {
  const GcLog log = parse_lines({kNode22Pooled, kNode22Interleaved, kNode24DuringSweeping});
  ASSERT_EQ(log.events.size(), 3u);
  EXPECT_DOUBLE_EQ(log.events[0].pooled_mb, 48);
  EXPECT_DOUBLE_EQ(log.events[0].pause_ms, 8.69);
  EXPECT_DOUBLE_EQ(log.events[0].external_ms, 4.92);
  EXPECT_TRUE(log.events[1].flags & kGcInterleaved);
  EXPECT_DOUBLE_EQ(log.events[1].after_mb, 62.8);
  EXPECT_EQ(log.isolates[1].address, 0x0000013B784AD000u);
  EXPECT_TRUE(log.events[2].flags & kGcDuringSweeping);
  EXPECT_DOUBLE_EQ(log.events[2].pooled_mb, 2.5);
  EXPECT_DOUBLE_EQ(log.events[2].t_ms, 155966399);
  EXPECT_EQ(log.unknown_lines, 0u);
}

TEST(SeriesTraceGc, OomRingEntriesRunTogetherAreSplitAndDeduplicated) {
  // Verbatim from the Node 20 OOM capture: the ring repeats the last two lines, truncated and
  // not newline-separated; one extra entry is new.
  const std::string text =
      "[16834:0x202cfcb0]       98 ms: Mark-Compact 20.7 (53.7) -> 18.8 (51.7) MB, 18.83 / 0.00 ms "
      " (+ 0.0 ms in 1 steps since start of marking, biggest step 0.0 ms, walltime since start of "
      "marking 35 ms) (average mu = 1.000, current mu = 1.000) finalize incremental marking via "
      "stack guard; GC in old space requested\n"
      "\n<--- Last few GCs --->\n\n"
      "[16834:0x202cfcb0]       98 ms: Mark-Compact 20.7 (53.7) -> 18.8 (51.7) MB, 18.83 / 0.00 ms "
      " (+ 0.0 ms in 1 steps since start of marking, biggest step 0.0 ms, walltime since start of "
      "marking 35 ms) (average mu = 1.000, current mu = 1.000) finalize increme[16834:0x202cfcb0]  "
      "    211 ms: Mark-Compact 48.5 (69.6) -> 42.6 (76.2) MB, 63.05 / 0.00 ms  (+ 0.2 ms in 3 "
      "steps since start of marking, big\n"
      "\n<--- JS stacktrace --->\n\n"
      "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n"
      "----- Native stack trace -----\n\n"
      " 1: 0xb78db3 node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]\n"
      " 2: 0xee8300 v8::Utils::ReportOOMFailure(v8::internal::Isolate*, char const*, "
      "v8::OOMDetails const&) [node]\n";
  const GcLog log = parse_trace_gc(text);
  EXPECT_TRUE(log.oom);
  EXPECT_EQ(log.fatal_error,
            "Reached heap limit Allocation failed - JavaScript heap out of memory");
  EXPECT_EQ(log.oom_ring_entries, 2u);
  EXPECT_EQ(log.oom_ring_new, 1u);
  ASSERT_EQ(log.events.size(), 2u);
  const GcEvent& ring = log.events[1];
  EXPECT_DOUBLE_EQ(ring.t_ms, 211);
  EXPECT_DOUBLE_EQ(ring.after_mb, 42.6);
  EXPECT_DOUBLE_EQ(ring.pause_ms, 63.05);
  EXPECT_TRUE(ring.flags & kGcFromOomRing);
  EXPECT_TRUE(ring.flags & kGcTruncated);
  EXPECT_EQ(log.unknown_lines, 0u);
}

TEST(SeriesTraceGc, VerboseBlockIsAttachedToItsGc) {
  const GcLog log = parse_lines({
      "[16903:0x227d0d70] Shrinking page 0x18d554f40000: end 0x18d554f80000 -> 0x18d554f4d000",
      "[16903:0x227d0d70]       17 ms: Scavenge 3.9 (4.0) -> 3.1 (5.0) MB, 0.37 / 0.00 ms  "
      "(average mu = 1.000, current mu = 1.000) allocation failure; ",
      "[16903:0x227d0d70] Memory allocator,       used:   5096 KB, available: 4238360 KB",
      "[16903:0x227d0d70] New space,              used:    205 KB, available:    801 KB, "
      "committed:   2048 KB",
      "[16903:0x227d0d70] Code large object space,     used:      0 KB, available:      0 KB, "
      "committed:      0 KB",
      "[16903:0x227d0d70] All spaces,             used:   3226 KB, available: 4240175 KB, "
      "committed:   5096 KB",
      "[16903:0x227d0d70] Unmapper buffering 0 chunks of committed:      0 KB",
      "[16903:0x227d0d70] External memory reported:     10 KB",
      "[16903:0x227d0d70] Backing store memory:   1097 KB",
      "[16903:0x227d0d70] External memory global 0 KB",
      "[16903:0x227d0d70] Total time spent in GC  : 0.4 ms",
      "[16903:0x227d0d70]       96 ms: [HeapController] factor 4.0 based on mu=0.970, "
      "speed_ratio=0 (gc=0, mutator=199253)",
      "[17037:0x36597ce0]       63 ms: [IncrementalMarking] Start marking",
      "[16982:0x16d66c40]       26 ms: pause=1.8 mutator=19.5 gc=s reduce_memory=0",
  });
  ASSERT_EQ(log.events.size(), 1u);
  const GcEvent& ev = log.events[0];
  EXPECT_TRUE(ev.flags & kGcVerbose);
  EXPECT_DOUBLE_EQ(ev.external_kb, 10);
  EXPECT_DOUBLE_EQ(ev.backing_store_kb, 1097);
  EXPECT_DOUBLE_EQ(ev.all_used_kb, 3226);
  EXPECT_DOUBLE_EQ(ev.all_committed_kb, 5096);
  EXPECT_EQ(log.verbose_lines, 9u);
  EXPECT_EQ(log.v8_other_lines, 3u);  // Shrinking page, HeapController, IncrementalMarking
  EXPECT_EQ(log.nvp_lines, 1u);
  EXPECT_EQ(log.unknown_lines, 0u);
}

TEST(SeriesTraceGc, UnknownLinesAreCountedNeverFatal) {
  const GcLog log =
      parse_lines({"hello from the app", kNode20Scavenge, "[not v8] at all", "[123:0xzz] broken",
                   "done 28127 true", "[1:0x1]       5 ms: Scavenge garbage", "\x01\x02\xff"});
  EXPECT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.unknown_lines, 5u);
  EXPECT_EQ(log.v8_other_lines, 1u);  // a timed V8 line we cannot read as a GC
  ASSERT_FALSE(log.unknown_samples.empty());
  EXPECT_EQ(log.unknown_samples[0].line_number, 1u);
  EXPECT_EQ(log.unknown_samples[0].text, "hello from the app");
}

TEST(SeriesTraceGc, PrefixedStreamsAreFound) {
  const std::string line = std::string("apps/web typecheck: ") + kNode22Interleaved;
  const GcLog log = parse_lines({line.c_str()});
  EXPECT_EQ(log.events.size(), 1u);
}

TEST(SeriesTraceGc, ChunkBoundariesAnywhereGiveTheSameResult) {
  std::string text;
  for (const char* l : {kNode20Scavenge, kNode20MarkCompact, kNode18MarkSweep, kNode22Pooled}) {
    text += l;
    text += "\r\n";
  }
  const GcLog whole = parse_trace_gc(text);
  ASSERT_EQ(whole.events.size(), 4u);
  for (std::size_t chunk = 1; chunk < 40; chunk += 3) {
    TraceGcParser parser;
    for (std::size_t i = 0; i < text.size(); i += chunk) {
      parser.feed(std::string_view(text).substr(i, chunk));
    }
    parser.finish();
    ASSERT_EQ(parser.log().events.size(), 4u) << chunk;
    EXPECT_DOUBLE_EQ(parser.log().events[3].pooled_mb, 48);
    EXPECT_EQ(parser.log().unknown_lines, 0u);
  }
}

TEST(SeriesTraceGc, SeriesHelpersPickThePrimaryIsolate) {
  const GcLog log = parse_lines({kNode20MarkCompact, kNode20Scavenge, kNode20Testing});
  const uint32_t primary = primary_isolate(log);
  ASSERT_NE(primary, UINT32_MAX);
  EXPECT_EQ(log.isolates[primary].pid, 16112u);
  const auto full = post_full_gc_series(log, primary);
  ASSERT_EQ(full.size(), 1u);
  EXPECT_DOUBLE_EQ(full[0].t, 0.069);
  EXPECT_DOUBLE_EQ(full[0].v, 11.2 * 1024 * 1024);
  EXPECT_EQ(post_any_gc_series(log, primary).size(), 2u);
}

TEST(SeriesTraceGc, MutatedLinesNeverCrashAndEveryLineIsCounted) {
  // A small in-test fuzzer: real lines cut short, with bytes flipped, brackets and digits
  // injected, and OOM markers in odd places. Each line must be counted exactly once.
  const std::string seeds[] = {kNode20Scavenge,    kNode20MarkCompact,
                               kNode18MarkSweep,   kNode22Pooled,
                               kNode22Interleaved, "<--- Last few GCs --->",
                               "FATAL ERROR: x",   "[1:0x1] External memory reported:  10 KB"};
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (int round = 0; round < 300; ++round) {
    std::string text;
    std::size_t lines = 0;
    for (int i = 0; i < 40; ++i) {
      std::string line = seeds[next() % std::size(seeds)];
      switch (next() % 5) {
        case 0:
          line.resize(next() % (line.size() + 1));
          break;
        case 1:
          for (int k = 0; k < 4 && !line.empty(); ++k)
            line[next() % line.size()] = static_cast<char>(next());
          break;
        case 2:
          line.insert(next() % (line.size() + 1), "[99:0x");
          break;
        case 3:
          line.insert(next() % (line.size() + 1),
                      std::string(1, static_cast<char>('0' + next() % 10)));
          break;
        default:
          break;
      }
      for (char& c : line) {
        if (c == '\n') c = ' ';
      }
      text += line;
      text += '\n';
      ++lines;
    }
    TraceGcParser parser;
    const std::size_t cut = next() % (text.size() + 1);
    parser.feed(std::string_view(text).substr(0, cut));
    parser.feed(std::string_view(text).substr(cut));
    parser.finish();
    const GcLog& log = parser.log();
    ASSERT_EQ(log.lines, lines);
    ASSERT_EQ(log.gc_lines + log.verbose_lines + log.v8_other_lines + log.nvp_lines +
                  log.oom_lines + log.blank_lines + log.unknown_lines,
              lines);
    for (const GcEvent& ev : log.events) ASSERT_LT(ev.isolate, log.isolates.size());
  }
}

TEST(SeriesTraceGc, OutputWithoutNewlinesIsPassedOnInBoundedPieces) {
  // A watched app that writes 8 MB with no newline must not be held whole: it is passed on in
  // pieces no longer than the line cap plus one read, and nothing of it is lost.
  struct Counts {
    std::size_t pieces = 0, bytes = 0, longest = 0;
  } counts;
  TraceGcParser parser;
  parser.set_on_foreign_line(
      [](std::string_view line, void* user) {
        auto* c = static_cast<Counts*>(user);
        ++c->pieces;
        c->bytes += line.size();
        c->longest = std::max(c->longest, line.size());
      },
      &counts);
  const std::string chunk(1 << 20, 'a');
  for (int i = 0; i < 8; ++i) parser.feed(chunk);
  parser.feed("tail\n");
  parser.finish();
  EXPECT_EQ(counts.bytes, 8u * (1 << 20) + 4);
  EXPECT_LE(counts.longest, 2u * (1 << 20));
  EXPECT_GE(counts.pieces, 8u);
}

TEST(SeriesTraceGc, RealNodeOutputWrittenAtTestTime) {
  // A short JS-heap leak under --trace-gc on the node of this machine: every GC line must parse
  // and the post-GC heap must grow.
  const char* cmd =
      "node --trace-gc --expose-gc -e \""
      "const keep = []; for (let r = 0; r < 12; r++) { for (let i = 0; i < 40000; i++) "
      "keep.push({ i, s: 'x' + i }); gc(); } console.log('done', keep.length);\" 2>&1";
  FILE* pipe = popen(cmd, "r");
  if (pipe == nullptr) GTEST_SKIP() << "cannot run node";
  TraceGcParser parser;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) parser.feed(std::string_view(buf, n));
  const int rc = pclose(pipe);
  parser.finish();
  if (rc != 0) GTEST_SKIP() << "node is not available";
  const GcLog& log = parser.log();
  EXPECT_EQ(log.unknown_lines, 1u);  // the script's own "done" line
  std::size_t testing = 0;
  for (const GcEvent& ev : log.events) {
    if (log.reasons[ev.reason] == "testing") ++testing;
  }
  EXPECT_GE(testing, 12u);
  const auto full = post_full_gc_series(log, primary_isolate(log));
  ASSERT_GE(full.size(), 12u);
  EXPECT_GT(full.back().v, full.front().v + 10.0 * 1024 * 1024);
}

}  // namespace
}  // namespace leakscope::series
