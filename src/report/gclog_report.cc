#include "report/gclog_report.h"

#include <fmt/core.h>

#include <algorithm>

#include "report/format.h"
#include "report/series_format.h"
#include "report/watch_samples_json.h"

namespace leakscope::report {
namespace {

using series::GcEvent;
using series::GcKind;
using series::Verdict;

constexpr double kMiB = 1024.0 * 1024.0;

uint64_t mb_to_bytes(double mb) {
  return mb < 0 ? 0 : static_cast<uint64_t>(mb * kMiB + 0.5);
}

std::string csv_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string judged_what(const GclogReport& r) {
  return r.summary.judged_full_gcs ? "Heap after full GC" : "Heap after GC (lower envelope)";
}

std::string_view points_name(const GclogReport& r) {
  return r.summary.judged_full_gcs ? "full GCs" : "GC-cycle minima";
}

}  // namespace

std::string gclog_headline(const GclogReport& r) {
  const series::GcSummary& s = r.summary;
  const series::TrendResult& t = s.trend;
  if (s.isolate == UINT32_MAX) return "No GC lines found: run node with --trace-gc";
  const std::string window = human_duration(t.window_s());
  switch (t.verdict) {
    case Verdict::kGrowing:
      return fmt::format("{} grows {} over {}: likely a JS-heap leak", judged_what(r),
                         rate_with_ci(t), window);
    case Verdict::kStable:
      return fmt::format("{} is stable over {}: {}; no JS-heap leak", judged_what(r), window,
                         rate_with_ci(t));
    case Verdict::kInconclusive:
      break;
  }
  return fmt::format("Inconclusive: {}: {}; log at least {} of the process", judged_what(r),
                     trend_reason(t, true, points_name(r)), human_duration(t.suggested_duration_s));
}

void render_gclog_text(const GclogReport& r, std::FILE* out) {
  const series::GcLog& log = *r.log;
  const series::GcSummary& s = r.summary;
  const series::TrendResult& t = s.trend;
  fmt::print(out, "{}\n", gclog_headline(r));
  if (s.isolate != UINT32_MAX && t.verdict != Verdict::kInconclusive) {
    fmt::print(out, "Why: {}.\n", trend_reason(t, true, points_name(r)));
  }
  if (log.oom) {
    fmt::print(out, "The process ran out of memory: {}\n",
               log.fatal_error.empty() ? "(no FATAL ERROR line)" : safe_text(log.fatal_error));
  }
  if (s.isolate != UINT32_MAX) {
    const series::GcIsolate& iso = log.isolates[s.isolate];
    fmt::print(out, "\nProcess {} (isolate 0x{:x}): {} GCs over {} of process time", iso.pid,
               iso.address, with_commas(s.events), human_duration(s.span_ms / 1000));
    if (log.isolates.size() > 1) {
      fmt::print(out, " ({} other isolates or processes in the log, {} GCs, not judged)",
                 log.isolates.size() - 1, with_commas(log.events.size() - s.events));
    }
    fmt::print(out, "\n");
    for (std::size_t k = 0; k < series::kGcKindCount; ++k) {
      const series::GcKindStats& ks = s.kinds[k];
      if (ks.count == 0) continue;
      const std::string total = ks.pause_total_ms >= 10000
                                    ? human_duration(ks.pause_total_ms / 1000)
                                    : fmt::format("{:.1f} ms", ks.pause_total_ms);
      fmt::print(out, "  {:<20} {:>9}  pauses {:>10} total, max {:.2f} ms{}\n",
                 series::gc_kind_name(static_cast<GcKind>(k)), with_commas(ks.count), total,
                 ks.pause_max_ms, ks.reduce ? fmt::format(" ({} memory-reducing)", ks.reduce) : "");
    }
    fmt::print(out,
               "Pauses: p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms; {:.2f} % of the time in GC\n",
               s.pause_p50_ms, s.pause_p99_ms, s.pause_max_ms, s.gc_time_percent);
    fmt::print(out, "\nTrend of the heap that survives GC ({}):\n",
               s.judged_full_gcs
                   ? fmt::format("heap after each of {} full GCs", s.judged_points)
                   : fmt::format("lower envelope of the heap after {} GCs; only {} full GCs",
                                 s.judged_points, s.full_gcs.size()));
    fmt::print(out, "  verdict     {}{}\n", series::verdict_name(t.verdict),
               t.reason != series::InconclusiveReason::kNone
                   ? fmt::format(" ({})", series::inconclusive_reason_name(t.reason))
                   : fmt::format(" ({}, confidence {})", series::basis_name(t.basis),
                                 confidence_text(t.confidence)));
    fmt::print(out, "  rate        {} (Theil-Sen)\n", rate_with_ci(t));
    fmt::print(out, "  window      {} to {} ({}), {} points; warm-up discarded {}\n",
               human_duration(t.window_start_s), human_duration(t.window_end_s),
               human_duration(t.window_s()), t.points_judged, human_duration(t.warmup_discarded_s));
    fmt::print(out,
               "  noise       sigma {}, largest level step {}; the floor is the largest of {}, "
               "{:.0f} sigma and {:.0f}x the step\n",
               human_bytes(static_cast<uint64_t>(t.noise)),
               human_bytes(static_cast<uint64_t>(t.level_shift)),
               human_bytes(static_cast<uint64_t>(t.relevance_floor)), t.noise_sigmas,
               t.step_multiple);
    fmt::print(out, "  heap        {} -> {} (fitted), level {}; leak floor {} over the window\n",
               human_bytes(static_cast<uint64_t>(std::max(0.0, t.first_value))),
               human_bytes(static_cast<uint64_t>(std::max(0.0, t.first_value + t.growth))),
               human_bytes(static_cast<uint64_t>(std::max(0.0, t.level))),
               human_bytes(static_cast<uint64_t>(t.growth_floor)));
    fmt::print(out, "  test        Mann-Kendall p = {:.2g} (autocorrelation correction x{:.1f})\n",
               t.p_value, t.autocorrelation_factor);

    if (!s.full_gcs.empty()) {
      const std::size_t shown = r.max_full_gcs_shown == 0
                                    ? s.full_gcs.size()
                                    : std::min(s.full_gcs.size(), r.max_full_gcs_shown);
      fmt::print(out, "\nFull GCs, heap before -> after (committed after){}:\n",
                 shown < s.full_gcs.size()
                     ? fmt::format(", last {} of {}", shown, s.full_gcs.size())
                     : "");
      fmt::print(out, "  {:>10}  {:>10}    {:>10}  {:>10}  {:>9}  {}\n", "time", "before", "after",
                 "committed", "pause", "reason");
      for (std::size_t i = s.full_gcs.size() - shown; i < s.full_gcs.size(); ++i) {
        const GcEvent& ev = log.events[s.full_gcs[i]];
        fmt::print(
            out, "  {:>10}  {:>10} -> {:>10}  {:>10}  {:>6.2f} ms  {}{}{}\n",
            human_duration(ev.t_ms / 1000), human_bytes(mb_to_bytes(ev.before_mb)),
            human_bytes(mb_to_bytes(ev.after_mb)),
            ev.after_committed_mb >= 0 ? human_bytes(mb_to_bytes(ev.after_committed_mb)) : "-",
            ev.pause_ms, (ev.flags & series::kGcReduce) ? "(reduce) " : "",
            safe_text(log.reasons[ev.reason]),
            (ev.flags & series::kGcFromOomRing) ? " [from the OOM ring]" : "");
      }
    }
  }
  fmt::print(out,
             "\nLines: {} read: {} GC, {} verbose, {} other V8, {} nvp, {} OOM epilogue, {} not "
             "understood\n",
             with_commas(log.lines), with_commas(log.gc_lines), with_commas(log.verbose_lines),
             with_commas(log.v8_other_lines), with_commas(log.nvp_lines),
             with_commas(log.oom_lines), with_commas(log.unknown_lines));
  for (const series::UnknownLine& u : log.unknown_samples) {
    fmt::print(out, "  not understood, line {}: {}\n", u.line_number, fit(u.text, 100));
  }
  if (log.oom_ring_entries > 0) {
    fmt::print(out, "OOM ring: {} entries, {} not seen earlier in the log\n", log.oom_ring_entries,
               log.oom_ring_new);
  }
  fmt::print(out, "\nNext step: ");
  if (t.verdict == Verdict::kGrowing) {
    fmt::print(out,
               "the heap that survives GC grows, so a JS object set is kept alive. Take three heap "
               "snapshots minutes apart (node --heapsnapshot-signal=SIGUSR2, then kill -USR2 PID) "
               "and run `leakscope leaks s1 s2 s3` to see what grows and who holds it.\n");
  } else if (t.verdict == Verdict::kStable) {
    fmt::print(out,
               "the JS heap is not leaking. If the process still grows, run `leakscope watch PID` "
               "to see whether external (Buffer) or native memory grows.\n");
  } else {
    fmt::print(out, "log a longer run (node --trace-gc app.js > gc.log) and run this again.\n");
  }
}

nlohmann::json gclog_json(const GclogReport& r) {
  const series::GcLog& log = *r.log;
  const series::GcSummary& s = r.summary;
  nlohmann::json j;
  j["source"] = r.source;
  j["headline"] = gclog_headline(r);
  j["trend"] = trend_json(s.trend, true, points_name(r));
  j["trend"]["series"] = s.judged_full_gcs ? "heap_after_full_gc" : "heap_after_gc_lower_envelope";
  j["trend"]["unit"] = "bytes";
  nlohmann::json lines;
  lines["total"] = log.lines;
  lines["bytes"] = log.bytes;
  lines["gc"] = log.gc_lines;
  lines["verbose"] = log.verbose_lines;
  lines["v8_other"] = log.v8_other_lines;
  lines["nvp"] = log.nvp_lines;
  lines["oom_epilogue"] = log.oom_lines;
  lines["blank"] = log.blank_lines;
  lines["unknown"] = log.unknown_lines;
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& u : log.unknown_samples)
    samples.push_back({{"line", u.line_number}, {"text", u.text}});
  lines["unknown_samples"] = samples;
  j["lines"] = lines;
  j["oom"] = {{"happened", log.oom},
              {"fatal_error", log.fatal_error},
              {"ring_entries", log.oom_ring_entries},
              {"ring_entries_new", log.oom_ring_new}};
  nlohmann::json isolates = nlohmann::json::array();
  for (const auto& iso : log.isolates) {
    isolates.push_back(
        {{"pid", iso.pid}, {"isolate", fmt::format("0x{:x}", iso.address)}, {"gcs", iso.events}});
  }
  j["isolates"] = isolates;
  if (s.isolate == UINT32_MAX) return j;
  j["judged_isolate"] = s.isolate;
  nlohmann::json kinds = nlohmann::json::object();
  for (std::size_t k = 0; k < series::kGcKindCount; ++k) {
    const auto& ks = s.kinds[k];
    kinds[std::string(series::gc_kind_name(static_cast<GcKind>(k)))] = {
        {"count", ks.count},
        {"pause_total_ms", ks.pause_total_ms},
        {"pause_max_ms", ks.pause_max_ms},
        {"reduce", ks.reduce}};
  }
  j["gcs_by_kind"] = kinds;
  j["pauses"] = {{"p50_ms", s.pause_p50_ms}, {"p99_ms", s.pause_p99_ms},
                 {"max_ms", s.pause_max_ms}, {"total_ms", s.pause_total_ms},
                 {"span_ms", s.span_ms},     {"gc_time_percent", s.gc_time_percent}};
  nlohmann::json full = nlohmann::json::array();
  for (std::size_t idx : s.full_gcs) {
    const GcEvent& ev = log.events[idx];
    nlohmann::json e = {{"t_ms", ev.t_ms},
                        {"before_bytes", mb_to_bytes(ev.before_mb)},
                        {"after_bytes", mb_to_bytes(ev.after_mb)},
                        {"pause_ms", ev.pause_ms},
                        {"reduce", (ev.flags & series::kGcReduce) != 0},
                        {"reason", log.reasons[ev.reason]},
                        {"collector_reason", log.reasons[ev.collector_reason]}};
    if (ev.before_committed_mb >= 0)
      e["before_committed_bytes"] = mb_to_bytes(ev.before_committed_mb);
    if (ev.after_committed_mb >= 0) e["after_committed_bytes"] = mb_to_bytes(ev.after_committed_mb);
    if (ev.flags & series::kGcFromOomRing) e["from_oom_ring"] = true;
    if (ev.flags & series::kGcTruncated) e["truncated"] = true;
    full.push_back(std::move(e));
  }
  j["full_gcs"] = full;
  j["samples"] = gc_samples_json(log, s.isolate, &s.trend,
                                 s.judged_full_gcs ? "JS heap after full GC" : "JS heap after GC");
  return j;
}

void render_gclog_csv(const GclogReport& r, std::FILE* out) {
  const series::GcLog& log = *r.log;
  fmt::print(out,
             "pid,isolate,t_s,kind,reduce,before_bytes,before_committed_bytes,after_bytes,"
             "after_committed_bytes,pooled_bytes,pause_ms,external_ms,average_mu,current_mu,"
             "external_kb,backing_store_kb,reason,collector_reason,from_oom_ring\n");
  for (const GcEvent& ev : log.events) {
    const series::GcIsolate& iso = log.isolates[ev.isolate];
    auto opt_bytes = [](double mb) {
      return mb >= 0 ? fmt::format("{}", mb_to_bytes(mb)) : std::string();
    };
    auto opt = [](double v) { return v >= 0 ? fmt::format("{}", v) : std::string(); };
    fmt::print(out, "{},0x{:x},{:.3f},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", iso.pid,
               iso.address, ev.t_ms / 1000, series::gc_kind_name(ev.kind),
               (ev.flags & series::kGcReduce) ? 1 : 0, mb_to_bytes(ev.before_mb),
               opt_bytes(ev.before_committed_mb), mb_to_bytes(ev.after_mb),
               opt_bytes(ev.after_committed_mb), opt_bytes(ev.pooled_mb), ev.pause_ms,
               opt(ev.external_ms), opt(ev.average_mu), opt(ev.current_mu), opt(ev.external_kb),
               opt(ev.backing_store_kb), csv_quote(log.reasons[ev.reason]),
               csv_quote(log.reasons[ev.collector_reason]),
               (ev.flags & series::kGcFromOomRing) ? 1 : 0);
  }
}

}  // namespace leakscope::report
