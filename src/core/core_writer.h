// Writes a ProcessDump as an ELF core file that read_core_file() (and gdb) read back: the notes
// NT_PRSTATUS (the pid), NT_AUXV and NT_FILE, then one PT_LOAD per segment of memory.
#pragma once

#include <string>

#include "core/process_dump.h"

namespace leakscope::core {

// Throws CoreError when the file cannot be written.
void write_core_file(const std::string& path, const ProcessDump& dump);

// The same bytes in memory (for the tests and small dumps).
std::string core_file_bytes(const ProcessDump& dump);

}  // namespace leakscope::core
