// The live side of `leakscope watch`: samples a process from /proc at a fixed interval, and when
// it starts the process itself (`-- node app.js`) it adds --trace-gc and a tiny preload that
// reports process.memoryUsage() on a private pipe, so the JS-heap, external and native series
// are recorded side by side. Sampling costs a few hundred microseconds per sample (status,
// smaps_rollup, the fd directory) plus a full smaps read at a lower rate.
#pragma once

#include <csignal>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "series/watch.h"

namespace leakscope::series {

struct WatchConfig {
  int pid = 0;                       // watch this process, or
  std::vector<std::string> command;  // start this one (and stop it at the end)
  double interval_s = 1;
  double duration_s = 0;       // 0: until the process exits or stop is set
  double maps_interval_s = 0;  // full smaps; 0: max(5 x interval, 1 s)
  bool trace_gc = true;        // add --trace-gc and the memoryUsage preload to a node command
  double force_gc_s = 0;       // with trace_gc: --expose-gc and a full GC every this many seconds
  const volatile std::sig_atomic_t* stop = nullptr;       // set by a signal handler to end early
  std::function<void(const WatchRecording&)> on_sample;   // after each /proc sample
  std::function<void(std::string_view)> on_child_output;  // the child's own stdout lines
};

// Runs the watch to its end and returns the recording. Throws ProcError when the PID cannot be
// watched or the command cannot be started.
WatchRecording run_watch(const WatchConfig& config);

// True when argv[0] names a node binary (node, nodejs, node20, /usr/bin/node, ...).
bool is_node_command(std::string_view argv0);

}  // namespace leakscope::series
