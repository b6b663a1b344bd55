#include "addon/gc_methods.h"

#include <string>

#include "addon/js_values.h"

namespace leakscope::addon {

Napi::Value run_gc(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint64_t before = agent.gc.num_full_gc();
  const std::string name =
      info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "gc";
  if (!agent.full_gc.run(name))
    throw Napi::Error::New(env,
                           "leakscope.gc(): cannot tell V8's gc extension function in its "
                           "context (none, or several unknown ones) to run a full GC");
  if (agent.gc.num_full_gc() == before)
    throw Napi::Error::New(env, "leakscope.gc(): V8 ran no full GC");
  return stats_to_js(env, agent.gc.last());
}

Napi::Value gc_counters(Agent& agent, const Napi::CallbackInfo& info) {
  return counters_to_js(info.Env(), agent.gc, agent.events.dropped());
}

Napi::Value heap_statistics(Agent& agent, const Napi::CallbackInfo& info) {
  v8::HeapStatistics heap;
  agent.isolate->GetHeapStatistics(&heap);
  return heap_statistics_to_js(info.Env(), heap);
}

}  // namespace leakscope::addon
