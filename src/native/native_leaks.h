// The verdict over time on a native sample file: which allocation sites hold memory that keeps
// growing. Stacks are grouped into sites (the innermost native frames that allocated, plus the
// first JS frame of the app's own code when there is one), so one leak is one line however many
// call paths and JIT tiers reach it. Each site's live bytes over the dumps go through the
// watcher's trend rule (series/trend.h): a site leaks when they grow with a significant trend
// after warm-up and are still held near the end. Churn (much allocated, live flat or sawtooth) is
// not a leak. Node frees its native memory at teardown, so the dumps written while the process
// exits are left out, never judged alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "native/native_samples.h"
#include "native/symbolizer.h"
#include "series/trend.h"

namespace leakscope::native {

struct NativeSite {
  std::vector<Frame> frames;        // the site's heaviest stack at the end, innermost first
  std::size_t key_frames = 0;       // frames[0..key_frames) are what its stacks share (the site)
  std::vector<std::size_t> stacks;  // indices into NativeSamples::stacks
  std::vector<series::Point> live;  // live bytes per judged dump (t in seconds since start)
  uint64_t live_now = 0;            // at the last judged dump
  double t_now = 0;
  uint64_t live_peak = 0;
  uint64_t allocated = 0;  // ever allocated, at the last judged dump
  series::TrendResult trend;
  bool held = false;        // still held near the end (not released before teardown)
  bool leaking = false;     // growing and held
  bool threadpool = false;  // allocated on a libuv worker, no JS frame on the stack
  std::string work;         // for threadpool sites: "zlib", "crypto", "fs", ...
};

struct NativeAnalysis {
  int pid = 0;
  uint64_t interval = 0;
  double start_unix_s = 0;
  std::size_t dumps = 0;         // in the file
  std::size_t dumps_judged = 0;  // without the teardown ones
  std::size_t stacks = 0;
  std::vector<series::Point> total_live;  // all sampled live bytes per judged dump
  std::vector<NativeSite> sites;          // leaking first (fastest first), then by live bytes
  bool perf_map = false;                  // JS frames could be named
  bool truncated = false;
};

struct NativeOptions {
  series::TrendOptions trend;  // min_duration_s, warmup_s, ... as watch's byte series
  // Leave out the last dump: written at exit (atexit), after Node's teardown freed its memory.
  bool last_dump_is_exit = true;
  std::size_t site_native_frames = 3;  // innermost native frames in a site's key (with JS)
  std::size_t site_frames_no_js = 8;   // ... when the stack has no JS frame of the app
};

// `frames[i]` are the symbolised frames of samples.stacks[i].
NativeAnalysis analyze_native(const NativeSamples& samples,
                              const std::vector<std::vector<Frame>>& frames,
                              const NativeOptions& options);

// The site's key: the names its stacks share. Exposed for the unit tests.
std::vector<std::string> site_key(const std::vector<Frame>& frames, const NativeOptions& options,
                                  std::size_t* key_frames);

// The first JS frame of the app's own code (not node's internals), or nullptr.
const Frame* first_app_js_frame(const std::vector<Frame>& frames);

// What a threadpool stack's frames say it was doing: "zlib", "crypto", "fs", "dns", or "".
std::string threadpool_work(const std::vector<Frame>& frames);
bool is_threadpool_stack(const std::vector<Frame>& frames);

}  // namespace leakscope::native
