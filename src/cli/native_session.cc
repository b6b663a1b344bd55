#include "cli/native_session.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "cli/cli_support.h"
#include "heap/user_files.h"
#include "native/native_samples.h"
#include "native/perf_map.h"
#include "native/symbolizer.h"

namespace leakscope::cli {
namespace {

constexpr const char* kPreloadName = "libleakscope-preload.so";

std::string make_sample_file() {
  char path[] = "/tmp/leakscope-native-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) {
    throw UsageError(std::string("cannot create the native sample file in /tmp: ") +
                     std::strerror(errno));
  }
  ::close(fd);
  return path;
}

std::string current_dir() {
  char buf[PATH_MAX];
  return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string();
}

bool has_arg(const std::vector<std::string>& argv, std::string_view arg) {
  for (const std::string& a : argv) {
    if (a == arg) return true;
  }
  return false;
}

void copy_file(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::FILE* out = open_output_file(to);
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    std::fwrite(buf, 1, static_cast<std::size_t>(in.gcount()), out);
  }
  if (std::fclose(out) != 0) throw UserFileError(to, "cannot write it");
}

native::NativeAnalysis judge(const native::NativeSamples& samples, const native::PerfMap& perf,
                             const std::vector<uint64_t>& limits,
                             const native::NativeOptions& options) {
  native::Symbolizer symbolizer(samples, &perf, current_dir());
  std::vector<std::vector<native::Frame>> frames;
  frames.reserve(samples.stacks.size());
  for (std::size_t s = 0; s < samples.stacks.size(); ++s) {
    frames.push_back(symbolizer.frames(s, limits.empty() ? UINT64_MAX : limits[s]));
  }
  native::NativeAnalysis a = native::analyze_native(samples, frames, options);
  a.perf_map = !perf.empty();
  return a;
}

}  // namespace

std::string find_preload_library() {
  if (const char* env = std::getenv("LEAKSCOPE_PRELOAD"); env && *env) {
    if (::access(env, R_OK) != 0) {
      throw UsageError(std::string("LEAKSCOPE_PRELOAD=") + env + ": " + std::strerror(errno));
    }
    return env;
  }
  char self[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string dir = n > 0 ? std::string(self, static_cast<std::size_t>(n)) : std::string();
  dir = dir.substr(0, dir.rfind('/') + 1);
  const std::string path = dir + kPreloadName;
  if (::access(path.c_str(), R_OK) != 0) {
    throw UsageError("the native sampler " + path +
                     " is missing (build it, or set LEAKSCOPE_PRELOAD to its path)");
  }
  return path;
}

NativeSession::NativeSession(const NativeSessionOptions& options, series::WatchConfig& cfg)
    : options_(options), first_seen_("") {
  if (cfg.command.empty()) {
    throw UsageError("the native sampler needs the app started: -- node app.js, not a PID");
  }
  const std::string library = find_preload_library();
  sample_path_ = make_sample_file();
  first_seen_ = native::FirstSeen(sample_path_);
  std::string preload = library;
  if (const char* old = std::getenv("LD_PRELOAD"); old && *old) preload += std::string(":") + old;
  cfg.env.emplace_back("LD_PRELOAD", preload);
  cfg.env.emplace_back("LEAKSCOPE_NATIVE_OUT", sample_path_);
  if (options.interval_bytes > 0) {
    cfg.env.emplace_back("LEAKSCOPE_NATIVE_INTERVAL", std::to_string(options.interval_bytes));
  }
  const long period_ms = std::max(100L, std::lround(options.period_s * 1000));
  cfg.env.emplace_back("LEAKSCOPE_NATIVE_PERIOD_MS", std::to_string(period_ms));
  if (series::is_node_command(cfg.command[0])) {
    // V8 names its code in /tmp/perf-PID.map; interpreted functions get addresses of their own.
    own_perf_map_ = !has_arg(cfg.command, "--perf-basic-prof");
    cfg.command.insert(cfg.command.begin() + 1,
                       {"--perf-basic-prof", "--interpreted-frames-native-stack"});
    // --perf-basic-prof also turns on V8's own log, an isolate-*-v8.log in the app's directory:
    // sent to a file of ours instead, unless the app asked for a log itself.
    const bool user_log = std::any_of(cfg.command.begin(), cfg.command.end(), [](const auto& a) {
      return a.starts_with("--logfile") || a == "--prof" || a == "--log" || a.starts_with("--log-");
    });
    if (!user_log) {
      v8_log_path_ = sample_path_ + ".v8.log";
      cfg.command.insert(cfg.command.begin() + 1,
                         {"--logfile=" + v8_log_path_, "--no-logfile-per-isolate"});
    }
  }
}

NativeSession::~NativeSession() {
  if (!sample_path_.empty()) ::unlink(sample_path_.c_str());
  if (!v8_log_path_.empty()) ::unlink(v8_log_path_.c_str());
  if (own_perf_map_ && first_seen_.pid() > 0) ::unlink(first_seen_.perf_map_path().c_str());
}

native::NativeAnalysis NativeSession::finish(const series::WatchRecording& rec,
                                             const series::TrendOptions& trend) {
  first_seen_.poll();
  if (!options_.keep.empty()) {
    try {
      copy_file(sample_path_, options_.keep);
    } catch (const UserFileError& e) {
      throw UsageError(std::string("--keep: ") + e.what());
    }
  }
  const native::NativeSamples samples = native::read_native_samples(sample_path_);
  native::NativeOptions options;
  options.trend = trend;
  // Killed at the end of --duration, node writes no exit dump; exited by itself, it did.
  options.last_dump_is_exit = rec.exit_signal == 0;
  const std::string perf_path = "/tmp/perf-" + std::to_string(samples.pid) + ".map";
  const native::PerfMap perf = native::PerfMap::load(perf_path);
  return judge(samples, perf, first_seen_.limits(samples), options);
}

native::NativeAnalysis analyze_native_file(const std::string& path, const std::string& perf_map,
                                           const series::TrendOptions& trend) {
  const native::NativeSamples samples = native::read_native_samples(path);
  native::PerfMap perf;
  if (!perf_map.empty()) {
    try {
      TextLimits limits;
      limits.max_total_bytes = uint64_t{1} << 30;
      limits.max_line_bytes = 1 << 20;
      limits.what = "perf map";
      perf = native::PerfMap(read_text_input(perf_map, limits));
    } catch (const UserFileError& e) {
      throw native::NativeError(e.what());
    }
  }
  native::NativeOptions options;
  options.trend = trend;
  return judge(samples, perf, {}, options);
}

}  // namespace leakscope::cli
