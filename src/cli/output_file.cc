#include "cli/output_file.h"

#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <stdexcept>

#include "cli/cli_support.h"
#include "heap/user_files.h"

namespace leakscope::cli {

bool write_output_file(const char* command, const std::string& path, const std::string& text) {
  try {
    std::FILE* f = open_output_file(path);
    const bool whole = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !whole) throw std::runtime_error("cannot write " + path);
    return true;
  } catch (const std::exception& e) {
    print_error(fmt::format("{}: {}", command, e.what()));
    return false;
  }
}

}  // namespace leakscope::cli
