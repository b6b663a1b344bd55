// Reading a live process from /proc: the cheap per-sample counters (status, smaps_rollup, open
// fds) and the per-mapping table from smaps, classified the way a native-leak hunt needs it.
// Linux only. Sizes are bytes.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leakscope::series {

// A PID that does not exist, has exited, or that we may not read.
class ProcError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProcStatus {
  std::string name;
  uint32_t uid = 0;
  uint64_t vm_size = 0;
  uint64_t vm_rss = 0;
  uint64_t rss_anon = 0;
  uint64_t rss_file = 0;
  uint64_t rss_shmem = 0;
  uint64_t vm_data = 0;
  uint64_t vm_swap = 0;
  uint32_t threads = 0;
};

struct SmapsRollup {
  uint64_t rss = 0;
  uint64_t pss = 0;
  uint64_t anonymous = 0;
  uint64_t private_dirty = 0;
  uint64_t swap = 0;
};

// Checks that PID exists and is ours to read; throws ProcError with a one-line message.
void check_pid_readable(int pid);

ProcStatus parse_status(std::string_view text);
SmapsRollup parse_smaps_rollup(std::string_view text);
// These throw ProcError when the process is gone or unreadable.
ProcStatus read_status(int pid);
SmapsRollup read_smaps_rollup(int pid);
// Entries in /proc/PID/fd; -1 when not permitted.
int count_fds(int pid);

// Reads a whole /proc file (they report size 0, so stat cannot be used). Throws ProcError.
std::string read_proc_file(const std::string& path);

enum class MappingKind : uint8_t {
  kBrkHeap,      // [heap]: the main arena, malloc from the main thread
  kThreadArena,  // glibc per-thread arenas: 64 MiB-aligned anonymous heaps
  kV8Page,       // anonymous 256 KiB mappings: V8 heap pages
  kAnonymous,    // other anonymous memory: big mallocs, ArrayBuffer stores, V8 large objects
  kFile,         // file-backed: binaries, libraries, mapped files
  kStack,        // [stack]
  kOther,        // [vdso], [vvar], [vsyscall], ...
};
inline constexpr std::size_t kMappingKindCount = 7;
std::string_view mapping_kind_name(MappingKind kind);   // "brk-heap", "thread-arena", ...
std::string_view mapping_kind_label(MappingKind kind);  // "brk heap", "thread arenas", ...
bool parse_mapping_kind(std::string_view name, MappingKind& kind);

struct Mapping {
  uint64_t start = 0;
  uint64_t end = 0;
  std::string perms;  // "rw-p"
  uint64_t offset = 0;
  std::string path;  // "" for anonymous, "[heap]", "/usr/bin/node", "[anon:name]"
  uint64_t rss = 0;
  uint64_t pss = 0;
  uint64_t anonymous = 0;
  uint64_t private_dirty = 0;
  uint64_t shared_dirty = 0;
  uint64_t swap = 0;
  MappingKind kind = MappingKind::kAnonymous;
  // Where the mapping was read from a text (1-based line and its byte offset), for errors.
  std::size_t source_line = 0;
  std::size_t source_offset = 0;

  uint64_t size() const { return end - start; }
  uint64_t dirty() const { return private_dirty + shared_dirty; }
};

struct MapsTable {
  int pid = 0;
  double taken_at = 0;  // Unix time, seconds
  std::string command;
  std::vector<Mapping> mappings;  // sorted by start address
};

// Bad maps text (a saved table, smaps or pmap -x file): the message names the line and byte
// offset; the caller adds the file name.
class MapsFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  MapsFormatError(std::size_t line, std::size_t offset, std::string_view what);
};

// Parses /proc/PID/smaps (or /proc/PID/maps, which gives sizes only) and classifies mappings.
// Throws MapsFormatError for a line that is neither a mapping header nor a "Key: value" field, or
// whose numbers are not what the kernel writes (addresses that do not fit or run backwards, a
// negative size).
MapsTable parse_smaps(std::string_view text);

// The highest end address a mapping may have: the 64-bit user address space of x86-64 and arm64
// with 5-level paging (2^57). x86-64's [vsyscall] page above it is the one exception.
inline constexpr uint64_t kMaxUserAddress = uint64_t{1} << 57;

// Throws MapsFormatError, naming the later line, when two mappings (sorted by start) overlap or
// repeat.
void check_no_overlap(const std::vector<Mapping>& sorted);
MapsTable read_smaps(int pid);  // throws ProcError
void classify_mappings(std::vector<Mapping>& mappings);

// Per-kind totals: what `watch` samples at a lower rate than status.
struct MapsSummary {
  uint64_t rss[kMappingKindCount] = {};
  uint64_t size[kMappingKindCount] = {};
  uint32_t count[kMappingKindCount] = {};
};
MapsSummary summarize(const MapsTable& table);

}  // namespace leakscope::series
