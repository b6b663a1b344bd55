// The GC face of the binding: one full GC on request, the per-kind GC counters and V8's heap
// statistics (what lib/metrics.js and the snapshot budget read).
#pragma once

#include <napi.h>

#include "addon/agent.h"

namespace leakscope::addon {

// JS: gc([gc_function_name]) -> the stats of the one full GC it ran (full_gc.h: never through
// the --expose-gc flag).
Napi::Value run_gc(Agent& agent, const Napi::CallbackInfo& info);
// JS: counters() -> {buckets, kinds, num_full_gc, num_inc_gc, nested_gcs, dropped_events, last?}.
Napi::Value gc_counters(Agent& agent, const Napi::CallbackInfo& info);
// JS: heapStatistics() -> V8's figures now, without a GC.
Napi::Value heap_statistics(Agent& agent, const Napi::CallbackInfo& info);

}  // namespace leakscope::addon
