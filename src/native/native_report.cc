#include "native/native_report.h"

#include <fmt/core.h>

#include "report/format.h"
#include "report/safe_text.h"
#include "report/series_format.h"

namespace leakscope::native {
namespace {

constexpr std::size_t kShownSites = 10;      // leaking sites shown in text without --full
constexpr std::size_t kInnerFrames = 3;      // frames named before the "…" and the JS frame
constexpr std::size_t kInnerFramesNoJs = 5;  // without a JS frame of the app

std::string_view kind_name(FrameKind kind) {
  switch (kind) {
    case FrameKind::kNative:
      return "native";
    case FrameKind::kJs:
      return "js";
    case FrameKind::kV8Code:
      return "v8";
    case FrameKind::kUnknown:
      break;
  }
  return "unknown";
}

std::string live_rate(const series::TrendResult& t) {
  std::string text = report::rate_with_ci(t);
  const std::size_t paren = text.find(" (");
  if (paren != std::string::npos) text.insert(paren, " live");
  return (t.rate_per_hour > 0 ? "+" : "") + text;
}

const char* verdict_word(const NativeSite& s) {
  if (s.leaking) return "leaking";
  if (s.trend.verdict == series::Verdict::kGrowing) return "grew, released before the end";
  return s.trend.verdict == series::Verdict::kStable ? "stable" : "inconclusive";
}

}  // namespace

std::string short_name(const std::string& name) {
  // "ns::f(int, char const*) const" -> "ns::f": the argument list, found from the end (names hold
  // "(anonymous namespace)"), is left to --json.
  std::string_view n = name;
  // GCC's partial clones: "f(int) [clone .part.0] [clone .cold]".
  for (std::size_t clone; n.ends_with("]") && (clone = n.rfind(" [clone ")) != n.npos;) {
    n = n.substr(0, clone);
  }
  if (n.ends_with(" const")) n.remove_suffix(6);
  if (!n.ends_with(')') || n.starts_with("JS ")) return std::string(n);
  int depth = 0;
  for (std::size_t i = n.size(); i-- > 0;) {
    if (n[i] == ')') ++depth;
    if (n[i] == '(' && --depth == 0) return i == 0 ? name : std::string(n.substr(0, i));
  }
  return name;
}

std::string site_line(const NativeSite& site) {
  // The innermost frames that allocated, then the app's JS frame (when there is one): the two
  // ends a reader acts on. V8's builtins and the JS frames of Node's own modules between them are
  // left to --json. Without a JS frame of the app, the innermost frames only.
  std::vector<const Frame*> shown;
  const Frame* js = first_app_js_frame(site.frames);
  const std::size_t inner = js ? kInnerFrames : kInnerFramesNoJs;
  std::size_t used = 0;
  for (const Frame& f : site.frames) {
    if (&f == js || shown.size() == inner) break;
    ++used;
    if (f.kind != FrameKind::kV8Code) shown.push_back(&f);
  }
  std::string line = "from ";
  for (std::size_t i = 0; i < shown.size(); ++i) {
    if (i > 0) line += " ← ";
    line += report::safe_text(short_name(shown[i]->name));
  }
  if (js) {
    line += !shown.empty() && shown.back() + 1 == js ? " ← " : " ← … ← ";
    line += report::safe_text(js->name);
  } else if (used < site.frames.size()) {
    line += " ← …";
  }
  return line;
}

std::string threadpool_note(const NativeSite& site) {
  if (!site.threadpool) return "";
  std::string note = "allocated on the libuv threadpool";
  if (!site.work.empty()) note += " (" + site.work + " work)";
  return note + ": the JS call that scheduled it is not on this stack";
}

void render_native_text(const NativeAnalysis& a, std::FILE* out, bool full) {
  std::size_t leaking = 0;
  for (const NativeSite& s : a.sites) leaking += s.leaking ? 1 : 0;
  const double span = a.total_live.empty() ? 0 : a.total_live.back().t - a.total_live.front().t;
  fmt::print(out,
             "\nNative allocations: {} sampled stacks in {} sites, 1 sample per {} allocated "
             "on average, {} dump{} over {}{}\n",
             a.stacks, a.sites.size(), report::human_bytes(a.interval), a.dumps_judged,
             a.dumps_judged == 1 ? "" : "s", report::human_duration(span),
             a.dumps > a.dumps_judged
                 ? fmt::format(" ({} written at exit left out)", a.dumps - a.dumps_judged)
                 : std::string());
  if (!a.perf_map) {
    fmt::print(out, "  JS frames are not named: no V8 perf map (node --perf-basic-prof)\n");
  }
  if (leaking == 0) {
    fmt::print(out, "No native allocation site grows.");
    if (!a.sites.empty()) {
      const NativeSite& top = a.sites.front();
      fmt::print(out, " The largest holds {} ({}): {}", report::human_bytes(top.live_now),
                 verdict_word(top), site_line(top));
    }
    fmt::print(out, "\n");
    return;
  }
  fmt::print(out, "Growing native allocation sites, fastest first (live bytes are estimates):\n");
  std::size_t shown = 0;
  for (const NativeSite& s : a.sites) {
    if (!s.leaking) break;
    if (!full && shown == kShownSites) {
      fmt::print(out, "  … {} more (--full, or --json)\n", leaking - shown);
      break;
    }
    ++shown;
    fmt::print(out, "  {}. {}, {} live now, {}\n", shown, live_rate(s.trend),
               report::human_bytes(s.live_now), site_line(s));
    const std::string note = threadpool_note(s);
    if (!note.empty()) fmt::print(out, "     {}\n", note);
  }
}

nlohmann::json native_json(const NativeAnalysis& a) {
  nlohmann::json j;
  j["pid"] = a.pid;
  j["interval_bytes"] = a.interval;
  j["start_unix_ms"] = static_cast<int64_t>(a.start_unix_s * 1000);
  j["dumps"] = a.dumps;
  j["dumps_judged"] = a.dumps_judged;
  j["stacks"] = a.stacks;
  j["perf_map"] = a.perf_map;
  j["truncated"] = a.truncated;
  std::size_t leaking = 0;
  for (const NativeSite& s : a.sites) leaking += s.leaking ? 1 : 0;
  j["leaking_sites"] = leaking;
  nlohmann::json sites = nlohmann::json::array();
  for (const NativeSite& s : a.sites) {
    nlohmann::json site;
    site["leaking"] = s.leaking;
    site["verdict"] = verdict_word(s);
    site["summary"] = site_line(s);
    site["live_bytes"] = s.live_now;
    site["live_at_unix_ms"] = static_cast<int64_t>((a.start_unix_s + s.t_now) * 1000);
    site["peak_live_bytes"] = s.live_peak;
    site["allocated_bytes"] = s.allocated;
    site["held"] = s.held;
    site["threadpool"] = s.threadpool;
    if (s.threadpool) {
      site["work"] = s.work;
      site["note"] = threadpool_note(s);
    }
    site["trend"] = report::trend_json(s.trend, true, "dumps");
    site["stacks"] = s.stacks.size();
    site["key_frames"] = s.key_frames;
    nlohmann::json frames = nlohmann::json::array();
    for (const Frame& f : s.frames) {
      frames.push_back({{"name", f.name},
                        {"kind", kind_name(f.kind)},
                        {"module", f.module},
                        {"ip", fmt::format("{:x}", f.ip)}});
    }
    site["frames"] = std::move(frames);
    nlohmann::json series = nlohmann::json::array();
    for (const series::Point& p : s.live) series.push_back({p.t, p.v});
    site["series"] = std::move(series);
    sites.push_back(std::move(site));
  }
  j["sites"] = std::move(sites);
  return j;
}

}  // namespace leakscope::native
