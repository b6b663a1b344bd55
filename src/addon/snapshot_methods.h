// The snapshot face of the binding: heap snapshots to files (on request and near the heap limit),
// their default name, and the two halves of a live HeapDiff.
#pragma once

#include <napi.h>

#include "addon/agent.h"

namespace leakscope::addon {

// JS: writeSnapshot(path) -> {path, bytes, nodes, duration_ms[, errno, syscall, message]}.
Napi::Value write_snapshot(Agent& agent, const Napi::CallbackInfo& info);
// JS: snapshotFileName() -> heapdump-<sec>.<usec>.heapsnapshot for now (snapshot_file.h).
Napi::Value snapshot_file_name(Agent& agent, const Napi::CallbackInfo& info);
// JS: setNearHeapLimit(count, directory): up to `count` snapshots near the heap limit
// (near_heap_limit.h).
Napi::Value set_near_heap_limit(Agent& agent, const Napi::CallbackInfo& info);
// JS: heapDiffCapture(retained, memwatch_names) -> {table: opaque handle on the first snapshot's
// id/class table (finished on a worker thread), nodes}.
Napi::Value heap_diff_capture(Agent& agent, const Napi::CallbackInfo& info);
// JS: heapDiffEnd(before.table) -> {json, before_timing, timing, table_bytes}: takes the second
// snapshot, compares, and finds the top growing class's retaining path.
Napi::Value heap_diff_end(Agent& agent, const Napi::CallbackInfo& info);

}  // namespace leakscope::addon
