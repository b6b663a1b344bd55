// leakscope inspect SNAP --id N: one object's sizes, outgoing edges and retainers.
#include <memory>

#include "analysis/object_inspection.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/retention_support.h"
#include "heap/retainers.h"
#include "report/inspect_report.h"
#include "report/json_output.h"

namespace leakscope::cli {

namespace {
struct InspectOptions {
  std::string snapshot;
  uint64_t id = 0;
  uint32_t limit = 50;
  bool json = false;
  bool full = false;
};

int run_inspect(const InspectOptions& o) {
  RetentionContext c = load_with_retention(o.snapshot, RetentionOptions{});
  const uint32_t node = node_for_id(c.graph, o.snapshot, o.id);
  const Retainers& retainers = c.snapshot->retainers();
  report::InspectReport r;
  r.snapshot = o.snapshot;
  r.graph = &c.graph;
  r.tree = &c.analysis.tree;
  r.distances = &c.analysis.distances.distance;
  r.limit = o.full ? 0 : o.limit;
  r.object =
      inspect_object(c.graph, c.self_sizes, c.analysis.tree, c.analysis.distances, retainers, node);
  if (o.json) {
    report::print_json(report::inspect_json(r), stdout);
  } else {
    report::render_inspect_text(r, stdout);
  }
  return kExitOk;
}
}  // namespace

void add_inspect_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand(
      "inspect", "One object: sizes, distance, dominator, outgoing edges and retainers");
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  add_count_option(cmd, "--id", o->id, "the object's snapshot id (@N)", 0, UINT32_MAX)->required();
  add_count_option(cmd, "--limit", o->limit,
                   "rows per list, in text and JSON (default 50, 0 = all)", 0, UINT32_MAX);
  cmd->add_flag("--full", o->full, "every edge and retainer (same as --limit 0)");
  cmd->add_flag("--json", o->json, "JSON with each edge and retainer shown");
  cmd->callback([o, &action] { action = [o] { return run_inspect(*o); }; });
}

}  // namespace leakscope::cli
