#include "cli/safe_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "report/safe_text.h"

namespace leakscope::cli {

namespace {

struct FilteredStream {
  int fd;
  std::FILE* file = nullptr;
  std::string pending;  // an incomplete UTF-8 sequence at the end of the last write
};

FilteredStream filtered_out{STDOUT_FILENO, nullptr, {}};
FilteredStream filtered_err{STDERR_FILENO, nullptr, {}};

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

ssize_t filtered_write(void* cookie, const char* data, size_t size) {
  auto* s = static_cast<FilteredStream*>(cookie);
  std::string_view in(data, size);
  std::string joined;
  if (!s->pending.empty()) {
    joined = std::move(s->pending) + std::string(in);
    s->pending.clear();
    in = joined;
  }
  std::string out;
  out.reserve(in.size());
  const size_t used = report::append_safe_text(out, in, /*keep_newlines=*/true,
                                               /*complete=*/false);
  s->pending.assign(in.substr(used));
  if (!write_all(s->fd, out)) return -1;
  return static_cast<ssize_t>(size);
}

// A sequence still incomplete when the process ends is shown escaped, never dropped.
void finish(FilteredStream& s) {
  if (!s.file) return;
  std::fflush(s.file);
  if (s.pending.empty()) return;
  write_all(s.fd, report::safe_text(s.pending));
  s.pending.clear();
}

void finish_both() {
  finish(filtered_out);
  finish(filtered_err);
}

std::FILE* open_filtered(FilteredStream& s, int mode) {
  cookie_io_functions_t io{};
  io.write = filtered_write;
  s.file = ::fopencookie(&s, "w", io);
  if (s.file) std::setvbuf(s.file, nullptr, mode, mode == _IONBF ? 0 : 1 << 16);
  return s.file;
}

}  // namespace

void install_safe_output() {
  // A terminal sees stdout line by line, as with the default stream; stderr stays unbuffered.
  const int out_mode = ::isatty(STDOUT_FILENO) == 1 ? _IOLBF : _IOFBF;
  if (std::FILE* f = open_filtered(filtered_out, out_mode)) stdout = f;
  if (std::FILE* f = open_filtered(filtered_err, _IONBF)) stderr = f;
  std::atexit(finish_both);
}

void print_status_line(int fd, std::string_view text) {
  // What was printed before must reach the terminal first.
  std::fflush(stdout);
  std::fflush(stderr);
  write_all(fd, "\r" + report::safe_text(text) + "\x1b[K");
}

}  // namespace leakscope::cli
