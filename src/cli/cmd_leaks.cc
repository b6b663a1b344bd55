// leakscope leaks S1 S2 S3 [S4 ...]: leak clusters that grow in every interval, ranked by the
// memory they make the process gain, with the object that holds them and the path to it.
// Exit code 0 = no leak, 1 = leak found, 2 = bad input.
#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/leaks_verdict.h"
#include "cli/snapshot_documents.h"

namespace leakscope::cli {

namespace {
struct LeaksOptions {
  std::vector<std::string> snapshots;
  double interval = 0;  // seconds between snapshots; 0 = use the files' mtimes
  LeakVerdictOptions verdict;
};

std::vector<double> snapshot_times(const LeaksOptions& o) {
  std::vector<double> times;
  if (o.interval > 0) {
    for (size_t i = 0; i < o.snapshots.size(); ++i)
      times.push_back(o.interval * static_cast<double>(i));
    return times;
  }
  for (const std::string& s : o.snapshots) {
    if (s == "-") return {};
    std::error_code ec;
    const auto t = std::filesystem::last_write_time(s, ec);
    if (ec) return {};
    times.push_back(std::chrono::duration<double>(t.time_since_epoch()).count());
  }
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i] <= times[i - 1]) return {};  // copied files: mtimes say nothing
  }
  return times;
}

int run_leaks(const LeaksOptions& o, nlohmann::ordered_json* document = nullptr) {
  if (o.snapshots.size() < 3) {
    throw UsageError(fmt::format(
        "leaks: needs at least 3 snapshots (a baseline, then two or more later ones), got {}; "
        "for two snapshots use `leakscope diff`",
        o.snapshots.size()));
  }
  return leak_verdict_on_files("leaks", o.snapshots, snapshot_times(o), o.verdict, document);
}
}  // namespace

nlohmann::ordered_json leaks_document(const std::vector<std::string>& snapshots) {
  LeaksOptions o;
  o.snapshots = snapshots;
  o.verdict.top = kMaxRows;  // the page lists every cluster; it has room
  o.verdict.quiet = true;
  nlohmann::ordered_json j;
  run_leaks(o, &j);
  return j;
}

void add_leaks_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<LeaksOptions>();
  CLI::App* cmd = app.add_subcommand(
      "leaks",
      "Find what keeps growing across 3+ snapshots of one process, and who holds it "
      "(exit 0: no leak, 1: leak, 2: bad input)");
  cmd->add_option("snapshots", o->snapshots,
                  "snapshots of one process, oldest first: a baseline, then two or more later")
      ->required();
  add_leak_verdict_options(cmd, o->verdict);
  add_duration_option(cmd, "--interval", o->interval,
                      "time between snapshots, for rates (default: the files' mtimes)", 0.001,
                      kMaxWindowSeconds);
  cmd->callback([o, &action] { action = [o] { return run_leaks(*o); }; });
}

}  // namespace leakscope::cli
