// leakscope: find memory leaks in Node.js programs.
#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <new>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "heap/snapshot_reader.h"

int main(int argc, char** argv) {
  using namespace leakscope::cli;
  CLI::App app{
      "leakscope: find memory leaks in Node.js programs: what leaks, how fast, who holds it",
      "leakscope"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("leakscope 0.1.0"));

  Action action;
  add_summary_command(app, action);
  add_info_command(app, action);
  add_gclog_command(app, action);
  add_watch_command(app, action);
  add_maps_command(app, action);
  add_maps_diff_command(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "leakscope: {}\n", e.what());
    return kExitBadInput;
  }

  try {
    return action ? action() : kExitBadInput;
  } catch (const leakscope::SnapshotError& e) {
    fmt::print(stderr, "leakscope: {}\n", e.what());
  } catch (const UsageError& e) {
    fmt::print(stderr, "leakscope: {}\n", e.what());
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "leakscope: out of memory\n");
  } catch (const std::exception& e) {
    fmt::print(stderr, "leakscope: {}\n", e.what());
  }
  return kExitBadInput;
}
