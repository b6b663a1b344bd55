#include "cli/cli_support.h"

#include <fmt/core.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <numeric>

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

void refuse_repeated_files(const char* command, const std::vector<std::string>& files) {
  std::vector<struct stat> stats(files.size());
  std::vector<bool> known(files.size(), false);
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i] == "-") {
      for (size_t j = 0; j < i; ++j) {
        if (files[j] == "-")
          throw UsageError(fmt::format(
              "{}: - given twice (standard input can be read once); give each snapshot once",
              command));
      }
      continue;
    }
    known[i] = ::stat(files[i].c_str(), &stats[i]) == 0;
    if (!known[i]) continue;
    for (size_t j = 0; j < i; ++j) {
      if (known[j] && stats[j].st_dev == stats[i].st_dev && stats[j].st_ino == stats[i].st_ino) {
        throw UsageError(fmt::format(
            fmt::runtime(files[j] == files[i]
                             ? "{0}: {1} is given twice; give each snapshot once"
                             : "{0}: {1} and {2} are the same file; give each snapshot once"),
            command, files[j], files[i]));
      }
    }
  }
}

uint64_t max_node_id(const HeapGraph& graph) {
  uint64_t most = 0;
  // Odd ids only: V8 numbers heap objects 1, 3, 5, ... in allocation order; embedder (native)
  // nodes get even ids derived from addresses, which do not grow.
  for (size_t i = 0; i < graph.node_id.size(); ++i) {
    if (graph.node_id[i] % 2 == 1) most = std::max<uint64_t>(most, graph.node_id[i]);
  }
  return most;
}

void refuse_out_of_order(const char* command, const std::vector<std::string>& files,
                         const std::vector<uint64_t>& max_ids) {
  for (size_t i = 1; i < files.size(); ++i) {
    if (max_ids[i] > max_ids[i - 1]) continue;
    std::vector<size_t> order(files.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return max_ids[a] < max_ids[b]; });
    std::string suggested;
    for (size_t k : order) suggested += (suggested.empty() ? "" : " ") + files[k];
    throw UsageError(fmt::format(
        fmt::runtime(max_ids[i] == max_ids[i - 1]
                         ? "{0}: {1} and {2} hold the same objects (largest object id {3} in "
                           "both): the same "
                           "snapshot twice? give snapshots taken one after another"
                         : "{0}: {1} and {2} are out of order ({2} was taken first: its largest "
                           "object id {4} "
                           "is below {3}; V8's ids only grow); give them in the order taken: {5}"),
        command, files[i - 1], files[i], max_ids[i - 1], max_ids[i], suggested));
  }
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
  options.warning = [](const std::string& message) {
    print_error(fmt::format("warning: {}", message));
  };
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

// The text as typed, quoted, cut short if it is long (a 400-digit number stays readable).
std::string typed(const std::string& text) {
  return text.size() <= 40 ? "\"" + text + "\"" : "\"" + text.substr(0, 37) + "...\"";
}

bool parse_whole(const std::string& text, uint64_t& out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// A finite decimal number, all of the text (from_chars takes no '+', no hex without a prefix).
// No sign: "-0" is refused like every negative number, for every kind of option.
bool parse_real(std::string_view text, double& out) {
  if (text.empty() || text[0] == '-') return false;
  const auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), out, std::chars_format::general);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(out);
}

CLI::Option* add_checked_option(CLI::App* cmd, const std::string& name, const std::string& help,
                                const char* type_name,
                                std::function<void(const std::string&)> check) {
  CLI::Option* opt = cmd->add_option_function<std::string>(name, std::move(check), help);
  opt->type_name(type_name);
  return opt;
}

[[noreturn]] void refuse(const std::string& name, const std::string& text,
                         const std::string& expected) {
  throw CLI::ValidationError(name, fmt::format("{} is not {}", typed(text), expected));
}

}  // namespace

std::string describe_seconds(double seconds) {
  if (seconds >= 86400 && std::fmod(seconds, 86400) == 0)
    return fmt::format("{} d", seconds / 86400);
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) return fmt::format("{} h", seconds / 3600);
  return fmt::format("{} s", seconds);
}

namespace {
bool parse_duration_text(const std::string& text, double& seconds) {
  const size_t unit_at = text.find_first_of("smhd");
  const std::string_view number = std::string_view(text).substr(0, unit_at);
  const std::string_view unit =
      unit_at == std::string::npos ? std::string_view{} : std::string_view(text).substr(unit_at);
  double v = 0;
  if (!parse_real(number, v)) return false;
  double scale;
  if (unit.empty() || unit == "s") {
    scale = 1;
  } else if (unit == "m" || unit == "min") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else if (unit == "d") {
    scale = 86400;
  } else {
    return false;
  }
  seconds = v * scale;
  return std::isfinite(seconds);
}
}  // namespace

double duration_value(const std::string& name, const std::string& text, double min, double max) {
  double v = 0;
  if (!parse_duration_text(text, v) || v < min || v > max)
    refuse(name, text,
           fmt::format("a duration from {} to {} (seconds, or a number with s, m, h or d)",
                       describe_seconds(min), describe_seconds(max)));
  return v;
}

namespace {
// Counts and sizes differ only in their unit: "a whole number[ of bytes] from MIN to MAX".
CLI::Option* add_whole_option(CLI::App* cmd, const std::string& name, const std::string& help,
                              const char* type_name, const char* unit, uint64_t min, uint64_t max,
                              std::function<void(uint64_t)> set) {
  return add_checked_option(cmd, name, help, type_name, [=](const std::string& text) {
    uint64_t v = 0;
    if (!parse_whole(text, v) || v < min || v > max)
      refuse(name, text, fmt::format("a whole number{} from {} to {}", unit, min, max));
    set(v);
  });
}
}  // namespace

CLI::Option* add_count_option(CLI::App* cmd, const std::string& name,
                              std::function<void(uint64_t)> set, const std::string& help,
                              uint64_t min, uint64_t max) {
  return add_whole_option(cmd, name, help, "N", "", min, max, std::move(set));
}

CLI::Option* add_size_option(CLI::App* cmd, const std::string& name, uint64_t& bytes,
                             const std::string& help, uint64_t min, uint64_t max) {
  return add_whole_option(cmd, name, help, "BYTES", " of bytes", min, max,
                          [&bytes](uint64_t v) { bytes = v; });
}

CLI::Option* add_duration_option(CLI::App* cmd, const std::string& name, double& seconds,
                                 const std::string& help, double min, double max) {
  return add_checked_option(cmd, name, help, "SECONDS", [=, &seconds](const std::string& text) {
    seconds = duration_value(name, text, min, max);
  });
}

CLI::Option* add_duration_or_zero_option(CLI::App* cmd, const std::string& name, double& seconds,
                                         const std::string& help, double min, double max,
                                         const char* zero_means) {
  return add_checked_option(cmd, name, help, "SECONDS", [=, &seconds](const std::string& text) {
    double v = 0;
    if (!parse_duration_text(text, v) || (v != 0 && (v < min || v > max)))
      refuse(name, text,
             fmt::format("0 ({}) or a duration from {} to {} (seconds, or a number with s, m, h "
                         "or d)",
                         zero_means, describe_seconds(min), describe_seconds(max)));
    seconds = v;
  });
}

CLI::Option* add_rate_option(CLI::App* cmd, const std::string& name, double& out,
                             const std::string& help, double min, double max) {
  return add_checked_option(cmd, name, help, "RATE", [=, &out](const std::string& text) {
    double v = 0;
    if (!parse_real(text, v) || v < min || v > max)
      refuse(name, text, fmt::format("a number from {} to {}", min, max));
    out = v;
  });
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
