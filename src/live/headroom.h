// Whether a heap snapshot can be taken without killing the process. V8 builds the whole graph and
// its serialization inside the target: a process of 121 MB RSS and 53 MB heapUsed peaked at about
// 750 MB (12x heapUsed on top of its RSS) on Node 18 to 24, and stayed frozen throughout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leakscope::live {

// The snapshot's extra memory per byte of heapUsed (measured: +629 MB for 53 MB heapUsed).
inline constexpr double kSnapshotBytesPerHeapByte = 12.0;

struct CgroupMemory {
  std::string path;               // the directory under /sys/fs/cgroup
  std::optional<uint64_t> limit;  // nullopt = "max" (no limit)
  std::optional<uint64_t> usage;  // the cgroup's current usage
};

// The cgroup-v2 path of a process from /proc/PID/cgroup ("0::/system.slice/app.service"), or the
// v1 memory controller's path ("4:memory:/docker/abc"); empty when neither is there.
struct CgroupPath {
  std::string path;
  bool v2 = false;
};
CgroupPath parse_proc_cgroup(std::string_view text);
// memory.max / memory.limit_in_bytes: a number, or "max" (v1 writes a huge number instead).
std::optional<uint64_t> parse_memory_limit(std::string_view text);
// "MemAvailable:  123456 kB" in /proc/meminfo, in bytes.
std::optional<uint64_t> parse_mem_available(std::string_view meminfo);

// The lowest limit on the way from the process's cgroup up to the root (a parent's limit binds
// its children too), and the usage of the cgroup that has it.
CgroupMemory read_cgroup_memory(int pid);

struct Headroom {
  uint64_t rss = 0;
  uint64_t heap_used = 0;
  uint64_t expected_extra = 0;  // what the snapshot will add to the target's memory
  std::optional<uint64_t> mem_available;
  CgroupMemory cgroup;
  bool enough = true;
  std::string why;  // when not enough: which limit, with the numbers
};

// rss and heap_used from the target (process.memoryUsage(), /proc as a fallback for rss).
Headroom check_headroom(int pid, uint64_t rss, uint64_t heap_used);
Headroom judge_headroom(uint64_t rss, uint64_t heap_used, std::optional<uint64_t> mem_available,
                        const CgroupMemory& cgroup);

// The pause to expect, from measurements: about 20 s for 53 MB heapUsed on Node 20-24. Node 18
// took five times that for 300,000 small objects but about as long for larger ones (9.5 s vs
// 7.9 s on Node 24 for 30 MB of arrays and strings), so callers say "up to 5x" there.
double expected_pause_seconds(uint64_t heap_used);

}  // namespace leakscope::live
