#include "addon/near_heap_limit.h"

#include <algorithm>
#include <utility>

#include "addon/snapshot_file.h"

namespace leakscope::addon {

void NearHeapLimit::set(int64_t count, std::string directory) {
  remaining_ = count;
  directory_ = std::move(directory);
  if (closed_) return;
  if (remaining_ > 0) {
    install();
  } else {
    uninstall();
  }
}

void NearHeapLimit::close() {
  closed_ = true;
  uninstall();
}

void NearHeapLimit::install() {
  if (installed_) return;
  isolate_->AddNearHeapLimitCallback(&NearHeapLimit::on_near_limit, this);
  installed_ = true;
}

void NearHeapLimit::uninstall() {
  if (!installed_) return;
  isolate_->RemoveNearHeapLimitCallback(&NearHeapLimit::on_near_limit, 0);
  installed_ = false;
}

size_t NearHeapLimit::on_near_limit(void* data, size_t current_limit, size_t initial_limit) {
  auto* self = static_cast<NearHeapLimit*>(data);
  if (self->remaining_ <= 0 || self->pending_ || self->closed_) return current_limit;
  --self->remaining_;
  self->pending_ = true;
  // Not here: a snapshot starts with a full GC, and a GC inside this callback, under the old
  // limit, is fatal. Raise the limit (room for the snapshot and a little more of the app, as
  // Node's --heapsnapshot-near-heap-limit does) and take it at the next interrupt check.
  self->isolate_->RequestInterrupt(&NearHeapLimit::on_interrupt, self);
  // V8 calls only the latest callback: step aside until the snapshot is written, so the one
  // underneath (a worker's graceful ERR_WORKER_OUT_OF_MEMORY) still works.
  self->uninstall();
  return current_limit + std::max(initial_limit / 2, size_t{32} << 20);
}

void NearHeapLimit::on_interrupt(v8::Isolate*, void* data) {
  auto* self = static_cast<NearHeapLimit*>(data);
  if (self->closed_) return;
  SnapshotNotice notice;
  notice.path = self->directory_ + "/" + heapdump_file_name();
  notice.trigger = "near-heap-limit";
  notice.write = write_heap_snapshot(self->isolate_, notice.path);
  self->events_.push(std::move(notice));
  self->pending_ = false;
  if (self->remaining_ > 0) self->install();
}

}  // namespace leakscope::addon
