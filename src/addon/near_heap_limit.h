// The near-heap-limit trigger: up to `count` heap snapshots written when V8 is about to run out
// of heap, before the process dies of it. The snapshot is written synchronously, on the isolate's
// thread (the heap may not survive until the loop runs), and reported through the event channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <v8.h>

#include "addon/event_channel.h"

namespace leakscope::addon {

class NearHeapLimit {
 public:
  NearHeapLimit(v8::Isolate* isolate, EventChannel& events) : isolate_(isolate), events_(events) {}
  ~NearHeapLimit() { close(); }
  NearHeapLimit(const NearHeapLimit&) = delete;
  NearHeapLimit& operator=(const NearHeapLimit&) = delete;

  // Up to `count` more snapshots (0 or less: none), written into `directory`.
  void set(int64_t count, std::string directory);
  // Removes V8's callback; a snapshot already requested is not written.
  void close();

 private:
  void install();
  void uninstall();
  static size_t on_near_limit(void* data, size_t current_limit, size_t initial_limit);
  static void on_interrupt(v8::Isolate* isolate, void* data);

  v8::Isolate* isolate_;
  EventChannel& events_;
  int64_t remaining_ = 0;
  std::string directory_ = ".";
  bool installed_ = false;
  bool pending_ = false;  // a snapshot is requested and not yet written
  bool closed_ = false;
};

}  // namespace leakscope::addon
