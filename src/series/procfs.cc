#include "series/procfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iterator>

#include <fmt/core.h>

#include "series/text_fields.h"

namespace leakscope::series {
namespace {

constexpr uint64_t kV8PageSize = 256 * 1024;
constexpr uint64_t kArenaAlign = 64ull * 1024 * 1024;  // glibc HEAP_MAX_SIZE on 64-bit

// The number at the start of s; 0 when there is none.
uint64_t parse_u64(std::string_view s, int base = 10) {
  uint64_t v = 0;
  read_unsigned(s, base, v);
  return v;
}

// "Key:   1234 kB" -> bytes
uint64_t kb_value(std::string_view rest) {
  return parse_u64(trim(rest)) * 1024;
}

template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    fn(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string errno_text(int err) {
  return std::strerror(err);
}

}  // namespace

std::string read_proc_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw ProcError(path + ": " + errno_text(err));
  }
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw ProcError(path + ": " + errno_text(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

void check_pid_readable(int pid) {
  if (pid <= 0) throw ProcError("PID " + std::to_string(pid) + ": not a process id");
  if (::kill(pid, 0) != 0 && errno == ESRCH) {
    throw ProcError("PID " + std::to_string(pid) + ": no such process");
  }
  const std::string base = "/proc/" + std::to_string(pid);
  std::string status;
  try {
    status = read_proc_file(base + "/status");
  } catch (const ProcError&) {
    throw ProcError("PID " + std::to_string(pid) + ": no such process");
  }
  const ProcStatus st = parse_status(status);
  const uid_t me = ::geteuid();
  if (me != 0 && st.uid != me) {
    throw ProcError("PID " + std::to_string(pid) + " (" + st.name +
                    ") belongs to another user (uid " + std::to_string(st.uid) +
                    "); run leakscope as that user or as root");
  }
  const int fd = ::open((base + "/smaps_rollup").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == EACCES || err == EPERM) {
      throw ProcError("PID " + std::to_string(pid) + " (" + st.name +
                      "): permission denied reading /proc (another user's process?)");
    }
    if (err != ENOENT) throw ProcError("PID " + std::to_string(pid) + ": " + errno_text(err));
  } else {
    ::close(fd);
  }
}

ProcStatus parse_status(std::string_view text) {
  ProcStatus st;
  for_each_line(text, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view key = line.substr(0, colon);
    const std::string_view rest = line.substr(colon + 1);
    if (key == "Name") {
      st.name = std::string(trim(rest));
    } else if (key == "Uid") {
      st.uid = static_cast<uint32_t>(parse_u64(trim(rest)));
    } else if (key == "VmSize") {
      st.vm_size = kb_value(rest);
    } else if (key == "VmRSS") {
      st.vm_rss = kb_value(rest);
    } else if (key == "RssAnon") {
      st.rss_anon = kb_value(rest);
    } else if (key == "RssFile") {
      st.rss_file = kb_value(rest);
    } else if (key == "RssShmem") {
      st.rss_shmem = kb_value(rest);
    } else if (key == "VmData") {
      st.vm_data = kb_value(rest);
    } else if (key == "VmSwap") {
      st.vm_swap = kb_value(rest);
    } else if (key == "Threads") {
      st.threads = static_cast<uint32_t>(parse_u64(trim(rest)));
    }
  });
  return st;
}

SmapsRollup parse_smaps_rollup(std::string_view text) {
  SmapsRollup r;
  for_each_line(text, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    const std::string_view key = line.substr(0, colon);
    const std::string_view rest = line.substr(colon + 1);
    if (key == "Rss") {
      r.rss = kb_value(rest);
    } else if (key == "Pss") {
      r.pss = kb_value(rest);
    } else if (key == "Anonymous") {
      r.anonymous = kb_value(rest);
    } else if (key == "Private_Dirty") {
      r.private_dirty = kb_value(rest);
    } else if (key == "Swap") {
      r.swap = kb_value(rest);
    }
  });
  return r;
}

ProcStatus read_status(int pid) {
  return parse_status(read_proc_file("/proc/" + std::to_string(pid) + "/status"));
}

SmapsRollup read_smaps_rollup(int pid) {
  return parse_smaps_rollup(read_proc_file("/proc/" + std::to_string(pid) + "/smaps_rollup"));
}

int count_fds(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n;
}

std::string_view mapping_kind_name(MappingKind kind) {
  switch (kind) {
    case MappingKind::kBrkHeap:
      return "brk-heap";
    case MappingKind::kThreadArena:
      return "thread-arena";
    case MappingKind::kV8Page:
      return "v8-page";
    case MappingKind::kAnonymous:
      return "anonymous";
    case MappingKind::kFile:
      return "file";
    case MappingKind::kStack:
      return "stack";
    case MappingKind::kOther:
      return "other";
  }
  return "other";
}

std::string_view mapping_kind_label(MappingKind kind) {
  switch (kind) {
    case MappingKind::kBrkHeap:
      return "brk heap [heap] (malloc, main thread)";
    case MappingKind::kThreadArena:
      return "glibc thread arenas (malloc, other threads)";
    case MappingKind::kV8Page:
      return "V8 heap pages (256 KiB)";
    case MappingKind::kAnonymous:
      return "other anonymous (large mallocs, ArrayBuffers, V8 large objects)";
    case MappingKind::kFile:
      return "file-backed";
    case MappingKind::kStack:
      return "stack";
    case MappingKind::kOther:
      return "other";
  }
  return "other";
}

bool parse_mapping_kind(std::string_view name, MappingKind& kind) {
  for (std::size_t i = 0; i < kMappingKindCount; ++i) {
    if (mapping_kind_name(static_cast<MappingKind>(i)) == name) {
      kind = static_cast<MappingKind>(i);
      return true;
    }
  }
  return false;
}

void classify_mappings(std::vector<Mapping>& maps) {
  for (std::size_t i = 0; i < maps.size(); ++i) {
    Mapping& m = maps[i];
    const bool anon = m.path.empty() || m.path.rfind("[anon:", 0) == 0;
    if (m.path == "[heap]") {
      m.kind = MappingKind::kBrkHeap;
    } else if (m.path.rfind("[stack", 0) == 0) {
      m.kind = MappingKind::kStack;
    } else if (!m.path.empty() && m.path[0] == '/') {
      m.kind = MappingKind::kFile;
    } else if (!anon) {
      m.kind = MappingKind::kOther;
    } else if (m.start % kArenaAlign == 0 && m.size() <= kArenaAlign &&
               (m.size() == kArenaAlign ||
                (i + 1 < maps.size() && maps[i + 1].start == m.end &&
                 maps[i + 1].perms.rfind("---", 0) == 0 && maps[i + 1].path.empty() &&
                 maps[i + 1].end <= m.start + kArenaAlign))) {
      // glibc's new_heap(): a 64 MiB-aligned reservation, the used head rw-p, the tail ---p.
      m.kind = MappingKind::kThreadArena;
      if (i + 1 < maps.size() && maps[i + 1].start == m.end &&
          maps[i + 1].perms.rfind("---", 0) == 0 && maps[i + 1].end <= m.start + kArenaAlign) {
        maps[i + 1].kind = MappingKind::kThreadArena;
        ++i;
      }
    } else if (m.size() == kV8PageSize && m.perms.rfind("rw", 0) == 0) {
      m.kind = MappingKind::kV8Page;
    } else {
      m.kind = MappingKind::kAnonymous;
    }
  }
}

MapsFormatError::MapsFormatError(std::size_t line, std::size_t offset, std::string_view what)
    : std::runtime_error(fmt::format("line {} (byte offset {}): {}", line, offset, what)) {}

namespace {

// The smaps fields that are sizes: each is "N kB" and appears at most once per mapping.
constexpr std::string_view kSizeKeys[] = {"Size",
                                          "KernelPageSize",
                                          "MMUPageSize",
                                          "Rss",
                                          "Pss",
                                          "Pss_Dirty",
                                          "Pss_Anon",
                                          "Pss_File",
                                          "Pss_Shmem",
                                          "Shared_Clean",
                                          "Shared_Dirty",
                                          "Private_Clean",
                                          "Private_Dirty",
                                          "Referenced",
                                          "Anonymous",
                                          "KSM",
                                          "LazyFree",
                                          "AnonHugePages",
                                          "ShmemPmdMapped",
                                          "FilePmdMapped",
                                          "Shared_Hugetlb",
                                          "Private_Hugetlb",
                                          "Swap",
                                          "SwapPss",
                                          "Locked"};

// The whole field is one unsigned number in `base` that fits in 64 bits.
bool whole_number(std::string_view s, int base, uint64_t& out) {
  return !s.empty() && read_unsigned(s, base, out) == s.size();
}

bool is_perms(std::string_view p) {
  return p.size() == 4 && (p[0] == 'r' || p[0] == '-') && (p[1] == 'w' || p[1] == '-') &&
         (p[2] == 'x' || p[2] == '-') && (p[3] == 'p' || p[3] == 's');
}

// "fe:00": major and minor device numbers in hex.
bool is_device(std::string_view d) {
  const std::size_t colon = d.find(':');
  uint64_t v = 0;
  return colon != std::string_view::npos && whole_number(d.substr(0, colon), 16, v) &&
         whole_number(d.substr(colon + 1), 16, v);
}

// A mapping header: "start-end perms offset dev inode [path]", as the kernel prints it.
Mapping parse_mapping_header(std::string_view line, std::size_t line_no, std::size_t offset) {
  auto bad = [&](std::string_view what) { throw MapsFormatError(line_no, offset, what); };
  Mapping m;
  std::string_view rest = line;
  auto field = [&]() {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    const std::size_t sp = rest.find(' ');
    const std::string_view f = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp);
    return f;
  };
  const std::string_view range = field();
  const std::size_t dash = range.find('-');
  if (!whole_number(range.substr(0, dash), 16, m.start) ||
      !whole_number(range.substr(dash + 1), 16, m.end))
    bad("bad address range (want hex start-end)");
  if (m.end <= m.start) bad("the mapping ends before it starts");
  const bool vsyscall = m.start == 0xffffffffff600000 && m.end == 0xffffffffff601000;
  if (m.end > kMaxUserAddress && !vsyscall)
    bad(fmt::format("the address range ends past {:x}, the end of the 64-bit user address space",
                    kMaxUserAddress));
  const std::string_view perms = field();
  if (!is_perms(perms)) bad("bad permissions (want e.g. rw-p)");
  m.perms = std::string(perms);
  if (!whole_number(field(), 16, m.offset)) bad("bad file offset (want hex)");
  if (!is_device(field())) bad("bad device (want hex major:minor)");
  uint64_t inode = 0;
  if (!whole_number(field(), 10, inode)) bad("bad inode (want a decimal number)");
  m.path = std::string(trim(rest));
  return m;
}

}  // namespace

void check_no_overlap(const std::vector<Mapping>& sorted) {
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    const Mapping& a = sorted[i - 1];
    const Mapping& b = sorted[i];
    if (b.start >= a.end) continue;
    const Mapping& later = a.source_line > b.source_line ? a : b;
    const Mapping& earlier = a.source_line > b.source_line ? b : a;
    throw MapsFormatError(
        later.source_line, later.source_offset,
        fmt::format("the mapping {:x}-{:x} {} the mapping {:x}-{:x} of line {}", later.start,
                    later.end, a.start == b.start && a.end == b.end ? "repeats" : "overlaps",
                    earlier.start, earlier.end, earlier.source_line));
  }
}

MapsTable parse_smaps(std::string_view text) {
  MapsTable table;
  uint64_t seen = 0;  // the size keys read for the current mapping, bit i for kSizeKeys[i]
  Mapping* current = nullptr;
  std::size_t line_no = 0, offset = 0;
  while (offset < text.size()) {
    const std::size_t nl = text.find('\n', offset);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    const std::string_view line = text.substr(offset, end - offset);
    const std::size_t line_offset = offset;
    offset = end + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    // A header is "start-end perms ..."; a field is "Key:   value [kB]".
    const std::size_t dash = line.find('-');
    const std::size_t colon = line.find(':');
    const bool header = dash != std::string_view::npos && dash > 0 &&
                        (colon == std::string_view::npos || colon > dash) &&
                        std::isxdigit(static_cast<unsigned char>(line[0]));
    if (header) {
      table.mappings.push_back(parse_mapping_header(line, line_no, line_offset));
      current = &table.mappings.back();
      current->source_line = line_no;
      current->source_offset = line_offset;
      seen = 0;
      continue;
    }
    if (current == nullptr || colon == std::string_view::npos || colon == 0)
      throw MapsFormatError(line_no, line_offset,
                            "neither a mapping header (start-end perms ...) nor a \"Key: value\" "
                            "line of smaps");
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    // Sizes are "N kB" (the only unit /proc writes); other fields (VmFlags, THPeligible,
    // ProtectionKey) are not sizes.
    const bool size_key =
        std::find(std::begin(kSizeKeys), std::end(kSizeKeys), key) != std::end(kSizeKeys);
    const bool has_kb = value.size() >= 3 && value.substr(value.size() - 3) == " kB";
    if (!size_key && !has_kb) continue;
    uint64_t kb = 0;
    if (!has_kb || !whole_number(trim(value.substr(0, value.size() - 3)), 10, kb) ||
        kb > (UINT64_MAX >> 10))
      throw MapsFormatError(
          line_no, line_offset,
          fmt::format("{}: not a size in kB (\"N kB\", the only unit /proc writes)", key));
    const uint64_t bytes = kb * 1024;
    if (size_key) {
      const auto bit = uint64_t{1} << (std::find(std::begin(kSizeKeys), std::end(kSizeKeys), key) -
                                       std::begin(kSizeKeys));
      if (seen & bit)
        throw MapsFormatError(line_no, line_offset,
                              fmt::format("{}: given twice for one mapping", key));
      seen |= bit;
    }
    if (key == "Size" && bytes != current->size())
      throw MapsFormatError(line_no, line_offset,
                            fmt::format("Size: {} kB, but the mapping's address range is {} kB", kb,
                                        current->size() / 1024));
    const bool bounded = key == "Rss" || key == "Pss" || key == "Anonymous" ||
                         key == "Private_Dirty" || key == "Shared_Dirty" || key == "Swap" ||
                         key == "Private_Clean" || key == "Shared_Clean";
    if (bounded && bytes > current->size())
      throw MapsFormatError(line_no, line_offset,
                            fmt::format("{}: {} kB is more than the mapping's size ({} kB)", key,
                                        kb, current->size() / 1024));
    if (key == "Rss") {
      current->rss = bytes;
    } else if (key == "Pss") {
      current->pss = bytes;
    } else if (key == "Anonymous") {
      current->anonymous = bytes;
    } else if (key == "Private_Dirty") {
      current->private_dirty = bytes;
    } else if (key == "Shared_Dirty") {
      current->shared_dirty = bytes;
    } else if (key == "Swap") {
      current->swap = bytes;
    }
  }
  std::sort(table.mappings.begin(), table.mappings.end(),
            [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
  check_no_overlap(table.mappings);
  classify_mappings(table.mappings);
  return table;
}

MapsTable read_smaps(int pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  MapsTable table;
  try {
    table = parse_smaps(read_proc_file(base + "/smaps"));
  } catch (const MapsFormatError& e) {
    throw ProcError(base + "/smaps: " + e.what());
  }
  table.pid = pid;
  table.taken_at = static_cast<double>(std::time(nullptr));
  try {
    std::string cmd = read_proc_file(base + "/cmdline");
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    table.command = std::string(trim(cmd));
  } catch (const ProcError&) {
  }
  return table;
}

MapsSummary summarize(const MapsTable& table) {
  MapsSummary s;
  for (const Mapping& m : table.mappings) {
    const auto k = static_cast<std::size_t>(m.kind);
    s.rss[k] += m.rss;
    s.size[k] += m.size();
    ++s.count[k];
  }
  return s;
}

}  // namespace leakscope::series
