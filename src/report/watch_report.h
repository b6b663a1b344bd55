// Renders `leakscope watch`: the verdict in one line first, the numbers behind it (each series'
// rate with its confidence interval), the mappings that grew, and the next step. Also JSON, CSV
// (one row per sample) and the compact live line shown on a terminal.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "series/watch.h"

namespace leakscope::report {

struct WatchReport {
  const series::WatchRecording* rec = nullptr;
  series::WatchVerdict verdict;
  // The option that asks for a longer recording, named in the advice: `run` calls it
  // --max-duration.
  const char* duration_option = "--duration";
};

std::string watch_headline(const WatchReport& r);
void render_watch_text(const WatchReport& r, std::FILE* out);
nlohmann::json watch_json(const WatchReport& r);
void render_watch_csv(const WatchReport& r, std::FILE* out);
// "  12.4 s  RSS 81.2 MB  anon 60.1 MB  heap 23.0 MB  ext 1.2 MB  fds 23  threads 11"
std::string watch_live_line(const series::WatchRecording& rec);

}  // namespace leakscope::report
