// leakscope diff BASE CURRENT: DevTools' Comparison view (per class: # New, # Deleted, # Delta,
// Alloc. Size, Freed Size, Size Delta) plus each class's change in retained size; or, with
// --format memwatch, node-memwatch's HeapDiff JSON with every node type attributed.
#include <fmt/core.h>

#include <memory>
#include <optional>
#include <regex>
#include <utility>

#include "analysis/analyzed_snapshot.h"
#include "analysis/comparison.h"
#include "analysis/heap_diff.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/snapshot_documents.h"
#include "report/diff_report.h"
#include "report/elision.h"
#include "report/format.h"
#include "report/json_output.h"
#include "report/memwatch_heap_diff.h"

namespace leakscope::cli {

namespace {
struct DiffOptions {
  std::string base;
  std::string current;
  int64_t top = -1;  // -1: 30 rows in text, all in JSON; 0: all
  std::string class_regex;
  bool json = false;
  std::string format = "table";  // table | json | memwatch
  bool no_retained = false;
};

void refuse_unless_same_process(const ProcessMatch& m, const DiffOptions& o) {
  if (m.comparable()) return;
  throw UsageError(fmt::format(
      "diff: {} and {} do not come from the same process ({} of {} JS object ids shared, {} of "
      "them name the same object): snapshot ids only line up within one process; take both "
      "snapshots from one running process",
      o.base, o.current, report::with_commas(m.shared_ids),
      report::with_commas(std::min(m.base_objects, m.current_objects)),
      report::with_commas(m.same_name)));
}

int run_memwatch(const DiffOptions& o) {
  Timings& timings = Timings::get();
  // Constructor names only, as memwatch has them; every node counts, zero-size ones included.
  auto table_of = [&](HeapGraph g) {
    AnalysisOptions options;
    options.definitions.emplace();
    AnalyzedSnapshot s(std::move(g), std::move(options));
    return make_id_class_table(s.graph(), s.classes(), s.self_sizes());
  };
  IdClassTable after_table;
  JsIdentity after_identity;
  uint64_t current_max_id = 0;
  {
    HeapGraph current = load_snapshot_for_cli(o.current);
    after_identity = js_identity(current);
    current_max_id = max_node_id(current);
    timings.phase("classes (current)");
    after_table = table_of(std::move(current));
  }
  timings.phase("load (base)");
  HeapGraph base = load_snapshot_for_cli(o.base);
  timings.phase("classes (base)");
  refuse_unless_same_process(match_processes(js_identity(base), after_identity), o);
  refuse_out_of_order("diff", {o.base, o.current}, {max_node_id(base), current_max_id});
  const IdClassTable before_table = table_of(std::move(base));
  timings.phase("diff");
  const HeapDiff diff = diff_heaps(before_table, after_table, DiffMatching::kById);
  timings.phase("output");
  report::print_json(report::memwatch_heap_diff_json(diff), stdout);
  return kExitOk;
}

int run_diff(const DiffOptions& o, nlohmann::ordered_json* json_out = nullptr) {
  if (o.json && o.format != "table" && o.format != "json") {
    throw UsageError(fmt::format("diff: --json and --format {} conflict; give one", o.format));
  }
  std::string format = o.json ? "json" : o.format;
  if (format != "table" && format != "json" && format != "memwatch") {
    throw UsageError(fmt::format("--format {}: expected table, json or memwatch", o.format));
  }
  refuse_repeated_files("diff", {o.base, o.current});
  if (format == "memwatch") return run_memwatch(o);
  std::optional<std::regex> filter;
  if (!o.class_regex.empty()) {
    try {
      filter.emplace(o.class_regex, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw UsageError(
          fmt::format("--class: invalid regular expression \"{}\": {}", o.class_regex, e.what()));
    }
  }
  Timings& timings = Timings::get();
  ComparisonSideOptions side_options;
  side_options.retained = !o.no_retained;
  std::vector<InterfaceDefinition> definitions;
  ComparisonSide current_side;
  uint64_t current_max_id = 0;
  {
    // The current snapshot first: its interface definitions name the base's plain objects too.
    AnalyzedSnapshot current(load_snapshot_for_cli(o.current),
                             comparison_analysis_options(side_options));
    timings.phase("classes and retained sizes (current)");
    definitions = current.interface_definitions();
    current_side = summarize_for_comparison(current);
    current_max_id = max_node_id(current.graph());
  }
  ComparisonSide base_side;
  {
    timings.phase("load (base)");
    AnalysisOptions base_options = comparison_analysis_options(side_options);
    base_options.definitions = std::move(definitions);
    AnalyzedSnapshot base(load_snapshot_for_cli(o.base), std::move(base_options));
    timings.phase("classes and retained sizes (base)");
    refuse_unless_same_process(match_processes(js_identity(base.graph()), current_side.identity),
                               o);
    refuse_out_of_order("diff", {o.base, o.current}, {max_node_id(base.graph()), current_max_id});
    base_side = summarize_for_comparison(base);
  }
  timings.phase("comparison");
  const Comparison comparison = compare_snapshots(base_side, current_side);
  timings.phase("output");

  report::DiffReport r;
  r.base = o.base;
  r.current = o.current;
  r.comparison = &comparison;
  r.changed_classes = comparison.rows.size();
  r.base_total = base_side.total_size;
  r.current_total = current_side.total_size;
  const bool json = format == "json";
  const size_t limit = report::table_row_limit(o.top, json);
  for (const ComparisonRow& row : comparison.rows) {
    if (filter && !std::regex_search(row.delta.name, *filter)) continue;
    if (r.rows.size() >= limit) break;
    r.rows.push_back(&row);
  }
  if (json_out) {
    *json_out = report::diff_json(r);
  } else if (json) {
    report::print_json(report::diff_json(r), stdout);
  } else {
    report::render_diff_text(r, stdout);
  }
  return kExitOk;
}
}  // namespace

nlohmann::ordered_json diff_document(const std::string& base, const std::string& current,
                                     int64_t top) {
  DiffOptions o;
  o.base = base;
  o.current = current;
  o.top = top;
  nlohmann::ordered_json j;
  run_diff(o, &j);
  return j;
}

void add_diff_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<DiffOptions>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Compare two snapshots of one process (DevTools' Comparison, plus Retained Δ)");
  cmd->add_option("base", o->base, "the earlier .heapsnapshot")->required();
  cmd->add_option("current", o->current, "the later .heapsnapshot of the same process")->required();
  add_count_option(cmd, "--top", o->top, "rows to show (default 30 in text, all in JSON; 0 = all)",
                   0, kMaxRows);
  cmd->add_option("--class", o->class_regex, "only classes whose name matches this regex");
  cmd->add_flag("--json", o->json, "JSON output (exact byte counts)");
  cmd->add_option("--format", o->format,
                  "table (default), json, or memwatch (node-memwatch's HeapDiff JSON)");
  cmd->add_flag("--no-retained", o->no_retained,
                "skip dominators: no Retained Δ column, about twice as fast");
  cmd->callback([o, &action] { action = [o] { return run_diff(*o); }; });
}

}  // namespace leakscope::cli
