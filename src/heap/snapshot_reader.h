// Loading .heapsnapshot files (or a stream of chunks) into a HeapGraph.
//
// Every layout comes from the file's own meta, so snapshots from any V8 that writes the format
// load. Bad input throws SnapshotError with the byte offset where the problem was found.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "heap/heap_graph.h"

namespace leakscope {

class SnapshotError : public std::runtime_error {
 public:
  static constexpr uint64_t kNoOffset = UINT64_MAX;  // the file could not be read at all
  SnapshotError(std::string source, uint64_t offset, const std::string& message);
  const std::string& source() const { return source_; }
  uint64_t offset() const { return offset_; }
  const std::string& message() const { return message_; }

 private:
  std::string source_;
  uint64_t offset_;
  std::string message_;
};

struct LoadOptions {
  // Called now and then with (bytes consumed, total bytes or 0 when unknown).
  std::function<void(uint64_t, uint64_t)> progress;
  // Threads used to decode the nodes and edges arrays (0 = all cores).
  unsigned threads = 0;
  // Told once, at the end, about what was skipped in a file that still loaded (a location that
  // names no node), with the source name in front.
  std::function<void(const std::string&)> warning;
};

// Loads a snapshot file; "-" reads standard input.
HeapGraph load_snapshot_file(const std::string& path, const LoadOptions& options = {});

// Loads a snapshot from a buffer already in memory (tests, the fuzzer).
HeapGraph load_snapshot_buffer(std::string_view text, const std::string& source_name = "<buffer>",
                               const LoadOptions& options = {});

// Push-mode loading: a snapshot that arrives in chunks (e.g. from the inspector protocol) is
// parsed as it comes and never stored whole.
class SnapshotStreamReader {
 public:
  explicit SnapshotStreamReader(std::string source_name = "<stream>",
                                const LoadOptions& options = {});
  ~SnapshotStreamReader();
  SnapshotStreamReader(const SnapshotStreamReader&) = delete;
  SnapshotStreamReader& operator=(const SnapshotStreamReader&) = delete;

  // Throws SnapshotError as soon as the data seen so far is known to be bad.
  void push(std::string_view chunk);
  // Ends the stream and returns the graph; throws if the snapshot is incomplete or invalid.
  HeapGraph finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leakscope
