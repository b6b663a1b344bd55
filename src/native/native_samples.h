// The native sampler's file (`leakscope-native 1`, docs/native-samples-format.md) as data: the
// mappings, the allocation stacks and the dumps of live bytes per stack over time. The file is
// read while the sampler may still be writing it: a last line without its newline and a last
// dump without its `end` are left out, not errors.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leakscope::native {

// What is wrong with a sample file: one line, "PATH:LINE: what".
struct NativeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Mapping {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t offset = 0;
  std::string path;
};

struct MapsBlock {
  double t = 0;  // seconds since the sampler's start
  std::vector<Mapping> mappings;
};

struct Stack {
  uint32_t id = 0;
  std::vector<uint64_t> ips;   // return addresses, innermost first
  std::size_t maps = 0;        // index of the maps block its addresses belong to
  std::size_t first_dump = 0;  // index of the first dump after its line (its first appearance)
};

struct LiveEntry {
  std::size_t stack = 0;  // index into NativeSamples::stacks
  uint64_t live_bytes = 0;
  uint64_t live_count = 0;
  uint64_t allocated_bytes = 0;
};

struct Dump {
  double t = 0;  // seconds since the sampler's start
  uint64_t rss = 0;
  uint64_t sampled_allocs = 0;
  uint64_t sampled_frees = 0;
  std::vector<LiveEntry> live;
};

struct NativeSamples {
  int pid = 0;
  uint64_t interval = 0;  // mean bytes between samples
  double start_unix_s = 0;
  std::vector<MapsBlock> maps;
  std::vector<Stack> stacks;
  std::vector<Dump> dumps;
  bool truncated = false;  // a partial last line or an unfinished last block was left out
};

// Parses the whole text; `what` names it in errors. Throws NativeError.
NativeSamples parse_native_samples(std::string_view text, const std::string& what);

// Reads and parses a file (through heap/user_files.h). Throws NativeError.
NativeSamples read_native_samples(const std::string& path);

}  // namespace leakscope::native
