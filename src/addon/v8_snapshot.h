// One V8 heap snapshot of the calling isolate, from TakeHeapSnapshot until release(), which
// also runs on every early exit. Released with DeleteAllHeapSnapshots, not HeapSnapshot::Delete:
// only the former frees the profiler's string storage, which can be most of the snapshot's memory.
#pragma once

#include <v8-profiler.h>

namespace leakscope::addon {

class V8Snapshot {
 public:
  // Throws std::runtime_error when V8 cannot take one. take_ms: the time V8 took, if wanted.
  explicit V8Snapshot(v8::Isolate* isolate, double* take_ms = nullptr);
  ~V8Snapshot() { release(); }
  V8Snapshot(const V8Snapshot&) = delete;
  V8Snapshot& operator=(const V8Snapshot&) = delete;

  const v8::HeapSnapshot& get() const { return *snapshot_; }
  // Deletes it (once); release_ms: the time V8 took, if wanted.
  void release(double* release_ms = nullptr);

 private:
  v8::HeapProfiler* profiler_;
  const v8::HeapSnapshot* snapshot_ = nullptr;
};

}  // namespace leakscope::addon
