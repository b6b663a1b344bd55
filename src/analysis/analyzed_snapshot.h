// One snapshot and every view derived from it, as DevTools' HeapSnapshot holds them: the graph,
// its classes, the re-attributed shallow sizes, the retention analysis (dominator tree, distances),
// the retainers and the per-class retained sizes. Each view is computed on first request and kept,
// so a command, the addon or a report asks for what it needs and never re-derives, or wires in a
// different order, what another already has.
//
// Views guard themselves one by one, so two threads may ask for two different views at once (the
// classes on one thread while the sizes and the dominator tree are built on another, as summary,
// leaks and the addon's HeapDiff do); what a view needs (retention needs the sizes) is computed
// by whichever thread gets there first.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "analysis/class_index.h"
#include "analysis/retention.h"
#include "heap/big_vector.h"
#include "heap/heap_graph.h"
#include "heap/retainers.h"

namespace leakscope {

enum class ClassNaming {
  kDevTools,  // DevTools' Summary: plain objects named by interface definitions
  kMemwatch,  // node-memwatch's: constructor names, every node type attributed
};

struct AnalysisOptions {
  ClassNaming naming = ClassNaming::kDevTools;
  // The interface definitions plain objects are named by (kDevTools only). Unset: this snapshot's
  // own, inferred on first request. A diff passes the current snapshot's to the base; an empty
  // list names plain objects by constructor only (needed when the other side is not known yet).
  std::optional<std::vector<InterfaceDefinition>> definitions;
  // Write the re-attributed sizes over graph().node_self_size instead of keeping a copy, for
  // callers that never need V8's own sizes: saves the largest per-node column (107 MB on a 1 GB
  // snapshot). graph().node_self_size then changes when self_sizes() is first asked for.
  bool sizes_in_place = false;
  RetentionOptions retention;
};

struct AnalysisTimes {  // seconds, wall clock
  double attribution = 0;
  double classes = 0;
  RetentionTimes retention;
};

class AnalyzedSnapshot {
 public:
  explicit AnalyzedSnapshot(HeapGraph graph, AnalysisOptions options = {});
  AnalyzedSnapshot(const AnalyzedSnapshot&) = delete;
  AnalyzedSnapshot& operator=(const AnalyzedSnapshot&) = delete;

  const HeapGraph& graph() const { return graph_; }
  const AnalysisOptions& options() const { return options_; }

  const std::vector<InterfaceDefinition>& interface_definitions();
  const ClassIndex& classes();
  // Per node, after DevTools' re-attribution (attribute_shallow_sizes()).
  const BigVector<uint64_t>& self_sizes();
  // With options().retention: which parts (tree, distances, parent edges) exist is decided there.
  const RetentionAnalysis& retention();
  const DominatorTree& dominators() { return retention().tree; }
  const Distances& distances() { return retention().distances; }
  const Retainers& retainers();
  // Per class ordinal: the retained size of the class's objects that no other object of the same
  // class dominates (DevTools' Summary column). Needs options().retention.dominated_children.
  const std::vector<uint64_t>& class_retained_sizes();

  // Gives the dominator tree and the distances back once nothing refers to them any more (the
  // largest view; summary frees it before rendering, HeapDiff once the class sizes are taken).
  // Asking for retention() afterwards computes it again.
  void release_retention();
  // The same for the re-attributed sizes' copy (a no-op with sizes_in_place): HeapDiff drops
  // them once its table holds what it needs, while the graph lives on for the path.
  void release_self_sizes();

  // Filled as the views are computed; read once they are.
  const AnalysisTimes& times() const { return times_; }

 private:
  HeapGraph graph_;
  AnalysisOptions options_;
  AnalysisTimes times_;

  std::mutex definitions_mutex_;
  std::optional<std::vector<InterfaceDefinition>> definitions_;
  std::mutex classes_mutex_;
  std::unique_ptr<ClassIndex> classes_;
  std::mutex sizes_mutex_;
  std::unique_ptr<BigVector<uint64_t>> sizes_;
  const BigVector<uint64_t>* sizes_view_ = nullptr;  // sizes_, or graph_.node_self_size in place
  std::mutex retention_mutex_;
  std::unique_ptr<RetentionAnalysis> retention_;
  std::mutex retainers_mutex_;
  std::unique_ptr<Retainers> retainers_;
  std::mutex class_retained_mutex_;
  std::unique_ptr<std::vector<uint64_t>> class_retained_;
};

// The leak finder's and the checks' inputs (LeakFinderInput, CheckInput) point at the same five
// views; they are filled here, in one place, until those analyses take the snapshot itself.
template <typename Input>
Input analysis_input(AnalyzedSnapshot& snapshot) {
  Input in;
  in.graph = &snapshot.graph();
  in.self_sizes = &snapshot.self_sizes();
  in.classes = &snapshot.classes();
  in.tree = &snapshot.dominators();
  in.distances = &snapshot.distances();
  return in;
}

}  // namespace leakscope
