#include "report/watch_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "report/format.h"
#include "report/maps_report.h"
#include "report/series_format.h"
#include "report/watch_samples_json.h"

namespace leakscope::report {
namespace {

using series::LeakKind;
using series::SeriesVerdict;
using series::Verdict;

std::string value_text(const SeriesVerdict& s, double v) {
  if (!s.bytes) return fmt::format("{:.0f}", v);
  return human_bytes(static_cast<uint64_t>(std::max(0.0, v)));
}

std::string rate_text(const SeriesVerdict& s) {
  if (!s.bytes) {
    const std::string_view unit = s.name == "fds" ? "fds" : s.name == "threads" ? "threads" : "";
    return count_rate_with_ci(s.trend, unit);
  }
  return rate_with_ci(s.trend);
}

std::string window_text(const series::WatchVerdict& v, const SeriesVerdict* s) {
  if (s && s->available) return human_duration(s->trend.window_s());
  return human_duration(v.window_s);
}

std::string memory_grown_kinds(const series::WatchVerdict& v) {
  if (!v.have_maps_diff) return "";
  std::string out;
  int n = 0;
  for (const series::KindDelta& k : v.maps_diff.kinds) {
    if (k.rss_delta <= 0 || n == 3) break;
    if (k.kind == series::MappingKind::kFile) continue;
    out += fmt::format("{}{} {}", n ? ", " : "", series::mapping_kind_label(k.kind),
                       human_bytes_delta(k.rss_delta));
    if (k.appeared) out += fmt::format(" ({} new mappings)", k.appeared);
    ++n;
  }
  return out;
}

std::string also_text(const series::WatchVerdict& v) {
  std::string out;
  for (LeakKind k : v.also) {
    const SeriesVerdict* s = nullptr;
    std::string what;
    switch (k) {
      case LeakKind::kJsHeap:
        s = v.find("js_heap");
        what = "the JS heap also grows";
        break;
      case LeakKind::kExternal:
        s = v.find("external");
        what = "external memory also grows";
        break;
      case LeakKind::kNative:
        s = v.find("anon_rss");
        what = fmt::format(
            "native memory also grows ({:.0f} % of the anonymous RSS growth is "
            "outside the JS heap and external memory)",
            100 * v.native_unexplained_fraction);
        break;
      case LeakKind::kHandles:
        s = v.find("fds");
        if (s && s->trend.verdict != Verdict::kGrowing) s = v.find("threads");
        what = fmt::format("{} grow too: a handle or socket leak shows there before memory does",
                           s ? s->label : "handles");
        break;
      default:
        continue;
    }
    out += fmt::format("Also: {}{}.\n", what, s && s->available ? ": " + rate_text(*s) : "");
  }
  return out;
}

}  // namespace

std::string watch_headline(const WatchReport& r) {
  const series::WatchVerdict& v = r.verdict;
  const SeriesVerdict* p = v.primary_series();
  switch (v.kind) {
    case LeakKind::kJsHeap:
      return fmt::format("JS-heap leak: {} grows {} over {}", p->label, rate_text(*p),
                         window_text(v, p));
    case LeakKind::kExternal: {
      const SeriesVerdict* heap = v.find("js_heap");
      const bool heap_flat = !heap || heap->trend.verdict != Verdict::kGrowing;
      return fmt::format(
          "External memory leak: external (Buffer/ArrayBuffer) memory grows {} over "
          "{}{}",
          rate_text(*p), window_text(v, p), heap_flat ? " while the JS heap is flat" : "");
    }
    case LeakKind::kNative:
      if (!v.find("external")) {
        // Attached to a PID there is no memoryUsage(): Buffers and native memory look alike.
        return fmt::format(
            "Native (or Buffer) memory leak: anonymous RSS grows {} over {}; {:.0f} % of it is "
            "outside the V8 heap pages",
            rate_text(*p), window_text(v, p), 100 * v.native_unexplained_fraction);
      }
      return fmt::format(
          "Native memory leak: anonymous RSS grows {} over {}; {:.0f} % of it is outside the JS "
          "heap and external memory",
          rate_text(*p), window_text(v, p), 100 * v.native_unexplained_fraction);
    case LeakKind::kHandles:
      return fmt::format("Handle leak: {} grow {} over {}; memory does not grow (yet)", p->label,
                         rate_text(*p), window_text(v, p));
    case LeakKind::kNone: {
      const SeriesVerdict* heap = v.find("js_heap");
      const SeriesVerdict* anon = v.find("anon_rss");
      // The change over the judged window says more than a per-hour rate over seconds.
      auto change = [](const SeriesVerdict* s) {
        return human_bytes_delta(static_cast<int64_t>(std::llround(s->last - s->first)));
      };
      std::string parts;
      if (heap && heap->available) parts += "JS heap " + change(heap);
      if (anon && anon->available) {
        parts += (parts.empty() ? "" : ", ") + std::string("anonymous RSS ") + change(anon);
      }
      const double warm = p ? p->trend.warmup_discarded_s : 0;
      return fmt::format("No leak: memory is stable over {}{} ({})", window_text(v, p),
                         warm > 0 ? " after " + human_duration(warm) + " of warm-up" : "", parts);
    }
    case LeakKind::kInconclusive:
      break;
  }
  if (p && p->available) {
    return fmt::format("Inconclusive after {}: {}: {}; watch about {} in all ({} {:.0f})",
                       human_duration(v.window_s), p->label,
                       trend_reason(p->trend, p->bytes, p->points),
                       human_duration(v.suggested_duration_s), r.duration_option,
                       std::ceil(v.suggested_duration_s));
  }
  return fmt::format("Inconclusive after {}: no memory series to judge; watch about {}",
                     human_duration(v.window_s), human_duration(v.suggested_duration_s));
}

namespace {

// What the process was and how it was watched.
void print_process_line(const series::WatchRecording& rec, std::FILE* out) {
  fmt::print(out, "\nPID {} ({}), watched {} ({} samples every {}, {}){}\n", rec.pid,
             fit(rec.command, 60), human_duration(rec.elapsed_s), rec.proc.size(),
             human_duration(rec.interval_s), rec.end_reason,
             !rec.process_exited  ? std::string()
             : rec.exit_signal    ? fmt::format("; it died of signal {}", rec.exit_signal)
             : rec.exit_code >= 0 ? fmt::format("; it exited with code {}", rec.exit_code)
                                  : std::string("; it exited"));
}

// One row per judged series (the mapping kinds have their own table), then where the memory
// series came from.
void print_series_table(const series::WatchVerdict& v, std::FILE* out) {
  fmt::print(out, "\n  {:<32} {:>10} {:>10}  {:<44} {}\n", "series", "start", "end",
             "rate (Theil-Sen, 95 % CI)", "verdict");
  for (const SeriesVerdict& s : v.series) {
    if (!s.available || s.name.rfind("maps_", 0) == 0) continue;
    std::string verdict(series::verdict_name(s.trend.verdict));
    if (s.trend.reason != series::InconclusiveReason::kNone) {
      verdict += fmt::format(" ({})", series::inconclusive_reason_name(s.trend.reason));
    }
    fmt::print(out, "  {:<32} {:>10} {:>10}  {:<44} {}\n", fit(s.label, 32), value_text(s, s.first),
               value_text(s, s.last), rate_text(s), verdict);
  }
  fmt::print(out, "  sources: ");
  bool first = true;
  for (const SeriesVerdict& s : v.series) {
    if (!s.available || s.name.rfind("maps_", 0) == 0) continue;
    if (s.name == "js_heap" || s.name == "external" || s.name == "anon_rss") {
      fmt::print(out, "{}{}: {}", first ? "" : "; ", s.label, s.source);
      first = false;
    }
  }
  fmt::print(out, "\n");
}

// The primary series' judged window, the boot left out, and a native leak's unexplained part.
void print_window_notes(const series::WatchVerdict& v, std::FILE* out) {
  const SeriesVerdict* p = v.primary_series();
  if (!p || !p->available) return;
  fmt::print(out, "  judged window {} to {}, warm-up discarded {}, Mann-Kendall p = {:.2g}\n",
             human_duration(p->trend.window_start_s), human_duration(p->trend.window_end_s),
             human_duration(p->trend.warmup_discarded_s), p->trend.p_value);
  if (v.ready_s > 0.5) {
    fmt::print(out,
               "  node reported ready {} after the start; /proc samples before are its boot, "
               "not judged\n",
               human_duration(v.ready_s));
  }
  if (v.kind == LeakKind::kNative) {
    fmt::print(out,
               "  the part of it outside the JS heap and external memory grew {} over the "
               "window, above the anonymous RSS's floor of {} and the external churn of {}\n",
               human_bytes(static_cast<uint64_t>(v.native_unexplained_growth)),
               human_bytes(static_cast<uint64_t>(p->trend.growth_floor)),
               human_bytes(static_cast<uint64_t>(v.external_churn)));
  }
}

void print_maps_diff(const series::WatchVerdict& v, std::FILE* out) {
  if (!v.have_maps_diff || v.maps_diff.kinds.empty()) return;
  fmt::print(out, "\nMappings, first vs last look ({} apart):\n",
             human_duration(v.maps_diff.taken_after - v.maps_diff.taken_before));
  for (const series::KindDelta& k : v.maps_diff.kinds) {
    if (k.rss_delta == 0 && k.appeared == 0 && k.vanished == 0) continue;
    fmt::print(out, "  {:<66} {:>10}  ({} -> {}; {} new, {} gone)\n",
               series::mapping_kind_label(k.kind), human_bytes_delta(k.rss_delta),
               human_bytes(k.rss_before), human_bytes(k.rss_after), k.appeared, k.vanished);
  }
}

// For an inconclusive verdict: what was missing, not only a longer time.
std::string missing_text(const SeriesVerdict* p) {
  if (!p || !p->available) return {};
  switch (p->trend.reason) {
    case series::InconclusiveReason::kTooFewPoints:
      return p->name == "js_heap" && p->points == "full GCs"
                 ? "more full GCs (under CPU load the app runs fewer; --force-gc sets "
                   "their period)"
                 : "more " + p->points + " (a shorter --interval gives more)";
    case series::InconclusiveReason::kTooShort:
      return "a longer window after warm-up (--min-duration sets it)";
    case series::InconclusiveReason::kSettling:
      return "the end of the warm-up (the later half grows far slower)";
    default:
      return "more time to tell a slow growth from the noise";
  }
}

// What to do next, for each verdict.
void print_next_step(const series::WatchRecording& rec, const series::WatchVerdict& v,
                     const char* duration_option, std::FILE* out) {
  const SeriesVerdict* p = v.primary_series();
  fmt::print(out, "\nNext step: ");
  switch (v.kind) {
    case LeakKind::kJsHeap:
      fmt::print(out,
                 "take three heap snapshots minutes apart (start node with "
                 "--heapsnapshot-signal=SIGUSR2, then kill -USR2 {}) and run `leakscope leaks s1 "
                 "s2 s3` to see which objects grow and who holds them.\n",
                 rec.pid);
      break;
    case LeakKind::kExternal:
      fmt::print(out,
                 "Buffers or ArrayBuffers are kept alive: take a heap snapshot and look for what "
                 "retains ArrayBuffer/Buffer objects (`leakscope summary SNAP`, sorted by retained "
                 "size); typical causes are caches, queues and closures holding request bodies.\n");
      break;
    case LeakKind::kNative: {
      const std::string grown = memory_grown_kinds(v);
      fmt::print(
          out,
          "the growth is outside V8, so heap snapshots will not show it. {}Look for native "
          "handles never closed (zlib/crypto streams, sockets) and addons; run the app under "
          "`leakscope native -- node app.js` (or `watch --native`, `run --native`) to "
          "name the allocation stacks that hold it, and "
          "`leakscope maps-diff {} --after 600` to see the mappings grow.\n",
          grown.empty() ? "" : "Grown: " + grown + ". ", rec.pid);
      break;
    }
    case LeakKind::kHandles:
      fmt::print(out,
                 "list what the descriptors point to (`ls -l /proc/{}/fd`, `ss -p`); "
                 "something opens sockets, files or timers and never closes them.\n",
                 rec.pid);
      break;
    case LeakKind::kNone:
      fmt::print(
          out,
          "nothing to chase at this load. A slower leak needs a longer window: over {} a "
          "growth below {} would not show.\n",
          human_duration(v.window_s),
          p && p->available ? human_bytes(static_cast<uint64_t>(p->trend.growth_floor)) : "1 MB");
      break;
    case LeakKind::kInconclusive: {
      const std::string missing = missing_text(p);
      fmt::print(out,
                 "watch longer, about {} in all (e.g. {} {:.0f}), under the load that "
                 "shows the growth{}.\n",
                 human_duration(v.suggested_duration_s), duration_option,
                 std::ceil(v.suggested_duration_s),
                 missing.empty() ? "" : "; what was missing: " + missing);
      break;
    }
  }
}

}  // namespace

void render_watch_text(const WatchReport& r, std::FILE* out) {
  const series::WatchRecording& rec = *r.rec;
  const series::WatchVerdict& v = r.verdict;
  fmt::print(out, "{}\n", watch_headline(r));
  if (const SeriesVerdict* p = v.primary_series();
      p && p->available && v.kind != LeakKind::kInconclusive) {
    fmt::print(out, "Why: {}: {}.\n", p->label, trend_reason(p->trend, p->bytes, p->points));
  }
  fmt::print(out, "{}", also_text(v));
  print_process_line(rec, out);
  print_series_table(v, out);
  print_window_notes(v, out);
  print_maps_diff(v, out);
  print_next_step(rec, v, r.duration_option, out);
  fmt::print(out, "Sampling cost: {:.2f} % of one CPU ({:.0f} ms over {}).\n",
             v.sampler_cpu_percent, rec.sampler_cpu_s * 1000, human_duration(rec.elapsed_s));
  if (!rec.spawned) {
    fmt::print(out,
               "Attached to a running process: no GC or external series. For those, start "
               "it under `leakscope watch -- node app.js`.\n");
  }
}

nlohmann::json watch_json(const WatchReport& r) {
  const series::WatchRecording& rec = *r.rec;
  const series::WatchVerdict& v = r.verdict;
  nlohmann::json j;
  j["headline"] = watch_headline(r);
  j["verdict"] = series::leak_kind_name(v.kind);
  nlohmann::json also = nlohmann::json::array();
  for (LeakKind k : v.also) also.push_back(series::leak_kind_name(k));
  j["also"] = also;
  if (const SeriesVerdict* p = v.primary_series()) {
    j["primary_series"] = p->name;
    if (p->available) {
      // The decision behind the verdict: how it was reached, its confidence and why.
      if (p->trend.basis != series::Basis::kNone) j["basis"] = series::basis_name(p->trend.basis);
      j["confidence"] = v.kind == LeakKind::kInconclusive ? 0.0 : p->trend.confidence;
      j["why"] = trend_reason(p->trend, p->bytes, p->points);
    }
  }
  j["native_unexplained_growth"] = v.native_unexplained_growth;
  j["ready_s"] = v.ready_s;
  j["external_churn"] = v.external_churn;
  j["native_unexplained_fraction"] = v.native_unexplained_fraction;
  if (v.kind == LeakKind::kInconclusive) j["suggested_duration_s"] = v.suggested_duration_s;
  j["process"] = {{"pid", rec.pid},
                  {"command", rec.command},
                  {"spawned", rec.spawned},
                  {"gc_traced", rec.gc_traced},
                  {"exited", rec.process_exited},
                  {"exit_code", rec.exit_code},
                  {"exit_signal", rec.exit_signal}};
  j["watch"] = {
      {"start_unix", rec.start_unix},       {"interval_s", rec.interval_s},
      {"elapsed_s", rec.elapsed_s},         {"samples", rec.proc.size()},
      {"maps_samples", rec.maps.size()},    {"js_samples", rec.js.size()},
      {"gc_events", rec.gc.events.size()},  {"end_reason", rec.end_reason},
      {"sampler_cpu_s", rec.sampler_cpu_s}, {"sampler_cpu_percent", v.sampler_cpu_percent}};
  nlohmann::json series = nlohmann::json::object();
  for (const SeriesVerdict& s : v.series) {
    if (!s.available) continue;
    nlohmann::json e = trend_json(s.trend, s.bytes, s.points);
    e["label"] = s.label;
    e["source"] = s.source;
    e["unit"] = s.bytes ? "bytes" : "count";
    e["first"] = s.first;
    e["last"] = s.last;
    series[s.name] = std::move(e);
  }
  j["series"] = series;
  if (v.have_maps_diff) j["maps_diff"] = maps_diff_json(v.maps_diff);
  j["samples"] = watch_samples_json(r);
  return j;
}

void render_watch_csv(const WatchReport& r, std::FILE* out) {
  const series::WatchRecording& rec = *r.rec;
  fmt::print(out,
             "t_s,rss,rss_anon,rss_file,anonymous,pss,vm_size,vm_swap,fds,threads,heap_after_gc,"
             "heap_committed_after_gc,heap_used,heap_total,external,array_buffers\n");
  const uint32_t iso = series::primary_isolate(rec.gc);
  std::size_t gi = 0, ji = 0;
  const series::GcEvent* last_gc = nullptr;
  const series::JsSample* last_js = nullptr;
  for (const series::ProcSample& s : rec.proc) {
    while (gi < rec.gc.events.size() && rec.gc.events[gi].t_ms / 1000 <= s.t) {
      if (rec.gc.events[gi].isolate == iso) last_gc = &rec.gc.events[gi];
      ++gi;
    }
    while (ji < rec.js.size() && rec.js[ji].t <= s.t) last_js = &rec.js[ji++];
    auto mb = [](double v) { return fmt::format("{:.0f}", v * 1024 * 1024); };
    fmt::print(out, "{:.3f},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", s.t, s.rss, s.rss_anon,
               s.rss_file, s.anonymous, s.pss, s.vm_size, s.vm_swap, s.fds, s.threads,
               last_gc ? mb(last_gc->after_mb) : "",
               last_gc && last_gc->after_committed_mb >= 0 ? mb(last_gc->after_committed_mb) : "",
               last_js ? fmt::format("{:.0f}", last_js->heap_used) : "",
               last_js ? fmt::format("{:.0f}", last_js->heap_total) : "",
               last_js ? fmt::format("{:.0f}", last_js->external) : "",
               last_js ? fmt::format("{:.0f}", last_js->array_buffers) : "");
  }
}

std::string watch_live_line(const series::WatchRecording& rec) {
  if (rec.proc.empty()) return "";
  const series::ProcSample& s = rec.proc.back();
  std::string line =
      fmt::format("{:>8}  RSS {:>9}  anon {:>9}", human_duration(s.t), human_bytes(s.rss),
                  human_bytes(s.anonymous ? s.anonymous : s.rss_anon));
  if (!rec.js.empty()) {
    line += fmt::format("  heap {:>9}  ext {:>9}",
                        human_bytes(static_cast<uint64_t>(rec.js.back().heap_used)),
                        human_bytes(static_cast<uint64_t>(rec.js.back().external)));
  }
  line += fmt::format("  fds {:>4}  threads {:>3}", s.fds, s.threads);
  return line;
}

}  // namespace leakscope::report
