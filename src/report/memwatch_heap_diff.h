// A HeapDiff in memwatch's output shape (before / after / change.details with "+" and "-"), so
// code written against memwatch's HeapDiff reads leakscope's unchanged.
#pragma once

#include <nlohmann/json.hpp>

#include "analysis/heap_diff.h"

namespace leakscope::report {

// details: one row per class name (rows whose keys differ only by allocation site are merged),
// in byte order of the name, as memwatch's std::map gave them.
nlohmann::ordered_json memwatch_heap_diff_json(const HeapDiff& diff);

}  // namespace leakscope::report
