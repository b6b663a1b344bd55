// Writes a V8 heap snapshot of the calling isolate to a file, streamed in V8's chunks (never the
// whole JSON in memory), and releases V8's copy of the snapshot right after. Only to a regular file
// or a character device (/dev/null, /dev/full): a FIFO or socket is refused at once with ENXIO
// (heapdump blocked in fopen() on a FIFO nobody reads, for ever).
#pragma once

#include <cstdint>
#include <string>

#include <v8.h>

namespace leakscope::addon {

struct SnapshotWriteResult {
  int error = 0;        // errno of the failure, 0 on success
  std::string syscall;  // "open", "fstat", "write" or "close" when error != 0
  // Why the path was refused before anything was written (a FIFO, a socket, a block device);
  // empty otherwise. error is then ENXIO.
  std::string refused;
  uint64_t bytes = 0;      // bytes written
  double duration_ms = 0;  // taking + serializing
  uint64_t nodes = 0;      // snapshot node count
};

SnapshotWriteResult write_heap_snapshot(v8::Isolate* isolate, const std::string& path);

// heapdump's default name, heapdump-<sec>.<usec>.heapsnapshot, from the wall clock now (heapdump
// itself used a monotonic clock in ms.ns despite its README). The one place the name is built:
// the near-heap-limit trigger here and every snapshot lib/ names (lib/core.js) use it.
std::string heapdump_file_name();

}  // namespace leakscope::addon
