// A DevTools-protocol client for one inspector opening of a Node process: the HTTP target list,
// the WebSocket, heap snapshots streamed chunk by chunk, and the closing sequence that does not
// crash the target. The implementation is the only translation unit that includes Boost (Beast
// and Asio take minutes to compile); this header keeps them out of everything else.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace leakscope::live {

struct SessionOptions {
  uint16_t port = 0;
  // Called with the local port of every new connection, before anything is sent on it; throws
  // when the peer is not the target (inspector_target.h: verify_peer).
  std::function<void(uint16_t local_port)> verify_peer;
  double connect_timeout = 5;    // seconds: connecting, the HTTP request, the handshake
  double message_timeout = 600;  // seconds without any message while a command runs
  double close_timeout = 10;     // seconds for the target to close the socket after _debugEnd
  // Whether close() ends the inspector (process._debugEnd). False when it was open before we
  // came (--inspect): then only our connection closes.
  bool end_inspector = true;
};

struct MemoryUsage {
  uint64_t rss = 0;
  uint64_t heap_total = 0;
  uint64_t heap_used = 0;
  uint64_t external = 0;
  std::string node_version;  // "v20.20.2"
};

struct SnapshotCallbacks {
  // One HeapProfiler.addHeapSnapshotChunk, already JSON-unescaped.
  std::function<void(std::string_view chunk)> chunk;
  // HeapProfiler.reportHeapSnapshotProgress: nodes done of total.
  std::function<void(uint64_t done, uint64_t total, bool finished)> progress;
};

struct SnapshotStats {
  uint64_t chunks = 0;
  uint64_t bytes = 0;          // of unescaped snapshot text
  uint64_t largest_frame = 0;  // bytes of the largest WebSocket message
  double seconds = 0;
};

class InspectorSession {
 public:
  // Reads /json/list, opens the WebSocket of its one target and asks to be told when the target
  // wants to exit (NodeRuntime.notifyWhenWaitingForDisconnect), so that a target that ends while
  // we are connected is not kept alive by us. Throws AttachError.
  explicit InspectorSession(const SessionOptions& options);
  ~InspectorSession();
  InspectorSession(const InspectorSession&) = delete;
  InspectorSession& operator=(const InspectorSession&) = delete;

  const std::string& title() const;  // the target's script, as /json/list names it

  MemoryUsage memory_usage();
  // HeapProfiler.enable, collectGarbage, takeHeapSnapshot; every chunk goes to `callbacks` as it
  // arrives. Exceptions from the callbacks are held until the snapshot's reply, so the session
  // can still be closed properly, then rethrown.
  SnapshotStats take_snapshot(const SnapshotCallbacks& callbacks);
  // Reads the events that come in for `seconds` (the target telling us it wants to exit, which
  // throws AttachError after letting it go). Returns false when `stop` was set meanwhile.
  bool idle(double seconds, const std::atomic<bool>* stop);
  // HeapProfiler.disable (which also forgets V8's object ids: no snapshot after it matches the
  // earlier ones), schedules process._debugEnd on the target's next turn of the event loop
  // and waits until the target closes the socket (disconnecting first crashed targets). Returns
  // false when it did not close within close_timeout (then we close our end).
  bool close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leakscope::live
