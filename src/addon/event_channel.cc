#include "addon/event_channel.h"

#include <type_traits>
#include <utility>

#include "addon/js_values.h"

namespace leakscope::addon {

namespace {

struct KindAndPayload {
  const char* kind;
  Napi::Value payload;
};

KindAndPayload to_js(Napi::Env env, const Event& event) {
  return std::visit(
      [&](const auto& e) -> KindAndPayload {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, FullGcStats>) {
          return {"stats", stats_to_js(env, e)};
        } else if constexpr (std::is_same_v<T, LeakEvent>) {
          return {"leak", leak_to_js(env, e)};
        } else {
          Napi::Object o = write_to_js(env, e.path, e.write);
          o.Set("trigger", Napi::String::New(env, e.trigger));
          return {e.write.error == 0 ? "snapshot" : "snapshot-error", o};
        }
      },
      event);
}

// The C API, not Napi::Function::Call: during teardown calls into JS fail, and a C++ exception
// must not escape this C callback. Returns false when the sink could not be called.
bool deliver(napi_env raw_env, napi_value js_sink, const Event& event) {
  Napi::Env env(raw_env);
  Napi::HandleScope scope(env);
  const KindAndPayload js = to_js(env, event);
  napi_value args[2] = {Napi::String::New(env, js.kind), js.payload};
  napi_value ignored;
  // On a throwing listener the exception stays pending and Node reports it as uncaught.
  return napi_call_function(raw_env, env.Undefined(), js_sink, 2, args, &ignored) == napi_ok;
}

}  // namespace

void EventChannel::open(Napi::Env env, Napi::Value sink) {
  if (tsfn_ != nullptr) throw Napi::Error::New(env, "leakscope: binding already started");
  if (!sink.IsFunction()) throw Napi::TypeError::New(env, "start(sink): sink must be a function");
  napi_value name = Napi::String::New(env, "leakscope:events");
  const napi_status st = napi_create_threadsafe_function(
      env, sink, nullptr, name, 0, 1, nullptr, nullptr, this, &EventChannel::call_js, &tsfn_);
  if (st != napi_ok) throw Napi::Error::New(env, "leakscope: cannot create the event channel");
  // The agent must never keep a process (or worker) alive by itself.
  napi_unref_threadsafe_function(env, tsfn_);
  if (!events_.empty()) notify();
}

void EventChannel::push(Event event) {
  if (closed_) return;
  if (events_.size() >= kMaxQueued) {
    events_.pop_front();
    ++dropped_;
  }
  events_.push_back(std::move(event));
  notify();
}

void EventChannel::close() {
  closed_ = true;
  events_.clear();
}

// One wake-up per batch, however many records the GCs queue before the loop gets to it.
void EventChannel::notify() {
  if (tsfn_ == nullptr || notify_queued_ || closed_) return;
  if (napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking) == napi_ok) {
    notify_queued_ = true;
  }
}

void EventChannel::call_js(napi_env raw_env, napi_value js_sink, void* context, void*) {
  auto* self = static_cast<EventChannel*>(context);
  if (raw_env == nullptr || js_sink == nullptr || self->closed_) return;
  self->notify_queued_ = false;
  std::deque<Event> batch;
  batch.swap(self->events_);
  try {
    for (const Event& e : batch) {
      if (!deliver(raw_env, js_sink, e)) break;
      if (auto next = self->follow_up_(e)) {
        if (!deliver(raw_env, js_sink, *next)) break;
      }
    }
  } catch (const Napi::Error&) {
    // The environment is going away; the events are of no use to anyone now.
  }
}

}  // namespace leakscope::addon
