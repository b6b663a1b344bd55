// leakscope summary SNAP: the class census, as DevTools' Summary view shows it.
#include <fmt/core.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <regex>
#include <thread>
#include <utility>

#include "analysis/analyzed_snapshot.h"
#include "analysis/census.h"
#include "analysis/class_index.h"
#include "analysis/class_retained.h"
#include "analysis/statistics.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/snapshot_documents.h"
#include "report/elision.h"
#include "report/json_output.h"
#include "report/summary_report.h"

namespace leakscope::cli {

namespace {
struct SummaryOptions {
  std::string snapshot;
  int64_t top = -1;  // -1: the default (30 rows in text, all in JSON); 0: all
  std::string class_regex;
  bool json = false;
  bool shallow_only = false;  // skip dominators and distances (faster, no Retained/Distance)
  std::string sort;           // retained (default) | shallow | count | distance | name
};

int run_summary(const SummaryOptions& o, nlohmann::json* json_out = nullptr) {
  std::optional<std::regex> filter;
  if (!o.class_regex.empty()) {
    try {
      filter.emplace(o.class_regex, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw UsageError(
          fmt::format("--class: invalid regular expression \"{}\": {}", o.class_regex, e.what()));
    }
  }
  std::string sort = o.sort.empty() ? (o.shallow_only ? "shallow" : "retained") : o.sort;
  if (o.shallow_only && (sort == "retained" || sort == "distance")) {
    throw UsageError(fmt::format("--sort {}: needs the retained sizes; drop --shallow-only", sort));
  }
  AnalysisOptions options;
  // Only DevTools' shallow sizes are shown, so they replace V8's in the model.
  options.sizes_in_place = true;
  options.retention.dominated_children = true;
  // The classifier has the second core; on one thread the distances run after the dominator
  // tree has freed its temporaries: measured on the 1.08 GB file, the same wall time and 60 MB
  // less peak RSS than distances on a thread of their own.
  options.retention.threads = 1;
  AnalyzedSnapshot snapshot(load_snapshot_for_cli(o.snapshot), std::move(options));
  const HeapGraph& graph = snapshot.graph();
  Timings& timings = Timings::get();
  // Classifying needs neither the re-attributed sizes nor the dominators, so it runs on its own
  // thread while those are computed.
  timings.phase(o.shallow_only ? "re-attribution and classes"
                               : "re-attribution, dominators, distances and classes");
  std::exception_ptr error;
  std::thread classify([&] {
    try {
      snapshot.classes();
    } catch (...) {
      error = std::current_exception();
    }
  });
  try {
    snapshot.self_sizes();
    if (!o.shallow_only) snapshot.retention();
  } catch (...) {
    classify.join();
    throw;
  }
  classify.join();
  if (error) std::rethrow_exception(error);
  const ClassIndex& classes = snapshot.classes();
  const BigVector<uint64_t>& sizes = snapshot.self_sizes();
  timings.phase("census");
  Census census = take_census(graph, classes, sizes);
  if (!o.shallow_only) {
    add_retention_columns(census, classes, sizes, graph.root, &snapshot.dominators(),
                          &snapshot.distances());
    // The tree and distances are not needed any more; give the memory back before rendering.
    snapshot.release_retention();
  }

  report::SummaryReport r;
  r.snapshot = o.snapshot;
  r.node_count = graph.node_count();
  r.edge_count = graph.edge_count();
  r.total_size = total_size(graph);
  r.class_count = census.rows.size();
  r.classes = &classes;
  for (ClassRow& row : census.rows) {
    if (filter && !std::regex_search(classes.classes[row.class_id].name, *filter)) continue;
    r.rows.push_back(row);
  }
  auto by = [&](auto key) {
    std::stable_sort(r.rows.begin(), r.rows.end(),
                     [&](const ClassRow& a, const ClassRow& b) { return key(a, b); });
  };
  if (sort == "retained") {
    by([](const ClassRow& a, const ClassRow& b) { return a.retained_size > b.retained_size; });
  } else if (sort == "shallow") {
    by([](const ClassRow& a, const ClassRow& b) { return a.shallow_size > b.shallow_size; });
  } else if (sort == "count") {
    by([](const ClassRow& a, const ClassRow& b) { return a.count > b.count; });
  } else if (sort == "distance") {
    by([](const ClassRow& a, const ClassRow& b) { return a.distance < b.distance; });
  } else {
    by([&](const ClassRow& a, const ClassRow& b) {
      return classes.classes[a.class_id].name < classes.classes[b.class_id].name;
    });
  }
  const size_t limit = report::table_row_limit(o.top, o.json);
  if (r.rows.size() > limit) r.rows.resize(limit);
  if (filter && r.rows.empty()) {
    throw UsageError(fmt::format("{}: no class matches --class \"{}\"", o.snapshot, o.class_regex));
  }
  timings.phase("output");
  if (json_out) {
    *json_out = report::summary_json(r);
  } else if (o.json) {
    report::print_json(report::summary_json(r), stdout);
  } else {
    report::render_summary_text(r, stdout);
  }
  return kExitOk;
}
}  // namespace

nlohmann::json summary_document(const std::string& snapshot, int64_t top) {
  SummaryOptions o;
  o.snapshot = snapshot;
  o.top = top;
  nlohmann::json j;
  run_summary(o, &j);
  return j;
}

void add_summary_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<SummaryOptions>();
  CLI::App* cmd =
      app.add_subcommand("summary",
                         "Class census: count, shallow and retained size and distance per "
                         "class, as Chrome DevTools' Summary view shows them");
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  add_count_option(cmd, "--top", o->top,
                   "show the N largest classes (0 = all; default 30, all with --json)", 0,
                   kMaxRows);
  cmd->add_option("--class", o->class_regex, "only classes whose name matches this regex");
  cmd->add_flag("--json", o->json, "JSON with exact byte counts");
  cmd->add_flag("--shallow-only", o->shallow_only,
                "skip dominators and distances: no Retained Size / Distance columns, faster");
  cmd->add_option("--sort", o->sort, "retained (default), shallow, count, distance or name")
      ->check(CLI::IsMember({"retained", "shallow", "count", "distance", "name"}));
  cmd->callback([o, &action] { action = [o] { return run_summary(*o); }; });
}

}  // namespace leakscope::cli
