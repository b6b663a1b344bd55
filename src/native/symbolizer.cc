#include "native/symbolizer.h"

#include <cxxabi.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/core.h>
#include <algorithm>
#include <cstdlib>

#include "core/core_error.h"
#include "core/elf_reader.h"

namespace leakscope::native {

struct SymbolFile {
  bool readable = false;
  std::vector<core::ElfSegment> loads;
  std::vector<core::ElfSymbol> symbols;  // sorted by value
  std::map<std::size_t, std::string> demangled;
};

namespace {

std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string demangle(const std::string& name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  if (status != 0 || !out) return name;
  std::string text(out);
  std::free(out);
  return text;
}

// Maps the file and reads its load segments and function symbols; an unreadable file (deleted,
// replaced, not ELF) leaves the frames unnamed, as "module+0xoffset".
void load_elf(const std::string& path, SymbolFile& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    ::close(fd);
    return;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (data == MAP_FAILED) return;
  try {
    const core::ElfReader reader(core::Bytes(static_cast<const uint8_t*>(data), size), path);
    for (const core::ElfSegment& s : reader.segments()) {
      if (s.type == PT_LOAD) out.loads.push_back(s);
    }
    out.symbols = reader.function_symbols();
    std::sort(out.symbols.begin(), out.symbols.end(),
              [](const core::ElfSymbol& a, const core::ElfSymbol& b) {
                return a.value != b.value ? a.value < b.value : a.size > b.size;
              });
    out.readable = true;
  } catch (const core::CoreError&) {
    out.loads.clear();
    out.symbols.clear();
  }
  ::munmap(data, size);
}

}  // namespace

bool is_sampler_path(const std::string& path) {
  return base_name(path).starts_with("libleakscope-preload");
}

Symbolizer::Symbolizer(const NativeSamples& samples, const PerfMap* perf_map, std::string cwd)
    : samples_(samples), perf_map_(perf_map), cwd_(std::move(cwd)) {}

Symbolizer::~Symbolizer() = default;

SymbolFile& Symbolizer::elf(const std::string& path) {
  auto& slot = files_[path];
  if (!slot) {
    slot = std::make_unique<SymbolFile>();
    load_elf(path, *slot);
  }
  return *slot;
}

Frame Symbolizer::native_frame(const Mapping& m, uint64_t pc) {
  Frame f;
  f.ip = pc + 1;
  f.kind = FrameKind::kUnknown;
  f.module = base_name(m.path);
  const uint64_t file_offset = pc - m.start + m.offset;
  f.name = fmt::format("{}+0x{:x}", f.module, file_offset);
  SymbolFile& file = elf(m.path);
  if (!file.readable) return f;
  uint64_t vaddr = 0;
  bool found = false;
  for (const core::ElfSegment& s : file.loads) {
    if (file_offset >= s.offset && file_offset - s.offset < s.filesz) {
      vaddr = file_offset - s.offset + s.vaddr;
      found = true;
      break;
    }
  }
  if (!found) return f;
  const auto& syms = file.symbols;
  auto it = std::upper_bound(syms.begin(), syms.end(), vaddr,
                             [](uint64_t a, const core::ElfSymbol& s) { return a < s.value; });
  // The nearest symbols at or below; a few back in case of nested or aliased symbols.
  for (int tries = 0; tries < 8 && it != syms.begin(); ++tries) {
    --it;
    if (it->size != 0 && vaddr - it->value >= it->size) continue;
    const auto index = static_cast<std::size_t>(it - syms.begin());
    auto d = file.demangled.find(index);
    if (d == file.demangled.end()) d = file.demangled.emplace(index, demangle(it->name)).first;
    f.name = d->second;
    f.kind = FrameKind::kNative;
    break;
  }
  return f;
}

Frame Symbolizer::jit_frame(uint64_t pc, uint64_t perf_limit) const {
  Frame f;
  f.ip = pc + 1;
  f.name = fmt::format("?? (JIT code 0x{:x})", f.ip);
  const PerfMapEntry* e = perf_map_ ? perf_map_->find(pc, perf_limit) : nullptr;
  if (!e) return f;
  bool is_js = false;
  f.name = js_frame_name(e->name, cwd_, &is_js);
  f.kind = is_js ? FrameKind::kJs : FrameKind::kV8Code;
  return f;
}

std::vector<Frame> Symbolizer::frames(std::size_t stack, uint64_t perf_limit) {
  const Stack& s = samples_.stacks[stack];
  const std::vector<Mapping>& maps = samples_.maps[s.maps].mappings;
  std::vector<Frame> out;
  out.reserve(s.ips.size());
  for (const uint64_t ip : s.ips) {
    if (ip == 0) continue;
    const uint64_t pc = ip - 1;  // inside the call instruction, not after it
    const auto m = std::find_if(maps.begin(), maps.end(), [pc](const Mapping& map) {
      return pc >= map.start && pc < map.end;
    });
    if (m == maps.end()) {
      out.push_back(jit_frame(pc, perf_limit));
    } else if (!is_sampler_path(m->path)) {
      out.push_back(native_frame(*m, pc));
    }
  }
  return out;
}

}  // namespace leakscope::native
