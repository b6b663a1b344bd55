// Helpers every subcommand shares: loading a snapshot with terminal-only progress, and the one
// way bad input is reported (one line on stderr, exit code 2).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "heap/heap_graph.h"

namespace leakscope::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFound = 1;  // e.g. a leak was found
inline constexpr int kExitBadInput = 2;

// `--full` of the commands that print retainer paths (report/elision.h).
inline constexpr const char* kFullPathsHelp =
    "every step of long retainer paths (default: the first and last 10)";

// Thrown for a bad argument (an id or class that does not exist, a conflicting option).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads a snapshot, showing progress on stderr only when stderr is a terminal.
HeapGraph load_snapshot_for_cli(const std::string& path);

// `--threads N` (0 = all cores) for the decoders; benchmarks pin it.
void set_decode_threads(unsigned threads);

// The one way an error reaches the user: "leakscope: MESSAGE" on one line of stderr, with the
// file names and arguments inside the message escaped (see report/safe_text.h).
void print_error(std::string_view message);

bool stderr_is_terminal();
bool stdout_is_terminal();

}  // namespace leakscope::cli

namespace leakscope::cli {

// `--timings`: wall time per phase and the peak RSS, printed on stderr when the command ends.
// Benchmarks read these to show where the time goes.
class Timings {
 public:
  static Timings& get();
  void enable() { enabled_ = true; }
  // Ends the current phase (if any) and starts `name`.
  void phase(const char* name);
  void report();

 private:
  bool enabled_ = false;
  const char* current_ = nullptr;
  double started_ = 0;
  std::string lines_;
};

}  // namespace leakscope::cli
