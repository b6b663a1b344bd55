// The one way records reach JS: a bounded queue drained by a thread-safe function on this
// isolate's loop. V8 calls the GC callbacks inside the GC, where no JS may run, so producers only
// push() (cheap, never calls JS); call_js later hands the batch to lib/core.js's sink as
// (kind, payload) with kind 'stats', 'leak', 'snapshot' or 'snapshot-error'.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include <napi.h>

#include "addon/gc_monitor.h"
#include "addon/leak_watch.h"
#include "addon/snapshot_file.h"

namespace leakscope::addon {

// A snapshot written outside any JS call (near the heap limit), or the failure to write it.
struct SnapshotNotice {
  std::string path;
  std::string trigger;
  SnapshotWriteResult write;
};

using Event = std::variant<FullGcStats, LeakEvent, SnapshotNotice>;

class EventChannel {
 public:
  // Bounded so a blocked loop under a GC storm cannot grow memory without limit.
  static constexpr size_t kMaxQueued = 4096;

  // Asked on the loop right after each event is delivered, for one more to deliver at once: the
  // leak verdict is judged there, never inside the GC callback that queued the stats.
  using FollowUp = std::function<std::optional<Event>(const Event& delivered)>;

  explicit EventChannel(FollowUp follow_up) : follow_up_(std::move(follow_up)) {}
  EventChannel(const EventChannel&) = delete;
  EventChannel& operator=(const EventChannel&) = delete;

  // Opens the channel to `sink`; events queued before are delivered then. Throws a JS error
  // when already open or when Node cannot make the thread-safe function.
  void open(Napi::Env env, Napi::Value sink);
  // On the isolate's thread, inside a GC too. Drops the oldest record when full.
  void push(Event event);
  // From here on nothing is queued or delivered (the environment is going away).
  void close();

  uint64_t dropped() const { return dropped_; }

 private:
  void notify();
  static void call_js(napi_env raw_env, napi_value js_sink, void* context, void* data);

  FollowUp follow_up_;
  napi_threadsafe_function tsfn_ = nullptr;
  bool notify_queued_ = false;
  bool closed_ = false;
  std::deque<Event> events_;
  uint64_t dropped_ = 0;
};

}  // namespace leakscope::addon
