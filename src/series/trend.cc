#include "series/trend.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace leakscope::series {
namespace {

double median_of(std::vector<double> values) {
  if (values.empty()) return 0;
  const std::size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid), values.end());
  double m = values[mid];
  if (values.size() % 2 == 0) {
    m = (m + *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(mid))) /
        2;
  }
  return m;
}

double median_dt(std::span<const Point> pts) {
  if (pts.size() < 2) return 0;
  std::vector<double> dts;
  dts.reserve(pts.size() - 1);
  for (std::size_t i = 1; i < pts.size(); ++i) dts.push_back(pts[i].t - pts[i - 1].t);
  return median_of(std::move(dts));
}

// Equal-count bins: mean time, median value. Keeps the O(n^2) statistics affordable on long
// recordings without letting one spike move a bin.
std::vector<Point> thin(std::span<const Point> pts, std::size_t max_points) {
  if (pts.size() <= max_points || max_points < 2) return {pts.begin(), pts.end()};
  const std::size_t per_bin = (pts.size() + max_points - 1) / max_points;
  std::vector<Point> out;
  std::vector<double> vs;
  for (std::size_t i = 0; i < pts.size(); i += per_bin) {
    const std::size_t end = std::min(pts.size(), i + per_bin);
    double tsum = 0;
    vs.clear();
    for (std::size_t j = i; j < end; ++j) {
      tsum += pts[j].t;
      vs.push_back(pts[j].v);
    }
    out.push_back({tsum / static_cast<double>(end - i), median_of(vs)});
  }
  return out;
}

// Detrended MSER: the cut d minimising SSE(line fit over [d, n)) / (n - d)^2. Suffix sums make
// each candidate O(1). Values are centred first so the sums do not lose precision.
// A cut is only taken when what it removes matters: some point before it must lie at least
// `min_effect` (the relevance floor) off the line fitted to what remains. A start-up wobble
// smaller than any leak the verdict could report is kept, so it does not shorten the window
// (on a busy machine that decides between a verdict and "too short").
std::size_t auto_warmup_cut(std::span<const Point> pts, double max_fraction, std::size_t min_keep,
                            double min_effect) {
  const std::size_t n = pts.size();
  if (n <= min_keep || n < 6) return 0;
  double tm = 0, vm = 0;
  for (const Point& p : pts) {
    tm += p.t;
    vm += p.v;
  }
  tm /= static_cast<double>(n);
  vm /= static_cast<double>(n);
  std::vector<double> st(n + 1, 0), sv(n + 1, 0), stt(n + 1, 0), svv(n + 1, 0), stv(n + 1, 0);
  for (std::size_t i = n; i-- > 0;) {
    const double t = pts[i].t - tm, v = pts[i].v - vm;
    st[i] = st[i + 1] + t;
    sv[i] = sv[i + 1] + v;
    stt[i] = stt[i + 1] + t * t;
    svv[i] = svv[i + 1] + v * v;
    stv[i] = stv[i + 1] + t * v;
  }
  auto stat = [&](std::size_t d) {
    const double m = static_cast<double>(n - d);
    const double sxx = stt[d] - st[d] * st[d] / m;
    const double syy = svv[d] - sv[d] * sv[d] / m;
    const double sxy = stv[d] - st[d] * sv[d] / m;
    double sse = sxx > 0 ? syy - sxy * sxy / sxx : syy;
    if (sse < 0) sse = 0;
    return sse / (m * m);
  };
  const auto max_cut =
      std::min(static_cast<std::size_t>(static_cast<double>(n) * max_fraction), n - min_keep);
  const double base = stat(0);
  std::size_t best = 0;
  double best_stat = base;
  for (std::size_t d = 1; d <= max_cut; ++d) {
    const double s = stat(d);
    if (s < best_stat) {
      best_stat = s;
      best = d;
    }
  }
  // A cut must buy a real improvement; on a clean line every cut is equally good.
  if (best != 0 && !(best_stat < 0.9 * base)) best = 0;
  if (best != 0) {
    const double m = static_cast<double>(n - best);
    const double mean_t = st[best] / m, mean_v = sv[best] / m;
    const double sxx = stt[best] - st[best] * st[best] / m;
    const double slope = sxx > 0 ? (stv[best] - st[best] * sv[best] / m) / sxx : 0;
    double off = 0;
    for (std::size_t i = 0; i < best; ++i) {
      const double fitted = mean_v + slope * ((pts[i].t - tm) - mean_t);
      off = std::max(off, std::fabs((pts[i].v - vm) - fitted));
    }
    if (off < min_effect) best = 0;
  }
  return best;
}

// The lower envelope when no window is given. A sawtooth's minima are its post-GC points, so
// when the series shows enough big drops (a quarter of the value range or more), each cycle
// (drop to drop) contributes its minimum. Otherwise fixed windows are used, each wide enough to
// hold a few cycles, so that a window's minimum does not depend on where in the cycle it starts.
std::vector<Point> auto_envelope(std::span<const Point> pts, std::size_t min_points) {
  const double span = pts.back().t - pts.front().t;
  const double dt = median_dt(pts);
  std::vector<double> vs;
  vs.reserve(pts.size());
  for (const Point& p : pts) vs.push_back(p.v);
  std::sort(vs.begin(), vs.end());
  const double range = vs[vs.size() * 95 / 100] - vs[vs.size() * 5 / 100];
  std::vector<std::size_t> drops;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (range > 0 && pts[i].v < pts[i - 1].v - 0.25 * range) drops.push_back(i);
  }
  if (drops.size() >= 2 * min_points) {
    std::vector<Point> out;
    std::size_t begin = 0;
    drops.push_back(pts.size());
    for (std::size_t end : drops) {
      const auto it = std::min_element(pts.begin() + static_cast<std::ptrdiff_t>(begin),
                                       pts.begin() + static_cast<std::ptrdiff_t>(end),
                                       [](const Point& a, const Point& b) { return a.v < b.v; });
      out.push_back(*it);
      begin = end;
    }
    return out;
  }
  double window = std::max(span / 24, 4 * dt);
  // One or two big drops are steps, not a cycle: only a repeated drop sets the window.
  if (drops.size() >= 3) window = std::max(window, 3 * span / static_cast<double>(drops.size()));
  const double cap = span / static_cast<double>(std::max<std::size_t>(min_points, 2) + 1);
  return lower_envelope(pts, std::min(window, std::max(cap, 4 * dt)));
}

std::vector<double> average_ranks(std::span<const double> values) {
  const std::size_t n = values.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j + 1 < n && values[order[j + 1]] == values[order[i]]) ++j;
    const double r = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

// Hamed & Rao (1998): variance inflation of Mann-Kendall's S for autocorrelated data, from the
// significant lag autocorrelations of the ranks of the detrended series.
double hamed_rao_factor(std::span<const Point> pts, double slope, double z) {
  const std::size_t n = pts.size();
  if (n < 4) return 1;
  std::vector<double> resid(n);
  for (std::size_t i = 0; i < n; ++i) resid[i] = pts[i].v - slope * pts[i].t;
  const std::vector<double> ranks = average_ranks(resid);
  double mean = 0;
  for (double r : ranks) mean += r;
  mean /= static_cast<double>(n);
  double denom = 0;
  for (double r : ranks) denom += (r - mean) * (r - mean);
  if (denom <= 0) return 1;
  const double nd = static_cast<double>(n);
  double sum = 0;
  for (std::size_t k = 1; k + 2 < n; ++k) {
    double num = 0;
    for (std::size_t i = 0; i + k < n; ++i) num += (ranks[i] - mean) * (ranks[i + k] - mean);
    const double rho = num / denom;
    // Anderson's bounds for a white-noise autocorrelation at lag k.
    const double m = nd - static_cast<double>(k);
    const double lo = (-1 - z * std::sqrt(m - 1)) / m;
    const double hi = (-1 + z * std::sqrt(m - 1)) / m;
    if (rho > lo && rho < hi) continue;
    sum += m * (m - 1) * (m - 2) * rho;
  }
  double factor = 1 + 2 * sum / (nd * (nd - 1) * (nd - 2));
  // Finite-sample lag correlations understate persistence (a slowly wandering level looks like a
  // trend); the AR(1) inflation (1 + r1) / (1 - r1) from the lag-1 rank correlation backs it up.
  double num1 = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) num1 += (ranks[i] - mean) * (ranks[i + 1] - mean);
  const double r1 = std::clamp(num1 / denom, 0.0, 0.98);
  factor = std::max(factor, (1 + r1) / (1 - r1));
  // Negative autocorrelation would shrink the variance; staying conservative keeps controls calm.
  // The cap keeps an effective sample of at least 2 sqrt(n) (and 8): a near-constant series is
  // all ties, its ranks look perfectly persistent, and an uncapped factor would blow the CI up.
  const double min_effective = std::max(8.0, 2 * std::sqrt(nd));
  return std::clamp(factor, 1.0, std::max(1.0, nd / min_effective));
}

double normal_two_sided_p(double z) {
  return std::erfc(std::fabs(z) / std::sqrt(2.0));
}

// The series' own noise, around the fitted line: 1.4826 x the median absolute residual (a robust
// sigma that one GC spike does not move), and the largest level shift: for every split point,
// the difference between the median residual of the k points after it and of the k points
// before it. A leak leaves no shift in the residuals (the line takes it); an allocator arena that
// grows once, or V8 growing its young generation, leaves one as large as the step.
struct Noise {
  double sigma = 0;
  double shift = 0;
};

Noise residual_noise(std::span<const Point> pts, double slope, double intercept) {
  Noise out;
  const std::size_t n = pts.size();
  if (n < 4) return out;
  std::vector<double> resid(n);
  for (std::size_t i = 0; i < n; ++i) resid[i] = pts[i].v - (intercept + slope * pts[i].t);
  std::vector<double> abs_dev(n);
  const double mid = median_of(resid);
  for (std::size_t i = 0; i < n; ++i) abs_dev[i] = std::fabs(resid[i] - mid);
  out.sigma = 1.4826 * median_of(std::move(abs_dev));
  const std::size_t k = std::clamp<std::size_t>(n / 6, 2, 20);
  std::vector<double> block(k);
  for (std::size_t i = k; i + k <= n; ++i) {
    block.assign(resid.begin() + static_cast<std::ptrdiff_t>(i - k),
                 resid.begin() + static_cast<std::ptrdiff_t>(i));
    const double before = median_of(block);
    block.assign(resid.begin() + static_cast<std::ptrdiff_t>(i),
                 resid.begin() + static_cast<std::ptrdiff_t>(i + k));
    const double after = median_of(block);
    out.shift = std::max(out.shift, std::fabs(after - before));
  }
  return out;
}

// The net change of the series once its `steps` largest rises are taken out, on at most 12
// equal-count bins (medians, so point noise does not make rises). A steady leak rises a little
// between every pair of bins and keeps most of its change; RSS that stepped up once or twice (an
// arena, the young generation) keeps none. The level-shift floor above misses two steps, since
// the fitted line takes half of each.
double growth_without_steps(std::span<const Point> pts, std::size_t steps) {
  const std::vector<Point> bins = thin(pts, 12);
  if (bins.size() < 2) return 0;
  std::vector<double> rises;
  for (std::size_t i = 1; i < bins.size(); ++i) {
    rises.push_back(std::max(0.0, bins[i].v - bins[i - 1].v));
  }
  std::sort(rises.begin(), rises.end(), std::greater<>());
  double change = bins.back().v - bins.front().v;
  for (std::size_t i = 0; i < std::min(steps, rises.size()); ++i) change -= rises[i];
  return change;
}

}  // namespace

std::string_view verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kGrowing:
      return "growing";
    case Verdict::kStable:
      return "stable";
    case Verdict::kInconclusive:
      return "inconclusive";
  }
  return "inconclusive";
}

std::string_view inconclusive_reason_name(InconclusiveReason reason) {
  switch (reason) {
    case InconclusiveReason::kNone:
      return "";
    case InconclusiveReason::kTooShort:
      return "too-short";
    case InconclusiveReason::kTooFewPoints:
      return "too-few-points";
    case InconclusiveReason::kNoisy:
      return "noisy";
    case InconclusiveReason::kSettling:
      return "settling";
    case InconclusiveReason::kSteps:
      return "steps";
  }
  return "";
}

std::string_view basis_name(Basis basis) {
  switch (basis) {
    case Basis::kNone:
      return "";
    case Basis::kEarly:
      return "early";
    case Basis::kFullWindow:
      return "full-window";
  }
  return "";
}

double normal_quantile_two_sided(double confidence) {
  confidence = std::clamp(confidence, 1e-6, 1 - 1e-12);
  const double target = 1 - confidence;  // two-sided tail mass
  double lo = 0, hi = 40;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    if (normal_two_sided_p(mid) > target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}

std::vector<Point> lower_envelope(std::span<const Point> points, double window_s) {
  std::vector<Point> sorted(points.begin(), points.end());
  std::sort(sorted.begin(), sorted.end(), [](const Point& a, const Point& b) { return a.t < b.t; });
  if (sorted.empty() || !(window_s > 0)) return sorted;
  std::vector<Point> out;
  const double t0 = sorted.front().t;
  double current_window = -1;
  double window_first_t = 0;
  for (const Point& p : sorted) {
    const double w = std::floor((p.t - t0) / window_s);
    if (w != current_window) {
      current_window = w;
      window_first_t = p.t;
      out.push_back(p);
    } else if (p.v < out.back().v) {
      out.back() = p;
    }
  }
  // A trailing window that saw only part of a GC cycle has a biased-high minimum.
  const double last_span = sorted.back().t - window_first_t;
  if (out.size() >= 3 && last_span < 0.5 * window_s) out.pop_back();
  return out;
}

MannKendall mann_kendall(std::span<const Point> points) {
  const std::size_t n = points.size();
  MannKendall mk;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double d = points[j].v - points[i].v;
      mk.s += (d > 0) - (d < 0);
    }
  }
  const double nd = static_cast<double>(n);
  double var = nd * (nd - 1) * (2 * nd + 5);
  std::vector<double> values;
  values.reserve(n);
  for (const Point& p : points) values.push_back(p.v);
  std::sort(values.begin(), values.end());
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && values[j] == values[i]) ++j;
    const double tie = static_cast<double>(j - i);
    if (tie > 1) var -= tie * (tie - 1) * (2 * tie + 5);
    i = j;
  }
  mk.variance = var / 18;
  return mk;
}

SlopeEstimate theil_sen(std::span<const Point> points, double variance_s, double confidence) {
  SlopeEstimate est;
  const std::size_t n = points.size();
  if (n < 2) return est;
  std::vector<double> slopes;
  slopes.reserve(n * (n - 1) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      const double dt = points[j].t - points[i].t;
      if (dt != 0) slopes.push_back((points[j].v - points[i].v) / dt);
    }
  }
  if (slopes.empty()) return est;
  const std::size_t count = slopes.size();
  auto kth = [&](std::size_t k) {
    std::nth_element(slopes.begin(), slopes.begin() + static_cast<std::ptrdiff_t>(k), slopes.end());
    return slopes[k];
  };
  const std::size_t mid = count / 2;
  est.slope = kth(mid);
  if (count % 2 == 0) {
    est.slope = (est.slope + *std::max_element(slopes.begin(),
                                               slopes.begin() + static_cast<std::ptrdiff_t>(mid))) /
                2;
  }
  // Sen (1968): the CI bounds are order statistics of the pairwise slopes, offset by the
  // Mann-Kendall standard deviation.
  const double c = normal_quantile_two_sided(confidence) * std::sqrt(std::max(0.0, variance_s));
  const double nd = static_cast<double>(count);
  const double m1 = (nd - c) / 2;
  const double m2 = (nd + c) / 2;
  auto clamp_index = [&](double x) {
    if (x < 0) return std::size_t{0};
    if (x > nd - 1) return count - 1;
    return static_cast<std::size_t>(x);
  };
  est.low = std::min(est.slope, kth(clamp_index(std::round(m1) - 1)));
  est.high = std::max(est.slope, kth(clamp_index(std::round(m2))));
  std::vector<double> intercepts;
  intercepts.reserve(n);
  for (const Point& p : points) intercepts.push_back(p.v - est.slope * p.t);
  est.intercept = median_of(std::move(intercepts));
  return est;
}

void TrendTracker::add(double t, double v) {
  // Uniform decimation: every point kept stands for `stride_` inputs, old or new, so the
  // density stays even and no part of the history is biased against another.
  if (seen_++ % stride_ != 0) return;
  points_.push_back({t, v});
  if (points_.size() <= capacity_) return;
  std::size_t out = 0;
  for (std::size_t i = 0; i < points_.size(); i += 2) points_[out++] = points_[i];
  points_.resize(out);
  stride_ *= 2;
  seen_ = 1;  // the last kept input starts the next stride
}

namespace {

// The input's extent and the judged points' spacing, which every stage's advice is built on.
struct Extent {
  double t_first = 0;        // the first finite input point
  double span_all = 0;       // first to last input point, warm-up included
  double spacing = 0;        // the judged points' median gap
  std::size_t min_keep = 0;  // points a full-window verdict needs
};

// The points cut to the options' window and warm-up, reduced to their lower envelope when asked
// and thinned; then the auto warm-up's cut, which only a change that matters (the relevance
// floor, from the median level) may take.
std::vector<Point> judged_points(std::vector<Point> pts, const TrendOptions& options,
                                 const Extent& extent) {
  if (options.max_window_s > 0) {
    const double from = pts.back().t - options.max_window_s;
    pts.erase(pts.begin(),
              std::find_if(pts.begin(), pts.end(), [&](const Point& p) { return p.t >= from; }));
  }
  if (options.warmup_s > 0) {
    const double cut = extent.t_first + options.warmup_s;
    pts.erase(pts.begin(),
              std::find_if(pts.begin(), pts.end(), [&](const Point& p) { return p.t >= cut; }));
  }
  if (options.lower_envelope && pts.size() >= 2) {
    pts = options.envelope_window_s > 0 ? lower_envelope(pts, options.envelope_window_s)
                                        : auto_envelope(pts, options.min_points);
  }
  pts = thin(pts, options.max_points);

  std::size_t cut = 0;
  if (options.auto_warmup && !pts.empty()) {
    std::vector<double> vs;
    vs.reserve(pts.size());
    for (const Point& p : pts) vs.push_back(p.v);
    const double min_effect = std::max(
        options.min_growth_abs, options.min_growth_fraction * std::fabs(median_of(std::move(vs))));
    cut = auto_warmup_cut(pts, options.max_warmup_fraction, extent.min_keep, min_effect);
  }
  pts.erase(pts.begin(), pts.begin() + static_cast<std::ptrdiff_t>(cut));
  return pts;
}

// The judged window's extent, its level and the relevance floor that level sets.
void describe_window(std::span<const Point> pts, const TrendOptions& options, const Extent& extent,
                     TrendResult& r) {
  r.window_start_s = pts.front().t;
  r.window_end_s = pts.back().t;
  r.warmup_discarded_s = r.window_start_s - extent.t_first;
  std::vector<double> vs;
  vs.reserve(pts.size());
  for (const Point& p : pts) vs.push_back(p.v);
  r.level = median_of(std::move(vs));
  r.relevance_floor =
      std::max(options.min_growth_abs, options.min_growth_fraction * std::fabs(r.level));
  r.growth_floor = r.relevance_floor;
}

// The late part: does the growth go on, or has it stopped (a warm-up settling)? The last third of
// the window when it holds 4 points or more (a plateau that began lately shows there first), else
// the later half. Returns the late part's Mann-Kendall S (0 when it is too short to fit).
long fit_late_part(std::span<const Point> pts, const TrendOptions& options, TrendResult& r) {
  const double window = r.window_s();
  auto tail_from = [&](double fraction) {
    const double from_t = r.window_end_s - fraction * window;
    return std::span<const Point>(
        std::find_if(pts.begin(), pts.end(), [&](const Point& p) { return p.t >= from_t; }),
        pts.end());
  };
  std::span<const Point> late = tail_from(1.0 / 3);
  if (late.size() < 4) late = tail_from(0.5);
  if (late.size() < 3) {
    r.late_rate_per_hour = r.rate_per_hour;
    r.late_ci_high_per_hour = r.ci_high_per_hour;
    r.late_span_s = window;
    return 0;
  }
  const MannKendall late_mk = mann_kendall(late);
  const SlopeEstimate late_est =
      theil_sen(late, late_mk.variance * r.autocorrelation_factor, options.confidence);
  r.late_rate_per_hour = late_est.slope * 3600;
  r.late_span_s = late.back().t - late.front().t;
  r.late_ci_high_per_hour = late_est.high * 3600;
  return static_cast<long>(late_mk.s);
}

// What the fit gives the early rule besides the result's own fields.
struct EarlyEvidence {
  double ci_low_per_hour = 0;  // the slope's lower bound at the early rule's confidence
  long late_mk_s = 0;          // the late part's Mann-Kendall S
};

// The statistics over the judged window (3 points or more over a positive span): Mann-Kendall
// with the Hamed-Rao correction for autocorrelation, Theil-Sen with its interval, the noise and
// step floors, and the late part.
EarlyEvidence fit_trend(std::span<const Point> pts, const TrendOptions& options, TrendResult& r) {
  const double z = normal_quantile_two_sided(options.confidence);
  const double window = r.window_s();
  MannKendall mk = mann_kendall(pts);
  // A first Theil-Sen pass (no CI needed) detrends the series for the autocorrelation check.
  const SlopeEstimate rough = theil_sen(pts, 0, options.confidence);
  r.autocorrelation_factor = hamed_rao_factor(pts, rough.slope, z);
  const double variance = mk.variance * r.autocorrelation_factor;
  const SlopeEstimate est = theil_sen(pts, variance, options.confidence);
  r.rate_per_hour = est.slope * 3600;
  r.ci_low_per_hour = est.low * 3600;
  r.ci_high_per_hour = est.high * 3600;
  r.first_value = est.intercept + est.slope * r.window_start_s;
  r.growth = est.slope * window;
  if (variance > 0 && mk.s != 0) {
    r.mk_z = (mk.s - (mk.s > 0 ? 1 : -1)) / std::sqrt(variance);
  }
  r.p_value = normal_two_sided_p(r.mk_z);
  r.growth_without_steps = growth_without_steps(pts, 2);
  const Noise noise = residual_noise(pts, est.slope, est.intercept);
  r.noise = noise.sigma;
  r.level_shift = noise.shift;
  const double noise_part = options.noise_sigmas * r.noise;
  const double step_part = options.step_multiple * r.level_shift;
  r.growth_floor = std::max({r.relevance_floor, noise_part, step_part});
  if (r.growth_floor > r.relevance_floor) {
    r.floor_source = step_part >= noise_part ? TrendResult::FloorSource::kSteps
                                             : TrendResult::FloorSource::kNoise;
  }
  EarlyEvidence early;
  early.ci_low_per_hour = theil_sen(pts, variance, 1 - options.early_alpha).low * 3600;
  early.late_mk_s = fit_late_part(pts, options, r);
  return early;
}

// Called for an inconclusive answer: never suggest a recording no longer than this one.
void suggest(double wanted, const TrendOptions& options, const Extent& extent, TrendResult& r) {
  const double at_least =
      extent.span_all + std::max(2 * extent.spacing, 0.25 * options.min_duration_s);
  r.suggested_duration_s = std::max(wanted, at_least);
}

// A window shorter than a full one: an early leak (strong, large growth that goes on in the late
// part), else too few points or too short, with how long to record.
void judge_early(std::size_t n, const TrendOptions& options, const Extent& extent,
                 const EarlyEvidence& early, TrendResult& r) {
  const double window = r.window_s();
  const double spacing = extent.spacing;
  const std::size_t min_keep = extent.min_keep;
  const bool fast_enough = r.rate_per_hour >= options.min_rate_per_hour;
  const std::size_t early_points = std::min(options.early_min_points, min_keep);
  const bool strong = n >= early_points &&
                      window >= options.early_min_fraction * options.min_duration_s &&
                      r.p_value < options.early_alpha && early.ci_low_per_hour > 0;
  const bool large = r.growth >= options.early_floor_multiple * r.growth_floor && fast_enough &&
                     r.growth_without_steps >= r.relevance_floor;
  const bool goes_on =
      r.late_rate_per_hour >= options.early_late_ratio * r.rate_per_hour && early.late_mk_s > 0;
  if (strong && large && goes_on) {
    r.verdict = Verdict::kGrowing;
    r.reason = InconclusiveReason::kNone;
    r.basis = Basis::kEarly;
    r.confidence = 1 - r.p_value;
    return;
  }
  r.verdict = Verdict::kInconclusive;
  if (n < min_keep) {
    r.reason = InconclusiveReason::kTooFewPoints;
    // The points still missing, at the spacing seen so far.
    const double missing = static_cast<double>(min_keep - n);
    suggest(std::max(r.warmup_discarded_s +
                         std::max(options.min_duration_s,
                                  static_cast<double>(min_keep) * (spacing > 0 ? spacing : 1)),
                     extent.span_all + missing * (spacing > 0 ? spacing : 1)),
            options, extent, r);
  } else {
    r.reason = InconclusiveReason::kTooShort;
    suggest(extent.span_all + (options.min_duration_s - window), options, extent, r);
  }
}

// A full window: growing when the growth is significant, large enough, not made of steps and not
// settling; stable when its upper bound stays under the margin; else inconclusive, with the
// window that would decide it.
void judge_full_window(const TrendOptions& options, const Extent& extent, TrendResult& r) {
  const double window = r.window_s();
  const bool fast_enough = r.rate_per_hour >= options.min_rate_per_hour;
  const double alpha = 1 - options.confidence;
  const bool significant = r.p_value < alpha && r.ci_low_per_hour > 0;
  const bool big_enough = r.growth >= r.growth_floor && fast_enough;
  // A growth made of one or two steps is what an allocator does: no leak shown (yet).
  const bool steps_only = r.growth_without_steps < r.relevance_floor;
  // The late part is shown to grow at under half the overall rate, and even its upper bound over
  // the late part's own span is under the floor: it rose and is settling. (A leak that slows as
  // GC chokes the process still grows by far more than the floor late in the window.)
  const bool settling = r.late_ci_high_per_hour < 0.5 * r.rate_per_hour &&
                        r.late_ci_high_per_hour / 3600 * r.late_span_s < r.growth_floor;
  if (significant && big_enough && !settling && !steps_only) {
    r.verdict = Verdict::kGrowing;
    r.reason = InconclusiveReason::kNone;
    r.basis = Basis::kFullWindow;
    r.confidence = 1 - r.p_value;
    return;
  }
  const double upper_growth = r.ci_high_per_hour / 3600 * window;
  const bool bounded =
      upper_growth < options.stable_margin * r.growth_floor ||
      (options.min_rate_per_hour > 0 && r.ci_high_per_hour < options.min_rate_per_hour);
  if (bounded) {
    r.verdict = Verdict::kStable;
    r.reason = InconclusiveReason::kNone;
    r.basis = Basis::kFullWindow;
    r.confidence = options.confidence;
    return;
  }
  r.verdict = Verdict::kInconclusive;
  r.reason = !(significant && big_enough) ? InconclusiveReason::kNoisy
             : steps_only                 ? InconclusiveReason::kSteps
                                          : InconclusiveReason::kSettling;
  // The CI half-width shrinks like T^-1.5 at a fixed sampling rate; find the window where it
  // fits under the stability margin (what "stable" would need if the true slope were zero).
  const double half_width = std::max(0.0, (r.ci_high_per_hour - r.rate_per_hour) / 3600);
  double needed = 2 * window;
  if (half_width > 0 && r.growth_floor > 0) {
    const double root =
        half_width * std::pow(window, 1.5) / (options.stable_margin * r.growth_floor);
    needed = std::clamp(root * root, 2 * window, 100 * window);
  }
  suggest(r.warmup_discarded_s + needed, options, extent, r);
}

}  // namespace

TrendResult detect_trend(std::span<const Point> points, const TrendOptions& options) {
  TrendResult r;
  std::vector<Point> pts;
  pts.reserve(points.size());
  for (const Point& p : points) {
    if (std::isfinite(p.t) && std::isfinite(p.v)) pts.push_back(p);
  }
  std::sort(pts.begin(), pts.end(), [](const Point& a, const Point& b) { return a.t < b.t; });
  r.points_in = pts.size();
  if (pts.empty()) return r;
  Extent extent;
  extent.t_first = pts.front().t;
  extent.span_all = pts.back().t - extent.t_first;
  extent.min_keep = std::max<std::size_t>(options.min_points, 3);
  pts = judged_points(std::move(pts), options, extent);

  r.points_judged = pts.size();
  r.min_points = extent.min_keep;
  r.min_duration_s = options.min_duration_s;
  r.input_span_s = extent.span_all;
  r.stable_margin = options.stable_margin;
  r.noise_sigmas = options.noise_sigmas;
  r.step_multiple = options.step_multiple;
  if (pts.empty()) {
    r.warmup_discarded_s = extent.span_all;
    r.suggested_duration_s =
        std::max(options.warmup_s + options.min_duration_s, 1.25 * extent.span_all + 1);
    return r;
  }
  describe_window(pts, options, extent, r);
  const double window = r.window_s();
  extent.spacing = median_dt(pts);
  if (pts.size() < 3 || !(window > 0)) {
    r.verdict = Verdict::kInconclusive;
    r.reason = InconclusiveReason::kTooFewPoints;
    const double need =
        static_cast<double>(extent.min_keep) * (extent.spacing > 0 ? extent.spacing : 1);
    suggest(r.warmup_discarded_s + std::max(options.min_duration_s, need), options, extent, r);
    return r;
  }
  const EarlyEvidence early = fit_trend(pts, options, r);
  const bool full_window = pts.size() >= extent.min_keep && window >= options.min_duration_s;
  if (!full_window) {
    judge_early(pts.size(), options, extent, early, r);
  } else {
    judge_full_window(options, extent, r);
  }
  return r;
}

}  // namespace leakscope::series
