// The two halves of a live HeapDiff. Each takes a V8 heap snapshot of the calling isolate, reads
// it into the project's HeapGraph (v8_snapshot_graph.h), and classes and sizes it with the same
// engine the CLI runs. V8's snapshot is released before either returns.
//
// The CPU-bound analysis (classes, sizes, dominators) runs on a worker thread while the isolate's
// thread does what only it may do: release V8's snapshot or take the next one.
#pragma once

#include <future>
#include <memory>
#include <optional>

#include <v8.h>

#include "analysis/heap_diff.h"

namespace leakscope::addon {

// Whose class names and sizes the diff uses. kMemwatch (the drop-in `leakscope/memwatch`):
// memwatch_classes.h names, V8's own self sizes (memwatch did not re-attribute internal arrays),
// no retained sizes and no retaining path, which memwatch did not report.
enum class DiffNaming { kDevTools, kMemwatch };

struct CaptureTimings {
  double snapshot_ms = 0;  // V8 taking the snapshot
  double read_ms = 0;      // reading V8's graph into ours
  double release_ms = 0;   // V8 deleting its snapshot
  double analyze_ms = 0;   // classes, sizes, dominators (worker thread)
  double retained_ms = 0;  // of which the dominator tree and per-class retained sizes
  double compare_ms = 0;   // distances, the diff and the top growing class's retaining path
                           // (the distances beside analyze_ms, on the isolate thread)
};

// The constructor's half: what a HeapDiff keeps between its two points in time. The table is
// finished on a worker thread after V8's snapshot is released, so the constructor need not wait
// for it; end() does (normally long after it is done).
class PendingTable {
 public:
  // Waits for the table; rethrows what the worker threw.
  const IdClassTable& get();
  const CaptureTimings& timings() const { return *timings_; }  // complete after get()
  uint64_t node_count() const { return node_count_; }
  DiffNaming naming() const { return naming_; }

 private:
  friend PendingTable capture_id_class_table(v8::Isolate*, bool, DiffNaming);
  DiffNaming naming_ = DiffNaming::kDevTools;
  std::unique_ptr<CaptureTimings> timings_ = std::make_unique<CaptureTimings>();  // the worker's
  uint64_t node_count_ = 0;
  std::future<IdClassTable> future_;
  std::optional<IdClassTable> table_;
};

// with_retained: also the per-class retained sizes (one dominator tree per snapshot).
PendingTable capture_id_class_table(v8::Isolate* isolate, bool with_retained,
                                    DiffNaming naming = DiffNaming::kDevTools);

struct CapturedDiff {
  HeapDiff diff;
  TopGrowth top;
};

// end()'s half: the second snapshot compared with `before` (with its naming), and the path to
// the class that grew (not with DiffNaming::kMemwatch).
CapturedDiff capture_and_compare(v8::Isolate* isolate, PendingTable& before,
                                 CaptureTimings* timings = nullptr);

}  // namespace leakscope::addon
