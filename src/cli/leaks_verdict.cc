#include "cli/leaks_verdict.h"

#include <CLI/CLI.hpp>

#include "cli/cli_support.h"
#include "report/json_output.h"
#include "report/leaks_report.h"

namespace leakscope::cli {

void add_leak_verdict_options(CLI::App* cmd, LeakVerdictOptions& o) {
  cmd->add_flag("--json", o.json, "JSON output, for CI");
  cmd->add_flag("--full", o.full, kFullPathsHelp);
  cmd->add_flag("--all", o.all, "include Node/V8 internals (compiled code, maps, ...)");
  add_count_option(cmd, "--top", o.top, "leak clusters to show in detail (default 5)", 1, kMaxRows);
  add_size_option(cmd, "--min-growth", o.min_growth,
                  "retained bytes a cluster must gain to count as a leak (default 1024)", 0,
                  kMaxBytes);
}

std::optional<ForeignSnapshot> first_foreign_snapshot(const HeapGraph& last,
                                                      std::vector<EarlierSnapshot>& earlier) {
  const JsIdentity last_identity = js_identity(last);
  std::optional<ForeignSnapshot> foreign;
  for (size_t k = 0; k < earlier.size(); ++k) {
    const ProcessMatch m = match_processes(earlier[k].identity, last_identity);
    if (!foreign && !m.comparable()) foreign = ForeignSnapshot{k, m};
    earlier[k].identity = {};
  }
  return foreign;
}

int print_leak_verdict(AnalyzedSnapshot& last, const std::vector<EarlierSnapshot>& earlier,
                       const std::vector<std::string>& names, const std::vector<double>& times,
                       const LeakVerdictOptions& options, nlohmann::ordered_json* json_out) {
  Timings& timings = Timings::get();
  timings.phase("clusters");
  LeakFinderInput in = analysis_input<LeakFinderInput>(last);
  for (const EarlierSnapshot& e : earlier) in.earlier.push_back(&e);
  LeakFinderOptions finder;
  finder.all = options.all;
  finder.min_gained_bytes = options.min_growth;
  const LeakFindings findings = find_leaks(in, finder);
  timings.phase("output");
  report::LeaksReport r;
  r.snapshots = names;
  r.times = times;
  r.graph = &last.graph();
  r.findings = &findings;
  r.top = options.top;
  r.full = options.full;
  if (json_out) {
    *json_out = report::leaks_json(r);
  } else if (options.json) {
    report::print_json(report::leaks_json(r), stdout);
  } else {
    report::render_leaks_text(r, stdout);
  }
  return findings.leaks.empty() ? kExitOk : kExitFound;
}

}  // namespace leakscope::cli
