// leakscope: find memory leaks in Node.js programs.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <new>
#include <string_view>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/safe_output.h"
#include "heap/snapshot_reader.h"

int main(int argc, char** argv) {
  using namespace leakscope::cli;
  install_safe_output();
  CLI::App app{
      "leakscope: find memory leaks in Node.js programs: what leaks, how fast, who holds it",
      "leakscope"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("leakscope 0.1.0"));

  bool timings = false;
  app.add_flag("--timings", timings,
               "print the wall time of each phase and the peak RSS on stderr");
  unsigned threads = 0;
  add_count_option(&app, "--threads", threads,
                   "threads for decoding snapshots (default: all cores)", 0, 256);
  Action action;
  add_summary_command(app, action);
  add_info_command(app, action);
  add_top_command(app, action);
  add_path_command(app, action);
  add_inspect_command(app, action);
  add_diff_command(app, action);
  add_leaks_command(app, action);
  add_check_command(app, action);
  add_dump_analysis_command(app, action);
  add_gclog_command(app, action);
  add_watch_command(app, action);
  add_maps_command(app, action);
  add_maps_diff_command(app, action);
  add_attach_command(app, action);
  add_report_command(app, action);
  add_run_command(app, action);
  add_core_command(app, action);
  add_native_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // No command parsed: name the word that stood where the command goes, if any.
    if (app.get_subcommands().empty()) {
      for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--threads") {
          ++i;
          continue;
        }
        if (arg.empty() || arg[0] != '-') {
          print_error(fmt::format("unknown command \"{}\" (see leakscope --help)", arg));
          return kExitBadInput;
        }
      }
    }
    print_error(std::string(e.what()) + " (see leakscope --help)");
    return kExitBadInput;
  }

  if (timings) Timings::get().enable();
  set_decode_threads(threads);
  try {
    const int code = action ? action() : kExitBadInput;
    Timings::get().report();
    return code;
  } catch (const leakscope::SnapshotError& e) {
    print_error(e.what());
  } catch (const UsageError& e) {
    print_error(e.what());
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
  } catch (const std::exception& e) {
    print_error(e.what());
  }
  return kExitBadInput;
}
