// leakscope info SNAP: what is in a snapshot, before any analysis.
#include <sys/stat.h>

#include <memory>

#include "analysis/class_index.h"
#include "analysis/shallow_sizes.h"
#include "analysis/statistics.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "report/info_report.h"
#include "report/json_output.h"

namespace leakscope::cli {

namespace {
struct InfoOptions {
  std::string snapshot;
  bool json = false;
};

int run_info(const InfoOptions& o) {
  HeapGraph graph = load_snapshot_for_cli(o.snapshot);
  report::InfoReport r;
  r.snapshot = o.snapshot;
  struct stat st {};
  if (o.snapshot != "-" && ::stat(o.snapshot.c_str(), &st) == 0) {
    r.file_size = static_cast<uint64_t>(st.st_size);
  }
  r.graph = &graph;
  r.stats = compute_statistics(graph, attribute_shallow_sizes(graph));
  const std::vector<bool> detached = detached_natives(graph);
  for (uint32_t i = 0; i < graph.node_count(); ++i) {
    if (!detached[i]) continue;
    ++r.detached_natives;
    // Node 20 reports its per-realm binding data as detached embedder objects.
    if (graph.name(i).starts_with("Node / ")) ++r.node_internal_detached;
  }
  if (o.json) {
    report::print_json(report::info_json(r), stdout);
  } else {
    report::render_info_text(r, stdout);
  }
  return kExitOk;
}
}  // namespace

void add_info_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand(
      "info", "Header facts, node and edge counts by type, and DevTools' statistics");
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  cmd->add_flag("--json", o->json, "JSON with exact byte counts");
  cmd->callback([o, &action] { action = [o] { return run_info(*o); }; });
}

}  // namespace leakscope::cli
