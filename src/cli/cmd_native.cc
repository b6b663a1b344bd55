// leakscope native [options] -- node app.js: run the app under the native allocation sampler and
// say which native allocation stacks hold memory that keeps growing, beside watch's verdict (JS
// heap, external, native). `--from FILE` judges a sample file kept with --keep.
#include <fmt/core.h>

#include <algorithm>
#include <memory>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/native_session.h"
#include "cli/watch_run.h"
#include "native/native_report.h"
#include "report/json_output.h"

namespace leakscope::cli {
namespace {

struct NativeCliOptions {
  WatchCliOptions watch;
  std::string from;
  std::string perf_map;
};

int run_from_file(const NativeCliOptions& o) {
  if (!o.watch.target.empty()) throw UsageError("--from FILE takes no command to start");
  series::TrendOptions trend;
  trend.min_duration_s = o.watch.min_duration;
  trend.warmup_s = o.watch.warmup;
  native::NativeAnalysis a;
  try {
    a = analyze_native_file(o.from, o.perf_map, trend);
  } catch (const native::NativeError& e) {
    throw UsageError(e.what());
  }
  if (o.watch.json) {
    report::print_json(native::native_json(a), stdout);
  } else {
    native::render_native_text(a, stdout, o.watch.full);
  }
  const bool leak =
      std::any_of(a.sites.begin(), a.sites.end(), [](const auto& s) { return s.leaking; });
  return leak ? kExitFound : kExitOk;
}

int run_native_cli(NativeCliOptions o) {
  if (!o.from.empty()) return run_from_file(o);
  if (!o.perf_map.empty()) throw UsageError("--perf-map goes with --from FILE");
  if (o.watch.target.empty()) throw UsageError("native needs -- COMMAND ARGS... to start");
  o.watch.native = true;
  return run_watch_cli(o.watch);
}

}  // namespace

void add_native_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<NativeCliOptions>();
  WatchCliOptions& w = o->watch;
  CLI::App* cmd = app.add_subcommand(
      "native",
      "Run an app under the native allocation sampler: which native allocation stacks hold "
      "memory that keeps growing (zlib, Buffers, addons), with JS frames named");
  cmd->add_option("command", w.target, "-- COMMAND ARGS... to start (node gets --perf-basic-prof)");
  add_size_option(cmd, "--interval", w.native_interval,
                  "mean bytes allocated between two samples (default 524288: 512 KiB)", 4096,
                  uint64_t{1} << 40);
  add_duration_option(cmd, "--period", w.interval_s,
                      "time between samples of /proc and dumps of the live stacks (default 1 s)",
                      0.1, kMaxWaitSeconds);
  add_duration_or_zero_option(
      cmd, "--duration", w.duration,
      "how long to watch: 90, 90s, 10m, 2h (default: until the process exits or Ctrl-C)", 0.1,
      kMaxWatchSeconds, "until the process exits");
  add_duration_option(cmd, "--min-duration", w.min_duration,
                      "judged window needed for a verdict, after warm-up (default 60s)", 0,
                      kMaxWindowSeconds);
  add_duration_option(cmd, "--warmup", w.warmup,
                      "time at the start to ignore, besides the automatic cut", 0,
                      kMaxWindowSeconds);
  cmd->add_flag("--json", w.json,
                "JSON: watch's verdict and series, the native sites (stacks, "
                "frames, live bytes per dump, trend)");
  cmd->add_flag("--full", w.full, "every growing site in text (default: the first 10)");
  cmd->add_flag("--quiet", w.quiet, "do not pass the command's own output through (to stderr)");
  cmd->add_option("--keep", w.native_keep, "keep the raw sample file as FILE (for --from)")
      ->type_name("FILE");
  cmd->add_option("--from", o->from, "judge a sample file kept with --keep; starts nothing")
      ->type_name("FILE");
  cmd->add_option("--perf-map", o->perf_map, "with --from: V8's perf map, to name JS frames")
      ->type_name("FILE");
  cmd->callback([o, &action] { action = [o] { return run_native_cli(*o); }; });
}

}  // namespace leakscope::cli
