#include "cli/retention_support.h"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>

#include "analysis/shallow_sizes.h"
#include "cli/cli_support.h"
#include "cli/safe_output.h"

namespace leakscope::cli {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

RetentionContext load_with_retention(const std::string& path, const RetentionOptions& options) {
  RetentionContext c;
  auto t = Clock::now();
  c.graph = load_snapshot_for_cli(path);
  c.times.load = seconds_since(t);
  Timings& timings = Timings::get();
  timings.phase("re-attribution");
  t = Clock::now();
  c.self_sizes = attribute_shallow_sizes(c.graph);
  c.times.attribution = seconds_since(t);
  timings.phase(options.dominators ? "dominators+distances" : "distances");
  if (stderr_is_terminal()) print_status_line(STDERR_FILENO, "computing dominators and distances…");
  c.analysis = analyze_retention(c.graph, c.self_sizes, options);
  if (stderr_is_terminal()) print_status_line(STDERR_FILENO, "");
  c.times.retention = c.analysis.times;
  timings.phase("report");
  return c;
}

uint32_t node_for_id(const HeapGraph& graph, const std::string& snapshot, uint64_t id) {
  const uint32_t count = graph.node_count();
  for (uint32_t v = 0; v < count; ++v) {
    if (graph.node_id[v] == id) return v;
  }
  throw UsageError(fmt::format("--id {}: no object with this id in {}", id, snapshot));
}

}  // namespace leakscope::cli
