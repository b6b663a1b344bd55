// Names the frames of the sampled stacks: native frames from the symbol tables (.symtab, else
// .dynsym) of the files mapped when the stack was recorded, demangled; JIT frames from V8's perf
// map, as "JS fn (file:line:col)". The sampler's own frames are dropped.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "native/native_samples.h"
#include "native/perf_map.h"

namespace leakscope::native {

enum class FrameKind {
  kNative,   // a C/C++ function in a mapped file
  kJs,       // a JS function (from the perf map)
  kV8Code,   // other V8-generated code: builtins, stubs, bytecode handlers
  kUnknown,  // no symbol: "module+0xoffset", or an address in no mapping and not in the map
};

struct Frame {
  uint64_t ip = 0;
  FrameKind kind = FrameKind::kUnknown;
  std::string name;    // demangled function, or "JS fn (file:line:col)"
  std::string module;  // file name of the mapping ("node", "libc.so.6"), "" for JIT code
};

struct SymbolFile;  // one mapped file's symbols (symbolizer.cc)

class Symbolizer {
 public:
  // `cwd`: JS file names under it are shown relative to it.
  Symbolizer(const NativeSamples& samples, const PerfMap* perf_map, std::string cwd);
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // The frames of stacks[stack], innermost first. `perf_limit`: the perf map's size when the
  // stack was first seen (UINT64_MAX when unknown), see PerfMap::find.
  std::vector<Frame> frames(std::size_t stack, uint64_t perf_limit);

 private:
  Frame native_frame(const Mapping& m, uint64_t pc);
  Frame jit_frame(uint64_t pc, uint64_t perf_limit) const;
  SymbolFile& elf(const std::string& path);

  const NativeSamples& samples_;
  const PerfMap* perf_map_;
  std::string cwd_;
  std::map<std::string, std::unique_ptr<SymbolFile>> files_;
};

// Whether a mapping is the sampler itself (libleakscope-preload.so).
bool is_sampler_path(const std::string& path);

}  // namespace leakscope::native
