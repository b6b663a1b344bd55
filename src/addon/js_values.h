// The engine's plain structs as the JS objects lib/ receives. Field names are the public ones
// (lib/index.d.ts); keeping every conversion here keeps the methods and the event channel free
// of spelling.
#pragma once

#include <string>

#include <napi.h>
#include <v8.h>

#include "addon/gc_monitor.h"
#include "addon/heap_capture.h"
#include "addon/leak_watch.h"
#include "addon/reader_check.h"
#include "addon/snapshot_file.h"
#include "series/trend.h"

namespace leakscope::addon {

Napi::Object stats_to_js(Napi::Env env, const FullGcStats& stats);
Napi::Object counters_to_js(Napi::Env env, const GcMonitor& gc, uint64_t dropped_events);
// By value: V8's getters are not const.
Napi::Object heap_statistics_to_js(Napi::Env env, v8::HeapStatistics heap);
// {path, bytes, nodes, duration_ms}, plus {errno, syscall, message} when the write failed.
Napi::Object write_to_js(Napi::Env env, const std::string& path, const SnapshotWriteResult& write);
Napi::Object leak_to_js(Napi::Env env, const LeakEvent& leak);
// The detector's latest answer, with the shared rule's explanation.
Napi::Object trend_to_js(Napi::Env env, const series::TrendResult& result);
Napi::Object timings_to_js(Napi::Env env, const CaptureTimings& timings);
Napi::Object reader_check_to_js(Napi::Env env, const ReaderCheck& check);

}  // namespace leakscope::addon
