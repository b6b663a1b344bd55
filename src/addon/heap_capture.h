// Takes a V8 heap snapshot of the calling isolate and reduces it, through the project's own
// snapshot reader and class index, to the compact id/class table a HeapDiff keeps. V8's snapshot
// is streamed into the reader (never serialized whole) and released as soon as it is read.
#pragma once

#include <v8.h>

#include "analysis/class_index.h"
#include "analysis/heap_diff.h"
#include "heap/heap_graph.h"

namespace leakscope::addon {

struct CaptureTimings {
  double snapshot_ms = 0;  // V8 taking the snapshot
  double read_ms = 0;      // serializing into the reader
  double classify_ms = 0;  // classes and sizes
  double retained_ms = 0;  // dominator tree and per-class retained sizes
};

struct HeapCapture {
  HeapGraph graph;
  ClassIndex classes;
  IdClassTable table;
};

// The full capture (the graph is needed at the end of a diff, for the retaining path).
// with_retained: also compute the per-class retained sizes (dominator tree; costs about as much
// as reading the snapshot).
HeapCapture capture_heap(v8::Isolate* isolate, bool with_retained,
                         CaptureTimings* timings = nullptr);

// Only the table: what a HeapDiff keeps between its two points in time.
IdClassTable capture_id_class_table(v8::Isolate* isolate, bool with_retained,
                                    CaptureTimings* timings = nullptr);

}  // namespace leakscope::addon
