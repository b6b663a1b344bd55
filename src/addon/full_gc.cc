#include "addon/full_gc.h"

namespace leakscope::addon {
namespace {

// V8's own name for the extension (src/extensions/gc-extension.h).
constexpr const char* kGcExtension = "v8/gc";

v8::Local<v8::Context> new_context(v8::Isolate* isolate) {
  const char* names[] = {kGcExtension};
  v8::ExtensionConfiguration extensions(1, names);
  return v8::Context::New(isolate, &extensions);
}

}  // namespace

v8::Local<v8::Function> FullGc::function(const std::string& name) {
  if (!function_.IsEmpty()) return function_.Get(isolate_);
  v8::Local<v8::Context> context = new_context(isolate_);
  v8::Local<v8::String> key;
  v8::Local<v8::Value> value;
  if (context.IsEmpty() ||
      !v8::String::NewFromUtf8(isolate_, name.data(), v8::NewStringType::kNormal,
                               static_cast<int>(name.size()))
           .ToLocal(&key) ||
      !context->Global()->Get(context, key).ToLocal(&value) || !value->IsFunction()) {
    return {};
  }
  context_.Reset(isolate_, context);
  function_.Reset(isolate_, value.As<v8::Function>());
  return value.As<v8::Function>();
}

bool FullGc::run(const std::string& name) {
  v8::HandleScope scope(isolate_);
  v8::TryCatch try_catch(isolate_);
  v8::Local<v8::Function> fn = function(name);
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
