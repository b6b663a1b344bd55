// A process's memory and the few facts about it the census needs, from an ELF core file
// (`gcore`, a crash core, or `leakscope core --pid --save`) or from a live process (live_dump.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/elf_reader.h"
#include "core/memory_image.h"

namespace leakscope::core {

struct ProcessDump {
  MemoryImage memory;
  std::vector<FileMapping> files;  // NT_FILE: what was mapped from which file
  uint64_t phdr_address = 0;       // AT_PHDR: the executable's program headers; 0 unknown
  int64_t pid = 0;                 // from NT_PRSTATUS; 0 unknown
  std::vector<uint8_t> auxv;       // NT_AUXV as read, written back by --save
  // The brk heap ("[heap]"): malloc's main arena, where V8 keeps its spaces. From the live
  // process's maps, a LEAKSCOPE note in a core --save wrote, or guessed (read_core_file); 0
  // unknown.
  uint64_t brk_start = 0, brk_end = 0;
};

// The note --save adds to a core: [brk_start, brk_end) as two 64-bit words.
inline constexpr char kLeakscopeNoteName[] = "LEAKSCOPE";
inline constexpr uint32_t kBrkHeapNote = 1;

// Reads an ELF core file (mapped, not copied). Throws CoreError with the path on a bad file.
ProcessDump read_core_file(const std::string& path);

// The executable's first mapping (file offset 0): the one holding AT_PHDR, else the first
// file mapped from offset 0. Null when the core names no files.
const FileMapping* executable_mapping(const ProcessDump& dump);

// The build id in the executable's ELF notes as the process had them mapped, or "" when the dump
// does not hold those bytes.
std::string mapped_build_id(const ProcessDump& dump, const FileMapping& executable);

}  // namespace leakscope::core
