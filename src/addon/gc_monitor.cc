#include "addon/gc_monitor.h"

#include <uv.h>

namespace leakscope::addon {

std::string_view gc_kind_label(int kind) {
  switch (kind) {
    case kGcMinor:
      return "minor";
    case kGcMinorMarkCompact:
      return "minor_mark_compact";
    case kGcMajor:
      return "major";
    case kGcIncremental:
      return "incremental";
    case kGcWeakCallbacks:
      return "weakcb";
    default:
      return "unknown";
  }
}

int gc_kind_of(v8::GCType type) {
  // Bit values differ between V8 versions (they were renumbered in V8 5.x), so compare with the
  // header's own constants rather than numbers.
  if (type & v8::kGCTypeMarkSweepCompact) return kGcMajor;
  if (type & v8::kGCTypeScavenge) return kGcMinor;
  if (type & v8::kGCTypeIncrementalMarking) return kGcIncremental;
  if (type & v8::kGCTypeProcessWeakCallbacks) return kGcWeakCallbacks;
  return kGcMinorMarkCompact;
}

GcMonitor::GcMonitor(v8::Isolate* isolate) : isolate_(isolate) {}

GcMonitor::~GcMonitor() {
  uninstall();
}

void GcMonitor::install() {
  if (installed_) return;
  isolate_->AddGCPrologueCallback(&GcMonitor::prologue, this, v8::kGCTypeAll);
  isolate_->AddGCEpilogueCallback(&GcMonitor::epilogue, this, v8::kGCTypeAll);
  installed_ = true;
}

void GcMonitor::uninstall() {
  if (!installed_) return;
  isolate_->RemoveGCPrologueCallback(&GcMonitor::prologue, this);
  isolate_->RemoveGCEpilogueCallback(&GcMonitor::epilogue, this);
  installed_ = false;
}

void GcMonitor::prologue(v8::Isolate*, v8::GCType type, v8::GCCallbackFlags, void* data) {
  auto* self = static_cast<GcMonitor*>(data);
  if (self->depth_++ > 0) {
    ++self->nested_gcs_;
    return;
  }
  self->outer_type_ = type;
  self->outer_start_ = std::chrono::steady_clock::now();
}

void GcMonitor::epilogue(v8::Isolate*, v8::GCType, v8::GCCallbackFlags flags, void* data) {
  auto* self = static_cast<GcMonitor*>(data);
  // An epilogue without its prologue happens when we are installed in the middle of a GC.
  if (self->depth_ == 0) return;
  if (--self->depth_ > 0) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - self->outer_start_).count();
  const int kind = gc_kind_of(self->outer_type_);
  GcKindStats& k = self->kinds_[kind];
  ++k.count;
  k.seconds += seconds;
  if (seconds > k.max_seconds) k.max_seconds = seconds;
  for (size_t i = 0; i < kGcBuckets.size(); ++i) {
    if (seconds <= kGcBuckets[i]) ++k.buckets[i];
  }
  if (kind == kGcMajor) {
    ++self->num_full_gc_;
    self->finish_full_gc(flags, seconds);
  } else {
    ++self->num_inc_gc_;
  }
}

void GcMonitor::finish_full_gc(v8::GCCallbackFlags flags, double seconds) {
  v8::HeapStatistics heap;
  isolate_->GetHeapStatistics(&heap);
  FullGcStats s;
  s.num_full_gc = num_full_gc_;
  s.num_inc_gc = num_inc_gc_;
  s.heap_compactions = num_full_gc_;
  s.base = baseline_.add(heap.used_heap_size());
  s.gc_flags = static_cast<uint32_t>(flags);
  s.gc_duration_ms = seconds * 1000.0;
  s.used_heap_size = heap.used_heap_size();
  s.total_heap_size = heap.total_heap_size();
  s.heap_size_limit = heap.heap_size_limit();
  s.external_memory = heap.external_memory();
  size_t rss = 0;
  if (uv_resident_set_memory(&rss) == 0) s.rss = rss;
  uv_timeval64_t now;
  if (uv_gettimeofday(&now) == 0) {
    s.timestamp_ms =
        static_cast<double>(now.tv_sec) * 1000.0 + static_cast<double>(now.tv_usec) / 1000.0;
  }
  last_ = s;
  if (on_full_gc) on_full_gc(last_);
}

}  // namespace leakscope::addon
