// The last line of defence against terminal injection: after install_safe_output(), every byte the
// process writes through stdout and stderr (reports, JSON, error lines, CLI11's messages, the
// watched command's output) passes report::safe_text's filter, keeping only '\n' as a raw control.
// Renderers still escape each untrusted string themselves (so a newline inside a name stays on its
// line); this filter makes sure that a path that forgot cannot reach the terminal raw.
#pragma once

#include <string_view>

namespace leakscope::cli {

// Replaces the C streams stdout and stderr (glibc lets a program assign them) with filtered ones
// writing to file descriptors 1 and 2. Call once, first thing in main().
void install_safe_output();

// The tool's own terminal control: rewrites the current line of the terminal on `fd` with
// `text` (escaped; empty text clears the line). Only for progress and live lines on a terminal.
void print_status_line(int fd, std::string_view text);

}  // namespace leakscope::cli
