// leakscope run [options] -- node app.js [args]: from "memory grows" to "this object, held here"
// in one command. It starts the app under the watcher (--trace-gc and the preload, as `watch`
// does), calls the leak with the watch's rules as soon as the evidence is strong, and for a JS-heap
// leak has the app write three heap snapshots spaced by the growth itself, then runs the leak
// finder on them and prints what `leaks` prints. External and native leaks are named with the
// series and mappings that grew; no snapshot is taken for them.
// Exit code 0 = no leak, 1 = leak found, 2 = bad input or could not start, 130 = interrupted.
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/leaks_verdict.h"
#include "cli/native_session.h"
#include "cli/run_controller.h"
#include "cli/run_outputs.h"
#include "native/native_report.h"
#include "report/format.h"
#include "report/json_output.h"
#include "report/safe_text.h"
#include "report/series_format.h"
#include "report/watch_report.h"
#include "series/watch.h"
#include "series/watcher.h"

namespace leakscope::cli {

namespace {

constexpr int kExitInterrupted = 130;

struct RunCliOptions {
  std::vector<std::string> command;
  std::string out;
  double max_duration = 300;
  double interval = 0.5;
  double min_duration = 60;
  double warmup = 0;
  double max_gap = 60;
  bool keep_running = false;
  bool quiet = false;
  bool force = false;
  bool redact = false;
  bool native = false;  // sample native allocations from the start (libleakscope-preload.so)
  LeakVerdictOptions verdict;
};

volatile std::sig_atomic_t g_stop = 0;

// The first Ctrl-C ends the watch (the app is stopped, what there is gets reported); the handler
// then resets, so a second one quits at once.
void on_interrupt(int) {
  g_stop = 1;
}

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

bool is_leak(series::LeakKind kind) {
  return kind == series::LeakKind::kJsHeap || kind == series::LeakKind::kExternal ||
         kind == series::LeakKind::kNative || kind == series::LeakKind::kHandles;
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

// The output directory: --out, or a new leakscope-run-PID in the current directory.
std::string prepare_out_dir(const RunCliOptions& o) {
  const std::string dir = o.out.empty() ? fmt::format("leakscope-run-{}", ::getpid()) : o.out;
  if (dir.find('\n') != std::string::npos) throw UsageError("run: --out must not hold a newline");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir, ec)) {
    throw UsageError(fmt::format("run: cannot create the output directory {}: {}", dir,
                                 ec ? ec.message() : "not a directory"));
  }
  return dir;
}

RunSettings run_settings(const RunCliOptions& o, const std::string& dir) {
  RunSettings s;
  s.trend.bytes.min_duration_s = o.min_duration;
  s.trend.bytes.warmup_s = o.warmup;
  s.trend.counts.min_duration_s = o.min_duration;
  s.trend.counts.warmup_s = o.warmup;
  s.max_duration_s = o.max_duration;
  s.eval_every_s = std::max(1.0, o.interval);
  s.max_gap_s = o.max_gap;
  s.min_gap_s = std::min(2.0, o.max_gap);
  s.out_dir = std::filesystem::absolute(dir).lexically_normal().string();
  s.force = o.force;
  // The sites' trend needs its full --min-duration window after the warm-up, and a little more
  // for the dumps that trail the samples.
  if (o.native) s.native_window_s = o.warmup + o.min_duration + 2;
  return s;
}

series::WatchRecording watch_app(const RunCliOptions& o, RunController& controller,
                                 std::unique_ptr<NativeSession>& native) {
  series::WatchConfig cfg;
  cfg.command = o.command;
  cfg.interval_s = o.interval;
  cfg.trace_gc = true;
  cfg.force_gc_s = std::max(2 * o.interval, 0.5);
  cfg.stop = &g_stop;
  cfg.commands = true;
  cfg.own_process_group = true;
  cfg.keep_child = o.keep_running;
  if (!o.quiet) {
    // The app's own stdout, passed through to stderr: our stdout is the report.
    cfg.on_child_output = [](std::string_view line) {
      fmt::print(stderr, "{}\n", report::safe_text(line));
    };
  }
  cfg.on_child_reply = [&controller](std::string_view line) { controller.on_reply(line); };
  if (o.native) {
    native = std::make_unique<NativeSession>(NativeSessionOptions{0, o.interval, ""}, cfg);
    cfg.on_sample = [&native](const series::WatchRecording&) { native->poll(); };
  }
  cfg.should_end = [&controller](const series::WatchRecording& rec,
                                 const series::SendCommand& send) {
    return controller.after_sample(rec, send) ? std::string(controller.end_reason())
                                              : std::string();
  };
  install_interrupt_handler();
  try {
    return series::run_watch(cfg);
  } catch (const series::ProcError& e) {
    throw UsageError(fmt::format("run: {}", e.what()));
  }
}

std::string app_end_text(const series::WatchRecording& rec) {
  if (rec.exit_signal) return fmt::format("killed by signal {}", rec.exit_signal);
  return fmt::format("exit code {}", rec.exit_code);
}

// The app failed on its own (a crash, a bad argument) before any leak was seen: that is no
// verdict, and it says so.
bool app_failed(const series::WatchRecording& rec, const series::WatchVerdict& v) {
  return rec.process_exited && !is_leak(v.kind) && (rec.exit_code > 0 || rec.exit_signal != 0);
}

// Why a JS-heap leak has no snapshots to show (or fewer than the finder needs).
std::string missing_snapshots_why(const series::WatchRecording& rec,
                                  const RunController& controller, bool interrupted) {
  const RunSettings& s = controller.settings();
  const std::string taken =
      fmt::format("{} of {} heap snapshots taken", controller.snapshots_done(), s.snapshots);
  if (interrupted) return taken + ": interrupted";
  if (!controller.stopped_why().empty()) return taken + ": " + controller.stopped_why();
  if (rec.process_exited) return taken + ": the app exited first";
  if (!controller.decision()) return "the leak was called only at the end, with the app gone";
  return taken;
}

struct Outcome {
  series::WatchVerdict verdict;
  bool decided = false;  // during the run (else judged at the end)
  bool interrupted = false;
  std::vector<std::string> snapshot_names;  // as the user sees them, when all were taken
};

void print_js_headline(const report::WatchReport& r) {
  fmt::print("{}\n", report::safe_text(report::watch_headline(r)));
  if (const series::SeriesVerdict* p = r.verdict.primary_series(); p && p->available) {
    fmt::print("Why: {}: {}.\n", p->label, report::trend_reason(p->trend, p->bytes, p->points));
  }
}

// The text report for everything but the leak finder's part.
void print_watch_part(const report::WatchReport& r, const Outcome& out,
                      const RunController& controller) {
  const series::WatchRecording& rec = *r.rec;
  const series::LeakKind kind = r.verdict.kind;
  if (kind == series::LeakKind::kJsHeap) {
    print_js_headline(r);
    if (out.snapshot_names.empty()) {
      fmt::print("No heap snapshots to compare ({}).\n",
                 report::safe_text(missing_snapshots_why(rec, controller, out.interrupted)));
      return;
    }
    fmt::print("Snapshots: {} taken at ", out.snapshot_names.size());
    for (std::size_t k = 0; k < controller.snapshots().size(); ++k) {
      const RunSnapshot& snap = controller.snapshots()[k];
      fmt::print("{}{} (heap after GC {})", k ? ", " : "", report::human_duration(snap.t),
                 report::human_bytes(static_cast<uint64_t>(snap.heap_used)));
    }
    fmt::print(
        ", in {}\n\n",
        report::safe_text(std::filesystem::path(out.snapshot_names[0]).parent_path().string()));
    return;
  }
  if (!is_leak(kind) && rec.process_exited) {
    fmt::print(
        "No leak found: the app ended by itself after {} ({}), before a verdict could be "
        "reached.\n",
        report::human_duration(rec.elapsed_s), app_end_text(rec));
  } else if (!is_leak(kind)) {
    fmt::print("No leak found in {}{}.\n", report::human_duration(rec.elapsed_s),
               out.interrupted ? " (interrupted)" : "");
  }
  report::render_watch_text(r, stdout);
  if (is_leak(kind)) {
    fmt::print(
        "No heap snapshot was taken: this growth is outside the JS heap, so snapshots spaced by "
        "the heap's growth would not explain it.\n");
  }
}

nlohmann::ordered_json run_summary(const RunCliOptions& o, const std::string& dir,
                                   const series::WatchRecording& rec, const Outcome& out,
                                   const RunController& controller, int exit_code) {
  nlohmann::ordered_json j;
  j["command"] = "run";
  j["app"] = joined(o.command);
  j["pid"] = rec.pid;
  j["out_dir"] = dir;
  j["verdict"] = series::leak_kind_name(out.verdict.kind);
  j["decided_during_run"] = out.decided;
  j["decided_at_s"] = out.decided ? controller.decided_at() : rec.elapsed_s;
  j["ended"] = out.interrupted ? "interrupted" : rec.end_reason;
  j["elapsed_s"] = rec.elapsed_s;
  j["max_duration_s"] = o.max_duration;
  j["app_left_running"] = o.keep_running && !rec.process_exited;
  nlohmann::ordered_json snaps = nlohmann::ordered_json::array();
  for (const RunSnapshot& s : controller.snapshots()) {
    if (!s.done) continue;
    snaps.push_back(
        {{"file", (std::filesystem::path(dir) / std::filesystem::path(s.path).filename()).string()},
         {"t_s", s.t},
         {"requested_s", s.requested_s},
         {"write_seconds", s.seconds},
         {"heap_after_gc", s.heap_used}});
  }
  j["snapshots"] = snaps;
  if (!controller.stopped_why().empty()) j["snapshots_stopped"] = controller.stopped_why();
  j["exit_code"] = exit_code;
  return j;
}

// The native sampler's stacks (run --native), judged once the app has stopped; an error is one
// line, and the run still ends with its own verdict.
std::optional<native::NativeAnalysis> native_stacks(NativeSession* native,
                                                    const series::WatchRecording& rec,
                                                    const RunController& controller) {
  if (!native) return std::nullopt;
  try {
    return native->finish(rec, controller.settings().trend.bytes);
  } catch (const native::NativeError& e) {
    print_error(fmt::format("run: native sampler: {}", e.what()));
    return std::nullopt;
  }
}

int report_run(const RunCliOptions& o, const std::string& dir, const series::WatchRecording& rec,
               const RunController& controller, NativeSession* native) {
  // A snapshot the app was writing when it was stopped (Ctrl-C) is left half written.
  for (const RunSnapshot& s : controller.snapshots()) {
    std::error_code ec;
    if (!s.done) std::filesystem::remove(s.path + ".partial", ec);
  }
  Outcome out;
  out.interrupted = g_stop != 0;
  out.decided = controller.decision().has_value();
  out.verdict = out.decided ? *controller.decision()
                            : series::analyze_watch(rec, controller.settings().trend);
  const bool js = out.verdict.kind == series::LeakKind::kJsHeap;
  if (js && controller.snapshots_done() == controller.settings().snapshots && !out.interrupted) {
    for (const RunSnapshot& s : controller.snapshots()) {
      out.snapshot_names.push_back(
          (std::filesystem::path(dir) / std::filesystem::path(s.path).filename()).string());
    }
  }
  const report::WatchReport wr{&rec, out.verdict, "--max-duration"};
  const std::optional<native::NativeAnalysis> stacks = native_stacks(native, rec, controller);
  if (!o.verdict.json) {
    print_watch_part(wr, out, controller);
    if (stacks) native::render_native_text(*stacks, stdout, false);
  }
  std::fflush(stdout);
  RunResult result;
  result.out_dir = dir;
  result.title = "leakscope run: " + joined(o.command);
  result.redact = o.redact;
  result.watch = report::watch_json(wr);
  if (stacks) result.watch["native"] = native::native_json(*stacks);
  if (!out.snapshot_names.empty()) {
    std::vector<double> times;
    for (const RunSnapshot& s : controller.snapshots()) times.push_back(s.t);
    LeakVerdictOptions lo = o.verdict;
    lo.quiet = o.verdict.json;
    result.leaks.emplace();
    leak_verdict_on_files("run", out.snapshot_names, times, lo, &*result.leaks);
  }
  int code = out.interrupted ? kExitInterrupted : is_leak(out.verdict.kind) ? kExitFound : kExitOk;
  if (!out.interrupted && app_failed(rec, out.verdict)) {
    print_error(fmt::format("run: the app ended by itself after {} ({}); see its output above",
                            report::human_duration(rec.elapsed_s), app_end_text(rec)));
    code = kExitBadInput;
  }
  result.summary = run_summary(o, dir, rec, out, controller, code);
  const nlohmann::ordered_json doc = run_document(result);
  if (o.verdict.json) report::print_json(doc, stdout);
  const std::vector<std::string> written = write_run_outputs(result, doc);
  for (const std::string& f : written) {
    fmt::print(stderr, "run: wrote {}\n", report::safe_text(f));
  }
  if (o.keep_running && !rec.process_exited) {
    fmt::print(stderr, "run: the app (PID {}) is still running (--keep-running)\n", rec.pid);
  }
  return code;
}

int run_run(const RunCliOptions& o) {
  if (o.command.empty()) throw UsageError("run needs a command: leakscope run -- node app.js");
  if (!series::is_node_command(o.command[0])) {
    throw UsageError(fmt::format(
        "run: '{}' is not node: run starts a Node app (leakscope run -- node app.js [args]); "
        "for any other process use `leakscope watch`",
        o.command[0]));
  }
  const std::string dir = prepare_out_dir(o);
  RunController controller(run_settings(o, dir));
  fmt::print(stderr, "run: starting `{}`, watching its memory for up to {}; results go to {}/\n",
             report::safe_text(joined(o.command)), report::human_duration(o.max_duration),
             report::safe_text(dir));
  std::unique_ptr<NativeSession> native;
  const series::WatchRecording rec = watch_app(o, controller, native);
  if (g_stop)
    fmt::print(stderr, "run: interrupted after {}\n", report::human_duration(rec.elapsed_s));
  return report_run(o, dir, rec, controller, native.get());
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<RunCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Start a Node app, watch its memory, and when it leaks name what and who holds it: three "
      "heap snapshots spaced by the growth, then `leaks` (exit 0: no leak, 1: leak, 2: error)");
  cmd->add_option("command", o->command, "-- node app.js [args]: the app to start")->required();
  cmd->add_option("--out", o->out,
                  "directory for the snapshots and run.json (default: a new leakscope-run-PID)");
  add_duration_option(cmd, "--max-duration", o->max_duration,
                      "how long to watch at most: 90, 90s, 10m (default 300s)", 1,
                      kMaxWatchSeconds);
  add_duration_option(cmd, "--interval", o->interval, "time between samples (default 0.5 s)", 0.05,
                      60);
  add_duration_option(cmd, "--min-duration", o->min_duration,
                      "judged window needed for a no-leak verdict, after warm-up; a strong leak "
                      "is called after half of it (default 60s)",
                      0, kMaxWindowSeconds);
  add_duration_option(cmd, "--warmup", o->warmup,
                      "time at the start to ignore, besides the automatic cut", 0,
                      kMaxWindowSeconds);
  add_duration_option(cmd, "--max-gap", o->max_gap,
                      "longest wait between two snapshots when the heap grows slowly (default 60s)",
                      0.5, kMaxWaitSeconds);
  cmd->add_flag("--keep-running", o->keep_running, "leave the app running at the end");
  cmd->add_flag("--quiet", o->quiet, "do not pass the app's own output through (to stderr)");
  cmd->add_flag("--force", o->force,
                "take snapshots even when the app may run out of memory doing so");
  cmd->add_flag("--redact", o->redact,
                "in leakscope-report.html, replace the heap's strings by their length and a hash");
  cmd->add_flag("--native", o->native,
                "also sample native allocations from the start (libleakscope-preload.so) and, "
                "after the verdict, name the allocation stacks whose live bytes grow (as "
                "`leakscope native`)");
  add_leak_verdict_options(cmd, o->verdict);
  cmd->callback([o, &action] { action = [o] { return run_run(*o); }; });
}

}  // namespace leakscope::cli
