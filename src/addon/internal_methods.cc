#include "addon/internal_methods.h"

#include <exception>
#include <string>

#include "addon/js_values.h"
#include "addon/reader_check.h"
#include "addon/v8_snapshot.h"

namespace leakscope::addon {

Napi::Value set_gc_hooks(Agent& agent, const Napi::CallbackInfo& info) {
  if (info[0].ToBoolean().Value()) {
    agent.gc.install();
  } else {
    agent.gc.uninstall();
  }
  return info.Env().Undefined();
}

Napi::Value v8_snapshot_baseline(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double take_ms = 0;
  double release_ms = 0;
  try {
    v8::HandleScope scope(agent.isolate);
    V8Snapshot snapshot(agent.isolate, &take_ms);
    snapshot.release(&release_ms);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("leakscope: ") + e.what());
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("take_ms", Napi::Number::New(env, take_ms));
  o.Set("release_ms", Napi::Number::New(env, release_ms));
  return o;
}

Napi::Value run_reader_check(Agent& agent, const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ReaderCheck check;
  try {
    check = check_snapshot_reader(agent.isolate, info.Length() > 0 && info[0].ToBoolean().Value());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, std::string("leakscope: ") + e.what());
  }
  return reader_check_to_js(env, check);
}

}  // namespace leakscope::addon
