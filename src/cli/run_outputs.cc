#include "cli/run_outputs.h"

#include <filesystem>

#include "cli/output_file.h"
#include "html/html_report.h"
#include "report/json_output.h"

namespace leakscope::cli {

nlohmann::ordered_json run_document(const RunResult& result) {
  nlohmann::ordered_json doc = result.summary;
  // The watch document is unordered; through json_text so that its strings are made valid on
  // the way, as every printed JSON is.
  doc["watch"] = nlohmann::ordered_json::parse(report::json_text(result.watch));
  doc["leaks"] = result.leaks ? *result.leaks : nlohmann::ordered_json();
  return doc;
}

std::vector<std::string> write_run_outputs(const RunResult& result,
                                           const nlohmann::ordered_json& doc) {
  std::vector<std::string> written;
  const std::filesystem::path dir(result.out_dir);
  const std::string json_path = (dir / "run.json").string();
  if (write_output_file("run", json_path, report::json_text(doc, 1) + "\n")) {
    written.push_back(json_path);
  }
  // The page a user shares: the watch's charts, the verdict and, when the finder ran, the leak
  // with its path; built from the same documents as run.json.
  html::ReportInput page;
  page.title = result.title;
  page.watch = result.watch;
  if (result.leaks) page.leaks = *result.leaks;
  const std::string html_path = (dir / "leakscope-report.html").string();
  if (write_output_file("run", html_path,
                        html::render_html(page, html::HtmlOptions{result.redact}))) {
    written.push_back(html_path);
  }
  return written;
}

}  // namespace leakscope::cli
