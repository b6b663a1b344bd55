#include "cli/watch_run.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <memory>
#include <optional>

#include "cli/cli_support.h"
#include "cli/native_session.h"
#include "cli/safe_output.h"
#include "native/native_report.h"
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

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

series::WatchConfig watch_config(const WatchCliOptions& o) {
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
  if (!o.quiet) {
    // The child's own stdout: passed through to stderr, so our stdout stays the report.
    cfg.on_child_output = [](std::string_view line) {
      fmt::print(stderr, "{}\n", report::safe_text(line));
    };
  }
  return cfg;
}

series::WatchOptions watch_options(const WatchCliOptions& o) {
  series::WatchOptions wopt;
  wopt.bytes.min_duration_s = o.min_duration;
  wopt.bytes.warmup_s = o.warmup;
  wopt.counts.min_duration_s = o.min_duration;
  wopt.counts.warmup_s = o.warmup;
  return wopt;
}

bool is_leak(series::LeakKind kind) {
  switch (kind) {
    case series::LeakKind::kJsHeap:
    case series::LeakKind::kExternal:
    case series::LeakKind::kNative:
    case series::LeakKind::kHandles:
      return true;
    default:
      return false;
  }
}

}  // namespace

int run_watch_cli(const WatchCliOptions& o) {
  if (o.json && o.csv) throw UsageError("--json and --csv cannot be combined");
  if (o.target.empty()) throw UsageError("watch needs a PID, or -- COMMAND ARGS...");
  series::WatchConfig cfg = watch_config(o);
  std::unique_ptr<NativeSession> native;
  if (o.native) {
    native = std::make_unique<NativeSession>(
        NativeSessionOptions{o.native_interval, o.interval_s, o.native_keep}, cfg);
  }
  const bool live = !o.json && !o.csv && stdout_is_terminal();
  cfg.on_sample = [live, &native](const series::WatchRecording& rec) {
    if (native) native->poll();
    if (live) print_status_line(STDOUT_FILENO, report::watch_live_line(rec));
  };
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

  const series::WatchOptions wopt = watch_options(o);
  report::WatchReport r;
  r.rec = &rec;
  r.verdict = series::analyze_watch(rec, wopt);
  std::optional<native::NativeAnalysis> stacks;
  std::string native_error;
  if (native) {
    try {
      stacks = native->finish(rec, wopt.bytes);
    } catch (const native::NativeError& e) {
      native_error = std::string("native sampler: ") + e.what();
    }
  }
  if (o.json) {
    nlohmann::json j = report::watch_json(r);
    if (stacks) j["native"] = native::native_json(*stacks);
    report::print_json(j, stdout);
  } else if (o.csv) {
    report::render_watch_csv(r, stdout);
  } else {
    report::render_watch_text(r, stdout);
    if (stacks) native::render_native_text(*stacks, stdout, o.full);
  }
  std::fflush(stdout);
  if (!native_error.empty()) {
    print_error(native_error);
    return kExitBadInput;
  }
  const bool native_leak = stacks && std::any_of(stacks->sites.begin(), stacks->sites.end(),
                                                 [](const auto& s) { return s.leaking; });
  return is_leak(r.verdict.kind) || native_leak ? kExitFound : kExitOk;
}

}  // namespace leakscope::cli
