#include "analysis/analyzed_snapshot.h"

#include <utility>

#include "analysis/class_retained.h"
#include "analysis/memwatch_classes.h"
#include "analysis/shallow_sizes.h"
#include "heap/stopwatch.h"

namespace leakscope {

AnalyzedSnapshot::AnalyzedSnapshot(HeapGraph graph, AnalysisOptions options)
    : graph_(std::move(graph)), options_(std::move(options)) {}

const std::vector<InterfaceDefinition>& AnalyzedSnapshot::interface_definitions() {
  const std::lock_guard<std::mutex> lock(definitions_mutex_);
  if (!definitions_) {
    definitions_ =
        options_.definitions ? *options_.definitions : infer_interface_definitions(graph_);
  }
  return *definitions_;
}

const ClassIndex& AnalyzedSnapshot::classes() {
  const std::lock_guard<std::mutex> lock(classes_mutex_);
  if (!classes_) {
    const auto start = StageClock::now();
    classes_ = std::make_unique<ClassIndex>(options_.naming == ClassNaming::kMemwatch
                                                ? classify_nodes_as_memwatch(graph_)
                                                : classify_nodes(graph_, &interface_definitions()));
    times_.classes = seconds_since(start);
  }
  return *classes_;
}

const BigVector<uint64_t>& AnalyzedSnapshot::self_sizes() {
  const std::lock_guard<std::mutex> lock(sizes_mutex_);
  if (sizes_view_ == nullptr) {
    const auto start = StageClock::now();
    if (options_.sizes_in_place) {
      attribute_shallow_sizes_in_place(graph_);
      sizes_view_ = &graph_.node_self_size;
    } else {
      sizes_ = std::make_unique<BigVector<uint64_t>>(attribute_shallow_sizes(graph_));
      sizes_view_ = sizes_.get();
    }
    times_.attribution = seconds_since(start);
  }
  return *sizes_view_;
}

const RetentionAnalysis& AnalyzedSnapshot::retention() {
  const std::lock_guard<std::mutex> lock(retention_mutex_);
  if (!retention_) {
    retention_ = std::make_unique<RetentionAnalysis>(
        analyze_retention(graph_, self_sizes(), options_.retention));
    times_.retention = retention_->times;
  }
  return *retention_;
}

void AnalyzedSnapshot::release_retention() {
  const std::lock_guard<std::mutex> lock(retention_mutex_);
  retention_.reset();
}

void AnalyzedSnapshot::release_self_sizes() {
  const std::lock_guard<std::mutex> lock(sizes_mutex_);
  if (options_.sizes_in_place) return;
  sizes_.reset();
  sizes_view_ = nullptr;
}

const Retainers& AnalyzedSnapshot::retainers() {
  const std::lock_guard<std::mutex> lock(retainers_mutex_);
  if (!retainers_) retainers_ = std::make_unique<Retainers>(graph_);
  return *retainers_;
}

const std::vector<uint64_t>& AnalyzedSnapshot::class_retained_sizes() {
  const std::lock_guard<std::mutex> lock(class_retained_mutex_);
  if (!class_retained_) {
    const ClassIndex& c = classes();
    class_retained_ = std::make_unique<std::vector<uint64_t>>(leakscope::class_retained_sizes(
        dominators(), c.node_class, static_cast<uint32_t>(c.classes.size()), self_sizes(),
        graph_.root));
  }
  return *class_retained_;
}

}  // namespace leakscope
