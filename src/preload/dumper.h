// Writes the profile to LEAKSCOPE_NATIVE_OUT as docs/native-samples-format.md says: the header,
// then every period a dump (preceded by the stacks and maps it needs), and a last dump at exit.
#pragma once

#include <cstdint>

namespace leakscope::preload {

// Opens the file and writes the header lines. False if it cannot be created.
bool open_output(const char* path);

// Starts the thread that dumps every `period_ms`. False if the thread could not be made.
bool start_dumper(std::uint64_t period_ms);

// The last dump (atexit); later dumps are not written.
void final_dump();

}  // namespace leakscope::preload
