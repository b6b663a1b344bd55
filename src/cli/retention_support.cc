#include "cli/retention_support.h"

#include <fmt/core.h>
#include <unistd.h>

#include <utility>

#include "cli/cli_support.h"
#include "cli/safe_output.h"
#include "heap/stopwatch.h"

namespace leakscope::cli {

RetentionContext::RetentionContext(std::unique_ptr<AnalyzedSnapshot> analyzed, double load_seconds)
    : snapshot(std::move(analyzed)),
      graph(snapshot->graph()),
      self_sizes(snapshot->self_sizes()),
      analysis(snapshot->retention()),
      times{load_seconds, snapshot->times().attribution, snapshot->times().retention} {}

RetentionContext load_with_retention(const std::string& path, const RetentionOptions& options) {
  const auto t = StageClock::now();
  AnalysisOptions analysis_options;
  analysis_options.retention = options;
  auto snapshot =
      std::make_unique<AnalyzedSnapshot>(load_snapshot_for_cli(path), std::move(analysis_options));
  const double load = seconds_since(t);
  Timings& timings = Timings::get();
  timings.phase("re-attribution");
  snapshot->self_sizes();
  timings.phase(options.dominators ? "dominators+distances" : "distances");
  if (stderr_is_terminal()) print_status_line(STDERR_FILENO, "computing dominators and distances…");
  snapshot->retention();
  if (stderr_is_terminal()) print_status_line(STDERR_FILENO, "");
  timings.phase("report");
  return RetentionContext(std::move(snapshot), load);
}

uint32_t node_for_id(const HeapGraph& graph, const std::string& snapshot, uint64_t id) {
  const uint32_t count = graph.node_count();
  for (uint32_t v = 0; v < count; ++v) {
    if (graph.node_id[v] == id) return v;
  }
  throw UsageError(fmt::format("--id {}: no object with this id in {}", id, snapshot));
}

}  // namespace leakscope::cli
