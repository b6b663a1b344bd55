#include "addon/snapshot_methods.h"

#include <cstdint>
#include <exception>
#include <string>

#include "addon/heap_capture.h"
#include "addon/js_values.h"
#include "addon/snapshot_file.h"
#include "report/json_output.h"
#include "report/memwatch_heap_diff.h"

namespace leakscope::addon {

Napi::Value write_snapshot(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString())
    throw Napi::TypeError::New(env, "writeSnapshot(path): path must be a string");
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  return write_to_js(env, path, write_heap_snapshot(agent.isolate, path));
}

Napi::Value snapshot_file_name(Agent&, const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), heapdump_file_name());
}

Napi::Value set_near_heap_limit(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int64_t count = info[0].ToNumber().Int64Value();
  agent.near_limit.set(count, info.Length() > 1 && info[1].IsString()
                                  ? info[1].As<Napi::String>().Utf8Value()
                                  : std::string("."));
  return env.Undefined();
}

Napi::Value heap_diff_capture(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  PendingTable* table = nullptr;
  try {
    const bool with_retained = info.Length() > 0 && info[0].ToBoolean().Value();
    const bool memwatch = info.Length() > 1 && info[1].ToBoolean().Value();
    table = new PendingTable(
        capture_id_class_table(agent.isolate, with_retained && !memwatch,
                               memwatch ? DiffNaming::kMemwatch : DiffNaming::kDevTools));
  } catch (const std::exception& e) {
    throw Napi::Error::New(
        env, std::string("leakscope.HeapDiff: cannot read the heap snapshot: ") + e.what());
  }
  // What the table will hold (id, class, size per node), so GC heuristics see it; given back
  // in the finalizer.
  const auto bytes = static_cast<int64_t>(table->node_count() * 16);
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  Napi::Object o = Napi::Object::New(env);
  o.Set("table",
        Napi::External<PendingTable>::New(env, table, [bytes](Napi::Env fin_env, PendingTable* t) {
          delete t;
          Napi::MemoryManagement::AdjustExternalMemory(fin_env, -bytes);
        }));
  o.Set("nodes", Napi::Number::New(env, static_cast<double>(table->node_count())));
  return o;
}

Napi::Value heap_diff_end(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsExternal()) throw Napi::TypeError::New(env, "heapDiffEnd(before)");
  PendingTable* before = info[0].As<Napi::External<PendingTable>>().Data();
  CaptureTimings timings;
  std::string json;
  try {
    const CapturedDiff captured = capture_and_compare(agent.isolate, *before, &timings);
    json = report::json_text(report::memwatch_heap_diff_json(captured.diff, &captured.top));
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("leakscope.HeapDiff: ") + e.what());
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("json", Napi::String::New(env, json));
  o.Set("before_timing", timings_to_js(env, before->timings()));
  o.Set("timing", timings_to_js(env, timings));
  o.Set("table_bytes", Napi::Number::New(env, static_cast<double>(before->get().memory_bytes())));
  return o;
}

}  // namespace leakscope::addon
