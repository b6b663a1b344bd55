#include "cli/run_controller.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "live/headroom.h"
#include "report/format.h"
#include "report/safe_text.h"
#include "report/series_format.h"
#include "report/watch_report.h"

namespace leakscope::cli {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

bool is_leak(series::LeakKind kind) {
  return kind == series::LeakKind::kJsHeap || kind == series::LeakKind::kExternal ||
         kind == series::LeakKind::kNative || kind == series::LeakKind::kHandles;
}

std::string mb(double bytes) {
  return report::human_bytes(static_cast<uint64_t>(std::max(0.0, bytes)));
}

// The progress line's state while watching: the verdict so far, in a few words.
std::string watch_state(const series::WatchVerdict& v) {
  const series::SeriesVerdict* p = v.primary_series();
  if (v.kind == series::LeakKind::kNone) {
    return fmt::format("no leak so far (stable over {})",
                       report::human_duration(p ? p->trend.window_s() : v.window_s));
  }
  if (p == nullptr || !p->available) return "no verdict yet (no memory series yet)";
  return fmt::format("no verdict yet ({}: {})", p->label,
                     series::inconclusive_reason_name(p->trend.reason));
}

double number_at(std::string_view text, std::size_t& pos) {
  while (pos < text.size() && text[pos] == ' ') ++pos;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data() + pos, text.data() + text.size(), v);
  if (ec != std::errc()) return -1;
  pos = static_cast<std::size_t>(end - text.data());
  return v;
}

}  // namespace

std::optional<double> latest_heap_after_full_gc(const series::GcLog& log, std::size_t from) {
  const uint32_t iso = series::primary_isolate(log);
  for (std::size_t i = log.events.size(); i > from; --i) {
    const series::GcEvent& ev = log.events[i - 1];
    if (ev.isolate == iso && series::is_full_gc(ev.kind) && !(ev.flags & series::kGcTruncated)) {
      return ev.after_mb * kMiB;
    }
  }
  return std::nullopt;
}

std::size_t RunController::snapshots_done() const {
  return static_cast<std::size_t>(std::count_if(snapshots_.begin(), snapshots_.end(),
                                                [](const RunSnapshot& x) { return x.done; }));
}

bool RunController::after_sample(const series::WatchRecording& rec,
                                 const series::SendCommand& send) {
  const double t = rec.proc.back().t;
  take_replies(rec, t);
  switch (phase_) {
    case Phase::kWatching:
      return watch_step(rec, t, send);
    case Phase::kSnapshots:
      return snapshot_step(rec, t, send);
    case Phase::kDone:
      break;
  }
  return true;
}

// Judges the recording; a leak verdict ends the watch, or for the JS heap starts the snapshots.
bool RunController::watch_step(const series::WatchRecording& rec, double t,
                               const series::SendCommand& send) {
  const bool out_of_time = t >= s_.max_duration_s;
  if (t - last_eval_ >= s_.eval_every_s || out_of_time) {
    last_eval_ = t;
    series::WatchVerdict v = series::analyze_watch(rec, s_.trend);
    const bool wait_for_native =
        v.kind != series::LeakKind::kJsHeap && t < s_.native_window_s && !out_of_time;
    if (is_leak(v.kind) && !wait_for_native) {
      report::WatchReport r{&rec, v, "--max-duration"};
      fmt::print(stderr, "run: {}: {}\n", report::human_duration(t),
                 report::safe_text(report::watch_headline(r)));
      decided_at_ = t;
      const bool js = v.kind == series::LeakKind::kJsHeap;
      decision_ = std::move(v);
      if (!js) {
        fmt::print(stderr,
                   "run: this memory is outside the JS heap: heap snapshots would not show it, so "
                   "none is taken\n");
        phase_ = Phase::kDone;
        return true;
      }
      phase_ = Phase::kSnapshots;
      fmt::print(stderr, "run: taking {} heap snapshots, spaced by the heap's growth, into {}\n",
                 s_.snapshots, report::safe_text(s_.out_dir));
      return snapshot_step(rec, t, send);
    }
    state_ = watch_state(v);
  }
  if (out_of_time) {
    out_of_time_ = true;
    return true;
  }
  print_progress(rec, t, "watching: " + state_);
  return false;
}

bool RunController::snapshot_step(const series::WatchRecording& rec, double t,
                                  const series::SendCommand& send) {
  if (phase_ == Phase::kDone) return true;
  const std::size_t done = snapshots_done();
  if (done == s_.snapshots) {
    phase_ = Phase::kDone;
    return true;
  }
  std::string state;
  if (snapshots_.size() > done) {
    state = fmt::format("the app is writing snapshot {}/{}", snapshots_.size(), s_.snapshots);
  } else if (done == 0 || next_snapshot_due(rec, t, state)) {
    if (!request_snapshot(rec, t, send)) {
      phase_ = Phase::kDone;
      return true;
    }
    return false;
  }
  print_progress(rec, t, state);
  return false;
}

// Whether the next snapshot is due: the heap after GC grew by the step since the last one, or the
// time cap ran out (shorter near --max-duration, so that all of them fit). Else says what it waits
// for.
bool RunController::next_snapshot_due(const series::WatchRecording& rec, double t,
                                      std::string& wait_text) {
  const RunSnapshot& last = snapshots_.back();
  const double since = t - last_done_at_;
  const double remaining = static_cast<double>(s_.snapshots - snapshots_.size());
  const double cap = std::clamp((s_.max_duration_s - t) / remaining, s_.min_gap_s, s_.max_gap_s);
  const double step = std::max(static_cast<double>(s_.min_step), s_.step_fraction * last.heap_used);
  const std::optional<double> now_heap = latest_heap_after_full_gc(rec.gc, gc_mark_);
  const double grown = now_heap ? *now_heap - last.heap_used : 0;
  if (since >= s_.min_gap_s && (grown >= step || since >= cap)) return true;
  wait_text =
      fmt::format("snapshot {}/{} when the heap after GC has grown {} (now {}) or in {}",
                  snapshots_.size() + 1, s_.snapshots, mb(step),
                  now_heap ? (grown >= 0 ? "+" : "-") + mb(std::abs(grown)) : "not measured",
                  report::human_duration(std::max(0.0, std::max(s_.min_gap_s, cap) - since)));
  return false;
}

// Checks the memory headroom, then asks the preload for the next snapshot. False when refused or
// when the app cannot be asked (then stopped_why_ says why).
bool RunController::request_snapshot(const series::WatchRecording& rec, double t,
                                     const series::SendCommand& send) {
  const std::size_t k = snapshots_.size() + 1;
  const double heap_used = rec.js.empty() ? 0 : rec.js.back().heap_used;
  const live::Headroom h = live::check_headroom(rec.pid, rec.proc.back().rss,
                                                static_cast<uint64_t>(std::max(0.0, heap_used)));
  if (!h.enough && !s_.force) {
    stopped_why_ =
        fmt::format("refusing snapshot {}/{}: {}; --force takes it anyway", k, s_.snapshots, h.why);
    return false;
  }
  RunSnapshot snap;
  snap.path =
      (std::filesystem::path(s_.out_dir) / fmt::format("run-{}-{}.heapsnapshot", rec.pid, k))
          .string();
  snap.requested_s = t;
  if (!send(fmt::format("snapshot {} {}", k, snap.path))) {
    stopped_why_ =
        fmt::format("could not ask the app for snapshot {}/{}: it is gone", k, s_.snapshots);
    return false;
  }
  fmt::print(stderr,
             "run: {}: snapshot {}/{} (heap used {}, RSS {}): the app freezes for about {:.0f} s\n",
             report::human_duration(t), k, s_.snapshots, mb(heap_used),
             mb(static_cast<double>(rec.proc.back().rss)),
             std::max(1.0, live::expected_pause_seconds(static_cast<uint64_t>(heap_used))));
  snapshots_.push_back(std::move(snap));
  return true;
}

// The preload's answers: `snapshot N done START_MS SECONDS HEAP_USED` or `snapshot N failed MSG`.
void RunController::take_replies(const series::WatchRecording& rec, double t) {
  for (const std::string& line : replies_) {
    std::size_t pos = 0;
    const std::string_view text(line);
    if (!text.starts_with("snapshot ")) continue;
    pos = 9;
    const double n = number_at(text, pos);
    if (n < 1 || n > static_cast<double>(snapshots_.size())) continue;
    RunSnapshot& snap = snapshots_[static_cast<std::size_t>(n) - 1];
    const std::string_view rest = text.substr(std::min(pos + 1, text.size()));
    if (rest.starts_with("done ")) {
      pos += 6;
      const double start_ms = number_at(text, pos);
      snap.seconds = number_at(text, pos);
      snap.heap_used = number_at(text, pos);
      snap.t = start_ms / 1000 - rec.start_unix;
      snap.done = true;
      gc_mark_ = rec.gc.events.size();
      last_done_at_ = t;
      fmt::print(stderr, "run: {}: snapshot {}/{} written in {:.1f} s, heap after GC {}\n",
                 report::human_duration(t), static_cast<int>(n), s_.snapshots, snap.seconds,
                 mb(snap.heap_used));
    } else {
      stopped_why_ = fmt::format("the app could not write snapshot {}: {}", static_cast<int>(n),
                                 rest.substr(std::min<std::size_t>(7, rest.size())));
      snapshots_.pop_back();
      phase_ = Phase::kDone;
    }
  }
  replies_.clear();
}

void RunController::print_progress(const series::WatchRecording& rec, double t,
                                   const std::string& state) {
  if (t - last_progress_ < s_.progress_every_s) return;
  last_progress_ = t;
  const std::optional<double> heap = latest_heap_after_full_gc(rec.gc);
  std::string line =
      fmt::format("run: {:>6}  heap after GC {:>9}  RSS {:>9}", report::human_duration(t),
                  heap ? mb(*heap) : "-", mb(static_cast<double>(rec.proc.back().rss)));
  if (!rec.js.empty()) line += fmt::format("  external {:>9}", mb(rec.js.back().external));
  fmt::print(stderr, "{}  {}\n", line, report::safe_text(state));
}

}  // namespace leakscope::cli
