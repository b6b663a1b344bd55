// Methods for the test suite and the benchmarks only, on the binding's `internal` object (lib/
// internal.js), never on the agent's public API: they switch off what the agent relies on or
// cost a full heap snapshot.
#pragma once

#include <napi.h>

#include "addon/agent.h"

namespace leakscope::addon {

// JS: setGcHooks(enabled). For the overhead benchmark (bench/agent-gc-hook-ab.js): the same
// process with and without the V8 callbacks, segment by segment. GCs while disabled are not
// counted.
Napi::Value set_gc_hooks(Agent& agent, const Napi::CallbackInfo& info);
// JS: v8SnapshotBaseline() -> {take_ms, release_ms}: V8 alone taking and deleting a heap
// snapshot, nothing read; bench/agent-heapdiff.js's yardstick for HeapDiff.
Napi::Value v8_snapshot_baseline(Agent& agent, const Napi::CallbackInfo& info);
// JS: checkSnapshotReader(publicApiOnly) -> the reader_check.h comparison of HeapDiff's
// in-memory reader with the file reader on one live snapshot (tests/js/agent-reader).
Napi::Value run_reader_check(Agent& agent, const Napi::CallbackInfo& info);

}  // namespace leakscope::addon
