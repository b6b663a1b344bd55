// Takes a V8 heap snapshot of the calling isolate and reduces it, through the project's own
// snapshot reader and class index, to the compact id/class table a HeapDiff keeps. V8's snapshot
// is streamed into the reader (never serialized whole) and released as soon as it is read.
#pragma once

#include <v8.h>

#include "analysis/heap_diff.h"

namespace leakscope::addon {

struct CaptureTimings {
  double snapshot_ms = 0;  // V8 taking the snapshot
  double read_ms = 0;      // serializing into the reader
  double classify_ms = 0;  // classes and sizes
};

IdClassTable capture_id_class_table(v8::Isolate* isolate, CaptureTimings* timings = nullptr);

}  // namespace leakscope::addon
