// What `leakscope run` decides while the app runs under the watcher: after each sample it judges
// the recording so far with the watch's rules (a leak can be called early on strong evidence, "no
// leak" needs the full window, warm-up is never a leak) and, for a JS-heap leak, asks the app's
// preload for heap snapshots spaced by the growth itself: the next one when the heap after GC has
// grown by a step since the last, or when a time cap runs out. It prints its progress on stderr.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "series/watch.h"
#include "series/watcher.h"

namespace leakscope::cli {

struct RunSettings {
  series::WatchOptions trend;   // the watch's rules, with --min-duration and --warmup
  double max_duration_s = 300;  // watching ends here; snapshots still due are then taken quickly
  double eval_every_s = 1;      // how often the recording is judged
  double progress_every_s = 5;  // a progress line on stderr this often
  std::size_t snapshots = 3;    // heap snapshots for the leak finder
  uint64_t min_step = 4 << 20;  // the heap after GC must grow by max(min_step,
  double step_fraction = 0.1;   //   step_fraction x the heap) between snapshots,
  double min_gap_s = 2;         // and they are at least this far apart
  double max_gap_s = 60;        // or at most this (the time cap)
  std::string out_dir;          // where the app writes its snapshots (absolute)
  bool force = false;           // snapshots even when the memory headroom says no
  // run --native: a verdict outside the JS heap ends the watch no earlier than this, so that the
  // native sampler's sites are judged over a full window too (they have no early call).
  double native_window_s = 0;
};

struct RunSnapshot {
  std::string path;
  double requested_s = 0;  // watch time when it was asked for
  double t = 0;            // watch time when the app began writing it
  double seconds = 0;      // how long writing took
  double heap_used = 0;    // right after it (writing it ran a full GC)
  bool done = false;
};

class RunController {
 public:
  explicit RunController(RunSettings settings) : s_(std::move(settings)) {}

  // WatchConfig::should_end (true: end the watch, for end_reason()) and ::on_child_reply.
  bool after_sample(const series::WatchRecording& rec, const series::SendCommand& send);
  const char* end_reason() const { return out_of_time_ ? "duration" : "decided"; }
  void on_reply(std::string_view line) { replies_.emplace_back(line); }

  // The leak verdict that started the snapshots or ended the watch, and when (watch time).
  const std::optional<series::WatchVerdict>& decision() const { return decision_; }
  double decided_at() const { return decided_at_; }
  const std::vector<RunSnapshot>& snapshots() const { return snapshots_; }
  std::size_t snapshots_done() const;
  // Why the snapshots stopped short (refused for lack of memory, failed in the app); empty else.
  const std::string& stopped_why() const { return stopped_why_; }
  const RunSettings& settings() const { return s_; }

 private:
  enum class Phase { kWatching, kSnapshots, kDone };
  bool watch_step(const series::WatchRecording& rec, double t, const series::SendCommand& send);
  bool snapshot_step(const series::WatchRecording& rec, double t, const series::SendCommand& send);
  void take_replies(const series::WatchRecording& rec, double t);
  bool request_snapshot(const series::WatchRecording& rec, double t,
                        const series::SendCommand& send);
  bool next_snapshot_due(const series::WatchRecording& rec, double t, std::string& wait_text);
  void print_progress(const series::WatchRecording& rec, double t, const std::string& state);

  RunSettings s_;
  Phase phase_ = Phase::kWatching;
  std::optional<series::WatchVerdict> decision_;
  double decided_at_ = 0;
  std::string state_ = "starting";  // the last judgement, for the progress line
  double last_eval_ = -1e9;
  double last_progress_ = 0;
  std::vector<std::string> replies_;
  std::vector<RunSnapshot> snapshots_;
  std::size_t gc_mark_ = 0;  // GC events before the last snapshot's reply
  double last_done_at_ = 0;  // watch time of the last snapshot's reply
  std::string stopped_why_;
  bool out_of_time_ = false;  // watching ended at --max-duration without a leak
};

// The heap after the latest full GC of the main isolate among events [from, end), in bytes.
std::optional<double> latest_heap_after_full_gc(const series::GcLog& log, std::size_t from = 0);

}  // namespace leakscope::cli
