// What one isolate's binding holds (Node-API instance data, so the addon loads in the main
// thread, in workers, or both, and each isolate sees only its own GCs and events), and how the
// parts are wired: each full GC feeds the leak series and queues a stats record; the leak verdict
// follows that record on the loop. The JS methods (gc_methods.h, leak_methods.h,
// snapshot_methods.h, internal_methods.h) work on it.
#pragma once

#include <chrono>

#include <napi.h>
#include <v8.h>

#include "addon/event_channel.h"
#include "addon/full_gc.h"
#include "addon/gc_monitor.h"
#include "addon/leak_watch.h"
#include "addon/near_heap_limit.h"

namespace leakscope::addon {

struct Agent {
  explicit Agent(v8::Isolate* isolate);
  ~Agent() { shutdown(); }
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Before the environment goes: no V8 callback may touch JS or this object afterwards.
  void shutdown();

  v8::Isolate* const isolate;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  LeakWatch leak;
  EventChannel events;
  GcMonitor gc;
  FullGc full_gc;
  NearHeapLimit near_limit;
};

// JS: start(sink). sink(kind, payload) receives every event on this isolate's loop.
Napi::Value start_events(Agent& agent, const Napi::CallbackInfo& info);

}  // namespace leakscope::addon
