#include "addon/full_gc.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

namespace leakscope::addon {
namespace {

// V8's own name for the extension (src/extensions/gc-extension.h).
constexpr const char* kGcExtension = "v8/gc";

// The functions V8's other extensions put in every new context when their flags are on
// (--expose-externalize-string, --expose-statistics, --expose-trigger-failure,
// --expose-ignition-statistics, --expose-cputracemark-as's default name): never the gc function.
// (The externalize-string extension also declares a helper `x`.)
constexpr std::array<std::string_view, 10> kOtherExtensionFunctions = {
    "externalizeString",
    "createExternalizableString",
    "isOneByteString",
    "x",
    "getV8Statistics",
    "triggerCheckFalse",
    "triggerAssertFalse",
    "triggerSlowAssertFalse",
    "getIgnitionDispatchCounters",
    "cputracemark"};

v8::Local<v8::Context> new_context(v8::Isolate* isolate) {
  const char* names[] = {kGcExtension};
  v8::ExtensionConfiguration extensions(1, names);
  return v8::Context::New(isolate, &extensions);
}

struct Candidate {
  std::string name;
  v8::Local<v8::Function> function;
};

// The enumerable own functions of a fresh context's global: V8's builtins are not enumerable, so
// these are the extensions' functions (`native function NAME();` declares an enumerable global).
std::vector<Candidate> extension_functions(v8::Isolate* isolate, v8::Local<v8::Context> context) {
  std::vector<Candidate> out;
  v8::Context::Scope context_scope(context);
  v8::Local<v8::Object> global = context->Global();
  v8::Local<v8::Array> keys;
  if (!global
           ->GetOwnPropertyNames(
               context, static_cast<v8::PropertyFilter>(v8::ONLY_ENUMERABLE | v8::SKIP_SYMBOLS),
               v8::KeyConversionMode::kConvertToString)
           .ToLocal(&keys)) {
    return out;
  }
  for (uint32_t i = 0; i < keys->Length(); ++i) {
    v8::Local<v8::Value> key;
    v8::Local<v8::Value> value;
    if (!keys->Get(context, i).ToLocal(&key) || !key->IsString() ||
        !global->Get(context, key).ToLocal(&value) || !value->IsFunction()) {
      continue;
    }
    v8::String::Utf8Value utf8(isolate, key);
    if (*utf8 == nullptr) continue;
    out.push_back(
        {std::string(*utf8, static_cast<std::size_t>(utf8.length())), value.As<v8::Function>()});
  }
  return out;
}

}  // namespace

v8::Local<v8::Function> FullGc::function(const std::string& hint) {
  if (!function_.IsEmpty()) return function_.Get(isolate_);
  v8::Local<v8::Context> context = new_context(isolate_);
  if (context.IsEmpty()) return {};
  std::vector<Candidate> candidates = extension_functions(isolate_, context);
  auto named = [&](std::string_view name) {
    return std::find_if(candidates.begin(), candidates.end(),
                        [&](const Candidate& c) { return c.name == name; });
  };
  // 1. The other extensions' functions are never it.
  std::erase_if(candidates, [](const Candidate& c) {
    return std::find(kOtherExtensionFunctions.begin(), kOtherExtensionFunctions.end(), c.name) !=
           kOtherExtensionFunctions.end();
  });
  // 2. One left: V8's gc function, whatever --expose-gc-as named it. Several (another
  //    extension renamed, e.g. --expose-cputracemark-as): the hint, then V8's default "gc".
  //    Never a guess: a wrong extension function could abort the process.
  auto pick = candidates.end();
  if (candidates.size() == 1) {
    pick = candidates.begin();
  } else if (!hint.empty() && named(hint) != candidates.end()) {
    pick = named(hint);
  } else {
    pick = named("gc");
  }
  if (pick == candidates.end()) return {};
  context_.Reset(isolate_, context);
  function_.Reset(isolate_, pick->function);
  return pick->function;
}

bool FullGc::run(const std::string& hint) {
  v8::HandleScope scope(isolate_);
  v8::TryCatch try_catch(isolate_);
  v8::Local<v8::Function> fn = function(hint);
  if (fn.IsEmpty()) return false;
  v8::Local<v8::Context> context = context_.Get(isolate_);
  v8::Context::Scope context_scope(context);
  // No arguments: a synchronous full GC (V8's InvokeGC with kFullGarbageCollection).
  return !fn->Call(context, context->Global(), 0, nullptr).IsEmpty();
}

void FullGc::reset() {
  function_.Reset();
  context_.Reset();
}

}  // namespace leakscope::addon
