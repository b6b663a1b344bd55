// Renders `leakscope gclog`: a one-line verdict first, then GCs by kind, pauses, time in GC,
// the full GCs, and the next step. Also JSON, and CSV (one row per GC) for plotting.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "series/gc_summary.h"
#include "series/trace_gc.h"

namespace leakscope::report {

struct GclogReport {
  std::string source;  // file name, or "-" for stdin
  const series::GcLog* log = nullptr;
  series::GcSummary summary;
  std::size_t max_full_gcs_shown = 20;  // text only; 0 = all
};

// "Heap after full GC grows 11.7 MB/h (95 % CI 9.8 to 13.5) over 2 h 10 m: likely a JS-heap leak"
std::string gclog_headline(const GclogReport& r);
void render_gclog_text(const GclogReport& r, std::FILE* out);
nlohmann::json gclog_json(const GclogReport& r);
void render_gclog_csv(const GclogReport& r, std::FILE* out);

}  // namespace leakscope::report
