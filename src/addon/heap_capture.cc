#include "addon/heap_capture.h"

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string_view>

#include <v8-profiler.h>

#include "analysis/class_index.h"
#include "analysis/shallow_sizes.h"
#include "heap/snapshot_reader.h"

namespace leakscope::addon {
namespace {

class ReaderStream final : public v8::OutputStream {
 public:
  explicit ReaderStream(SnapshotStreamReader& reader) : reader_(reader) {}
  int GetChunkSize() override { return 1 << 20; }
  void EndOfStream() override {}
  WriteResult WriteAsciiChunk(char* data, int size) override {
    try {
      reader_.push(std::string_view(data, static_cast<size_t>(size)));
    } catch (...) {
      error_ = std::current_exception();
      return kAbort;
    }
    return kContinue;
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  SnapshotStreamReader& reader_;
  std::exception_ptr error_;
};

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

IdClassTable capture_id_class_table(v8::Isolate* isolate, CaptureTimings* timings) {
  CaptureTimings local;
  CaptureTimings& t = timings != nullptr ? *timings : local;
  v8::HandleScope scope(isolate);
  v8::HeapProfiler* profiler = isolate->GetHeapProfiler();
  auto start = std::chrono::steady_clock::now();
  const v8::HeapSnapshot* snapshot = profiler->TakeHeapSnapshot();
  t.snapshot_ms = ms_since(start);
  if (snapshot == nullptr) throw std::runtime_error("V8 could not take a heap snapshot");
  start = std::chrono::steady_clock::now();
  HeapGraph graph;
  {
    SnapshotStreamReader reader("<live heap>");
    ReaderStream stream(reader);
    snapshot->Serialize(&stream, v8::HeapSnapshot::kJSON);
    // Release V8's copy (often many times the heap) before building anything of ours; this also
    // frees the profiler's string storage, which deleting one snapshot leaves behind.
    profiler->DeleteAllHeapSnapshots();
    stream.rethrow();
    graph = reader.finish();
  }
  t.read_ms = ms_since(start);
  start = std::chrono::steady_clock::now();
  // Plain objects are classed by constructor name, not by inferred property sets: the two
  // snapshots of a diff must use one naming, and the first one cannot know the second's.
  const std::vector<InterfaceDefinition> no_definitions;
  const ClassIndex classes = classify_nodes(graph, &no_definitions);
  const BigVector<uint64_t> sizes = attribute_shallow_sizes(graph);
  IdClassTable table = make_id_class_table(graph, classes, sizes);
  t.classify_ms = ms_since(start);
  return table;
}

}  // namespace leakscope::addon
