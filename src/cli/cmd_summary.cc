// leakscope summary SNAP: the class census, as DevTools' Summary view shows it.
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <regex>

#include "analysis/census.h"
#include "analysis/class_index.h"
#include "analysis/shallow_sizes.h"
#include "analysis/statistics.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "report/json_output.h"
#include "report/summary_report.h"

namespace leakscope::cli {

namespace {
struct SummaryOptions {
  std::string snapshot;
  int64_t top = -1;  // -1: the default (30 rows in text, all in JSON); 0: all
  std::string class_regex;
  bool json = false;
};

int run_summary(const SummaryOptions& o) {
  std::optional<std::regex> filter;
  if (!o.class_regex.empty()) {
    try {
      filter.emplace(o.class_regex, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw UsageError(
          fmt::format("--class: invalid regular expression \"{}\": {}", o.class_regex, e.what()));
    }
  }
  HeapGraph graph = load_snapshot_for_cli(o.snapshot);
  const std::vector<uint64_t> sizes = attribute_shallow_sizes(graph);
  const ClassIndex classes = classify_nodes(graph);
  Census census = take_census(graph, classes, sizes);

  report::SummaryReport r;
  r.snapshot = o.snapshot;
  r.node_count = graph.node_count();
  r.edge_count = graph.edge_count();
  r.total_size = compute_statistics(graph, sizes).total;
  r.class_count = census.rows.size();
  r.classes = &classes;
  for (ClassRow& row : census.rows) {
    if (filter && !std::regex_search(classes.classes[row.class_id].name, *filter)) continue;
    r.rows.push_back(row);
  }
  std::stable_sort(r.rows.begin(), r.rows.end(), [](const ClassRow& a, const ClassRow& b) {
    return a.shallow_size > b.shallow_size;
  });
  const int64_t top = o.top >= 0 ? o.top : (o.json ? 0 : 30);
  if (top > 0 && r.rows.size() > static_cast<size_t>(top)) r.rows.resize(static_cast<size_t>(top));
  if (filter && r.rows.empty()) {
    throw UsageError(fmt::format("{}: no class matches --class \"{}\"", o.snapshot, o.class_regex));
  }
  if (o.json) {
    report::print_json(report::summary_json(r), stdout);
  } else {
    report::render_summary_text(r, stdout);
  }
  return kExitOk;
}
}  // namespace

void add_summary_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<SummaryOptions>();
  CLI::App* cmd = app.add_subcommand("summary",
                                     "Class census: count and shallow size per class, "
                                     "as Chrome DevTools' Summary view shows them");
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  cmd->add_option("--top", o->top,
                  "show the N largest classes (0 = all; default 30, all with --json)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--class", o->class_regex, "only classes whose name matches this regex");
  cmd->add_flag("--json", o->json, "JSON with exact byte counts");
  cmd->callback([o, &action] { action = [o] { return run_summary(*o); }; });
}

}  // namespace leakscope::cli
