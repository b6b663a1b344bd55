#include "cli/cli_support.h"

#include <fmt/core.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>

#include "cli/safe_output.h"
#include "heap/snapshot_reader.h"
#include "report/safe_text.h"

namespace leakscope::cli {

bool stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}
bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) == 1;
}

void print_error(std::string_view message) {
  fmt::print(stderr, "leakscope: {}\n", report::safe_text(message));
}

namespace {
unsigned decode_threads = 0;
}  // namespace

void set_decode_threads(unsigned threads) {
  decode_threads = threads;
}

HeapGraph load_snapshot_for_cli(const std::string& path) {
  LoadOptions options;
  options.threads = decode_threads;
  bool progress_shown = false;
  if (stderr_is_terminal()) {
    options.progress = [path, &progress_shown](uint64_t done, uint64_t total) {
      progress_shown = done != total;
      if (total) {
        print_status_line(STDERR_FILENO, fmt::format("loading {}: {:3.0f} % ({} MB of {} MB)", path,
                                                     100.0 * static_cast<double>(done) /
                                                         static_cast<double>(total),
                                                     done >> 20, total >> 20));
      } else {
        print_status_line(STDERR_FILENO, fmt::format("loading {}: {} MB", path, done >> 20));
      }
      if (done == total) print_status_line(STDERR_FILENO, "");
    };
  }
  Timings::get().phase("parse");
  try {
    return load_snapshot_file(path, options);
  } catch (...) {
    // The error line must not be glued to a half-drawn progress line.
    if (progress_shown) print_status_line(STDERR_FILENO, "");
    throw;
  }
}

namespace {
double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

namespace {
// Resident set size now, from /proc/self/statm (pages).
uint64_t resident_mb() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long size = 0, resident = 0;
  const int got = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  return got == 2 ? resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE)) >> 20 : 0;
}
}  // namespace

Timings& Timings::get() {
  static Timings timings;
  return timings;
}

void Timings::phase(const char* name) {
  if (!enabled_) return;
  const double t = now_seconds();
  if (current_)
    lines_ += fmt::format("{}{} {:.3f} s (RSS {} MB)", lines_.empty() ? "" : ", ", current_,
                          t - started_, resident_mb());
  current_ = name;
  started_ = t;
}

void Timings::report() {
  if (!enabled_) return;
  phase(nullptr);
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  fmt::print(stderr, "timings: {}; peak RSS {} MB\n", lines_, usage.ru_maxrss / 1024);
}

}  // namespace leakscope::cli
