#include "core/live_dump.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/core_error.h"

namespace leakscope::core {

namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kPresent = uint64_t{1} << 63;
constexpr uint64_t kSwapped = uint64_t{1} << 62;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Mapping {
  uint64_t start = 0, end = 0, offset = 0;
  bool readable = false, writable = false;
  std::string path;
};

std::vector<Mapping> read_maps(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  if (!in) throw CoreError("cannot read /proc/" + std::to_string(pid) + "/maps");
  std::vector<Mapping> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, dev, inode;
    fields >> range >> perms >> offset >> dev >> inode;
    Mapping m;
    const size_t dash = range.find('-');
    if (dash == std::string::npos || perms.size() < 4) continue;
    m.start = std::stoull(range.substr(0, dash), nullptr, 16);
    m.end = std::stoull(range.substr(dash + 1), nullptr, 16);
    m.offset = std::stoull(offset, nullptr, 16);
    m.readable = perms[0] == 'r';
    m.writable = perms[1] == 'w';
    std::getline(fields >> std::ws, m.path);
    if (inode != "0") {
      // a file: kept for NT_FILE
    } else if (!m.path.empty() && m.path[0] != '[') {
      m.path.clear();
    }
    out.push_back(std::move(m));
  }
  return out;
}

bool is_file(const Mapping& m) {
  return !m.path.empty() && m.path[0] == '/';
}
// The brk heap ("[heap]") is read but not scanned for objects: V8 never puts its pages there, and
// Node 24 keeps copies of JS objects in it (measured: 4,000 stale Sessions besides 30,000 live
// ones); it holds V8's spaces, whose allocation areas the census needs.
bool is_anonymous(const Mapping& m) {
  return m.path.empty() || m.path == "[stack]" || m.path == "[heap]" || m.path.starts_with("[anon");
}

// SIGSTOP now, SIGCONT when it goes out of scope, whatever happened in between.
class Stopped {
 public:
  explicit Stopped(int pid) : pid_(pid), since_(Clock::now()) {
    if (::kill(pid_, SIGSTOP) != 0) throw CoreError("cannot stop process " + std::to_string(pid_));
    wait_until_stopped();
  }
  ~Stopped() { resume(); }
  double resume() {
    if (!resumed_) {
      ::kill(pid_, SIGCONT);
      resumed_ = true;
      seconds_ = seconds_since(since_);
    }
    return seconds_;
  }
  Stopped(const Stopped&) = delete;
  Stopped& operator=(const Stopped&) = delete;

 private:
  // Every thread must be in the stopped state before its memory is read.
  void wait_until_stopped() const {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    const std::string stat = "/proc/" + std::to_string(pid_) + "/stat";
    while (Clock::now() < deadline) {
      std::ifstream in(stat);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const size_t paren = text.rfind(')');
      if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'T') return;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  int pid_;
  Clock::time_point since_;
  bool resumed_ = false;
  double seconds_ = 0;
};

class Fd {
 public:
  explicit Fd(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw CoreError("cannot open " + path + ": " + std::strerror(errno));
  }
  ~Fd() { ::close(fd_); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool pread_all(int fd, uint8_t* out, uint64_t size, uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n <= 0) return false;
    out += n;
    size -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

void check_process(int pid) {
  struct stat st {};
  const std::string dir = "/proc/" + std::to_string(pid);
  if (pid <= 0 || ::stat(dir.c_str(), &st) != 0) {
    throw CoreError("no such process: " + std::to_string(pid));
  }
  if (::getuid() != 0 && st.st_uid != ::getuid()) {
    throw CoreError("process " + std::to_string(pid) +
                    " belongs to another user (leakscope core --pid reads only your own)");
  }
}

// Memory for the dump's pages, mapped and faulted in before the target is stopped: faulting in a
// gigabyte of fresh pages while copying into them was most of the pause on a 1 GB heap. Sized
// from the target's anonymous RSS plus slack; what does not fit goes to ordinary buffers.
class Arena {
 public:
  explicit Arena(uint64_t bytes) : size_(bytes) {
    if (bytes == 0) return;
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return;
    base_ = static_cast<uint8_t*>(p);
    // Touched page by page rather than MAP_POPULATE: measured on a 1 GB heap, both halve the
    // pause, but the census over MAP_POPULATE's pages then took twice as long (1.7 s → 4.3 s).
    for (uint64_t i = 0; i < bytes; i += kPage) base_[i] = 0;
  }
  ~Arena() {
    if (base_) ::munmap(base_, size_);
  }
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  uint8_t* take(uint64_t bytes) {
    if (!base_ || bytes > size_ - used_) return nullptr;
    uint8_t* out = base_ + used_;
    used_ += bytes;
    return out;
  }

 private:
  uint8_t* base_ = nullptr;
  uint64_t size_ = 0;
  uint64_t used_ = 0;
};

// A field of /proc/PID/status in bytes ("RssAnon:"), 0 when it cannot be read.
uint64_t status_bytes(int pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (in >> key) {
    if (key == field) {
      uint64_t kb = 0;
      in >> kb;
      return kb * 1024;
    }
    in.ignore(1 << 16, '\n');
  }
  return 0;
}

// The present pages of one mapping, read into the arena (else one buffer); each run of them one
// segment.
void read_mapping(const Mapping& m, int pagemap, int mem, Arena& arena, ProcessDump& dump,
                  LiveDumpStats& stats) {
  const uint64_t pages = (m.end - m.start) / kPage;
  std::vector<uint64_t> entries(pages);
  if (!pread_all(pagemap, reinterpret_cast<uint8_t*>(entries.data()), pages * 8,
                 m.start / kPage * 8)) {
    return;  // the mapping went away or cannot be inspected: leave it out
  }
  uint64_t present = 0;
  for (uint64_t e : entries) present += (e & (kPresent | kSwapped)) ? 1 : 0;
  stats.bytes_skipped += (pages - present) * kPage;
  if (present == 0) return;
  std::shared_ptr<std::vector<uint8_t>> buffer;
  uint8_t* base = arena.take(present * kPage);
  if (!base) {
    buffer = std::make_shared<std::vector<uint8_t>>(present * kPage);
    base = buffer->data();
  }
  uint64_t used = 0;
  for (uint64_t i = 0; i < pages;) {
    if (!(entries[i] & (kPresent | kSwapped))) {
      ++i;
      continue;
    }
    uint64_t j = i;
    while (j < pages && (entries[j] & (kPresent | kSwapped))) ++j;
    const uint64_t size = (j - i) * kPage;
    uint8_t* out = base + used;
    if (pread_all(mem, out, size, m.start + i * kPage)) {
      dump.memory.add({m.start + i * kPage, size, out, m.writable, false});
      used += size;
      stats.bytes_read += size;
    }
    i = j;
  }
  if (buffer) dump.memory.keep(buffer);
}

}  // namespace

uint64_t process_rss(int pid) {
  return status_bytes(pid, "VmRSS:");
}

ProcessDump dump_live_process(int pid, LiveDumpStats& stats) {
  const auto started = Clock::now();
  check_process(pid);
  stats.rss_before = process_rss(pid);
  const std::string dir = "/proc/" + std::to_string(pid);
  const Fd pagemap(dir + "/pagemap");
  const Fd mem(dir + "/mem");
  ProcessDump dump;
  dump.pid = pid;
  {
    std::ifstream auxv(dir + "/auxv", std::ios::binary);
    dump.auxv.assign(std::istreambuf_iterator<char>(auxv), std::istreambuf_iterator<char>());
    for (size_t at = 0; at + 16 <= dump.auxv.size(); at += 16) {
      uint64_t key = 0, value = 0;
      std::memcpy(&key, dump.auxv.data() + at, 8);
      std::memcpy(&value, dump.auxv.data() + at + 8, 8);
      if (key == 3 /* AT_PHDR */) dump.phdr_address = value;
    }
  }
  const uint64_t anonymous = status_bytes(pid, "RssAnon:");
  auto arena = std::make_shared<Arena>(anonymous + anonymous / 8 + (uint64_t{8} << 20));
  dump.memory.keep(arena);
  Stopped stopped(pid);
  for (const Mapping& m : read_maps(pid)) {
    if (is_file(m)) dump.files.push_back({m.start, m.end, m.offset / kPage, m.path});
    if (m.path == "[heap]") {
      dump.brk_start = m.start;
      dump.brk_end = m.end;
    }
    if (m.readable && is_anonymous(m))
      read_mapping(m, pagemap.get(), mem.get(), *arena, dump, stats);
  }
  // The executable's ELF header page, for the build-id check (one page of a file mapping).
  if (const FileMapping* exe = executable_mapping(dump)) {
    auto page = std::make_shared<std::vector<uint8_t>>(kPage);
    if (pread_all(mem.get(), page->data(), kPage, exe->start)) {
      dump.memory.add({exe->start, kPage, page->data(), false, true});
      dump.memory.keep(page);
    }
  }
  stats.stopped_seconds = stopped.resume();
  dump.memory.finish();
  dump.memory.mark_malloc_heap(dump.brk_start, dump.brk_end);  // as a saved core's is marked
  stats.rss_after = process_rss(pid);
  stats.dump_seconds = seconds_since(started);
  return dump;
}

}  // namespace leakscope::core
