// Follows a sample file while the sampler writes it, to note how long V8's perf map was when each
// stack first appeared: the perf map's entries written before then name the stack's JIT frames
// (code addresses are reused later; see PerfMap::find).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "native/native_samples.h"

namespace leakscope::native {

class FirstSeen {
 public:
  explicit FirstSeen(std::string sample_path) : path_(std::move(sample_path)) {}
  // Reads what was appended since the last call; never throws (the file may not exist yet).
  void poll();
  int pid() const { return pid_; }  // from the `start` line, 0 before it
  std::string perf_map_path() const;
  // Per stack of `samples`: the perf map's size when it was first seen (UINT64_MAX if never).
  std::vector<uint64_t> limits(const NativeSamples& samples) const;

 private:
  void line(const std::string& text);

  std::string path_;
  uint64_t offset_ = 0;
  std::string pending_;
  int pid_ = 0;
  std::unordered_map<uint32_t, uint64_t> seen_;  // stack id -> perf map size
};

}  // namespace leakscope::native
