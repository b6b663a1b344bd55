#include "cli/cli_support.h"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>

#include "heap/snapshot_reader.h"

namespace leakscope::cli {

bool stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}
bool stdout_is_terminal() {
  return ::isatty(STDOUT_FILENO) == 1;
}

HeapGraph load_snapshot_for_cli(const std::string& path) {
  LoadOptions options;
  if (stderr_is_terminal()) {
    options.progress = [path](uint64_t done, uint64_t total) {
      if (total) {
        fmt::print(stderr, "\rloading {}: {:3.0f} % ({} MB of {} MB)", path,
                   100.0 * static_cast<double>(done) / static_cast<double>(total), done >> 20,
                   total >> 20);
      } else {
        fmt::print(stderr, "\rloading {}: {} MB", path, done >> 20);
      }
      if (done == total) fmt::print(stderr, "\r\033[K");
    };
  }
  return load_snapshot_file(path, options);
}

}  // namespace leakscope::cli
