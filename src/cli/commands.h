// The leakscope subcommands. Each lives in its own cmd_*.cc and registers itself on the app;
// the action it stores runs after parsing and returns the process exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace leakscope::cli {

using Action = std::function<int()>;

void add_summary_command(CLI::App& app, Action& action);
void add_info_command(CLI::App& app, Action& action);
void add_dump_analysis_command(CLI::App& app, Action& action);
void add_top_command(CLI::App& app, Action& action);
void add_path_command(CLI::App& app, Action& action);
void add_inspect_command(CLI::App& app, Action& action);
void add_diff_command(CLI::App& app, Action& action);
void add_leaks_command(CLI::App& app, Action& action);
void add_check_command(CLI::App& app, Action& action);
void add_gclog_command(CLI::App& app, Action& action);
void add_watch_command(CLI::App& app, Action& action);
void add_maps_command(CLI::App& app, Action& action);       // maps
void add_maps_diff_command(CLI::App& app, Action& action);  // maps-diff
void add_attach_command(CLI::App& app, Action& action);     // attach PID (src/live)
void add_report_command(CLI::App& app, Action& action);     // report (src/html)
void add_run_command(CLI::App& app, Action& action);        // run -- node app.js
void add_core_command(CLI::App& app, Action& action);       // core CORE… | --pid PID (src/core)
void add_native_command(CLI::App& app, Action& action);     // native -- node app.js (src/native)

}  // namespace leakscope::cli
