// What the dumper reads from /proc/self without allocating: the executable mappings that name a
// file (for the `maps` block) and the resident set size.
#pragma once

#include <cstddef>
#include <cstdint>

namespace leakscope::preload {

// Writes the `map <start> <end> <offset> <path>` lines of the r-xp file mappings into `out`
// (at most `capacity` bytes; lines that do not fit are left out). Returns the bytes written.
std::size_t read_exec_maps(char* out, std::size_t capacity);

// The resident set size in bytes (/proc/self/statm), 0 if unreadable.
std::uint64_t read_rss_bytes();

}  // namespace leakscope::preload
