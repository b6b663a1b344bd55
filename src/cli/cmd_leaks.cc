// leakscope leaks S1 S2 S3 [S4 ...]: leak clusters that grow in every interval, ranked by the
// memory they make the process gain, with the object that holds them and the path to it.
// Exit code 0 = no leak, 1 = leak found, 2 = bad input.
#include <fmt/core.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <thread>
#include <utility>

#include "analysis/analyzed_snapshot.h"
#include "analysis/class_index.h"
#include "analysis/leak_finder.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/leaks_verdict.h"
#include "cli/snapshot_documents.h"
#include "report/format.h"

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

int run_leaks(const LeaksOptions& o, nlohmann::ordered_json* json_out = nullptr) {
  if (o.snapshots.size() < 3) {
    throw UsageError(fmt::format(
        "leaks: needs at least 3 snapshots (a baseline, then two or more later ones), got {}; "
        "for two snapshots use `leakscope diff`",
        o.snapshots.size()));
  }
  refuse_repeated_files("leaks", o.snapshots);
  std::vector<uint64_t> max_ids(o.snapshots.size());
  Timings& timings = Timings::get();
  // The last snapshot is analysed in full; its interface definitions name the classes of the
  // earlier ones, which are reduced to ids, holder sizes and class counts and freed at once.
  AnalysisOptions analysis_options;
  analysis_options.retention.dominated_children = true;
  analysis_options.retention.distance_parent_edges = true;
  AnalyzedSnapshot last(load_snapshot_for_cli(o.snapshots.back()), std::move(analysis_options));
  max_ids.back() = max_node_id(last.graph());
  timings.phase("classes (last)");
  const std::vector<InterfaceDefinition>& definitions = last.interface_definitions();
  last.classes();
  // Dominators and distances of the last snapshot run on a second thread while the earlier
  // snapshots are read and reduced (neither needs the other).
  timings.phase("earlier snapshots, with dominators and distances of the last");
  std::exception_ptr retention_error;
  std::thread retention_thread([&] {
    try {
      last.retention();
    } catch (...) {
      retention_error = std::current_exception();
    }
  });
  std::vector<EarlierSnapshot> earlier(o.snapshots.size() - 1);
  try {
    for (size_t k = 0; k + 1 < o.snapshots.size(); ++k) {
      const HeapGraph g = load_snapshot_for_cli(o.snapshots[k]);
      max_ids[k] = max_node_id(g);
      earlier[k] = summarize_earlier_snapshot(g, definitions);
    }
  } catch (...) {
    retention_thread.join();
    throw;
  }
  timings.phase("dominators and distances (rest)");
  retention_thread.join();
  if (retention_error) std::rethrow_exception(retention_error);
  if (const auto foreign = first_foreign_snapshot(last.graph(), earlier)) {
    const ProcessMatch& m = foreign->match;
    throw UsageError(fmt::format(
        "leaks: {} and {} do not come from the same process ({} of {} JS object ids shared, "
        "{} of them name the same object); take all snapshots from one running process",
        o.snapshots[foreign->index], o.snapshots.back(), report::with_commas(m.shared_ids),
        report::with_commas(std::min(m.base_objects, m.current_objects)),
        report::with_commas(m.same_name)));
  }
  refuse_out_of_order("leaks", o.snapshots, max_ids);
  return print_leak_verdict(last, earlier, o.snapshots, snapshot_times(o), o.verdict, json_out);
}
}  // namespace

nlohmann::ordered_json leaks_document(const std::vector<std::string>& snapshots) {
  LeaksOptions o;
  o.snapshots = snapshots;
  o.verdict.top = kMaxRows;  // the page lists every cluster; it has room
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
