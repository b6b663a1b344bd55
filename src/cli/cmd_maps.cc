// leakscope maps PID|FILE and leakscope maps-diff A B | PID --after SECONDS: pmap -x, classified,
// and the seed's `diff -u pmap.1 pmap.15`, readable.
#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "heap/user_files.h"
#include "report/json_output.h"
#include "report/maps_report.h"
#include "series/maps_diff.h"
#include "series/procfs.h"

namespace leakscope::cli {
namespace {

bool parse_pid(const std::string& s, int& pid) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  pid = std::stoi(s);
  return true;
}

series::MapsTable read_pid_maps(int pid) {
  try {
    series::check_pid_readable(pid);
    return series::read_smaps(pid);
  } catch (const series::ProcError& e) {
    throw UsageError(e.what());
  }
}

// A PID (read live) or a file written by `maps --save`, a raw smaps, or pmap -x output.
series::MapsTable load_table(const std::string& arg) {
  int pid = 0;
  if (parse_pid(arg, pid)) return read_pid_maps(pid);
  // smaps of a process at the kernel's default map limit (65,530 mappings) is about 80 MB.
  const std::string text = read_text_input(arg, {64u << 10, 256u << 20, "maps table"});
  try {
    return series::load_maps_table(text);
  } catch (const series::MapsFormatError& e) {
    throw UsageError(fmt::format("{}: {}", arg, e.what()));
  }
}

struct MapsOptions {
  std::string source;
  std::string save;
  bool json = false;
};

int run_maps(const MapsOptions& o) {
  const series::MapsTable table = load_table(o.source);
  if (!o.save.empty()) {
    std::FILE* f = open_output_file(o.save);
    const std::string text = series::format_maps_table(table);
    const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    if (std::fclose(f) != 0 || !ok) throw UsageError(fmt::format("{}: write failed", o.save));
  }
  if (o.json) {
    report::print_json(report::maps_json(table), stdout);
  } else {
    report::render_maps_text(table, stdout);
  }
  return kExitOk;
}

struct MapsDiffOptions {
  std::vector<std::string> inputs;
  double after_s = 0;
  std::size_t top = 5;
  bool json = false;
};

int run_maps_diff(const MapsDiffOptions& o) {
  series::MapsTable before, after;
  if (o.after_s > 0) {
    int pid = 0;
    if (o.inputs.size() != 1 || !parse_pid(o.inputs[0], pid)) {
      throw UsageError("maps-diff --after SECONDS takes exactly one PID");
    }
    before = read_pid_maps(pid);
    if (stderr_is_terminal()) {
      fmt::print(stderr, "leakscope: waiting {} s for the second look at PID {}...\n", o.after_s,
                 pid);
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.after_s));
    try {
      after = series::read_smaps(pid);
    } catch (const series::ProcError&) {
      throw UsageError(fmt::format("PID {}: exited before the second look", pid));
    }
  } else {
    if (o.inputs.size() != 2)
      throw UsageError("maps-diff needs two tables (A B), or one PID and --after SECONDS");
    before = load_table(o.inputs[0]);
    after = load_table(o.inputs[1]);
  }
  const series::MapsDiff diff = series::diff_maps(before, after);
  if (o.json) {
    report::print_json(report::maps_diff_json(diff), stdout);
  } else {
    report::render_maps_diff_text(diff, stdout, o.top);
  }
  return kExitOk;
}

}  // namespace

void add_maps_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<MapsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "maps",
      "A pmap -x-like table of a process's mappings, classified (brk heap, thread arenas, "
      "V8 pages, file-backed)");
  cmd->add_option("source", o->source,
                  "a PID, or a table saved with --save (or a smaps / pmap -x file)")
      ->required();
  cmd->add_option("--save", o->save, "also write the table to this file, for maps-diff");
  cmd->add_flag("--json", o->json, "JSON with exact bytes");
  cmd->callback([o, &action] { action = [o] { return run_maps(*o); }; });
}

void add_maps_diff_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<MapsDiffOptions>();
  CLI::App* cmd = app.add_subcommand(
      "maps-diff", "Which mappings grew, shrank, appeared or vanished between two maps tables");
  cmd->add_option("tables", o->inputs,
                  "A B (saved tables, smaps or pmap -x files, or PIDs), or one PID with --after")
      ->required();
  add_duration_option(cmd, "--after", o->after_s, "diff one PID against itself this much later",
                      0.01, kMaxWaitSeconds);
  add_count_option(cmd, "--top", o->top, "changed mappings listed per kind (0 = all; default 5)", 0,
                   kMaxRows);
  cmd->add_flag("--json", o->json, "JSON with exact bytes");
  cmd->callback([o, &action] { action = [o] { return run_maps_diff(*o); }; });
}

}  // namespace leakscope::cli
