// leakscope watch (PID | -- COMMAND ARGS...): sample a process over time and say whether it leaks,
// and where: the JS heap, external (Buffer) memory, native memory, or handles.
#include <memory>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/watch_run.h"

namespace leakscope::cli {

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
  cmd->add_flag("--native", o->native,
                "with -- COMMAND: also sample native allocations (libleakscope-preload.so) and "
                "name the allocation stacks whose live bytes grow (see leakscope native)");
  cmd->callback([o, &action] { action = [o] { return run_watch_cli(*o); }; });
}

}  // namespace leakscope::cli
