// Renders `leakscope maps` (a pmap -x-like table with a kind column and per-kind totals) and
// `leakscope maps-diff` (which mappings grew, shrank, appeared or vanished, by kind, the largest
// growth first), as text and JSON.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "series/maps_diff.h"
#include "series/procfs.h"

namespace leakscope::report {

void render_maps_text(const series::MapsTable& table, std::FILE* out);
nlohmann::json maps_json(const series::MapsTable& table);

// "Native malloc memory grew most: brk heap +82.1 MB over 15 m 0 s"
std::string maps_diff_headline(const series::MapsDiff& diff);
// What growth of a kind usually means, in one sentence.
std::string_view mapping_kind_meaning(series::MappingKind kind);
void render_maps_diff_text(const series::MapsDiff& diff, std::FILE* out, std::size_t top = 5);
nlohmann::json maps_diff_json(const series::MapsDiff& diff);

}  // namespace leakscope::report
