// Where the reader's bytes come from: a file, a buffer in memory, or chunks pushed by a producer.
// The parser pulls one chunk at a time, so it never needs the whole snapshot in memory.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "heap/big_vector.h"
#include "heap/user_files.h"

namespace leakscope {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // The next chunk, valid until the following call; an empty view at the end of the input.
  virtual std::string_view next() = 0;
  // Total size in bytes when known up front (files), else 0.
  virtual uint64_t total_size() const { return 0; }
};

// The whole input is already in memory.
class BufferSource final : public ByteSource {
 public:
  explicit BufferSource(std::string_view text) : text_(text) {}
  std::string_view next() override {
    std::string_view out = text_;
    text_ = {};
    return out;
  }
  uint64_t total_size() const override { return text_.size(); }

 private:
  std::string_view text_;
};

// Reads a file (or standard input) in large blocks; the next block is read on another thread
// while the parser decodes the current one.
class FileSource final : public ByteSource {
 public:
  // Throws SnapshotError when the file cannot be opened or is not a regular file ("-", standard
  // input, may be any stream).
  explicit FileSource(const std::string& path);
  ~FileSource() override;
  std::string_view next() override;
  uint64_t total_size() const override { return size_; }

 private:
  size_t fill(BigVector<char>& buffer);

  static InputFile open(const std::string& path);

  std::string path_;
  InputFile file_;
  uint64_t size_ = 0;
  BigVector<char> buffers_[2];
  int current_ = 0;
  std::future<size_t> pending_;
  bool started_ = false;
  bool eof_ = false;
};

// Chunks pushed by a producer thread and pulled by the parser thread. Pushing blocks while too
// much is queued, so a fast producer cannot balloon memory.
class QueueSource final : public ByteSource {
 public:
  std::string_view next() override;
  // Returns false when the consumer has stopped (it failed or was cancelled).
  bool push(std::string_view chunk);
  void close();   // end of input
  void cancel();  // the consumer gives up; wakes a blocked producer

 private:
  static constexpr size_t kMaxQueuedBytes = 64u << 20;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  std::string current_;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace leakscope
