// leakscope gclog FILE|-: is the heap that survives GC growing? From node --trace-gc output.
#include <fmt/core.h>

#include <memory>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "heap/user_files.h"
#include "report/gclog_report.h"
#include "report/json_output.h"
#include "series/gc_summary.h"
#include "series/trace_gc.h"

namespace leakscope::cli {
namespace {

struct GclogOptions {
  std::string file;
  bool json = false;
  bool csv = false;
  bool all = false;
  double min_duration_s = 60;
  double warmup_s = 0;
  double min_rate_mb_per_hour = 0;
};

int run_gclog(const GclogOptions& o) {
  if (o.json && o.csv) throw UsageError("--json and --csv cannot be combined");
  // A day of a busy server's --trace-gc is a few hundred MB; the cap only stops an endless stream.
  TextInput in(o.file, {64u << 10, uint64_t{4} << 30, "--trace-gc log"});
  series::TraceGcParser parser;
  if (in.size() > 0) parser.reserve_for_bytes(static_cast<std::size_t>(in.size()));
  for (std::string_view chunk = in.next(); !chunk.empty(); chunk = in.next()) parser.feed(chunk);
  parser.finish();
  const series::GcLog log = parser.take();
  if (log.events.empty()) {
    std::string hint;
    if (log.nvp_lines > 0) {
      throw UsageError(
          fmt::format("{}: {} --trace-gc-nvp lines but no --trace-gc lines; run node with "
                      "--trace-gc (the human-readable format)",
                      o.file, log.nvp_lines));
    }
    if (!log.unknown_samples.empty()) {
      hint = fmt::format(" (line {}: \"{}\")", log.unknown_samples[0].line_number,
                         log.unknown_samples[0].text.substr(0, 60));
    }
    throw UsageError(
        fmt::format("{}: no --trace-gc lines found in {} lines{}; run node with --trace-gc", o.file,
                    log.lines, hint));
  }
  series::TrendOptions topt = series::default_gclog_trend_options();
  topt.min_duration_s = o.min_duration_s;
  topt.warmup_s = o.warmup_s;
  topt.min_rate_per_hour = o.min_rate_mb_per_hour * 1e6;

  report::GclogReport r;
  r.source = o.file;
  r.log = &log;
  r.summary = series::summarize_gc_log(log, topt);
  r.max_full_gcs_shown = o.all ? 0 : 20;
  if (o.json) {
    report::print_json(report::gclog_json(r), stdout);
  } else if (o.csv) {
    report::render_gclog_csv(r, stdout);
  } else {
    report::render_gclog_text(r, stdout);
  }
  return r.summary.trend.verdict == series::Verdict::kGrowing ? kExitFound : kExitOk;
}

}  // namespace

void add_gclog_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<GclogOptions>();
  CLI::App* cmd = app.add_subcommand(
      "gclog", "Read node --trace-gc output: GCs, pauses, and whether the heap after GC grows");
  cmd->add_option("file", o->file, "a --trace-gc log (node 18 to 24), or - for standard input")
      ->required();
  cmd->add_flag("--json", o->json, "JSON with exact bytes");
  cmd->add_flag("--csv", o->csv, "one CSV row per GC, for plotting");
  cmd->add_flag("--all", o->all, "list every full GC, not only the last 20");
  add_duration_option(cmd, "--min-duration", o->min_duration_s,
                      "time of log after warm-up needed for a verdict (default 60 s)", 0,
                      kMaxWindowSeconds);
  add_duration_option(cmd, "--warmup", o->warmup_s,
                      "time at the start to ignore (besides the automatic cut)", 0,
                      kMaxWindowSeconds);
  add_rate_option(cmd, "--min-rate", o->min_rate_mb_per_hour,
                  "growth slower than this many MB/h is not a leak", 0, kMaxRateMbPerHour);
  cmd->callback([o, &action] { action = [o] { return run_gclog(*o); }; });
}

}  // namespace leakscope::cli
