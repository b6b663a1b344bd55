// leakscope check SNAP: the leak patterns experts look for by hand, each with a severity, a
// one-line explanation and the path to the object. Exit 1 when a high-severity finding exists.
#include <fmt/core.h>

#include <memory>

#include "analysis/analyzed_snapshot.h"
#include "analysis/checks.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/retention_support.h"
#include "report/check_report.h"
#include "report/json_output.h"

namespace leakscope::cli {

namespace {
struct CheckCliOptions {
  std::string snapshot;
  bool json = false;
  bool full = false;
};

int run_check(const CheckCliOptions& o) {
  RetentionOptions ro;
  ro.dominated_children = false;
  ro.distance_parent_edges = true;
  RetentionContext c = load_with_retention(o.snapshot, ro);
  Timings& timings = Timings::get();
  // The snapshot's own classes, as summary, leaks and diff name them.
  timings.phase("classes");
  c.snapshot->classes();
  timings.phase("checks");
  const CheckResults results = run_checks(analysis_input<CheckInput>(*c.snapshot));
  timings.phase("output");
  report::CheckReport r{o.snapshot, &c.graph, &results, o.full};
  if (o.json) {
    report::print_json(report::check_json(r), stdout);
  } else {
    report::render_check_text(r, stdout);
  }
  for (const CheckFinding& f : results.findings) {
    if (f.severity == Severity::kHigh) return kExitFound;
  }
  return kExitOk;
}
}  // namespace

void add_check_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<CheckCliOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "The checks experts do by hand: a dominant class, listener pile-ups, repeated closures, "
      "duplicate strings, the biggest collections (exit 1 if a high-severity finding)");
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  cmd->add_flag("--json", o->json, "JSON output");
  cmd->add_flag("--full", o->full, kFullPathsHelp);
  cmd->callback([o, &action] { action = [o] { return run_check(*o); }; });
}

}  // namespace leakscope::cli
