#include "cli/run_outputs.h"

#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <filesystem>

#include "cli/cli_support.h"
#include "heap/user_files.h"
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

std::vector<std::string> write_run_outputs(const RunResult& result) {
  std::vector<std::string> written;
  const std::string json_path = (std::filesystem::path(result.out_dir) / "run.json").string();
  try {
    std::FILE* f = open_output_file(json_path);
    report::print_json(run_document(result), f);
    if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + json_path);
    written.push_back(json_path);
  } catch (const std::exception& e) {
    print_error(fmt::format("run: {}", e.what()));
  }
  return written;
}

}  // namespace leakscope::cli
