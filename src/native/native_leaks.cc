#include "native/native_leaks.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace leakscope::native {
namespace {

bool is_node_internal(const Frame& f) {
  const std::size_t open = f.name.rfind(" (");
  if (open == std::string::npos) return false;
  const std::string_view location = std::string_view(f.name).substr(open + 2);
  return location.starts_with("node:") || location.starts_with("internal/");
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// How many dumps at the end were written while the process exited: the atexit dump, and any
// before it in which the sampled live total fell below 70 % of what it had been (Node frees its
// environment at teardown). At most 3, and never so many that fewer than 2 remain.
std::size_t teardown_dumps(const NativeSamples& samples, const NativeOptions& options) {
  std::vector<double> total;
  for (const Dump& d : samples.dumps) {
    double sum = 0;
    for (const LiveEntry& e : d.live) sum += static_cast<double>(e.live_bytes);
    total.push_back(sum);
  }
  std::size_t n = total.size();
  std::size_t cut = 0;
  if (options.last_dump_is_exit && n > 2) {
    --n;
    ++cut;
  }
  while (n > 2 && cut < 3) {
    const double before = *std::max_element(total.begin(), total.begin() + (n - 1));
    if (total[n - 1] >= 0.7 * before) break;
    --n;
    ++cut;
  }
  return cut;
}

struct Group {
  std::vector<std::size_t> stacks;
};

std::vector<Group> group_stacks(const std::vector<std::vector<Frame>>& frames,
                                const NativeOptions& options) {
  std::map<std::vector<std::string>, std::size_t> index;
  std::vector<Group> groups;
  for (std::size_t s = 0; s < frames.size(); ++s) {
    std::size_t key_frames = 0;
    auto [it, added] = index.emplace(site_key(frames[s], options, &key_frames), groups.size());
    if (added) groups.push_back({});
    groups[it->second].stacks.push_back(s);
  }
  return groups;
}

// Every site's live bytes per judged dump, in one pass over the dumps; each site's heaviest stack
// at the end is moved to the front of its stacks (it is the one shown).
void fill_series(const NativeSamples& samples, std::size_t judged,
                 const std::vector<int>& site_of_stack, std::vector<NativeSite>& sites) {
  std::vector<double> sum(sites.size());
  std::vector<uint64_t> allocated(sites.size());
  std::vector<uint64_t> heaviest_bytes(sites.size());
  std::vector<std::size_t> heaviest(sites.size());
  for (NativeSite& site : sites)
    heaviest[static_cast<std::size_t>(&site - sites.data())] = site.stacks.front();
  for (std::size_t d = 0; d < judged; ++d) {
    const Dump& dump = samples.dumps[d];
    std::fill(sum.begin(), sum.end(), 0.0);
    for (const LiveEntry& e : dump.live) {
      const auto g = static_cast<std::size_t>(site_of_stack[e.stack]);
      sum[g] += static_cast<double>(e.live_bytes);
      if (d + 1 != judged) continue;
      allocated[g] += e.allocated_bytes;
      if (e.live_bytes > heaviest_bytes[g]) {
        heaviest_bytes[g] = e.live_bytes;
        heaviest[g] = e.stack;
      }
    }
    for (std::size_t g = 0; g < sites.size(); ++g) {
      NativeSite& site = sites[g];
      site.live.push_back({dump.t, sum[g]});
      site.live_peak = std::max(site.live_peak, static_cast<uint64_t>(sum[g]));
      site.live_now = static_cast<uint64_t>(sum[g]);
      site.t_now = dump.t;
    }
  }
  for (std::size_t g = 0; g < sites.size(); ++g) {
    std::vector<std::size_t>& stacks = sites[g].stacks;
    sites[g].allocated = allocated[g];
    stacks.erase(std::find(stacks.begin(), stacks.end(), heaviest[g]));
    stacks.insert(stacks.begin(), heaviest[g]);
  }
}

void judge(NativeSite& site, const series::TrendOptions& trend) {
  site.trend = series::detect_trend(site.live, trend);
  // Still held near the end: the last judged dump keeps at least half of the most it held. A site
  // whose memory was released before the end grew, but did not leak.
  site.held = site.live_now > 0 && 2 * site.live_now >= site.live_peak;
  site.leaking = site.trend.verdict == series::Verdict::kGrowing && site.held;
}

}  // namespace

const Frame* first_app_js_frame(const std::vector<Frame>& frames) {
  for (const Frame& f : frames) {
    if (f.kind == FrameKind::kJs && !is_node_internal(f)) return &f;
  }
  return nullptr;
}

std::vector<std::string> site_key(const std::vector<Frame>& frames, const NativeOptions& options,
                                  std::size_t* key_frames) {
  // The allocation site is the innermost native frames; V8's builtins and stubs between them and
  // the JS caller change with the JIT tier and inlining, so they are not part of it.
  const Frame* js = first_app_js_frame(frames);
  const std::size_t wanted = js ? options.site_native_frames : options.site_frames_no_js;
  std::vector<std::string> key;
  std::size_t i = 0;
  for (; i < frames.size() && key.size() < wanted; ++i) {
    if (js && &frames[i] == js) break;
    if (frames[i].kind == FrameKind::kNative || frames[i].kind == FrameKind::kUnknown) {
      key.push_back(frames[i].name);
    }
  }
  if (js) {
    key.push_back(js->name);
    i = static_cast<std::size_t>(js - frames.data()) + 1;
  }
  *key_frames = i;
  return key;
}

bool is_threadpool_stack(const std::vector<Frame>& frames) {
  // libuv's threadpool thread function is the static `worker` (src/threadpool.c) in node's binary
  // (or libuv.so); a stack that runs under it has no JS frame.
  bool worker = false;
  for (const Frame& f : frames) {
    if (f.kind == FrameKind::kJs) return false;
    if (f.kind == FrameKind::kNative && f.name == "worker" &&
        (f.module.starts_with("node") || f.module.starts_with("libuv"))) {
      worker = true;
    }
  }
  return worker;
}

std::string threadpool_work(const std::vector<Frame>& frames) {
  for (const Frame& f : frames) {
    const std::string& n = f.name;
    if (contains(n, "Zlib") || contains(n, "deflate") || contains(n, "inflate") ||
        contains(n, "Brotli")) {
      return "zlib";
    }
    if (contains(n, "crypto::") || n.starts_with("EVP_") || n.starts_with("ossl_")) return "crypto";
    if (contains(n, "getaddrinfo") || contains(n, "cares")) return "dns";
    if (n.starts_with("uv__fs_") || contains(n, "node::fs::")) return "fs";
  }
  return "";
}

NativeAnalysis analyze_native(const NativeSamples& samples,
                              const std::vector<std::vector<Frame>>& frames,
                              const NativeOptions& options) {
  NativeAnalysis out;
  out.pid = samples.pid;
  out.interval = samples.interval;
  out.start_unix_s = samples.start_unix_s;
  out.dumps = samples.dumps.size();
  out.stacks = samples.stacks.size();
  out.truncated = samples.truncated;
  const std::size_t judged = out.dumps - teardown_dumps(samples, options);
  out.dumps_judged = judged;
  for (std::size_t d = 0; d < judged; ++d) {
    double sum = 0;
    for (const LiveEntry& e : samples.dumps[d].live) sum += static_cast<double>(e.live_bytes);
    out.total_live.push_back({samples.dumps[d].t, sum});
  }
  const std::vector<Group> groups = group_stacks(frames, options);
  std::vector<int> site_of_stack(frames.size(), -1);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    for (std::size_t s : groups[g].stacks) site_of_stack[s] = static_cast<int>(g);
  }
  for (const Group& g : groups) {
    NativeSite site;
    site.stacks = g.stacks;
    out.sites.push_back(std::move(site));
  }
  fill_series(samples, judged, site_of_stack, out.sites);
  for (NativeSite& site : out.sites) {
    site.frames = frames[site.stacks.front()];
    site_key(site.frames, options, &site.key_frames);
    site.threadpool = is_threadpool_stack(site.frames);
    if (site.threadpool) site.work = threadpool_work(site.frames);
    judge(site, options.trend);
  }
  std::stable_sort(out.sites.begin(), out.sites.end(),
                   [](const NativeSite& a, const NativeSite& b) {
                     if (a.leaking != b.leaking) return a.leaking;
                     if (a.leaking) return a.trend.rate_per_hour > b.trend.rate_per_hour;
                     return a.live_now > b.live_now;
                   });
  return out;
}

}  // namespace leakscope::native
