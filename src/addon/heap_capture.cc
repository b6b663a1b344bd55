#include "addon/heap_capture.h"

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "addon/v8_snapshot.h"
#include "addon/v8_snapshot_graph.h"
#include "analysis/analyzed_snapshot.h"

namespace leakscope::addon {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// V8 frees its snapshot as millions of small blocks, which glibc keeps: without a trim the
// process would stay at its snapshot-time RSS (often several times the heap) after every
// HeapDiff. A trim takes 0.1-0.2 s on a 2M-node snapshot and its madvise calls slow down every
// thread touching memory meanwhile (the comparison beside one took 85 ms instead of 1 ms), so it
// runs on its own thread after a delay, and a HeapDiff starting meanwhile cancels it.
class MemoryTrim {
 public:
  ~MemoryTrim() { cancel(); }  // at exit: never wait out a delay

  void schedule(std::chrono::milliseconds delay) {
    const std::lock_guard<std::mutex> control(control_);
    cancel_locked();
    const std::lock_guard<std::mutex> lock(mutex_);
    cancelled_ = false;
    job_ = std::async(std::launch::async, [this, delay] {
      std::unique_lock<std::mutex> wait_lock(mutex_);
      if (wake_.wait_for(wait_lock, delay, [this] { return cancelled_; })) return;
      wait_lock.unlock();
#ifdef __GLIBC__
      malloc_trim(0);
#endif
    });
  }

  // Cancels a trim that has not started, and waits for one that has.
  void cancel() {
    const std::lock_guard<std::mutex> control(control_);
    cancel_locked();
  }

 private:
  void cancel_locked() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      cancelled_ = true;
    }
    wake_.notify_all();
    if (job_.valid()) job_.wait();
  }

  std::mutex control_;  // one schedule() or cancel() at a time (isolates in several threads)
  std::mutex mutex_;    // cancelled_, with wake_
  std::condition_variable wake_;
  bool cancelled_ = false;
  std::future<void> job_;
};

MemoryTrim& memory_trim() {
  static MemoryTrim trim;
  return trim;
}

V8GraphRead read(v8::Isolate* isolate, const V8Snapshot& snapshot, bool edge_names,
                 CaptureTimings& t) {
  const auto start = Clock::now();
  V8ReadOptions options;
  options.edge_names = edge_names;
  // A way around the record reader, should a Node version ever fool its checks.
  options.read_records = std::getenv("LEAKSCOPE_V8_PUBLIC_API_ONLY") == nullptr;
  V8GraphRead r = read_v8_snapshot(isolate, snapshot.get(), options);
  t.read_ms = ms_since(start);
  return r;
}

// Plain objects are classed by constructor name, not by inferred property sets: the two snapshots
// of a diff must use one naming, and the first one cannot know the second's.
AnalysisOptions diff_analysis_options(DiffNaming naming, bool with_retained) {
  AnalysisOptions options;
  if (naming == DiffNaming::kMemwatch) {
    options.naming = ClassNaming::kMemwatch;
    return options;
  }
  options.definitions.emplace();
  options.retention.dominators = with_retained;
  options.retention.distances = false;
  options.retention.dominated_children = true;
  return options;
}

// Classes, sizes and optionally per-class retained sizes, as an id/class table. Only reads the
// graph, so it can run while the isolate thread releases V8's snapshot or computes the path's
// distances. memwatch's sizes are V8's own; the dominator tree is freed as soon as the class
// sizes are taken.
IdClassTable make_table(AnalyzedSnapshot& snapshot, bool with_retained, DiffNaming naming,
                        CaptureTimings& t) {
  const auto start = Clock::now();
  const HeapGraph& graph = snapshot.graph();
  if (naming == DiffNaming::kMemwatch) {
    const auto& sizes = graph.node_self_size;
    IdClassTable table =
        make_id_class_table(graph, snapshot.classes(), {sizes.data(), sizes.size()});
    t.analyze_ms = ms_since(start);
    return table;
  }
  snapshot.classes();
  const auto& sizes = snapshot.self_sizes();
  std::vector<uint64_t> class_retained;
  if (with_retained) {
    const auto retained_start = Clock::now();
    class_retained = snapshot.class_retained_sizes();
    snapshot.release_retention();
    t.retained_ms = ms_since(retained_start);
  }
  IdClassTable table =
      make_id_class_table(graph, snapshot.classes(), {sizes.data(), sizes.size()}, class_retained);
  t.analyze_ms = ms_since(start);
  snapshot.release_self_sizes();
  return table;
}

}  // namespace

const IdClassTable& PendingTable::get() {
  if (!table_) table_.emplace(future_.get());
  return *table_;
}

PendingTable capture_id_class_table(v8::Isolate* isolate, bool with_retained, DiffNaming naming) {
  memory_trim().cancel();
  PendingTable pending;
  pending.naming_ = naming;
  CaptureTimings& t = *pending.timings_;
  v8::HandleScope scope(isolate);
  V8Snapshot snapshot(isolate, &t.snapshot_ms);
  // No path is looked for in the first snapshot, so its edge names are never read.
  auto analyzed = std::make_unique<AnalyzedSnapshot>(read(isolate, snapshot, false, t).graph,
                                                     diff_analysis_options(naming, with_retained));
  pending.node_count_ = analyzed->graph().node_count();
  // The worker owns the snapshot and frees it as soon as the table is made.
  pending.future_ = std::async(std::launch::async,
                               [a = std::move(analyzed), with_retained, naming, &t]() mutable {
                                 const std::unique_ptr<AnalyzedSnapshot> own = std::move(a);
                                 return make_table(*own, with_retained, naming, t);
                               });
  snapshot.release(&t.release_ms);
  memory_trim().schedule(std::chrono::seconds(1));
  return pending;
}

CapturedDiff capture_and_compare(v8::Isolate* isolate, PendingTable& before,
                                 CaptureTimings* timings) {
  CaptureTimings local;
  CaptureTimings& t = timings != nullptr ? *timings : local;
  memory_trim().cancel();
  v8::HandleScope scope(isolate);
  V8Snapshot snapshot(isolate, &t.snapshot_ms);
  // memwatch's diff has no path, so its edge names are never read.
  V8GraphRead r = read(isolate, snapshot, before.naming() != DiffNaming::kMemwatch, t);
  const bool with_retained = before.get().has_retained;
  const DiffNaming naming = before.naming();
  AnalyzedSnapshot analyzed(std::move(r.graph), diff_analysis_options(naming, with_retained));
  const HeapGraph& graph = analyzed.graph();
  // On an exception the future's destructor waits for the worker before `analyzed` goes away.
  auto table = std::async(std::launch::async, [&analyzed, with_retained, naming, &t] {
    return make_table(analyzed, with_retained, naming, t);
  });
  if (naming == DiffNaming::kMemwatch) {
    snapshot.release(&t.release_ms);
    const auto start = Clock::now();
    CapturedDiff out;
    out.diff = diff_heaps(before.get(), table.get());
    t.compare_ms = ms_since(start);
    memory_trim().schedule(std::chrono::milliseconds(0));
    return out;
  }
  // With every edge name read, V8's snapshot is not needed any more; else it is kept for the
  // path's edge names (below). The path's distances are computed here meanwhile.
  if (r.all_edge_names) snapshot.release(&t.release_ms);
  const auto start = Clock::now();
  const Distances distances = path_distances(graph);
  const IdClassTable after = table.get();

  CapturedDiff out;
  out.diff = diff_heaps(before.get(), after);
  out.top = top_growth(out.diff, before.get(), after, graph, analyzed.classes(), distances);
  if (!r.all_edge_names) {
    // The path's own edge names were not read with the graph; V8's snapshot still has them.
    for (RetainerStep& step : out.top.path) {
      if (step.edge_ordinal != UINT64_MAX)
        step.edge = fetch_edge_name(isolate, snapshot.get(), graph, step.edge_ordinal).text;
    }
  }
  t.compare_ms = ms_since(start);
  snapshot.release(&t.release_ms);
  memory_trim().schedule(std::chrono::milliseconds(0));
  return out;
}

}  // namespace leakscope::addon
