// The trend detector on synthetic series whose truth is known: leaks must come out "growing" with
// the right rate inside the CI, and the controls must come out "stable" on every seed.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "series/trend.h"

namespace leakscope::series {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::vector<Point> make(double duration_s, double step_s, auto&& fn) {
  std::vector<Point> pts;
  for (double t = 0; t <= duration_s; t += step_s) pts.push_back({t, fn(t)});
  return pts;
}

double sawtooth(double t, double period, double amplitude, double phase = 0) {
  const double x = (t + phase) / period;
  return amplitude * (x - std::floor(x));
}

TEST(SeriesTrend, LinearGrowthUnderSawtoothIsGrowingWithTheRightRate) {
  // 12 MB/h over 2 h 10 m, a 30 MB GC sawtooth with a 5-minute period, sampled every 10 s.
  const auto pts = make(2 * 3600 + 600, 10, [](double t) {
    return 100 * kMiB + 12 * kMiB * t / 3600 + sawtooth(t, 300, 30 * kMiB);
  });
  TrendOptions opt;
  opt.lower_envelope = true;
  const TrendResult r = detect_trend(pts, opt);
  EXPECT_EQ(r.verdict, Verdict::kGrowing);
  EXPECT_LT(r.ci_low_per_hour, 12.2 * kMiB);
  EXPECT_GT(r.ci_high_per_hour, 11.8 * kMiB);
  EXPECT_NEAR(r.rate_per_hour / kMiB, 12, 1);
  EXPECT_LT(r.p_value, 0.01);
}

TEST(SeriesTrend, PostGcSeriesWithGaussianNoiseIsGrowing) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 2 * kMiB);
  const auto pts =
      make(3600, 20, [&](double t) { return 50 * kMiB + 20 * kMiB * t / 3600 + noise(rng); });
  const TrendResult r = detect_trend(pts);
  EXPECT_EQ(r.verdict, Verdict::kGrowing);
  EXPECT_LE(r.ci_low_per_hour, 20 * kMiB);
  EXPECT_GE(r.ci_high_per_hour, 20 * kMiB);
  EXPECT_EQ(r.warmup_discarded_s, 0);
}

TEST(SeriesTrend, StaircaseIsGrowing) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0, 1 * kMiB);
  // +10 MB every 15 minutes for 3 hours: a cache that is never evicted, filled in bursts.
  const auto pts = make(3 * 3600, 30, [&](double t) {
    return 80 * kMiB + 10 * kMiB * std::floor(t / 900) + noise(rng);
  });
  const TrendResult r = detect_trend(pts);
  EXPECT_EQ(r.verdict, Verdict::kGrowing);
  EXPECT_NEAR(r.rate_per_hour / kMiB, 40, 8);
}

TEST(SeriesTrend, SingleEarlyStepIsWarmUpNotALeak) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 0.5 * kMiB);
  const auto pts =
      make(2 * 3600, 30, [&](double t) { return (t < 1200 ? 60 : 90) * kMiB + noise(rng); });
  const TrendResult r = detect_trend(pts);
  EXPECT_EQ(r.verdict, Verdict::kStable);
  EXPECT_GE(r.warmup_discarded_s, 1100);
  EXPECT_LE(r.warmup_discarded_s, 1400);
}

TEST(SeriesTrend, WarmUpThenPlateauIsStableAndTheWarmUpIsReported) {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0, 1 * kMiB);
  const auto pts = make(2 * 3600, 15, [&](double t) {
    return 50 * kMiB + 100 * kMiB * (1 - std::exp(-t / 600)) + noise(rng);
  });
  const TrendResult r = detect_trend(pts);
  EXPECT_EQ(r.verdict, Verdict::kStable);
  EXPECT_GT(r.warmup_discarded_s, 600);
  EXPECT_LT(r.warmup_discarded_s, 3600);
}

TEST(SeriesTrend, WarmUpRampThenSlowLeakJudgesTheLeak) {
  std::mt19937 rng(9);
  std::normal_distribution<double> noise(0, 0.5 * kMiB);
  const auto pts = make(4 * 3600, 30, [&](double t) {
    const double ramp = t < 900 ? 80 * kMiB * t / 900 : 80 * kMiB;
    return 20 * kMiB + ramp + 6 * kMiB * t / 3600 + noise(rng);
  });
  const TrendResult r = detect_trend(pts);
  EXPECT_EQ(r.verdict, Verdict::kGrowing);
  EXPECT_NEAR(r.rate_per_hour / kMiB, 6, 1);
  EXPECT_GT(r.warmup_discarded_s, 600);
}

TEST(SeriesTrend, PureSawtoothIsStableOnEverySeed) {
  std::mt19937 rng(1);
  // Sampling resolves the cycle (at least 10 samples per period), as `watch` does by default;
  // amplitudes up to the surviving level.
  std::uniform_real_distribution<double> period(20, 600), phase(0, 600), unit(0, 1);
  std::uniform_real_distribution<double> base(20, 500);
  for (int i = 0; i < 200; ++i) {
    const double p = period(rng), ph = phase(rng), b = base(rng) * kMiB;
    const double a = (0.05 + 0.95 * unit(rng)) * b;
    const double step = 1 + (std::min(15.0, p / 10) - 1) * unit(rng);
    const auto pts = make(2 * 3600, step, [&](double t) { return b + sawtooth(t, p, a, ph); });
    TrendOptions opt;
    opt.lower_envelope = true;
    const TrendResult r = detect_trend(pts, opt);
    ASSERT_EQ(r.verdict, Verdict::kStable)
        << "seed " << i << " period " << p << " amp " << a << " rate " << r.rate_per_hour / kMiB
        << " hi " << r.ci_high_per_hour / kMiB << " level " << r.level / kMiB << " floor "
        << r.growth_floor / kMiB << " win " << r.window_s() << " n " << r.points_judged << " ac "
        << r.autocorrelation_factor << " p " << r.p_value;
  }
}

TEST(SeriesTrend, FlatNoisyControlsAreStableOnEverySeed) {
  // White noise and strongly autocorrelated AR(1) noise around a flat level.
  for (int seed = 0; seed < 100; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<double> noise(0, 3 * kMiB);
    double ar = 0;
    const double phi = seed % 2 == 0 ? 0.0 : 0.9;
    const auto pts = make(2 * 3600, 10, [&](double) {
      ar = phi * ar + noise(rng);
      return 200 * kMiB + ar;
    });
    const TrendResult r = detect_trend(pts);
    ASSERT_EQ(r.verdict, Verdict::kStable)
        << "seed " << seed << " rate " << r.rate_per_hour / kMiB << " MB/h, p " << r.p_value
        << " hi " << r.ci_high_per_hour / kMiB << " floor " << r.growth_floor / kMiB << " win "
        << r.window_s() << " ac " << r.autocorrelation_factor << " n " << r.points_judged;
  }
}

TEST(SeriesTrend, SlowGrowthUnderLargeNoiseIsFoundGivenEnoughTime) {
  // 1 MB/h under 50 MB of GC noise, sampled every 30 s for 3 days.
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> noise(0, 50 * kMiB);
  const auto pts =
      make(72 * 3600, 30, [&](double t) { return 150 * kMiB + 1 * kMiB * t / 3600 + noise(rng); });
  TrendOptions opt;
  opt.lower_envelope = true;
  const TrendResult r = detect_trend(pts, opt);
  EXPECT_EQ(r.verdict, Verdict::kGrowing);
  EXPECT_NEAR(r.rate_per_hour / kMiB, 1, 0.3);
  EXPECT_LE(r.ci_low_per_hour, 1 * kMiB);
  EXPECT_GE(r.ci_high_per_hour, 1 * kMiB);

  // The same leak over 20 minutes cannot be told apart from noise: not "growing", and not
  // "stable" either, since a relevant leak is not excluded.
  std::vector<Point> head;
  for (const Point& p : pts) {
    if (p.t <= 1200) head.push_back(p);
  }
  const TrendResult short_r = detect_trend(head, opt);
  EXPECT_NE(short_r.verdict, Verdict::kGrowing);
}

TEST(SeriesTrend, VeryShortSeriesAreInconclusiveAndSayHowLongToRun) {
  const std::vector<Point> three = {{0, 1 * kMiB}, {1, 2 * kMiB}, {2, 3 * kMiB}};
  TrendResult r = detect_trend(three);
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.reason, InconclusiveReason::kTooFewPoints);
  EXPECT_GE(r.suggested_duration_s, 60);

  const auto twenty = make(10, 0.5, [](double t) { return 10 * kMiB + kMiB * t; });
  r = detect_trend(twenty);
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_EQ(r.reason, InconclusiveReason::kTooShort);
  EXPECT_GE(r.suggested_duration_s, 60);
  EXPECT_GT(r.rate_per_hour, 0);  // the numbers are still reported

  EXPECT_EQ(detect_trend(std::vector<Point>{}).verdict, Verdict::kInconclusive);
}

TEST(SeriesTrend, ConstantSeriesIsStable) {
  const auto pts = make(600, 1, [](double) { return 42 * kMiB; });
  const TrendResult r = detect_trend(pts);
  EXPECT_EQ(r.verdict, Verdict::kStable);
  EXPECT_EQ(r.rate_per_hour, 0);
}

TEST(SeriesTrend, ShrinkingSeriesIsNotGrowing) {
  const auto pts = make(3600, 10, [](double t) { return 300 * kMiB - 30 * kMiB * t / 3600; });
  EXPECT_EQ(detect_trend(pts).verdict, Verdict::kStable);
}

TEST(SeriesTrend, TinyGrowthBelowTheFloorIsStable) {
  // 0.1 MB/h on a 500 MB heap for an hour: real, but far below the 5 % floor.
  std::mt19937 rng(2);
  std::normal_distribution<double> noise(0, 0.01 * kMiB);
  const auto pts =
      make(3600, 10, [&](double t) { return 500 * kMiB + 0.1 * kMiB * t / 3600 + noise(rng); });
  EXPECT_EQ(detect_trend(pts).verdict, Verdict::kStable);
}

TEST(SeriesTrend, MinRateThresholdIsHonoured) {
  const auto pts = make(3600, 10, [](double t) { return 10 * kMiB + 4 * kMiB * t / 3600; });
  TrendOptions opt;
  EXPECT_EQ(detect_trend(pts, opt).verdict, Verdict::kGrowing);
  opt.min_rate_per_hour = 8 * kMiB;
  EXPECT_NE(detect_trend(pts, opt).verdict, Verdict::kGrowing);
}

TEST(SeriesTrend, ExplicitWarmUpIsDiscarded) {
  const auto pts = make(1200, 5, [](double t) { return (t < 300 ? t : 300.0) * kMiB; });
  TrendOptions opt;
  opt.auto_warmup = false;
  opt.warmup_s = 300;
  const TrendResult r = detect_trend(pts, opt);
  EXPECT_EQ(r.verdict, Verdict::kStable);
  EXPECT_NEAR(r.warmup_discarded_s, 300, 1e-9);
}

TEST(SeriesTrend, LowerEnvelopeTakesWindowMinima) {
  const std::vector<Point> pts = {{0, 5}, {1, 3}, {2, 4}, {3, 9}, {4, 1}, {5, 7}, {6, 2}, {7, 8}};
  const auto env = lower_envelope(pts, 2);
  ASSERT_EQ(env.size(), 4u);
  EXPECT_EQ(env[0].v, 3);
  EXPECT_EQ(env[1].v, 4);
  EXPECT_EQ(env[2].v, 1);
  EXPECT_EQ(env[3].v, 2);
}

TEST(SeriesTrend, MannKendallAndTheilSenOnKnownData) {
  const std::vector<Point> pts = {{0, 1}, {1, 3}, {2, 2}, {3, 5}, {4, 4}};
  const MannKendall mk = mann_kendall(pts);
  EXPECT_EQ(mk.s, 6);  // 8 concordant pairs, 2 discordant
  EXPECT_NEAR(mk.variance, 5 * 4 * 15 / 18.0, 1e-9);
  const SlopeEstimate est = theil_sen(pts, mk.variance, 0.95);
  EXPECT_NEAR(est.slope, 0.875, 1e-9);  // median of the 10 pairwise slopes
  EXPECT_LE(est.low, est.slope);
  EXPECT_GE(est.high, est.slope);
  EXPECT_NEAR(normal_quantile_two_sided(0.95), 1.959964, 1e-5);
}

TEST(SeriesTrend, MaxWindowJudgesOnlyTheRecentPast) {
  // A leak that stopped an hour ago: over everything it rose and then settled (the rule does not
  // call a rise that has stopped a leak: it is what a warm-up looks like), over the last hour it
  // is flat.
  const auto pts =
      make(3 * 3600, 30, [](double t) { return (t < 7200 ? 50 + 20 * t / 3600 : 90.0) * kMiB; });
  TrendOptions opt;
  opt.auto_warmup = false;
  const TrendResult all = detect_trend(pts, opt);
  EXPECT_EQ(all.verdict, Verdict::kInconclusive);
  EXPECT_EQ(all.reason, InconclusiveReason::kSettling);
  EXPECT_LT(all.late_ci_high_per_hour, 0.5 * all.rate_per_hour);
  opt.max_window_s = 3000;
  const TrendResult r = detect_trend(pts, opt);
  EXPECT_EQ(r.verdict, Verdict::kStable);
  EXPECT_GE(r.window_start_s, 3 * 3600 - 3000 - 1e-9);
}

TEST(SeriesTrend, TrackerStaysBoundedAndStillSeesTheLeak) {
  TrendOptions opt;
  TrendTracker tracker(opt, 256);
  std::mt19937 rng(4);
  std::normal_distribution<double> noise(0, 0.5 * kMiB);
  for (int i = 0; i < 20000; ++i) {
    const double t = i * 2.0;  // a full GC every 2 s for 11 hours
    tracker.add(t, 40 * kMiB + 3 * kMiB * t / 3600 + noise(rng));
    ASSERT_LE(tracker.points().size(), 257u);
  }
  EXPECT_LT(tracker.points().front().t, 100);  // the history still reaches the start
  const TrendResult r = tracker.evaluate();
  EXPECT_EQ(r.verdict, Verdict::kGrowing);
  EXPECT_NEAR(r.rate_per_hour / kMiB, 3, 0.3);

  TrendTracker flat(opt, 256);
  for (int i = 0; i < 20000; ++i) flat.add(i * 2.0, 40 * kMiB + noise(rng));
  EXPECT_EQ(flat.evaluate().verdict, Verdict::kStable);
}

// The decision rule: early on strong evidence, "no leak" only over the full window, warm-up and
// level steps never a leak. Windows here are those of `watch --min-duration 20`.

TrendOptions watch_like(double min_duration_s = 20) {
  TrendOptions opt;
  opt.min_duration_s = min_duration_s;
  return opt;
}

// The first prefix (by its last point's time) that the rule calls growing; -1 if none.
double first_growing_at(const std::vector<Point>& pts, const TrendOptions& opt,
                        TrendResult* at = nullptr) {
  std::vector<Point> prefix;
  for (const Point& p : pts) {
    prefix.push_back(p);
    const TrendResult r = detect_trend(prefix, opt);
    if (r.verdict == Verdict::kGrowing) {
      if (at) *at = r;
      return p.t;
    }
  }
  return -1;
}

TEST(SeriesTrendRule, FastLeakDecidesEarlyButNotBeforeHalfTheWindow) {
  // 2 MB/s after each full GC (one every 2 s), 0.3 MB of noise: obvious within seconds.
  for (int seed = 0; seed < 20; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<double> noise(0, 0.3 * kMiB);
    const auto pts = make(40, 2, [&](double t) { return 30 * kMiB + 2 * kMiB * t + noise(rng); });
    TrendResult r;
    const double t = first_growing_at(pts, watch_like(), &r);
    ASSERT_GE(t, 10) << "seed " << seed;  // half of --min-duration 20
    ASSERT_LE(t, 14) << "seed " << seed;  // well before the 20 s window
    EXPECT_EQ(r.basis, Basis::kEarly);
    EXPECT_GT(r.confidence, 0.99);
    EXPECT_GE(r.growth, 2 * r.growth_floor);
  }
}

TEST(SeriesTrendRule, SparseGcsUnderLoadWithAWarmUpCutStillDecide) {
  // A busy machine: 7 full GCs at irregular times over 19 s (the app got little CPU), after a
  // start-up ramp; the heap grows 36 MB. Old rule: fewer than 8 points, window under 20 s:
  // "inconclusive". The growth is large, significant and goes on: a leak, now.
  const std::vector<Point> pts = {{0.5, 8 * kMiB},   {1.0, 20 * kMiB},  {1.6, 26 * kMiB},
                                  {2.5, 28 * kMiB},  {5.1, 33 * kMiB},  {7.9, 38.5 * kMiB},
                                  {10.2, 43 * kMiB}, {13.8, 50 * kMiB}, {16.0, 54.5 * kMiB},
                                  {19.5, 62 * kMiB}};
  const TrendResult r = detect_trend(pts, watch_like());
  EXPECT_EQ(r.verdict, Verdict::kGrowing) << inconclusive_reason_name(r.reason);
  EXPECT_EQ(r.basis, Basis::kEarly);
  EXPECT_LT(r.window_s(), 20);
  EXPECT_GT(r.growth, 20 * kMiB);
}

TEST(SeriesTrendRule, NoLeakNeedsTheFullWindow) {
  const auto flat = make(40, 1, [](double) { return 50 * kMiB; });
  std::vector<Point> head(flat.begin(), flat.begin() + 15);  // 14 s
  const TrendResult early = detect_trend(head, watch_like());
  EXPECT_EQ(early.verdict, Verdict::kInconclusive);
  EXPECT_EQ(early.reason, InconclusiveReason::kTooShort);
  EXPECT_EQ(detect_trend(flat, watch_like()).verdict, Verdict::kStable);
}

TEST(SeriesTrendRule, WarmUpPlateausAreNeverALeakAtAnyPrefix) {
  // Caches filling and the young generation growing for 4 to 7.5 s, then flat; judged after every
  // new point, as the agent does. (The early call waits for half the minimum window, 10 s here:
  // a ramp that is still rising then, with no flat point yet, cannot be told from a leak.)
  for (int seed = 0; seed < 30; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<double> noise(0, 0.2 * kMiB);
    std::uniform_real_distribution<double> knee(4, 7.5), height(20, 80);
    const double k = knee(rng), h = height(rng) * kMiB;
    const bool exponential = seed % 2 == 1;
    const auto pts = make(60, 1, [&](double t) {
      const double ramp = exponential ? h * (1 - std::exp(-t / (k / 3))) : h * std::min(t / k, 1.0);
      return 20 * kMiB + ramp + noise(rng);
    });
    TrendResult r;
    const double t = first_growing_at(pts, watch_like(), &r);
    ASSERT_EQ(t, -1) << "seed " << seed << " knee " << k << " called growing at " << t << " window "
                     << r.window_s() << " basis " << basis_name(r.basis);
    EXPECT_EQ(detect_trend(pts, watch_like()).verdict, Verdict::kStable) << "seed " << seed;
  }
}

TEST(SeriesTrendRule, LevelStepsOfAFewMegabytesAreNotALeak) {
  // Anonymous RSS of a control: flat at 45 MB with 0.2 MB of jitter and one or two steps of
  // 1.5 to 3 MB at random times (an arena grows, the young generation grows), 40 s sampled per
  // second and judged by its lower envelope, as `watch` does. Never "growing", on any seed.
  // (Three or more comparable steps in the window are growth that goes on: called a leak.)
  for (int seed = 0; seed < 100; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<double> noise(0, 0.2 * kMiB);
    std::uniform_real_distribution<double> when(3, 37), size(1.5, 3);
    const int steps = 1 + seed % 2;
    std::vector<std::pair<double, double>> at;
    for (int i = 0; i < steps; ++i) at.push_back({when(rng), size(rng) * kMiB});
    const auto pts = make(40, 1, [&](double t) {
      double v = 45 * kMiB + std::fabs(noise(rng));
      for (const auto& [ts, sz] : at) v += t >= ts ? sz : 0;
      return v;
    });
    TrendOptions opt = watch_like();
    opt.lower_envelope = true;
    const TrendResult r = detect_trend(pts, opt);
    ASSERT_NE(r.verdict, Verdict::kGrowing)
        << "seed " << seed << " steps " << steps << " growth " << r.growth / kMiB << " floor "
        << r.growth_floor / kMiB << " shift " << r.level_shift / kMiB << " p " << r.p_value;
  }
}

TEST(SeriesTrendRule, JitterOfSeveralMegabytesIsNotALeak) {
  // RSS that jumps up and down by up to 8 MB (bursts of short-lived Buffers), no trend.
  for (int seed = 0; seed < 100; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::uniform_real_distribution<double> burst(0, 8 * kMiB);
    std::bernoulli_distribution busy(0.4);
    const auto pts =
        make(40, 1, [&](double) { return 60 * kMiB + (busy(rng) ? burst(rng) : 0.0); });
    TrendOptions opt = watch_like();
    opt.lower_envelope = true;
    const TrendResult r = detect_trend(pts, opt);
    ASSERT_NE(r.verdict, Verdict::kGrowing) << "seed " << seed;
  }
}

TEST(SeriesTrendRule, SteadySlowLeakIsFoundOverTheFullWindowNotEarly) {
  // 6 MB over 40 s (0.15 MB/s) under 0.4 MB of noise: real, but not strong enough to call at
  // half the window; over the full window it is a leak.
  int early = 0, full = 0;
  for (int seed = 0; seed < 20; ++seed) {
    std::mt19937 rng(static_cast<unsigned>(seed));
    std::normal_distribution<double> noise(0, 0.4 * kMiB);
    const auto pts =
        make(40, 1, [&](double t) { return 40 * kMiB + 0.15 * kMiB * t + noise(rng); });
    std::vector<Point> head(pts.begin(), pts.begin() + 13);
    if (detect_trend(head, watch_like()).verdict == Verdict::kGrowing) ++early;
    const TrendResult r = detect_trend(pts, watch_like());
    if (r.verdict == Verdict::kGrowing) {
      ++full;
      EXPECT_EQ(r.basis, Basis::kFullWindow);
      EXPECT_GT(r.confidence, 0.95);
    }
  }
  EXPECT_EQ(early, 0);
  EXPECT_EQ(full, 20);
}

TEST(SeriesTrendRule, ASmallStartUpWobbleDoesNotShortenTheWindow) {
  // The heap after full GC of a busy control: 0.3 MB lower for its first 14 s (modules still
  // loading), then flat, 40 s in all. Cutting the wobble would leave 26 s; cutting it at the MSER
  // optimum under load left 18 s < 20 s ("too short"). It is smaller than any leak the rule could
  // report, so it is kept and the full window is judged: no leak.
  const auto pts = make(40, 2.5, [](double t) { return (t < 14 ? 2.8 : 3.1) * kMiB; });
  const TrendResult r = detect_trend(pts, watch_like(30));
  EXPECT_EQ(r.warmup_discarded_s, 0);
  EXPECT_EQ(r.verdict, Verdict::kStable);
}

TEST(SeriesTrendRule, InconclusiveAdviceIsLongerThanWhatWasRun) {
  // 40 s of a wobbling series that the rule cannot call either way, and a short one.
  const auto pts = make(40, 1, [](double t) { return 50 * kMiB + 3 * kMiB * std::sin(t / 3); });
  for (std::size_t n : {std::size_t{6}, std::size_t{15}, pts.size()}) {
    std::vector<Point> head(pts.begin(), pts.begin() + static_cast<std::ptrdiff_t>(n));
    const TrendResult r = detect_trend(head, watch_like());
    if (r.verdict != Verdict::kInconclusive) continue;
    EXPECT_GT(r.suggested_duration_s, head.back().t - head.front().t) << n;
    EXPECT_EQ(r.min_points, 8u);
    EXPECT_EQ(r.min_duration_s, 20);
  }
  std::vector<Point> four(pts.begin(), pts.begin() + 4);
  const TrendResult r = detect_trend(four, watch_like());
  EXPECT_EQ(r.reason, InconclusiveReason::kTooFewPoints);
  EXPECT_GE(r.suggested_duration_s, 20);  // the whole 20 s window, of which 3 s were run
}

}  // namespace
}  // namespace leakscope::series
