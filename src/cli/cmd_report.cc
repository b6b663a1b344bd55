// leakscope report [INPUTS...] -o FILE: one self-contained HTML page from snapshots (1: summary;
// 2: diff and summary of the later; 3 or more: leaks and summary of the last) and/or the JSON
// documents of `watch`, `gclog`, `leaks`, `attach`, `summary` and `diff --json`, told apart by
// their content.
#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/output_file.h"
#include "cli/snapshot_documents.h"
#include "heap/user_files.h"
#include "html/html_report.h"
#include "report/elision.h"
#include "report/safe_text.h"

namespace leakscope::cli {

namespace {
struct ReportOptions {
  std::vector<std::string> inputs;
  std::string output = "leakscope-report.html";
  std::string title;
  bool redact = false;
};

// A heap snapshot's JSON starts with {"snapshot":{"meta":...; V8 and DevTools write it so.
bool looks_like_snapshot(const std::string& path) {
  InputFile file(path);
  char buffer[256];
  std::size_t n = 0;
  while (n < sizeof buffer) {
    const std::size_t got = file.read_some(buffer + n, sizeof buffer - n);
    if (got == 0) break;
    n += got;
  }
  std::string head(buffer, n);
  std::erase_if(head, [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  return head.starts_with("{\"snapshot\":");
}

// Which command wrote a JSON document, from the keys only it has (of the types it writes, which
// the page relies on); "" when none did.
std::string document_kind(const nlohmann::json& j) {
  if (!j.is_object()) return "";
  auto array = [&](const char* key) { return j.contains(key) && j[key].is_array(); };
  auto object = [&](const char* key) { return j.contains(key) && j[key].is_object(); };
  if (array("leaks") && array("not_leaking") && array("snapshots")) return "leaks";
  if (object("series") && object("watch") && object("process")) return "watch";
  if (object("trend") && object("lines") && array("isolates")) return "gclog";
  if (array("classes") && j.contains("base") && j.contains("current")) return "diff";
  if (array("classes") && j.contains("snapshot")) return "summary";
  return "";
}

void put_document(html::ReportInput& in, const std::string& path, nlohmann::json doc) {
  const std::string kind = document_kind(doc);
  nlohmann::json* slot = kind == "leaks"     ? &in.leaks
                         : kind == "watch"   ? &in.watch
                         : kind == "gclog"   ? &in.gclog
                         : kind == "diff"    ? &in.diff
                         : kind == "summary" ? &in.summary
                                             : nullptr;
  if (!slot) {
    throw UsageError(fmt::format(
        "report: {}: not a heap snapshot nor the JSON of leakscope watch, gclog, leaks, attach, "
        "summary or diff --json",
        path));
  }
  if (!slot->is_null()) {
    throw UsageError(fmt::format("report: {}: a second {} document; give one of each", path, kind));
  }
  *slot = std::move(doc);
}

nlohmann::json read_json_document(const std::string& path) {
  TextLimits limits;
  limits.max_line_bytes = 256u << 20;  // --json documents may be one long line
  limits.what = "JSON document";
  const std::string text = read_text_input(path, limits);
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    throw UsageError(fmt::format("report: {}: not valid JSON (nor a heap snapshot)", path));
  }
  return doc;
}

void put_snapshots(html::ReportInput& in, const std::vector<std::string>& snapshots) {
  const auto top = static_cast<int64_t>(report::kDefaultTableRows);
  if (snapshots.size() >= 3) {
    if (!in.leaks.is_null()) throw UsageError("report: both snapshots and a leaks document given");
    in.leaks = leaks_document(snapshots);
  } else if (snapshots.size() == 2) {
    if (!in.diff.is_null()) throw UsageError("report: both snapshots and a diff document given");
    in.diff = diff_document(snapshots[0], snapshots[1], 100);
  }
  if (!snapshots.empty() && in.summary.is_null()) {
    in.summary = summary_document(snapshots.back(), top);
  }
}

int run_report(const ReportOptions& o) {
  refuse_repeated_files("report", o.inputs);
  html::ReportInput in;
  std::vector<std::string> snapshots;
  for (const std::string& path : o.inputs) {
    if (path == "-") throw UsageError("report: inputs must be files (- is not supported)");
    if (looks_like_snapshot(path)) {
      snapshots.push_back(path);
    } else {
      put_document(in, path, read_json_document(path));
    }
  }
  put_snapshots(in, snapshots);
  in.title = o.title.empty() ? "leakscope report" : o.title;
  const std::string page = html::render_html(in, html::HtmlOptions{o.redact});
  if (!write_output_file("report", o.output, page)) return kExitBadInput;
  fmt::print("Report written to {} ({} KB{})\n", report::safe_text(o.output),
             (page.size() + 1023) / 1024, o.redact ? ", heap text redacted" : "");
  return kExitOk;
}
}  // namespace

void add_report_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "One self-contained HTML report (charts and tables) from snapshots (1: summary, 2: diff, "
      "3+: leaks) and/or the --json output of watch, gclog, leaks, attach, summary, diff");
  cmd->add_option("inputs", o->inputs,
                  ".heapsnapshot files of one process (oldest first) and/or leakscope JSON files")
      ->required();
  cmd->add_option("-o,--output", o->output,
                  "the HTML file to write (default leakscope-report.html)");
  cmd->add_option("--title", o->title, "the page's title (default \"leakscope report\")");
  cmd->add_flag("--redact", o->redact,
                "replace the heap's strings (values, keys, non-identifier names) by their length "
                "and a short hash, so secrets do not reach the file");
  cmd->callback([o, &action] { action = [o] { return run_report(*o); }; });
}

}  // namespace leakscope::cli
