#include "addon/agent.h"

#include <optional>
#include <utility>
#include <variant>

namespace leakscope::addon {

Agent::Agent(v8::Isolate* v8_isolate)
    : isolate(v8_isolate),
      // The trend is judged on the loop, after the stats record of the GC that added the point.
      events([this](const Event& delivered) -> std::optional<Event> {
        if (!std::holds_alternative<FullGcStats>(delivered)) return std::nullopt;
        if (auto verdict = leak.evaluate()) return Event(std::move(*verdict));
        return std::nullopt;
      }),
      gc(v8_isolate),
      full_gc(v8_isolate),
      near_limit(v8_isolate, events) {
  gc.on_full_gc = [this](const FullGcStats& s) {
    const double t_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    leak.add(t_s, s.timestamp_ms, static_cast<double>(s.base.current_base));
    events.push(s);
  };
  gc.install();
}

void Agent::shutdown() {
  events.close();
  gc.uninstall();
  full_gc.reset();
  near_limit.close();
}

namespace {

void on_env_cleanup(void* data) {
  static_cast<Agent*>(data)->shutdown();
}

}  // namespace

Napi::Value start_events(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  agent.events.open(env, info[0]);
  // Registered after the thread-safe function, so it runs before Node tears that down: from
  // then on no GC callback can touch it.
  napi_add_env_cleanup_hook(env, &on_env_cleanup, &agent);
  return env.Undefined();
}

}  // namespace leakscope::addon
