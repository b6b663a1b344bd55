#include "core/core_writer.h"

#include <elf.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/core_error.h"

namespace leakscope::core {

namespace {

constexpr size_t kPrstatusSize = 336;  // x86-64 struct elf_prstatus
constexpr size_t kPrstatusPidOffset = 32;

template <typename T>
void append(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

void pad4(std::string& out) {
  while (out.size() % 4) out += '\0';
}

void append_note(std::string& out, uint32_t type, const std::string& desc,
                 std::string_view name = "CORE") {
  const Elf64_Nhdr header{static_cast<Elf64_Word>(name.size() + 1),
                          static_cast<Elf64_Word>(desc.size()), type};
  append(out, header);
  out.append(name);
  out += '\0';
  pad4(out);
  out += desc;
  pad4(out);
}

std::string nt_file(const ProcessDump& dump) {
  std::string desc;
  append(desc, static_cast<uint64_t>(dump.files.size()));
  append(desc, uint64_t{4096});
  for (const FileMapping& f : dump.files) {
    append(desc, f.start);
    append(desc, f.end);
    append(desc, f.page_offset);
  }
  for (const FileMapping& f : dump.files) desc.append(f.path.c_str(), f.path.size() + 1);
  return desc;
}

std::string notes(const ProcessDump& dump) {
  std::string prstatus(kPrstatusSize, '\0');
  const int32_t pid = static_cast<int32_t>(dump.pid);
  std::memcpy(prstatus.data() + kPrstatusPidOffset, &pid, 4);
  std::string out;
  append_note(out, NT_PRSTATUS, prstatus);
  if (!dump.auxv.empty()) {
    append_note(out, NT_AUXV, std::string(dump.auxv.begin(), dump.auxv.end()));
  }
  append_note(out, NT_FILE, nt_file(dump));
  if (dump.brk_end > dump.brk_start) {
    std::string brk;
    append(brk, dump.brk_start);
    append(brk, dump.brk_end);
    append_note(out, kBrkHeapNote, brk, kLeakscopeNoteName);
  }
  return out;
}

// The headers and notes; segment data follows at the offsets they name.
std::string headers(const ProcessDump& dump) {
  const auto& segments = dump.memory.segments();
  const uint64_t phnum = segments.size() + 1;
  if (phnum >= PN_XNUM) throw CoreError("too many memory segments for one core file");
  const std::string note_bytes = notes(dump);
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_CORE;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = static_cast<Elf64_Half>(phnum);
  std::string out;
  append(out, eh);
  const uint64_t notes_at = sizeof(Elf64_Ehdr) + phnum * sizeof(Elf64_Phdr);
  append(out, Elf64_Phdr{PT_NOTE, 0, notes_at, 0, 0, note_bytes.size(), 0, 4});
  uint64_t data_at = (notes_at + note_bytes.size() + 4095) & ~uint64_t{4095};
  for (const MemorySegment& s : segments) {
    const Elf64_Word flags = PF_R | (s.writable ? PF_W : 0);
    append(out, Elf64_Phdr{PT_LOAD, flags, data_at, s.start, 0, s.size, s.size, 4096});
    data_at += s.size;
  }
  out += note_bytes;
  out.resize((out.size() + 4095) & ~size_t{4095}, '\0');
  return out;
}

}  // namespace

std::string core_file_bytes(const ProcessDump& dump) {
  std::string out = headers(dump);
  for (const MemorySegment& s : dump.memory.segments()) {
    out.append(reinterpret_cast<const char*>(s.data), s.size);
  }
  return out;
}

void write_core_file(const std::string& path, const ProcessDump& dump) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), std::fclose);
  if (!f) throw CoreError(path + ": cannot create: " + std::strerror(errno));
  const std::string head = headers(dump);
  bool ok = std::fwrite(head.data(), 1, head.size(), f.get()) == head.size();
  for (const MemorySegment& s : dump.memory.segments()) {
    ok = ok && std::fwrite(s.data, 1, s.size, f.get()) == s.size;
  }
  if (!ok || std::fflush(f.get()) != 0) {
    throw CoreError(path + ": cannot write: " + std::strerror(errno));
  }
}

}  // namespace leakscope::core
