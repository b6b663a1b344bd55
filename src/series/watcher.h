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
#include <utility>
#include <vector>

#include "series/watch.h"

namespace leakscope::series {

// Sends one line to the preload's command channel (WatchConfig::commands); false when the child
// is gone or the channel is full.
using SendCommand = std::function<bool(std::string_view line)>;

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

  // For a controller that acts while it watches (`leakscope run`):
  // After each sample, with the recording so far (its GC log, elapsed time and CPU brought up to
  // date) and a way to talk to the preload; returning a reason ("decided", "duration") ends the
  // watch with that end_reason, an empty string goes on.
  std::function<std::string(const WatchRecording&, const SendCommand&)> should_end;
  // A command channel to the preload of a started node (its fd 4): `snapshot N PATH` writes a heap
  // snapshot to PATH (through PATH.partial) and answers on the memory pipe with
  // `snapshot N done START_MS SECONDS HEAP_USED` or `snapshot N failed MESSAGE`. SIGPIPE is then
  // ignored in this process, so a child that is gone makes a send fail instead of killing us.
  bool commands = false;
  std::function<void(std::string_view)> on_child_reply;  // preload lines that are not samples
  // The started child in a process group of its own: Ctrl-C on the terminal reaches only us, and
  // at the end the whole group (the app's own children too) is stopped.
  bool own_process_group = false;
  // Leave the started child running at the end (a small process of ours keeps reading its output
  // and passes the app's own lines through until it exits; the preload then stops reporting).
  bool keep_child = false;
  // More environment for a started command (`watch --native`: LD_PRELOAD and the sampler's file).
  std::vector<std::pair<std::string, std::string>> env;
};

// Runs the watch to its end and returns the recording. Throws ProcError when the PID cannot be
// watched or the command cannot be started.
WatchRecording run_watch(const WatchConfig& config);

// True when argv[0] names a node binary (node, nodejs, node20, /usr/bin/node, ...).
bool is_node_command(std::string_view argv0);

}  // namespace leakscope::series
