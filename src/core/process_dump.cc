#include "core/process_dump.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/core_error.h"

namespace leakscope::core {

namespace {

constexpr uint64_t kMaxNoteBytes = 4096;

std::shared_ptr<void> map_file(const std::string& path, Bytes& bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw CoreError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw CoreError(path + ": not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    throw CoreError(path + ": empty file");
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) throw CoreError(path + ": cannot map: " + std::strerror(errno));
  bytes = Bytes(static_cast<const uint8_t*>(p), size);
  return std::shared_ptr<void>(p, [size](void* q) { ::munmap(q, size); });
}

void read_notes(const ElfReader& elf, ProcessDump& dump) {
  for (const ElfNote& note : elf.notes()) {
    if (note.name == kLeakscopeNoteName && note.type == kBrkHeapNote && note.desc.size() == 16) {
      std::memcpy(&dump.brk_start, note.desc.data(), 8);
      std::memcpy(&dump.brk_end, note.desc.data() + 8, 8);
    }
    if (note.name != "CORE") continue;
    if (note.type == NT_FILE) dump.files = parse_nt_file(note.desc);
    if (note.type == NT_PRSTATUS && dump.pid == 0 && note.desc.size() >= 36) {
      int32_t pid = 0;
      std::memcpy(&pid, note.desc.data() + 32, 4);
      dump.pid = pid;
    }
    if (note.type == NT_AUXV) {
      dump.auxv.assign(note.desc.begin(), note.desc.end());
      for (size_t at = 0; at + 16 <= note.desc.size(); at += 16) {
        uint64_t key = 0, value = 0;
        std::memcpy(&key, note.desc.data() + at, 8);
        std::memcpy(&value, note.desc.data() + at + 8, 8);
        if (key == AT_PHDR) dump.phdr_address = value;
      }
    }
  }
}

bool is_file_backed(const ProcessDump& dump, uint64_t start, uint64_t end) {
  for (const FileMapping& f : dump.files) {
    if (f.start < end && start < f.end) return true;
  }
  return false;
}

// A core from elsewhere (gcore, a crash) does not name the brk heap: it is the lowest anonymous
// segment above the executable's end and its .bss (the anonymous segments that start at that end
// and continue it), within the kernel's randomisation range (32 MiB, 1 GiB on 64-bit kernels
// since 5.18; measured 194 MB above Node 24's end), with the segments that continue it.
void find_brk_heap(ProcessDump& dump) {
  if (dump.brk_end > dump.brk_start) return;
  const FileMapping* exe = executable_mapping(dump);
  if (!exe) return;
  // The end of the executable's data: its mapping of the highest file offset (Node 24 also maps
  // a copy of its text high up, for huge pages).
  uint64_t exe_end = 0, highest_offset = 0;
  for (const FileMapping& f : dump.files) {
    if (f.path == exe->path && f.page_offset >= highest_offset) {
      highest_offset = f.page_offset;
      exe_end = f.end;
    }
  }
  constexpr uint64_t kBrkRandomRange = uint64_t{1} << 30;
  uint64_t bss_end = exe_end;
  for (const MemorySegment& s : dump.memory.segments()) {
    if (s.file_backed || s.start < exe_end) continue;
    if (dump.brk_end == 0 && s.start == bss_end) {
      bss_end = s.start + s.size;
      continue;
    }
    if (dump.brk_end == 0) {
      if (s.start > bss_end + kBrkRandomRange) return;
      dump.brk_start = s.start;
    } else if (s.start != dump.brk_end) {
      return;
    }
    dump.brk_end = s.start + s.size;
  }
}

}  // namespace

ProcessDump read_core_file(const std::string& path) {
  Bytes bytes;
  std::shared_ptr<void> owner = map_file(path, bytes);
  const ElfReader elf(bytes, path);
  if (elf.type() != ET_CORE) throw CoreError(path + ": an ELF file, but not a core file");
  ProcessDump dump;
  read_notes(elf, dump);
  for (const ElfSegment& s : elf.segments()) {
    if (s.type != PT_LOAD) continue;
    const Bytes data = elf.segment_bytes(s);
    const uint64_t size = std::min<uint64_t>(data.size(), s.memsz);
    if (size == 0 || s.vaddr + size < s.vaddr) continue;
    dump.memory.add({s.vaddr, size, data.data(), (s.flags & PF_W) != 0,
                     is_file_backed(dump, s.vaddr, s.vaddr + size)});
  }
  dump.memory.finish();
  find_brk_heap(dump);
  dump.memory.mark_malloc_heap(dump.brk_start, dump.brk_end);
  dump.memory.keep(std::move(owner));
  return dump;
}

const FileMapping* executable_mapping(const ProcessDump& dump) {
  std::string path;
  for (const FileMapping& f : dump.files) {
    if (dump.phdr_address >= f.start && dump.phdr_address < f.end) path = f.path;
  }
  for (const FileMapping& f : dump.files) {
    if (f.page_offset == 0 && (path.empty() || f.path == path)) return &f;
  }
  return nullptr;
}

std::string mapped_build_id(const ProcessDump& dump, const FileMapping& exe) {
  Elf64_Ehdr eh;
  if (!dump.memory.read(exe.start, &eh, sizeof eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
      eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256) {
    return {};
  }
  std::vector<Elf64_Phdr> phdrs(eh.e_phnum);
  if (!dump.memory.read(exe.start + eh.e_phoff, phdrs.data(), eh.e_phnum * sizeof(Elf64_Phdr)))
    return {};
  uint64_t bias = exe.start;
  for (const Elf64_Phdr& ph : phdrs) {
    if (ph.p_type == PT_LOAD && ph.p_offset == 0) bias = exe.start - ph.p_vaddr;
  }
  for (const Elf64_Phdr& ph : phdrs) {
    if (ph.p_type != PT_NOTE) continue;
    std::vector<uint8_t> notes(std::min<uint64_t>(ph.p_filesz, kMaxNoteBytes));
    if (!dump.memory.read(bias + ph.p_vaddr, notes.data(), notes.size())) continue;
    std::string id = build_id_of(parse_notes(Bytes(notes.data(), notes.size())));
    if (!id.empty()) return id;
  }
  return {};
}

}  // namespace leakscope::core
