#include "addon/v8_snapshot.h"

#include <chrono>
#include <stdexcept>

#include <v8.h>

namespace leakscope::addon {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

}  // namespace

V8Snapshot::V8Snapshot(v8::Isolate* isolate, double* take_ms)
    : profiler_(isolate->GetHeapProfiler()) {
  const auto start = Clock::now();
  snapshot_ = profiler_->TakeHeapSnapshot();
  if (take_ms != nullptr) *take_ms = ms_since(start);
  if (snapshot_ == nullptr) throw std::runtime_error("V8 could not take a heap snapshot");
}

void V8Snapshot::release(double* release_ms) {
  if (snapshot_ == nullptr) return;
  const auto start = Clock::now();
  snapshot_ = nullptr;
  profiler_->DeleteAllHeapSnapshots();
  if (release_ms != nullptr) *release_ms = ms_since(start);
}

}  // namespace leakscope::addon
