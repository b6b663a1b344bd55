#include "analysis/retention.h"

#include <exception>
#include <thread>

#include "analysis/essential_edges.h"
#include "heap/stopwatch.h"

namespace leakscope {

RetentionAnalysis analyze_retention(const HeapGraph& graph, const BigVector<uint64_t>& self_sizes,
                                    const RetentionOptions& options) {
  const auto start = StageClock::now();
  RetentionAnalysis result;
  result.ephemerons = EphemeronEdgeNames(graph.strings);

  std::exception_ptr distance_error;
  auto run_distances = [&] {
    try {
      const auto t = StageClock::now();
      DistanceOptions distance_options;
      distance_options.record_parent_edges = options.distance_parent_edges;
      result.distances = compute_distances(graph, result.ephemerons, distance_options);
      result.times.distances = seconds_since(t);
    } catch (...) {
      distance_error = std::current_exception();
    }
  };
  std::thread distance_thread;
  const bool parallel = options.threads > 1 && options.distances && options.dominators;
  if (options.distances && !options.dominators) run_distances();
  if (options.dominators) {
    try {
      auto t = StageClock::now();
      // The page-owned flood is sequential; the per-edge pass uses every thread, then the
      // distances take the second core while this one builds the tree.
      const EssentialEdges essential(graph, result.ephemerons);
      const BitVector bits = essential.edge_bits(options.threads);
      result.times.essential_edges = seconds_since(t);
      if (parallel) distance_thread = std::thread(run_distances);
      t = StageClock::now();
      DominatorOptions dominator_options;
      dominator_options.build_children = options.dominated_children;
      result.tree = compute_dominators(graph, bits, self_sizes, dominator_options);
      result.times.dominators = seconds_since(t);
      // On one thread the distances come after the tree, whose temporaries are gone by then.
      if (!parallel && options.distances) run_distances();
    } catch (...) {
      if (distance_thread.joinable()) distance_thread.join();
      throw;
    }
  }
  if (distance_thread.joinable()) distance_thread.join();
  if (distance_error) std::rethrow_exception(distance_error);
  result.times.total = seconds_since(start);
  return result;
}

}  // namespace leakscope
