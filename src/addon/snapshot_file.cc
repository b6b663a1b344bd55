#include "addon/snapshot_file.h"

#include <cerrno>
#include <chrono>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <v8-profiler.h>

namespace leakscope::addon {
namespace {

class FdOutputStream final : public v8::OutputStream {
 public:
  explicit FdOutputStream(int fd) : fd_(fd) {}
  int GetChunkSize() override { return 1 << 16; }
  void EndOfStream() override {}
  WriteResult WriteAsciiChunk(char* data, int size) override {
    auto left = static_cast<size_t>(size);
    while (left > 0) {
      const ssize_t n = ::write(fd_, data, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
        return kAbort;
      }
      data += n;
      left -= static_cast<size_t>(n);
      bytes_ += static_cast<uint64_t>(n);
    }
    return kContinue;
  }
  int error() const { return error_; }
  uint64_t bytes() const { return bytes_; }

 private:
  int fd_;
  int error_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace

SnapshotWriteResult write_heap_snapshot(v8::Isolate* isolate, const std::string& path) {
  SnapshotWriteResult result;
  const auto start = std::chrono::steady_clock::now();
  // Open first: a bad path must fail before the (expensive) snapshot is taken. O_NONBLOCK: a FIFO
  // with no reader fails with ENXIO instead of blocking in open() forever (a socket gives ENXIO
  // too). Symlinks are followed: a link to a regular file is fine.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0644);
  if (fd < 0) {
    result.error = errno;
    result.syscall = "open";
    if (result.error == ENXIO) result.refused = "a FIFO or socket, not a regular file";
    return result;
  }
  // Only regular files and character devices (/dev/null, /dev/full). A FIFO someone reads would
  // block the thread as long as its reader lets it, and a block device would be overwritten.
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    result.error = errno;
    result.syscall = "fstat";
    ::close(fd);
    return result;
  }
  if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
    result.error = ENXIO;
    result.syscall = "open";
    result.refused = S_ISFIFO(st.st_mode)  ? "a FIFO (named pipe), not a regular file"
                     : S_ISBLK(st.st_mode) ? "a block device, not a regular file"
                                           : "not a regular file";
    ::close(fd);
    return result;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  v8::HandleScope scope(isolate);
  v8::HeapProfiler* profiler = isolate->GetHeapProfiler();
  const v8::HeapSnapshot* snapshot = profiler->TakeHeapSnapshot();
  FdOutputStream stream(fd);
  if (snapshot != nullptr) {
    result.nodes = static_cast<uint64_t>(snapshot->GetNodesCount());
    snapshot->Serialize(&stream, v8::HeapSnapshot::kJSON);
    // Only ours: other tools' snapshots in this isolate stay (heapdump did the same).
    const_cast<v8::HeapSnapshot*>(snapshot)->Delete();
  }
  result.bytes = stream.bytes();
  if (stream.error() != 0) {
    result.error = stream.error();
    result.syscall = "write";
  } else if (snapshot == nullptr) {
    result.error = ENOMEM;
    result.syscall = "snapshot";
  }
  if (::close(fd) != 0 && result.error == 0) {
    result.error = errno;
    result.syscall = "close";
  }
  if (result.error != 0) {
    // Never leave a truncated file behind that looks like a snapshot; devices (/dev/full) stay.
    struct stat written;
    if (::stat(path.c_str(), &written) == 0 && S_ISREG(written.st_mode)) ::unlink(path.c_str());
  }
  result.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace leakscope::addon
