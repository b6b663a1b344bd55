#include "heap/user_files.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace leakscope {
namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

[[noreturn]] void not_regular(const std::string& path, mode_t mode) {
  throw UserFileError(path, fmt::format("not a regular file ({}); give a file, or - to read "
                                        "standard input",
                                        kind_of(mode)));
}

}  // namespace

InputFile::InputFile(const std::string& path) : path_(path) {
  if (path == "-") {
    fd_ = STDIN_FILENO;
    return;
  }
  // stat first: open() itself blocks on a FIFO that has no writer.
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) throw UserFileError(path, std::strerror(errno));
  if (!S_ISREG(before.st_mode)) not_regular(path, before.st_mode);
  // O_NONBLOCK and the second look close the window in which the path could be swapped for a
  // FIFO or a device between stat() and open().
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw UserFileError(path, std::strerror(errno));
  owns_fd_ = true;
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    const int err = errno;
    ::close(fd_);
    throw UserFileError(path, std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    not_regular(path, st.st_mode);
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
  size_ = static_cast<uint64_t>(st.st_size);
}

InputFile::~InputFile() {
  if (owns_fd_) ::close(fd_);
}

size_t InputFile::read_some(char* buffer, size_t n) {
  for (;;) {
    const ssize_t got = ::read(fd_, buffer, n);
    if (got >= 0) {
      read_ += static_cast<uint64_t>(got);
      return static_cast<size_t>(got);
    }
    if (errno != EINTR)
      throw UserFileError(
          path_, fmt::format("read failed at byte offset {}: {}", read_, std::strerror(errno)));
  }
}

namespace {
constexpr size_t kTextChunk = 1u << 20;
}  // namespace

TextInput::TextInput(const std::string& path, const TextLimits& limits)
    : path_(path), limits_(limits), file_(path), buffer_(new char[kTextChunk]) {
  if (file_.size() > limits.max_total_bytes) {
    throw UserFileError(path, fmt::format("{} bytes: larger than the {} MiB limit for a {}",
                                          file_.size(), limits.max_total_bytes >> 20, limits.what));
  }
}

std::string_view TextInput::next() {
  const std::string_view chunk(buffer_.get(), file_.read_some(buffer_.get(), kTextChunk));
  check(chunk);
  return chunk;
}

void TextInput::check(std::string_view chunk) {
  const char* begin = chunk.data();
  const char* end = begin + chunk.size();
  for (const char* p = begin; p < end;) {
    const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
    const char* stop = nl ? static_cast<const char*>(nl) : end;
    const uint64_t stop_at = offset_ + static_cast<uint64_t>(stop - begin);
    if (stop_at - line_start_ > limits_.max_line_bytes) {
      throw UserFileError(
          path_, fmt::format("line {} (byte offset {}) is longer than {} KiB: not a {}", line_,
                             line_start_, limits_.max_line_bytes >> 10, limits_.what));
    }
    if (!nl) break;
    ++line_;
    line_start_ = stop_at + 1;
    p = stop + 1;
  }
  offset_ += chunk.size();
  if (offset_ > limits_.max_total_bytes) {
    throw UserFileError(path_, fmt::format("more than {} MiB: too large for a {} (line {})",
                                           limits_.max_total_bytes >> 20, limits_.what, line_));
  }
}

std::string read_text_input(const std::string& path, const TextLimits& limits) {
  TextInput in(path, limits);
  std::string out;
  out.reserve(in.size());
  for (std::string_view chunk = in.next(); !chunk.empty(); chunk = in.next()) out += chunk;
  return out;
}

std::FILE* open_output_file(const std::string& path) {
  // O_NONBLOCK: a FIFO with no reader fails with ENXIO instead of blocking.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NONBLOCK, 0666);
  if (fd < 0) {
    const int err = errno;
    // ENXIO: a FIFO with no reader, or a socket (which open() cannot write to at all).
    struct stat st {};
    if (err == ENXIO && ::stat(path.c_str(), &st) == 0 && !S_ISFIFO(st.st_mode))
      throw UserFileError(
          path, fmt::format("not a regular file ({}); give a file to write", kind_of(st.st_mode)));
    throw UserFileError(
        path, err == ENXIO ? "a FIFO (named pipe) that no process reads" : std::strerror(err));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    throw UserFileError(path, std::strerror(err));
  }
  return f;
}

}  // namespace leakscope
