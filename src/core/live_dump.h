// leakscope's own dump of a live process, instead of gcore: gcore reads every mapping through
// /proc/PID/mem, which populates V8's PROT_NONE-turned-readable reservations and can triple the
// target's RSS. This reads only readable anonymous mappings, and of those only the pages
// /proc/PID/pagemap says are present (or swapped), while the process is stopped with SIGSTOP, into
// buffers faulted in before the stop; SIGCONT always follows, on errors too.
#pragma once

#include <cstdint>

#include "core/process_dump.h"

namespace leakscope::core {

struct LiveDumpStats {
  double stopped_seconds = 0;  // SIGSTOP sent → SIGCONT sent
  double dump_seconds = 0;     // the whole dump, checks included
  uint64_t bytes_read = 0;
  uint64_t bytes_skipped = 0;  // unpopulated pages of readable anonymous mappings
  uint64_t rss_before = 0;     // the target's VmRSS, bytes
  uint64_t rss_after = 0;
};

// Throws CoreError: no such process, another user's process, or a read that failed.
ProcessDump dump_live_process(int pid, LiveDumpStats& stats);

// VmRSS of a process in bytes, 0 when it cannot be read.
uint64_t process_rss(int pid);

}  // namespace leakscope::core
