// placeholder replaced below
#include "cli/commands.h"
namespace leakscope::cli {
void add_check_command(CLI::App&, Action&) {}
}  // namespace leakscope::cli
