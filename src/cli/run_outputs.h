// What `leakscope run` leaves in its output directory besides the snapshots: run.json (the run's
// own fields, the watch document and the leaks document) and the HTML report made from them. One
// function writes them all, so every output of a run is made in one place from the same documents.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace leakscope::cli {

struct RunResult {
  std::string out_dir;                          // as the user sees it
  std::string title;                            // "leakscope run: node app.js"
  nlohmann::ordered_json summary;               // run's own fields: verdict, snapshots, ...
  nlohmann::json watch;                         // `watch --json`'s document
  std::optional<nlohmann::ordered_json> leaks;  // `leaks --json`'s, when the leak finder ran
  bool redact = false;                          // the HTML report's --redact
};

// The run document: the summary's fields, then "watch" and "leaks" (null when it did not run).
nlohmann::ordered_json run_document(const RunResult& result);

// Writes run.json (`doc`, run_document(result), made once by the caller, which may also print it)
// and leakscope-report.html into out_dir; returns the files written. A file that cannot be written
// is one `leakscope:` line on stderr, and the others are still written.
std::vector<std::string> write_run_outputs(const RunResult& result,
                                           const nlohmann::ordered_json& doc);

}  // namespace leakscope::cli
