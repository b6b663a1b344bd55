// The JSON documents of `summary`, `diff` and `leaks`, as their --json prints them, for a caller
// that wants the document itself (`leakscope report`). Each runs the command's own code; bad
// input throws as the command does (UsageError, SnapshotError, UserFileError).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace leakscope::cli {

// `summary SNAP --json --top N`
nlohmann::json summary_document(const std::string& snapshot, int64_t top);
// `diff BASE CURRENT --json --top N`
nlohmann::ordered_json diff_document(const std::string& base, const std::string& current,
                                     int64_t top);
// `leaks S1 S2 S3 ... --json`, every cluster in detail (times from the files' mtimes).
nlohmann::ordered_json leaks_document(const std::vector<std::string>& snapshots);

}  // namespace leakscope::cli
