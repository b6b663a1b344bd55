// `leakscope native`'s reading and judging, on hand-written sample files: the reader (a partial
// last line, an unfinished dump, bad input with its line), V8's perf map (reused code addresses,
// Node 18 to 24 names), the symboliser on this very executable, the grouping of stacks into sites,
// the threadpool note, and the verdict (a leak, churn, memory freed at teardown).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "native/native_leaks.h"
#include "native/native_report.h"
#include "native/native_samples.h"
#include "native/perf_map.h"
#include "native/symbolizer.h"

namespace leakscope::native {
namespace {

const std::string kHeader =
    "leakscope-native 1\nstart 42 524288 1700000000000\nmaps 0\nmap 1000 2000 0 /x/node\nend\n";

TEST(NativeSamples, ReadsRecords) {
  const std::string text = kHeader +
                           "stack 7 1010 1020\n"
                           "dump 1000 5000 3 1\nlive 7 1048576 2 2097152\nend\n"
                           "maps 1500\nmap 1000 2000 0 /x/node\nmap 5000 6000 1000 /x/my lib.so\n"
                           "end\n"
                           "dump 2000 6000 4 1\nstack 9 5010\nlive 7 2097152 4 3000000\n"
                           "live 9 100 1 100\nend\n";
  const NativeSamples s = parse_native_samples(text, "t");
  EXPECT_EQ(s.pid, 42);
  EXPECT_EQ(s.interval, 524288u);
  EXPECT_DOUBLE_EQ(s.start_unix_s, 1700000000.0);
  ASSERT_EQ(s.maps.size(), 2u);
  EXPECT_EQ(s.maps[1].mappings[1].path, "/x/my lib.so");
  EXPECT_EQ(s.maps[1].mappings[1].offset, 0x1000u);
  ASSERT_EQ(s.stacks.size(), 2u);
  EXPECT_EQ(s.stacks[0].ips, (std::vector<uint64_t>{0x1010, 0x1020}));
  EXPECT_EQ(s.stacks[0].maps, 0u);
  EXPECT_EQ(s.stacks[1].maps, 1u);
  EXPECT_EQ(s.stacks[1].first_dump, 1u);
  ASSERT_EQ(s.dumps.size(), 2u);
  EXPECT_DOUBLE_EQ(s.dumps[1].t, 2.0);
  EXPECT_EQ(s.dumps[1].live[0].live_bytes, 2097152u);
  EXPECT_EQ(s.dumps[1].live[1].stack, 1u);
  EXPECT_FALSE(s.truncated);
}

TEST(NativeSamples, LeavesOutWhatIsStillBeingWritten) {
  const std::string done = kHeader + "stack 1 1010\ndump 1000 1 1 0\nlive 1 10 1 10\nend\n";
  // A last line without its newline.
  NativeSamples s = parse_native_samples(done + "dump 2000 1 1 0\nlive 1 2", "t");
  EXPECT_EQ(s.dumps.size(), 1u);
  EXPECT_TRUE(s.truncated);
  // A dump without its end.
  s = parse_native_samples(done + "dump 2000 1 1 0\nlive 1 20 1 20\n", "t");
  EXPECT_EQ(s.dumps.size(), 1u);
  EXPECT_TRUE(s.truncated);
}

std::string error_of(const std::string& text) {
  try {
    parse_native_samples(text, "f.txt");
  } catch (const NativeError& e) {
    return e.what();
  }
  return "";
}

TEST(NativeSamples, BadInputIsOneLineWithItsPlace) {
  EXPECT_EQ(error_of(""), "f.txt: empty: the sampler wrote nothing");
  EXPECT_EQ(error_of("\x7f"
                     "ELF\x02\x01\n"),
            "f.txt:1: not a leakscope-native sample file (no 'leakscope-native 1' header)");
  EXPECT_EQ(error_of("leakscope-native 2\n"),
            "f.txt:1: unsupported format version (this leakscope reads version 1)");
  EXPECT_EQ(error_of(kHeader + "stack 1 10zz\n"), "f.txt:6: bad address '10zz'");
  EXPECT_EQ(error_of(kHeader + "dump 1 1 1 1\nlive 3 1 1 1\nend\n"),
            "f.txt:7: live bytes for stack 3, never written");
  EXPECT_EQ(error_of(kHeader + "stack 1 10\nstack 1 10\n"), "f.txt:7: stack 1 written twice");
  EXPECT_EQ(error_of("leakscope-native 1\nstack 1 10\n"), "f.txt:2: a stack before any maps block");
  EXPECT_EQ(error_of("leakscope-native 1\nhello\n"), "f.txt:2: unexpected record 'hello'");
}

TEST(PerfMap, PrefersTheCodeWrittenBeforeTheStackWasSeen) {
  // The same addresses reused: first for `old`, later for `young`.
  const std::string text =
      "1000 100 JS:~old /app/a.js:1:1\n"
      "2000 10 Builtin:CEntry\n"
      "1000 80 JS:*young /app/a.js:9:3\n"
      "broken line\n";
  const PerfMap map(text);
  EXPECT_EQ(map.size(), 3u);
  const uint64_t second = text.find("1000 80");
  EXPECT_EQ(map.find(0x1010, second)->name, "JS:~old /app/a.js:1:1");
  EXPECT_EQ(map.find(0x1010, UINT64_MAX)->name, "JS:*young /app/a.js:9:3");
  // Seen before either was written: the first written after.
  EXPECT_EQ(map.find(0x1010, 0)->name, "JS:~old /app/a.js:1:1");
  // Only the older, longer entry holds 0x1090.
  EXPECT_EQ(map.find(0x1090, UINT64_MAX)->name, "JS:~old /app/a.js:1:1");
  EXPECT_EQ(map.find(0x2005, UINT64_MAX)->name, "Builtin:CEntry");
  EXPECT_EQ(map.find(0x2010, UINT64_MAX), nullptr);
  EXPECT_EQ(map.find(0x10, UINT64_MAX), nullptr);
}

TEST(PerfMap, NamesJsFramesOfEveryNodeVersion) {
  bool js = false;
  EXPECT_EQ(js_frame_name("JS:~createGunzip /srv/app/app.js:12:7", "/srv/app", &js),
            "JS createGunzip (app.js:12:7)");
  EXPECT_TRUE(js);
  EXPECT_EQ(js_frame_name("JS:^alloc node:buffer:391:30", "/srv/app", &js),
            "JS alloc (node:buffer:391:30)");
  EXPECT_EQ(js_frame_name("JS:+f /other/b.js:1:2", "/srv/app", &js), "JS f (/other/b.js:1:2)");
  EXPECT_EQ(js_frame_name("JS:*get size /srv/app/c.js:3:4", "/srv/app", &js),
            "JS get size (c.js:3:4)");
  // Node 24: optimised code specialised to its context.
  EXPECT_EQ(js_frame_name("JS:+'keepChunks /srv/app/a.js:21:20", "/srv/app", &js),
            "JS keepChunks (a.js:21:20)");
  EXPECT_EQ(js_frame_name("JS:*'keepChunks /srv/app/a.js:21:20", "/srv/app", &js),
            "JS keepChunks (a.js:21:20)");
  EXPECT_EQ(js_frame_name("JS:~ /srv/app/app.js:1:1", "/srv/app", &js),
            "JS (anonymous) (app.js:1:1)");
  // Node 18.
  EXPECT_EQ(js_frame_name("LazyCompile:*leak /srv/app/app.js:14", "/srv/app", &js),
            "JS leak (app.js:14)");
  EXPECT_EQ(js_frame_name("Eval:~ /srv/app/app.js:1", "/srv/app", &js), "JS (script) (app.js:1)");
  EXPECT_EQ(js_frame_name("Builtin:InterpreterEntryTrampoline", "/", &js),
            "Builtin:InterpreterEntryTrampoline");
  EXPECT_FALSE(js);
}

[[gnu::noinline]] int probe_function(int x) {
  return x * 3 + 1;
}

TEST(Symbolizer, NamesNativeFramesFromTheSymbolTablesAndJitFramesFromThePerfMap) {
  // This test executable's own mapping, as the sampler would have written it.
  std::ifstream maps("/proc/self/maps");
  const auto fn = reinterpret_cast<uint64_t>(&probe_function);
  NativeSamples s;
  s.maps.push_back({});
  for (std::string line; std::getline(maps, line);) {
    unsigned long start = 0, end = 0, offset = 0;
    char perms[8] = {};
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %*s %*s %n", &start, &end, perms, &offset,
                    &path_at) < 4 ||
        perms[2] != 'x' || path_at == 0) {
      continue;
    }
    s.maps[0].mappings.push_back(
        {start, end, offset, line.substr(static_cast<std::size_t>(path_at))});
  }
  const std::string jit_text = "7000 100 JS:~leakMore /app/t.js:5:20\n";
  const PerfMap perf(jit_text);
  s.stacks.push_back({1, {fn + 4, 0x7010, 0x9999}, 0, 0});
  Symbolizer symbolizer(s, &perf, "/app");
  const std::vector<Frame> frames = symbolizer.frames(0, UINT64_MAX);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].kind, FrameKind::kNative);
  EXPECT_EQ(frames[0].name, "leakscope::native::(anonymous namespace)::probe_function(int)");
  EXPECT_EQ(frames[1].kind, FrameKind::kJs);
  EXPECT_EQ(frames[1].name, "JS leakMore (t.js:5:20)");
  EXPECT_EQ(frames[2].kind, FrameKind::kUnknown);
  EXPECT_TRUE(is_sampler_path("/build/libleakscope-preload.so"));
  EXPECT_FALSE(is_sampler_path("/usr/lib/libc.so.6"));
}

Frame native(const std::string& name, const std::string& module = "node") {
  return {0, FrameKind::kNative, name, module};
}
Frame js(const std::string& name) {
  return {0, FrameKind::kJs, name, ""};
}
Frame v8(const std::string& name) {
  return {0, FrameKind::kV8Code, name, ""};
}

TEST(NativeSites, KeyIsTheAllocationSiteAndTheAppsJsFrame) {
  NativeOptions o;
  std::size_t n = 0;
  // Two tiers of the same call: builtins between differ, the key does not.
  const std::vector<Frame> a = {native("node::Alloc"),
                                native("v8::ArrayBuffer::New"),
                                native("v8::internal::Builtin_X"),
                                native("v8::Y"),
                                v8("Builtin:CallFunction"),
                                js("JS alloc (node:buffer:391:30)"),
                                js("JS leakBuffer (app.js:14:20)"),
                                js("JS (anonymous) (app.js:30:1)")};
  const std::vector<Frame> b = {
      native("node::Alloc"), native("v8::ArrayBuffer::New"),     native("v8::internal::Builtin_X"),
      native("v8::Z"),       js("JS leakBuffer (app.js:14:20)"), js("JS other (app.js:40:1)")};
  EXPECT_EQ(site_key(a, o, &n), site_key(b, o, &n));
  EXPECT_EQ(site_key(a, o, &n),
            (std::vector<std::string>{"node::Alloc", "v8::ArrayBuffer::New",
                                      "v8::internal::Builtin_X", "JS leakBuffer (app.js:14:20)"}));
  EXPECT_EQ(n, 7u);
  EXPECT_EQ(first_app_js_frame(a)->name, "JS leakBuffer (app.js:14:20)");
  // Another JS caller is another site.
  std::vector<Frame> c = a;
  c[6] = js("JS keepAll (app.js:50:3)");
  EXPECT_NE(site_key(a, o, &n), site_key(c, o, &n));
}

TEST(NativeReport, ShortNamesDropArgumentListsAndClones) {
  EXPECT_EQ(short_name("node::(anonymous namespace)::ZlibContext::InitZlib()"),
            "node::(anonymous namespace)::ZlibContext::InitZlib");
  EXPECT_EQ(
      short_name("v8::internal::Snapshot::Initialize(v8::internal::Isolate*) [clone .part.0]"),
      "v8::internal::Snapshot::Initialize");
  EXPECT_EQ(short_name("f(std::function<void* (unsigned long)> const&) const"), "f");
  EXPECT_EQ(short_name("deflateInit2_"), "deflateInit2_");
  EXPECT_EQ(short_name("JS f (a.js:1:2)"), "JS f (a.js:1:2)");
}

TEST(NativeSites, ThreadpoolStacksAreNamedForTheirWork) {
  const std::vector<Frame> zlib = {native("AllocForZlib"), native("deflateInit2_"),
                                   native("node::ZlibContext::Init()"), native("worker"),
                                   native("start_thread", "libc.so.6")};
  EXPECT_TRUE(is_threadpool_stack(zlib));
  EXPECT_EQ(threadpool_work(zlib), "zlib");
  std::vector<Frame> with_js = zlib;
  with_js.insert(with_js.begin() + 3, js("JS f (a.js:1:1)"));
  EXPECT_FALSE(is_threadpool_stack(with_js));
  EXPECT_FALSE(is_threadpool_stack({native("malloc_caller"), native("main")}));
}

// A file with two stacks over `n` dumps a second apart: live bytes from the two functions.
NativeSamples two_stacks(std::size_t n, uint64_t (*first)(std::size_t),
                         uint64_t (*second)(std::size_t)) {
  std::string text = kHeader + "stack 1 1010\nstack 2 1020\n";
  for (std::size_t i = 0; i < n; ++i) {
    text += "dump " + std::to_string(1000 * (i + 1)) + " 0 0 0\n";
    text += "live 1 " + std::to_string(first(i)) + " 1 " + std::to_string(first(i)) + "\n";
    text += "live 2 " + std::to_string(second(i)) + " 1 " + std::to_string(1000000 * i) + "\n";
    text += "end\n";
  }
  return parse_native_samples(text, "t");
}

NativeAnalysis judge(const NativeSamples& s) {
  const std::vector<std::vector<Frame>> frames = {{native("leaky"), js("JS a (a.js:1:1)")},
                                                  {native("churny"), js("JS b (b.js:1:1)")}};
  NativeOptions o;
  o.trend.min_duration_s = 10;
  return analyze_native(s, frames, o);
}

TEST(NativeVerdict, AGrowingSiteLeaksAndChurnDoesNot) {
  // 2 MB a second, with sampling noise; the churn holds 8 +- 3 MB.
  const NativeAnalysis a = judge(two_stacks(
      30, [](std::size_t i) { return uint64_t(2000000 * i + (i % 3) * 300000); },
      [](std::size_t i) { return uint64_t(8000000 + (i % 4) * 1000000 - (i % 7) * 400000); }));
  ASSERT_EQ(a.sites.size(), 2u);
  EXPECT_TRUE(a.sites[0].leaking);
  EXPECT_EQ(a.sites[0].frames[0].name, "leaky");
  EXPECT_NEAR(a.sites[0].trend.rate_per_hour, 2e6 * 3600, 2e6 * 3600 * 0.1);
  EXPECT_FALSE(a.sites[1].leaking);
  // The last dump is the exit's: left out.
  EXPECT_EQ(a.dumps_judged, 29u);
  EXPECT_EQ(a.sites[0].live_now, uint64_t(2000000 * 28 + 1 * 300000));
}

TEST(NativeVerdict, TeardownDumpsAreLeftOutNotJudged) {
  // Node freed everything at exit: the last three dumps fall to almost nothing.
  const NativeAnalysis a = judge(two_stacks(
      30, [](std::size_t i) { return i < 27 ? uint64_t(2000000 * i) : uint64_t(1000); },
      [](std::size_t i) { return i < 27 ? uint64_t(5000000) : uint64_t(0); }));
  EXPECT_EQ(a.dumps_judged, 27u);
  EXPECT_TRUE(a.sites[0].leaking);
  EXPECT_EQ(a.sites[0].live_now, uint64_t(2000000 * 26));
}

TEST(NativeVerdict, GrowthReleasedBeforeTheEndIsNotALeak) {
  const NativeAnalysis a = judge(two_stacks(
      40, [](std::size_t i) { return i < 30 ? uint64_t(2000000 * i) : uint64_t(20000000); },
      [](std::size_t) { return uint64_t(50000000); }));
  EXPECT_FALSE(a.sites[0].leaking && a.sites[0].frames[0].name == "leaky");
  for (const NativeSite& s : a.sites) EXPECT_FALSE(s.leaking) << s.frames[0].name;
}

}  // namespace
}  // namespace leakscope::native
