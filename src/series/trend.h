// The trend detector and the one leak decision rule: is a memory series really growing, and how
// fast? Shared by `leakscope gclog`, `leakscope watch`, the agent's `leak` event and the coming
// `leakscope run`. It answers with a verdict (growing, stable, inconclusive), how it was reached
// (early on strong evidence, or over the full window), its confidence and the numbers behind it:
// a growth rate per hour with a confidence interval, the window it judged, the warm-up it
// discarded and the noise of the series. It is built to avoid the failures of memwatch's
// "5 consecutive growing full GCs" rule: that rule fires at start-up (no warm-up), ignores the
// size of the growth and the time it took, and a sawtooth fools it. Here:
//
//  1. Judge memory that survives collection: the post-full-GC series when there is one, or else
//     the lower envelope (per-window minima) of the raw samples (`TrendOptions::lower_envelope`).
//  2. Drop warm-up: an explicit `warmup_s`, then an automatic cut (a detrended MSER rule: the cut
//     that minimises the residual variance of a straight-line fit over what remains, divided by
//     the remaining count, searched over the first `max_warmup_fraction` of the points, never
//     leaving fewer than `min_points`). A ramp that flattens is cut at the knee; a steady leak
//     keeps all its points.
//  3. Slope: Theil-Sen (median of pairwise slopes), robust to GC spikes and outliers, with Sen's
//     distribution-free confidence interval.
//  4. Significance: Mann-Kendall, with the Hamed-Rao variance correction for autocorrelation
//     (memory samples are strongly autocorrelated; without it a wobble looks significant).
//  5. Magnitude: the growth over the window must exceed a floor, the largest of
//       - `min_growth_abs` and `min_growth_fraction` x the median level (a fixed relevance floor),
//       - `noise_sigmas` x the series' own noise (1.4826 x the median absolute residual around
//         the Theil-Sen line), and
//       - `step_multiple` x its largest level shift (the biggest detrended jump between the
//         medians of neighbouring blocks of points): RSS steps by megabytes when an allocator
//         arena or V8's young generation grows once, and one or two such steps are not a leak;
//     and the rate must exceed `min_rate_per_hour`. Also, the net change without its two largest
//     rises (on at most 12 bins) must still exceed the relevance floor: RSS that stepped up once
//     or twice is not growing, however significant the steps.
//  6. Warm-up is never a leak: the late part of the window must keep growing. A full-window
//     "growing" is vetoed when the late part's slope is shown (its upper bound) to be under half
//     the overall slope and that upper bound, over the late part's span, is under the floor: the
//     series rose and is settling.
//
// The decision, in order:
//  - early leak (`Basis::kEarly`), before `min_duration_s` or `min_points` are reached, only on
//    strong evidence: at least `early_min_points` points spanning at least
//    `early_min_fraction` x min_duration_s, Mann-Kendall p < `early_alpha` and the Theil-Sen
//    interval at 1 - early_alpha above zero, growth at least `early_floor_multiple` x the floor
//    above, and the late part (the last third of the window, or the later half when the third
//    holds fewer than 4 points) growing at least `early_late_ratio` as fast (its own Theil-Sen
//    slope, with more rising than falling pairs). Fast leaks are reported as soon as this holds,
//    even when a busy machine delivers few GCs or a warm-up cut shortened the window.
//  - otherwise fewer than `min_points` points or a window shorter than `min_duration_s` is
//    inconclusive, saying what was missing ("only 5 points after 12 s of warm-up, 8 needed").
//  - full-window leak (`Basis::kFullWindow`): significant at `confidence` (p < 1 - confidence and
//    the interval above zero), growth above the floor, the later half not settling.
//  - stable: not growing, and the upper confidence bound of the growth over the window stays
//    below `stable_margin` x the floor. "No leak" always needs the full window.
//  - else inconclusive (too noisy), with an estimate of how long to run.
//
// Values are in any unit (bytes, counts); rates are in that unit per hour. Time is in seconds.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace leakscope::series {

struct Point {
  double t = 0;  // seconds
  double v = 0;  // bytes, or a count
};

enum class Verdict { kGrowing, kStable, kInconclusive };

enum class InconclusiveReason {
  kNone,
  kTooShort,      // the judged window is shorter than min_duration_s
  kTooFewPoints,  // fewer than min_points after warm-up
  kNoisy,         // neither growth nor stability could be shown at this confidence
  kSettling,      // it rose, but the late part grows far slower: a warm-up still settling
  kSteps,         // it rose, but in one or two steps (an allocator arena, the young generation)
};

// How a verdict was reached.
enum class Basis {
  kNone,        // inconclusive
  kEarly,       // a leak on strong evidence before the full window (see the rule above)
  kFullWindow,  // the full min_duration_s / min_points window was judged
};

std::string_view verdict_name(Verdict verdict);                        // "growing", "stable", ...
std::string_view inconclusive_reason_name(InconclusiveReason reason);  // "too-short", ...
std::string_view basis_name(Basis basis);                              // "early", "full-window"

struct TrendOptions {
  double min_duration_s = 60;         // shorter judged windows are inconclusive
  std::size_t min_points = 8;         // fewer judged points are inconclusive
  double warmup_s = 0;                // always discarded from the start (after the first sample)
  double max_window_s = 0;            // judge only the last this many seconds (0: everything)
  bool auto_warmup = true;            // also cut a detected warm-up ramp
  double max_warmup_fraction = 0.5;   // the automatic cut never takes more than this share
  double min_rate_per_hour = 0;       // growth slower than this is not a leak
  double min_growth_abs = 1 << 20;    // floor on the growth over the window (value units)
  double min_growth_fraction = 0.05;  // floor as a share of the median level
  double stable_margin = 2;           // stable: 95 % upper bound of the growth < margin x floor
  double confidence = 0.95;           // two-sided, for the CI and the Mann-Kendall test
  bool lower_envelope = false;        // judge per-window minima instead of the raw points
  double envelope_window_s = 0;       // 0: about 1/24 of the span, at least 4 samples wide
  std::size_t max_points = 1500;      // longer series are thinned to bin medians first
  // The series' own noise raises the floor (see 5. above).
  double noise_sigmas = 4;  // growth must exceed this many robust residual sigmas
  // and this many times the largest level shift (one step of RSS is not a leak)
  double step_multiple = 4;
  // Early leak on strong evidence (see the decision above).
  std::size_t early_min_points = 6;
  // Of min_duration_s: half the window the caller asked for. A start-up or warm-up ramp looks
  // like a leak while it lasts; requiring the growth to have gone on for half the minimum window
  // (after the warm-up cut) keeps the early call for growth that is more than a ramp.
  double early_min_fraction = 0.5;
  double early_alpha = 0.01;
  double early_floor_multiple = 2;
  double early_late_ratio = 0.7;  // the late part's slope, as a share of the window's
};

struct TrendResult {
  Verdict verdict = Verdict::kInconclusive;
  InconclusiveReason reason = InconclusiveReason::kTooFewPoints;
  Basis basis = Basis::kNone;
  // Of the verdict: 1 - the Mann-Kendall p-value for "growing"; the confidence level of the
  // bound for "stable"; 0 when inconclusive.
  double confidence = 0;
  double rate_per_hour = 0;  // Theil-Sen slope
  double ci_low_per_hour = 0;
  double ci_high_per_hour = 0;
  double p_value = 1;  // Mann-Kendall, two-sided, autocorrelation-corrected
  double mk_z = 0;
  double autocorrelation_factor = 1;  // Hamed-Rao variance inflation (>= 1)
  double window_start_s = 0;          // judged window, in the input's time base
  double window_end_s = 0;
  double warmup_discarded_s = 0;  // from the first input sample to the window start
  std::size_t points_in = 0;      // input samples
  std::size_t points_judged = 0;  // after envelope, thinning and warm-up
  double level = 0;               // median of the judged values
  double first_value = 0;         // fitted line at the window start
  double growth = 0;              // rate x window: the growth the fit implies
  double growth_floor = 0;        // the floor that growth must exceed (the largest of:)
  double relevance_floor = 0;     //   max(min_growth_abs, min_growth_fraction x level)
  double noise = 0;               //   robust residual sigma (x noise_sigmas)
  double level_shift = 0;         //   largest detrended step between blocks (x step_multiple)
  enum class FloorSource { kRelevance, kNoise, kSteps } floor_source = FloorSource::kRelevance;
  double stable_margin = 2;  // from the options, for the explanation
  double noise_sigmas = 4;
  double step_multiple = 4;
  double growth_without_steps = 0;  // net change without its two largest rises (binned)
  double late_rate_per_hour = 0;    // Theil-Sen slope over the late part of the window
  double late_ci_high_per_hour = 0;
  double late_span_s = 0;
  std::size_t min_points = 0;  // what a full-window verdict needs (from the options)
  double min_duration_s = 0;
  double input_span_s = 0;          // first to last input point, warm-up included
  double suggested_duration_s = 0;  // for inconclusive: how long a recording would decide it

  double window_s() const { return window_end_s - window_start_s; }
};

// Judges one series. Points need not be sorted; non-finite points are dropped.
TrendResult detect_trend(std::span<const Point> points, const TrendOptions& options = {});

// For a long-running caller (the agent's `leak` event): keeps a bounded history of points and
// judges it on demand. Memory stays O(capacity): when full, every other point is dropped and
// from then on only every second input is kept (and so on), so the history stays evenly dense
// and still reaches back to the start. Feed it the heap after each full GC.
class TrendTracker {
 public:
  explicit TrendTracker(TrendOptions options = {}, std::size_t capacity = 4096)
      : options_(options), capacity_(capacity < 16 ? 16 : capacity) {}
  void add(double t, double v);
  TrendResult evaluate() const { return detect_trend(points_, options_); }
  std::span<const Point> points() const { return points_; }
  const TrendOptions& options() const { return options_; }
  void clear() {
    points_.clear();
    stride_ = 1;
    seen_ = 0;
  }

 private:
  TrendOptions options_;
  std::size_t capacity_;
  std::size_t stride_ = 1;
  std::size_t seen_ = 0;
  std::vector<Point> points_;
};

// Per-window minima: for each window of `window_s` seconds, the point with the smallest value.
std::vector<Point> lower_envelope(std::span<const Point> points, double window_s);

// Theil-Sen slope (units per second) of the points, with Sen's confidence interval.
struct SlopeEstimate {
  double slope = 0;
  double low = 0;
  double high = 0;
  double intercept = 0;  // median of v - slope * t
};
SlopeEstimate theil_sen(std::span<const Point> points, double variance_s, double confidence);

// Mann-Kendall S statistic and its variance (with the tie correction).
struct MannKendall {
  double s = 0;
  double variance = 0;
};
MannKendall mann_kendall(std::span<const Point> points);

// Two-sided standard normal quantile, e.g. 1.96 for 0.95.
double normal_quantile_two_sided(double confidence);

}  // namespace leakscope::series
