#include "live/headroom.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "series/procfs.h"

namespace leakscope::live {

namespace {

std::string_view trim(std::string_view s) {
  const size_t start = s.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(start, end - start + 1);
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::string> try_read(const std::string& path) {
  try {
    return series::read_proc_file(path);
  } catch (const series::ProcError&) {
    return std::nullopt;
  }
}

std::string mb(uint64_t bytes) {
  return fmt::format("{:.0f} MB", static_cast<double>(bytes) / 1e6);
}

}  // namespace

CgroupPath parse_proc_cgroup(std::string_view text) {
  CgroupPath v1;
  CgroupPath v2;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    // hierarchy-ID:controller-list:path; the path may itself contain ':'.
    const size_t a = line.find(':');
    if (a == std::string_view::npos) continue;
    const size_t b = line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, a);
    const std::string_view controllers = line.substr(a + 1, b - a - 1);
    const std::string_view path = line.substr(b + 1);
    if (id == "0" && controllers.empty()) {
      v2 = {std::string(path), true};
      continue;
    }
    std::string_view rest = controllers;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      if (rest.substr(0, comma) == "memory") v1 = {std::string(path), false};
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
  }
  // A hybrid system lists both; the memory controller lives where v1 says.
  return v1.path.empty() ? v2 : v1;
}

std::optional<uint64_t> parse_memory_limit(std::string_view text) {
  const std::string_view t = trim(text);
  if (t == "max") return std::nullopt;
  const auto v = parse_u64(t);
  // v1 writes "no limit" as the largest page-aligned signed 64-bit value.
  if (v && *v >= (uint64_t{1} << 62)) return std::nullopt;
  return v;
}

std::optional<uint64_t> parse_mem_available(std::string_view meminfo) {
  const size_t at = meminfo.find("MemAvailable:");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = meminfo.substr(at + 13);
  rest = rest.substr(0, rest.find('\n'));
  rest = trim(rest);
  if (!rest.ends_with("kB")) return std::nullopt;
  const auto kb = parse_u64(trim(rest.substr(0, rest.size() - 2)));
  if (!kb) return std::nullopt;
  return *kb * 1024;
}

CgroupMemory read_cgroup_memory(int pid) {
  CgroupMemory out;
  const auto text = try_read(fmt::format("/proc/{}/cgroup", pid));
  if (!text) return out;
  const CgroupPath cg = parse_proc_cgroup(*text);
  if (cg.path.empty() || cg.path[0] != '/') return out;
  const std::string root = cg.v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
  const char* limit_file = cg.v2 ? "memory.max" : "memory.limit_in_bytes";
  const char* usage_file = cg.v2 ? "memory.current" : "memory.usage_in_bytes";
  // From the process's group up to the root, iteratively: the tightest limit wins.
  std::string path = cg.path;
  while (true) {
    const std::string dir = root + (path == "/" ? "" : path);
    if (const auto limit_text = try_read(dir + "/" + limit_file)) {
      const auto limit = parse_memory_limit(*limit_text);
      const auto usage_text = try_read(dir + "/" + usage_file);
      const auto usage = usage_text ? parse_u64(trim(*usage_text)) : std::nullopt;
      const bool tighter = limit && (!out.limit || *limit < *out.limit);
      if (tighter || out.path.empty()) {
        out.path = dir;
        out.limit = out.limit && !tighter ? out.limit : limit;
        out.usage = usage;
      }
    }
    if (path == "/" || path.empty()) break;
    const size_t slash = path.rfind('/');
    path = slash == 0 ? "/" : path.substr(0, slash);
  }
  return out;
}

Headroom judge_headroom(uint64_t rss, uint64_t heap_used, std::optional<uint64_t> mem_available,
                        const CgroupMemory& cgroup) {
  Headroom h;
  h.rss = rss;
  h.heap_used = heap_used;
  h.mem_available = mem_available;
  h.cgroup = cgroup;
  h.expected_extra =
      static_cast<uint64_t>(kSnapshotBytesPerHeapByte * static_cast<double>(heap_used));
  if (cgroup.limit && cgroup.usage && *cgroup.usage + h.expected_extra > *cgroup.limit) {
    h.enough = false;
    h.why = fmt::format(
        "the snapshot needs about {} more in the target (12x its {} heap), but its cgroup "
        "({}) uses {} of a {} limit: the OOM killer would likely end it",
        mb(h.expected_extra), mb(heap_used), cgroup.path, mb(*cgroup.usage), mb(*cgroup.limit));
  } else if (mem_available && h.expected_extra > *mem_available) {
    h.enough = false;
    h.why = fmt::format(
        "the snapshot needs about {} more in the target (12x its {} heap; RSS now {}), but the "
        "machine has only {} available: the OOM killer would likely end it",
        mb(h.expected_extra), mb(heap_used), mb(rss), mb(*mem_available));
  }
  return h;
}

Headroom check_headroom(int pid, uint64_t rss, uint64_t heap_used) {
  if (rss == 0) {
    if (const auto status = try_read(fmt::format("/proc/{}/status", pid))) {
      rss = series::parse_status(*status).vm_rss;
    }
  }
  std::optional<uint64_t> available;
  if (const auto meminfo = try_read("/proc/meminfo")) available = parse_mem_available(*meminfo);
  return judge_headroom(rss, heap_used, available, read_cgroup_memory(pid));
}

double expected_pause_seconds(uint64_t heap_used) {
  // 20 s for 53 MB: about 2.6 MB of heap per second.
  return static_cast<double>(heap_used) / 2.6e6;
}

}  // namespace leakscope::live
