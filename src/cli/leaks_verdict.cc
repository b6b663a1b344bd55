#include "cli/leaks_verdict.h"

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <thread>
#include <utility>

#include "analysis/class_index.h"

#include "cli/cli_support.h"
#include "report/format.h"
#include "report/json_output.h"
#include "report/leaks_report.h"

namespace leakscope::cli {

void add_leak_verdict_options(CLI::App* cmd, LeakVerdictOptions& o) {
  cmd->add_flag("--json", o.json, "JSON output, for CI");
  cmd->add_flag("--full", o.full, kFullPathsHelp);
  cmd->add_flag("--all", o.all, "include Node/V8 internals (compiled code, maps, ...)");
  add_count_option(cmd, "--top", o.top, "leak clusters to show in detail (default 5)", 1, kMaxRows);
  add_size_option(cmd, "--min-growth", o.min_growth,
                  "retained bytes a cluster must gain to count as a leak (default 1024)", 0,
                  kMaxBytes);
}

std::optional<ForeignSnapshot> first_foreign_snapshot(const HeapGraph& last,
                                                      std::vector<EarlierSnapshot>& earlier) {
  const JsIdentity last_identity = js_identity(last);
  std::optional<ForeignSnapshot> foreign;
  for (size_t k = 0; k < earlier.size(); ++k) {
    const ProcessMatch m = match_processes(earlier[k].identity, last_identity);
    if (!foreign && !m.comparable()) foreign = ForeignSnapshot{k, m};
    earlier[k].identity = {};
  }
  return foreign;
}

int print_leak_verdict(AnalyzedSnapshot& last, const std::vector<EarlierSnapshot>& earlier,
                       const std::vector<std::string>& names, const std::vector<double>& times,
                       const LeakVerdictOptions& options, nlohmann::ordered_json* document) {
  Timings& timings = Timings::get();
  timings.phase("clusters");
  LeakFinderInput in = analysis_input<LeakFinderInput>(last);
  for (const EarlierSnapshot& e : earlier) in.earlier.push_back(&e);
  LeakFinderOptions finder;
  finder.all = options.all;
  finder.min_gained_bytes = options.min_growth;
  const LeakFindings findings = find_leaks(in, finder);
  timings.phase("output");
  report::LeaksReport r;
  r.snapshots = names;
  r.times = times;
  r.graph = &last.graph();
  r.findings = &findings;
  r.top = options.top;
  r.full = options.full;
  if (document != nullptr) *document = report::leaks_json(r);
  if (options.json && !options.quiet) {
    report::print_json(document != nullptr ? *document : report::leaks_json(r), stdout);
  } else if (!options.quiet) {
    report::render_leaks_text(r, stdout);
  }
  return findings.leaks.empty() ? kExitOk : kExitFound;
}

int leak_verdict_on_files(const char* command, const std::vector<std::string>& files,
                          const std::vector<double>& times, const LeakVerdictOptions& options,
                          nlohmann::ordered_json* document) {
  refuse_repeated_files(command, files);
  std::vector<uint64_t> max_ids(files.size());
  Timings& timings = Timings::get();
  // The last snapshot is analysed in full; its interface definitions name the classes of the
  // earlier ones, which are reduced to ids, holder sizes and class counts and freed at once.
  AnalysisOptions analysis_options;
  analysis_options.retention.dominated_children = true;
  analysis_options.retention.distance_parent_edges = true;
  AnalyzedSnapshot last(load_snapshot_for_cli(files.back()), std::move(analysis_options));
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
  std::vector<EarlierSnapshot> earlier(files.size() - 1);
  try {
    for (size_t k = 0; k + 1 < files.size(); ++k) {
      const HeapGraph g = load_snapshot_for_cli(files[k]);
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
        "{}: {} and {} do not come from the same process ({} of {} JS object ids shared, "
        "{} of them name the same object); take all snapshots from one running process",
        command, files[foreign->index], files.back(), report::with_commas(m.shared_ids),
        report::with_commas(std::min(m.base_objects, m.current_objects)),
        report::with_commas(m.same_name)));
  }
  refuse_out_of_order(command, files, max_ids);
  return print_leak_verdict(last, earlier, files, times, options, document);
}

}  // namespace leakscope::cli
