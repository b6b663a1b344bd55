// What `leakscope watch` and `leakscope native` share: start or follow the process, sample it,
// judge it and print the report; with `native`, also the native sampler's stacks
// (cli/native_session.h) in the same report.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leakscope::cli {

struct WatchCliOptions {
  std::vector<std::string> target;
  double interval_s = 1;
  double duration = 0;  // 0: until the process exits or Ctrl-C
  double min_duration = 60;
  double warmup = 0;
  double maps_interval_s = 0;
  double force_gc = -1;  // -1: auto
  bool json = false;
  bool csv = false;
  bool no_trace_gc = false;
  bool quiet = false;
  // The native sampler (`watch --native`, `leakscope native`).
  bool native = false;
  uint64_t native_interval = 0;  // mean bytes between samples; 0: the sampler's default
  std::string native_keep;       // keep the raw sample file here
  bool full = false;             // every growing site in text
};

// Runs it to the end and prints the report; returns the exit code.
int run_watch_cli(const WatchCliOptions& o);

}  // namespace leakscope::cli
