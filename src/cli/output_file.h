// Writing one of a command's own output files (a run's run.json and report, attach's report)
// after the real work is done: a file that cannot be written is said in one line, and the
// command still ends with its verdict rather than losing it.
#pragma once

#include <string>

namespace leakscope::cli {

// Writes `text` to `path` (open_output_file's rules). False, with one `command: ...` line on
// stderr, when it cannot.
bool write_output_file(const char* command, const std::string& path, const std::string& text);

}  // namespace leakscope::cli
