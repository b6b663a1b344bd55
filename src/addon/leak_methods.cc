#include "addon/leak_methods.h"

#include <cmath>
#include <string>

#include "addon/js_values.h"

namespace leakscope::addon {

namespace {

Napi::Object options_to_js(Napi::Env env, const LeakOptions& opt) {
  Napi::Object o = Napi::Object::New(env);
  for (const LeakOptionKey& key : kLeakOptionKeys) {
    const double v = key.real != nullptr ? opt.*key.real : static_cast<double>(opt.*key.count);
    o.Set(key.name, Napi::Number::New(env, v));
  }
  return o;
}

}  // namespace

Napi::Value set_leak_options(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsObject())
    throw Napi::TypeError::New(env, "setLeakOptions(options): options must be an object");
  Napi::Object o = info[0].As<Napi::Object>();
  LeakOptions opt = agent.leak.options();
  for (const LeakOptionKey& key : kLeakOptionKeys) {
    if (!o.Has(key.name)) continue;
    const double v = o.Get(key.name).ToNumber().DoubleValue();
    if (!std::isfinite(v) || v < 0)
      throw Napi::RangeError::New(env, std::string("leak.") + key.name + " must be a number >= 0");
    if (key.real != nullptr) {
      opt.*key.real = v;
    } else {
      opt.*key.count = static_cast<std::size_t>(v);
    }
  }
  if (opt.confidence <= 0 || opt.confidence >= 1)
    throw Napi::RangeError::New(env, "leak.confidence must be in (0, 1)");
  // lib/options.js says so first, naming the field; never silently raised.
  if (opt.min_points < 3) throw Napi::RangeError::New(env, "leak.minPoints must be at least 3");
  if (opt.max_samples < opt.min_points)
    throw Napi::RangeError::New(env, "leak.maxSamples must be at least leak.minPoints");
  agent.leak.set_options(opt);
  return leak_state(agent, info);
}

Napi::Value leak_state(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("detected", Napi::Boolean::New(env, agent.leak.leaking()));
  o.Set("rate_bytes_per_hour", Napi::Number::New(env, std::round(agent.leak.last_rate_per_hour())));
  o.Set("samples", Napi::Number::New(env, static_cast<double>(agent.leak.sample_count())));
  o.Set("last", trend_to_js(env, agent.leak.last_result()));
  o.Set("options", options_to_js(env, agent.leak.options()));
  return o;
}

}  // namespace leakscope::addon
