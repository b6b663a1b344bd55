// The end of `leaks`, `attach` and `run`: the snapshots are in (the last one analysed, the earlier
// ones reduced), so check that they come from one process, find the leaks and print the verdict.
// The commands differ only in where the snapshots come from (files, the inspector protocol, or
// files the app under `run` wrote).
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analyzed_snapshot.h"
#include "analysis/leak_finder.h"

namespace CLI {
class App;
}

namespace leakscope::cli {

struct LeakVerdictOptions {
  bool json = false;
  bool full = false;
  bool all = false;
  size_t top = 5;
  uint64_t min_growth = 1024;
  bool quiet = false;  // print nothing (`run --json` prints its own document)
};

// --json, --full, --all, --top and --min-growth, as both commands take them.
void add_leak_verdict_options(CLI::App* command, LeakVerdictOptions& options);

// The first earlier snapshot whose object ids do not line up with the last one's (ids only line up
// within one process, and within one inspector session), with how they compare; nullopt when all
// do. Clears the identities, which nothing needs afterwards.
struct ForeignSnapshot {
  size_t index = 0;
  ProcessMatch match;
};
std::optional<ForeignSnapshot> first_foreign_snapshot(const HeapGraph& last,
                                                      std::vector<EarlierSnapshot>& earlier);

// Runs the leak finder and prints the report (text or JSON); returns the exit code (0: no leak,
// 1: leak). `names` and `times` describe every snapshot, oldest first (times may be empty).
// `document`, when not null, also receives the JSON document (`run` writes it into run.json).
int print_leak_verdict(AnalyzedSnapshot& last, const std::vector<EarlierSnapshot>& earlier,
                       const std::vector<std::string>& names, const std::vector<double>& times,
                       const LeakVerdictOptions& options,
                       nlohmann::ordered_json* document = nullptr);

// The same from snapshot files of one process, oldest first (at least 3), as `leaks` reads them:
// the last analysed in full, the earlier ones reduced and freed one by one. A UsageError, with
// `command` in its text, for files that are not of one process or not in the order taken.
int leak_verdict_on_files(const char* command, const std::vector<std::string>& files,
                          const std::vector<double>& times, const LeakVerdictOptions& options,
                          nlohmann::ordered_json* document = nullptr);

}  // namespace leakscope::cli
