#include "preload/proc_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace leakscope::preload {

namespace {

// Copies the hex digits in [from, to) without leading zeros, then a space.
char* copy_hex(char* o, const char* from, const char* to) {
  while (from + 1 < to && *from == '0') ++from;
  std::memcpy(o, from, static_cast<std::size_t>(to - from));
  o += to - from;
  *o++ = ' ';
  return o;
}

// A `/proc/self/maps` line: "start-end perms offset dev inode   path". Appends the map line for
// an r-xp mapping of a file to out; returns its length (0: not one, or it does not fit).
std::size_t convert_line(const char* line, std::size_t len, char* out, std::size_t room) {
  const char* end = line + len;
  const char* dash = static_cast<const char*>(std::memchr(line, '-', len));
  if (dash == nullptr) return 0;
  const char* sp1 =
      static_cast<const char*>(std::memchr(dash, ' ', static_cast<std::size_t>(end - dash)));
  if (sp1 == nullptr || end - sp1 < 6 || std::memcmp(sp1 + 1, "r-xp ", 5) != 0) return 0;
  const char* offset = sp1 + 6;
  const char* sp2 =
      static_cast<const char*>(std::memchr(offset, ' ', static_cast<std::size_t>(end - offset)));
  if (sp2 == nullptr) return 0;
  // The path starts at the first '/' after the inode; anonymous and [vdso]-like mappings have none.
  const char* path =
      static_cast<const char*>(std::memchr(sp2, '/', static_cast<std::size_t>(end - sp2)));
  if (path == nullptr) return 0;
  std::size_t need = 4 + static_cast<std::size_t>(sp1 - line) + 1 +
                     static_cast<std::size_t>(sp2 - offset) + 1 +
                     static_cast<std::size_t>(end - path) + 1;
  if (need > room) return 0;
  char* o = out;
  std::memcpy(o, "map ", 4);
  o += 4;
  // /proc pads the numbers with zeros; the format's hex has none.
  o = copy_hex(o, line, dash);
  o = copy_hex(o, dash + 1, sp1);
  o = copy_hex(o, offset, sp2);
  std::memcpy(o, path, static_cast<std::size_t>(end - path));
  o += end - path;
  *o++ = '\n';
  return static_cast<std::size_t>(o - out);
}

}  // namespace

std::size_t read_exec_maps(char* out, std::size_t capacity) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  static char chunk[64 * 1024];
  std::size_t have = 0;  // bytes in chunk, a partial line at its start
  std::size_t written = 0;
  for (;;) {
    ssize_t n = read(fd, chunk + have, sizeof chunk - have);
    if (n < 0) break;
    have += static_cast<std::size_t>(n);
    std::size_t start = 0;
    for (std::size_t i = 0; i < have; ++i) {
      if (chunk[i] != '\n') continue;
      written += convert_line(chunk + start, i - start, out + written, capacity - written);
      start = i + 1;
    }
    if (n == 0) {
      if (start < have)
        written += convert_line(chunk + start, have - start, out + written, capacity - written);
      break;
    }
    if (start == 0 && have == sizeof chunk) start = have;  // a line longer than the chunk: skip it
    std::memmove(chunk, chunk + start, have - start);
    have -= start;
  }
  close(fd);
  return written;
}

std::uint64_t read_rss_bytes() {
  int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* p = buf;
  while (*p >= '0' && *p <= '9') ++p;  // total program size
  while (*p == ' ') ++p;
  std::uint64_t pages = 0;
  while (*p >= '0' && *p <= '9') pages = pages * 10 + static_cast<std::uint64_t>(*p++ - '0');
  long page = sysconf(_SC_PAGESIZE);
  return pages * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

}  // namespace leakscope::preload
