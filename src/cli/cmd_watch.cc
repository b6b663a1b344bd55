// leakscope watch (PID | -- COMMAND ARGS...): sample a process over time and say whether it leaks,
// and where: the JS heap, external (Buffer) memory, native memory, or handles.
#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <memory>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/safe_output.h"
#include "report/json_output.h"
#include "report/safe_text.h"
#include "report/watch_report.h"
#include "series/watch.h"
#include "series/watcher.h"

namespace leakscope::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void on_signal(int) {
  g_stop = 1;
}

struct WatchCliOptions {
  std::vector<std::string> target;
  double interval_s = 1;
  double duration = 0;  // 0: until the process exits or Ctrl-C
  double min_duration = 60;
  double warmup = 0;
  double maps_interval_s = 0;
  double force_gc = -1;  // -1: auto
  bool json = false;
  bool csv = false;
  bool no_trace_gc = false;
  bool quiet = false;
};

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

int run_watch_cli(const WatchCliOptions& o) {
  if (o.json && o.csv) throw UsageError("--json and --csv cannot be combined");
  if (o.target.empty()) throw UsageError("watch needs a PID, or -- COMMAND ARGS...");

  series::WatchConfig cfg;
  if (o.target.size() == 1 && all_digits(o.target[0])) {
    cfg.pid = std::stoi(o.target[0]);
  } else {
    cfg.command = o.target;
  }
  cfg.interval_s = o.interval_s;
  cfg.duration_s = o.duration;
  cfg.maps_interval_s = o.maps_interval_s;
  cfg.trace_gc = !o.no_trace_gc;
  cfg.force_gc_s = o.force_gc < 0 ? std::max(2 * o.interval_s, 0.5) : o.force_gc;
  cfg.stop = &g_stop;
  const bool live = !o.json && !o.csv && stdout_is_terminal();
  if (live) {
    cfg.on_sample = [](const series::WatchRecording& rec) {
      print_status_line(STDOUT_FILENO, report::watch_live_line(rec));
    };
  }
  if (!o.quiet) {
    // The child's own stdout: passed through to stderr, so our stdout stays the report.
    cfg.on_child_output = [](std::string_view line) {
      fmt::print(stderr, "{}\n", report::safe_text(line));
    };
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  series::WatchRecording rec;
  try {
    rec = series::run_watch(cfg);
  } catch (const series::ProcError& e) {
    throw UsageError(e.what());
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (live) print_status_line(STDOUT_FILENO, "");

  series::WatchOptions wopt;
  wopt.bytes.min_duration_s = o.min_duration;
  wopt.bytes.warmup_s = o.warmup;
  wopt.counts.min_duration_s = o.min_duration;
  wopt.counts.warmup_s = o.warmup;
  report::WatchReport r;
  r.rec = &rec;
  r.verdict = series::analyze_watch(rec, wopt);
  if (o.json) {
    report::print_json(report::watch_json(r), stdout);
  } else if (o.csv) {
    report::render_watch_csv(r, stdout);
  } else {
    report::render_watch_text(r, stdout);
  }
  switch (r.verdict.kind) {
    case series::LeakKind::kJsHeap:
    case series::LeakKind::kExternal:
    case series::LeakKind::kNative:
    case series::LeakKind::kHandles:
      return kExitFound;
    default:
      return kExitOk;
  }
}

}  // namespace

void add_watch_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<WatchCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "watch",
      "Sample a process over time and say whether it leaks: JS heap, external, native or handles");
  cmd->add_option("target", o->target,
                  "a PID, or -- COMMAND ARGS... to start (node gets --trace-gc)")
      ->required();
  add_duration_option(cmd, "--interval", o->interval_s, "time between samples (default 1 s)", 0.01,
                      kMaxWaitSeconds);
  add_duration_or_zero_option(
      cmd, "--duration", o->duration,
      "how long to watch: 90, 90s, 10m, 2h (default: until the process exits or Ctrl-C)", 0.1,
      kMaxWatchSeconds, "until the process exits");
  add_duration_option(cmd, "--min-duration", o->min_duration,
                      "judged window needed for a verdict, after warm-up (default 60s)", 0,
                      kMaxWindowSeconds);
  add_duration_option(cmd, "--warmup", o->warmup,
                      "time at the start to ignore, besides the automatic cut", 0,
                      kMaxWindowSeconds);
  add_duration_option(cmd, "--maps-interval", o->maps_interval_s,
                      "time between full smaps reads (default max(5 x interval, 1 s))", 0,
                      kMaxWaitSeconds);
  cmd->add_option_function<std::string>(
         "--force-gc",
         [o](const std::string& text) {
           o->force_gc =
               text == "auto" ? -1 : duration_value("--force-gc", text, 0, kMaxWaitSeconds);
         },
         "with -- node: --expose-gc and a full GC every this many seconds, so the heap "
         "after full GC is measured often; 0 = off (default auto: max(2 x interval, 0.5 s))")
      ->type_name("SECONDS|auto");
  cmd->add_flag("--json", o->json, "JSON: verdict, every series' trend, the maps diff");
  cmd->add_flag("--csv", o->csv, "one CSV row per sample, for plotting");
  cmd->add_flag("--no-trace-gc", o->no_trace_gc, "do not add --trace-gc and the preload to node");
  cmd->add_flag("--quiet", o->quiet, "do not pass the command's own output through (to stderr)");
  cmd->callback([o, &action] { action = [o] { return run_watch_cli(*o); }; });
}

}  // namespace leakscope::cli
