// A HeapDiff in memwatch's output shape (before / after / change.details with "+" and "-"), so
// code written against memwatch's HeapDiff reads leakscope's unchanged.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/heap_diff.h"

namespace leakscope::report {

// details: one row per class name (rows whose keys differ only by allocation site are merged),
// in byte order of the name, as memwatch's std::map gave them.
// With `top`, change.top_growth holds the class that grew most and its retaining path.
nlohmann::ordered_json memwatch_heap_diff_json(const HeapDiff& diff,
                                               const TopGrowth* top = nullptr);

// A retaining path as one line: "global -> .cache Map -> .table (array) -> [7] LeakingClass".
std::string retainer_path_text(const std::vector<RetainerStep>& path);

}  // namespace leakscope::report
