// `watch --native` and `leakscope native`: starts the app under the native sampler
// (libleakscope-preload.so through LD_PRELOAD, node with --perf-basic-prof and
// --interpreted-frames-native-stack), follows the sample file while the app runs, and afterwards
// reads, symbolises and judges it. Removes what it made: the temporary file and the perf map (only
// when it added --perf-basic-prof).
#pragma once

#include <memory>
#include <string>

#include "native/first_seen.h"
#include "native/native_leaks.h"
#include "series/watch.h"
#include "series/watcher.h"

namespace leakscope::cli {

struct NativeSessionOptions {
  uint64_t interval_bytes = 0;  // 0: the sampler's default (512 KiB)
  double period_s = 1;          // a dump this often
  std::string keep;             // copy the raw sample file here at the end
};

// The sampler library: $LEAKSCOPE_PRELOAD, else libleakscope-preload.so beside this executable.
// Throws UsageError when it is not there.
std::string find_preload_library();

class NativeSession {
 public:
  // Adds the sampler to `cfg` (a command to start; throws UsageError for a PID).
  NativeSession(const NativeSessionOptions& options, series::WatchConfig& cfg);
  ~NativeSession();
  NativeSession(const NativeSession&) = delete;
  NativeSession& operator=(const NativeSession&) = delete;

  void poll() { first_seen_.poll(); }
  // After the watch: the sample file judged. Throws native::NativeError.
  native::NativeAnalysis finish(const series::WatchRecording& rec,
                                const series::TrendOptions& trend);

 private:
  NativeSessionOptions options_;
  std::string sample_path_;
  std::string v8_log_path_;  // V8's log, which --perf-basic-prof turns on
  bool own_perf_map_ = false;
  native::FirstSeen first_seen_;
};

// `leakscope native --from FILE`: a kept sample file judged on its own; `perf_map` names the JS
// frames when given. Throws native::NativeError.
native::NativeAnalysis analyze_native_file(const std::string& path, const std::string& perf_map,
                                           const series::TrendOptions& trend);

}  // namespace leakscope::cli
