#include "native/first_seen.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>

namespace leakscope::native {
namespace {

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

}  // namespace

std::string FirstSeen::perf_map_path() const {
  return pid_ > 0 ? "/tmp/perf-" + std::to_string(pid_) + ".map" : std::string();
}

void FirstSeen::poll() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(offset_));
    if (n <= 0) break;
    offset_ += static_cast<uint64_t>(n);
    pending_.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
      line(pending_.substr(start, nl - start));
    }
    pending_.erase(0, start);
  }
  ::close(fd);
}

void FirstSeen::line(const std::string& text) {
  const auto number = [&](std::size_t from, uint64_t& out) {
    const std::size_t end = text.find(' ', from);
    const char* last = text.data() + (end == std::string::npos ? text.size() : end);
    return std::from_chars(text.data() + from, last, out).ec == std::errc();
  };
  uint64_t v = 0;
  if (text.starts_with("start ") && number(6, v)) {
    pid_ = static_cast<int>(v);
  } else if (text.starts_with("stack ") && number(6, v) && pid_ > 0) {
    seen_.emplace(static_cast<uint32_t>(v), file_size(perf_map_path()));
  }
}

std::vector<uint64_t> FirstSeen::limits(const NativeSamples& samples) const {
  std::vector<uint64_t> out;
  out.reserve(samples.stacks.size());
  for (const Stack& s : samples.stacks) {
    const auto it = seen_.find(s.id);
    out.push_back(it == seen_.end() ? UINT64_MAX : it->second);
  }
  return out;
}

}  // namespace leakscope::native
