// leakscope top SNAP: the biggest holders, i.e. the top of the dominator tree.
#include <memory>

#include "analysis/top_holders.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/retention_support.h"
#include "report/json_output.h"
#include "report/top_report.h"

namespace leakscope::cli {

namespace {
struct TopOptions {
  std::string snapshot;
  int64_t id = -1;
  uint32_t top = 10;
  uint32_t children = 5;
  uint32_t depth = 2;
  bool json = false;
};

int run_top(const TopOptions& o) {
  RetentionOptions options;
  options.distances = false;
  options.dominated_children = true;
  RetentionContext c = load_with_retention(o.snapshot, options);
  TopHoldersOptions t;
  t.start =
      o.id >= 0 ? node_for_id(c.graph, o.snapshot, static_cast<uint64_t>(o.id)) : c.graph.root;
  t.top = o.top;
  t.children = o.children;
  t.depth = o.depth;
  report::TopReport r;
  r.snapshot = o.snapshot;
  r.graph = &c.graph;
  r.holders = top_holders(c.graph, c.analysis.tree, c.self_sizes, t);
  if (o.json) {
    report::print_json(report::top_json(r), stdout);
  } else {
    report::render_top_text(r, stdout);
  }
  return kExitOk;
}
}  // namespace

void add_top_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<TopOptions>();
  CLI::App* cmd = app.add_subcommand(
      "top",
      "Biggest holders: the top of the dominator tree with retained sizes, as in "
      "DevTools' Retainers/Dominators views");
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  add_count_option(cmd, "--id", o->id, "start from this object (snapshot id) instead of the root",
                   0, UINT32_MAX);
  add_count_option(cmd, "--top", o->top,
                   "how many of the start node's largest children (default 10)", 0, UINT32_MAX);
  add_count_option(cmd, "--children", o->children,
                   "largest dominated children shown under each (default 5)", 0, UINT32_MAX);
  add_count_option(cmd, "--depth", o->depth, "levels to expand below the first (default 2)", 0,
                   UINT32_MAX);
  cmd->add_flag("--json", o->json, "JSON with exact byte counts");
  cmd->callback([o, &action] { action = [o] { return run_top(*o); }; });
}

}  // namespace leakscope::cli
