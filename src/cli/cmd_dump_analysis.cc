// leakscope dump-analysis SNAP: a debugging aid, hidden from the help. Runs the full retention
// pipeline, prints the phase times and every Summary row with Retained Size and Distance as
// JSON, and with --nodes writes the per-node arrays (retained size, immediate dominator,
// distance, re-attributed self size) for the differential tests against DevTools.
#include <chrono>
#include <memory>

#include "analysis/census.h"
#include "analysis/class_index.h"
#include "analysis/class_retained.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/retention_support.h"
#include "report/json_output.h"
#include "report/node_dump.h"

namespace leakscope::cli {

namespace {
struct DumpOptions {
  std::string snapshot;
  std::string nodes_file;
};

int run_dump(const DumpOptions& o) {
  RetentionOptions options;
  options.dominated_children = true;
  RetentionContext c = load_with_retention(o.snapshot, options);
  const auto t = std::chrono::steady_clock::now();
  const ClassIndex& classes = c.snapshot->classes();
  Census census = take_census(c.graph, classes, c.self_sizes);
  add_retention_columns(census, classes, c.self_sizes, c.graph.root, &c.analysis.tree,
                        &c.analysis.distances);
  const double census_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  if (!o.nodes_file.empty()) {
    try {
      report::write_node_dump(o.nodes_file, c.graph, c.self_sizes, c.analysis);
    } catch (const std::runtime_error& e) {
      throw UsageError(std::string("--nodes: ") + e.what());
    }
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const ClassRow& row : census.rows) {
    const ClassInfo& info = classes.classes[row.class_id];
    rows.push_back({{"key", info.key},
                    {"name", info.name},
                    {"count", row.count},
                    {"self", row.shallow_size},
                    {"retained", row.retained_size.value_or(0)},
                    {"distance", row.distance.value_or(0)}});
  }
  const RetentionTimes& r = c.times.retention;
  nlohmann::json out = {{"snapshot", o.snapshot},
                        {"node_count", c.graph.node_count()},
                        {"edge_count", c.graph.edge_count()},
                        {"unreachable_from_root", c.analysis.tree.unreachable},
                        {"stored_predecessors", c.analysis.tree.stored_predecessors},
                        {"graph_bytes", c.graph.memory_bytes()},
                        {"seconds",
                         {{"load", c.times.load},
                          {"attribution", c.times.attribution},
                          {"essential_edges", r.essential_edges},
                          {"dominators", r.dominators},
                          {"distances", r.distances},
                          {"retention_total", r.total},
                          {"census", census_seconds}}},
                        {"rows", std::move(rows)}};
  report::print_json(out, stdout);
  return kExitOk;
}
}  // namespace

void add_dump_analysis_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<DumpOptions>();
  CLI::App* cmd = app.add_subcommand(
      "dump-analysis", "Debugging aid: per-node retention arrays and Summary rows for tests");
  cmd->group("");  // hidden from --help
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  cmd->add_option("--nodes", o->nodes_file,
                  "write the per-node binary arrays here (see src/report/node_dump.h)");
  cmd->callback([o, &action] { action = [o] { return run_dump(*o); }; });
}

}  // namespace leakscope::cli
