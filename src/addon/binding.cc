// The Node module: one Agent per isolate (agent.h) and the JS names of its methods. The methods
// live with their concern (gc_methods, leak_methods, snapshot_methods, agent's start); the test
// and benchmark hooks (internal_methods) go on `binding.internal`, which only lib/internal.js
// hands out.
#include <napi.h>
#include <v8.h>

#include "addon/agent.h"
#include "addon/gc_methods.h"
#include "addon/internal_methods.h"
#include "addon/leak_methods.h"
#include "addon/snapshot_methods.h"

namespace leakscope::addon {
namespace {

using Method = Napi::Value (*)(Agent&, const Napi::CallbackInfo&);

class Binding : public Napi::Addon<Binding> {
 public:
  Binding(Napi::Env env, Napi::Object exports) : agent_(v8::Isolate::GetCurrent()) {
    Napi::Object internal = Napi::Object::New(env);
    DefineProperties(internal,
                     {
                         InstanceMethod("setGcHooks", &Binding::call<set_gc_hooks>),
                         InstanceMethod("v8SnapshotBaseline", &Binding::call<v8_snapshot_baseline>),
                         InstanceMethod("checkSnapshotReader", &Binding::call<run_reader_check>),
                     });
    DefineAddon(exports,
                {
                    InstanceMethod("start", &Binding::call<start_events>),
                    InstanceMethod("gc", &Binding::call<run_gc>),
                    InstanceMethod("counters", &Binding::call<gc_counters>),
                    InstanceMethod("heapStatistics", &Binding::call<heap_statistics>),
                    InstanceMethod("writeSnapshot", &Binding::call<write_snapshot>),
                    InstanceMethod("snapshotFileName", &Binding::call<snapshot_file_name>),
                    InstanceMethod("setNearHeapLimit", &Binding::call<set_near_heap_limit>),
                    InstanceMethod("setLeakOptions", &Binding::call<set_leak_options>),
                    InstanceMethod("leakState", &Binding::call<leak_state>),
                    InstanceMethod("heapDiffCapture", &Binding::call<heap_diff_capture>),
                    InstanceMethod("heapDiffEnd", &Binding::call<heap_diff_end>),
                    InstanceValue("internal", internal, napi_enumerable),
                });
  }

 private:
  template <Method method>
  Napi::Value call(const Napi::CallbackInfo& info) {
    return method(agent_, info);
  }

  Agent agent_;
};

}  // namespace
}  // namespace leakscope::addon

using LeakscopeBinding = leakscope::addon::Binding;
NODE_API_ADDON(LeakscopeBinding)
