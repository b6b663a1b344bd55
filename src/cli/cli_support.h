// Helpers every subcommand shares: loading a snapshot with terminal-only progress, and the one
// way bad input is reported (one line on stderr, exit code 2).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

// Snapshots of one process, in the order they were taken (leaks, diff): the same file twice
// (same device and inode, or `-` twice) is a UsageError naming both spellings. Files that cannot
// be stat'ed are left to the loader, which names the problem.
void refuse_repeated_files(const char* command, const std::vector<std::string>& files);

// The largest heap-object id (odd) in the snapshot. V8 hands these out in increasing order within
// a process, so it grows from one snapshot to the next (native nodes' even ids do not).
uint64_t max_node_id(const HeapGraph& graph);

// `max_ids[i]` is max_node_id of `files[i]`; a UsageError naming the first pair that is not in
// increasing order and the order the ids give.
void refuse_out_of_order(const char* command, const std::vector<std::string>& files,
                         const std::vector<uint64_t>& max_ids);

// `--threads N` (0 = all cores) for the decoders; benchmarks pin it.
void set_decode_threads(unsigned threads);

// The one way an error reaches the user: "leakscope: MESSAGE" on one line of stderr, with the
// file names and arguments inside the message escaped (see report/safe_text.h).
void print_error(std::string_view message);

bool stderr_is_terminal();
bool stdout_is_terminal();

// Numeric options, one helper per kind. Each reads the text as typed and refuses what is not a
// finite number of that kind inside [min, max] (NaN, infinities, negatives, fractions of a count,
// values that would wrap) with a CLI::ValidationError: exit 2 and one line that names the option
// and repeats the text as the user wrote it.
//
// count: a whole number (rows, objects, ids, threads).
CLI::Option* add_count_option(CLI::App* cmd, const std::string& name,
                              std::function<void(uint64_t)> set, const std::string& help,
                              uint64_t min, uint64_t max);
template <typename T>
CLI::Option* add_count_option(CLI::App* cmd, const std::string& name, T& out,
                              const std::string& help, uint64_t min, uint64_t max) {
  return add_count_option(
      cmd, name, [&out](uint64_t v) { out = static_cast<T>(v); }, help, min, max);
}
// size: a whole number of bytes.
CLI::Option* add_size_option(CLI::App* cmd, const std::string& name, uint64_t& bytes,
                             const std::string& help, uint64_t min, uint64_t max);
// duration: seconds, or a number with a unit: 90, 90s, 1.5m, 10min, 2h, 1d.
CLI::Option* add_duration_option(CLI::App* cmd, const std::string& name, double& seconds,
                                 const std::string& help, double min, double max);
// duration or 0: 0 means "no limit" (`watch --duration 0`: until the process exits); any other
// value is a duration from `min` (above 0) to `max`.
CLI::Option* add_duration_or_zero_option(CLI::App* cmd, const std::string& name, double& seconds,
                                         const std::string& help, double min, double max,
                                         const char* zero_means);
// rate: a non-negative finite number of some unit per time (MB/h).
CLI::Option* add_rate_option(CLI::App* cmd, const std::string& name, double& out,
                             const std::string& help, double min, double max);

// The check behind add_duration_option, for an option that also takes a word (`--force-gc auto`):
// the seconds, or a CLI::ValidationError.
double duration_value(const std::string& name, const std::string& text, double min, double max);
// "7 d", "90 s", "0.01 s": a bound as the messages show it.
std::string describe_seconds(double seconds);

// Upper bounds shared by the commands (README "Limits").
inline constexpr double kMaxWaitSeconds = 7 * 86400.0;      // a wait or a sampling period
inline constexpr double kMaxWatchSeconds = 30 * 86400.0;    // how long `watch` may run
inline constexpr double kMaxWindowSeconds = 366 * 86400.0;  // a span of a log to judge
inline constexpr uint64_t kMaxRows = uint64_t{1} << 32;     // rows, clusters, paths, levels
inline constexpr uint64_t kMaxBytes = uint64_t{1} << 50;    // 1 PiB: a byte threshold
inline constexpr double kMaxRateMbPerHour = 1e9;            // 1 PB/h

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
