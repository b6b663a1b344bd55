#include "heap/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "heap/snapshot_reader.h"

namespace leakscope {

namespace {
// Large blocks keep both cores busy decoding; two of them bound the reader's own footprint.
constexpr size_t kBlockSize = 8u << 20;
}  // namespace

InputFile FileSource::open(const std::string& path) {
  try {
    return InputFile(path);
  } catch (const UserFileError& e) {
    throw SnapshotError(path, SnapshotError::kNoOffset, e.message());
  }
}

FileSource::FileSource(const std::string& path) : path_(path), file_(open(path)) {
  size_ = file_.size();
  if (!file_.is_stdin()) ::posix_fadvise(file_.fd(), 0, 0, POSIX_FADV_SEQUENTIAL);
}

FileSource::~FileSource() {
  if (pending_.valid()) pending_.wait();
}

size_t FileSource::fill(BigVector<char>& buffer) {
  buffer.resize(kBlockSize);
  size_t filled = 0;
  while (filled < buffer.size()) {
    size_t n;
    try {
      n = file_.read_some(buffer.data() + filled, buffer.size() - filled);
    } catch (const UserFileError& e) {
      throw SnapshotError(path_, SnapshotError::kNoOffset, e.message());
    }
    if (n == 0) break;
    filled += n;
  }
  return filled;
}

std::string_view FileSource::next() {
  if (eof_) return {};
  size_t got;
  if (!started_) {
    started_ = true;
    got = fill(buffers_[current_]);
  } else {
    current_ ^= 1;
    got = pending_.get();
  }
  if (got == 0) {
    eof_ = true;
    return {};
  }
  // Read ahead into the other buffer; the parser is done with it once it asks for this chunk.
  BigVector<char>& other = buffers_[current_ ^ 1];
  pending_ = std::async(std::launch::async, [this, &other] { return fill(other); });
  return {buffers_[current_].data(), got};
}

std::string_view QueueSource::next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !queue_.empty() || closed_ || cancelled_; });
  if (cancelled_ || queue_.empty()) return {};
  current_ = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= current_.size();
  changed_.notify_all();
  return current_;
}

bool QueueSource::push(std::string_view chunk) {
  if (chunk.empty()) return true;
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return queued_bytes_ < kMaxQueuedBytes || cancelled_; });
  if (cancelled_) return false;
  queue_.emplace_back(chunk);
  queued_bytes_ += chunk.size();
  changed_.notify_all();
  return true;
}

void QueueSource::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void QueueSource::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  queue_.clear();
  queued_bytes_ = 0;
  changed_.notify_all();
}

}  // namespace leakscope
