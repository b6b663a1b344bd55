#include "report/maps_report.h"

#include <fmt/core.h>

#include "report/format.h"
#include "report/series_format.h"

namespace leakscope::report {
namespace {

using series::MappingKind;

std::string path_or_anon(const std::string& path) {
  return path.empty() ? "[ anon ]" : safe_text(path);
}

}  // namespace

void render_maps_text(const series::MapsTable& table, std::FILE* out) {
  fmt::print(out, "{}", series::format_maps_table(table));
  const series::MapsSummary s = series::summarize(table);
  fmt::print(out, "\nBy kind:\n");
  for (std::size_t k = 0; k < series::kMappingKindCount; ++k) {
    if (s.count[k] == 0) continue;
    fmt::print(out, "  {:<66} {:>10} RSS  {:>10} mapped  {:>5} mappings\n",
               series::mapping_kind_label(static_cast<MappingKind>(k)), human_bytes(s.rss[k]),
               human_bytes(s.size[k]), s.count[k]);
  }
}

nlohmann::json maps_json(const series::MapsTable& table) {
  nlohmann::json j;
  j["pid"] = table.pid;
  j["taken_at"] = table.taken_at;
  j["command"] = table.command;
  nlohmann::json maps = nlohmann::json::array();
  for (const series::Mapping& m : table.mappings) {
    maps.push_back({{"start", fmt::format("{:016x}", m.start)},
                    {"end", fmt::format("{:016x}", m.end)},
                    {"size", m.size()},
                    {"rss", m.rss},
                    {"anonymous", m.anonymous},
                    {"dirty", m.dirty()},
                    {"swap", m.swap},
                    {"mode", m.perms},
                    {"kind", series::mapping_kind_name(m.kind)},
                    {"mapping", m.path}});
  }
  j["mappings"] = maps;
  const series::MapsSummary s = series::summarize(table);
  nlohmann::json kinds = nlohmann::json::object();
  for (std::size_t k = 0; k < series::kMappingKindCount; ++k) {
    kinds[std::string(series::mapping_kind_name(static_cast<MappingKind>(k)))] = {
        {"rss", s.rss[k]}, {"size", s.size[k]}, {"count", s.count[k]}};
  }
  j["by_kind"] = kinds;
  return j;
}

std::string_view mapping_kind_meaning(MappingKind kind) {
  switch (kind) {
    case MappingKind::kBrkHeap:
      return "malloc from the main thread grows (native memory: addons, Node internals, small "
             "Buffers)";
    case MappingKind::kThreadArena:
      return "malloc from other threads grows (libuv threadpool: zlib, crypto, fs; workers; "
             "addon threads)";
    case MappingKind::kV8Page:
      return "V8 heap pages are added: the JS heap grows";
    case MappingKind::kAnonymous:
      return "large mallocs or ArrayBuffer backing stores (or V8 large objects) grow";
    case MappingKind::kFile:
      return "file-backed pages: code being loaded or mapped files, rarely a leak";
    case MappingKind::kStack:
      return "the main stack grew";
    case MappingKind::kOther:
      return "kernel-provided mappings";
  }
  return "";
}

std::string maps_diff_headline(const series::MapsDiff& d) {
  const int64_t total = static_cast<int64_t>(d.rss_after) - static_cast<int64_t>(d.rss_before);
  const std::string over = d.taken_after > d.taken_before
                               ? " over " + human_duration(d.taken_after - d.taken_before)
                               : "";
  if (d.kinds.empty() || d.kinds.front().rss_delta <= 0) {
    return fmt::format("No mapping kind grew{}: RSS {} -> {} ({})", over, human_bytes(d.rss_before),
                       human_bytes(d.rss_after), human_bytes_delta(total));
  }
  const series::KindDelta& top = d.kinds.front();
  return fmt::format("RSS {} -> {} ({}){}; most growth in {}: {} ({})", human_bytes(d.rss_before),
                     human_bytes(d.rss_after), human_bytes_delta(total), over,
                     series::mapping_kind_label(top.kind), human_bytes_delta(top.rss_delta),
                     mapping_kind_meaning(top.kind));
}

void render_maps_diff_text(const series::MapsDiff& d, std::FILE* out, std::size_t top) {
  fmt::print(out, "{}\n", maps_diff_headline(d));
  fmt::print(out, "\n{} mappings appeared, {} vanished. By kind, the largest growth first:\n",
             d.appeared, d.vanished);
  for (const series::KindDelta& k : d.kinds) {
    fmt::print(out, "\n  {:<66} {:>10}   RSS {} -> {}, {} -> {} mappings ({} new, {} gone)\n",
               series::mapping_kind_label(k.kind), human_bytes_delta(k.rss_delta),
               human_bytes(k.rss_before), human_bytes(k.rss_after), k.count_before, k.count_after,
               k.appeared, k.vanished);
    const std::size_t shown = top == 0 ? k.changes.size() : std::min(top, k.changes.size());
    for (std::size_t i = 0; i < shown; ++i) {
      const series::MapDelta& m = k.changes[i];
      fmt::print(out,
                 "      {:016x}  {:<9} {:>10}  RSS {:>9} -> {:>9}  mapped {:>9} -> {:>9}  {} {}\n",
                 m.start, series::map_change_name(m.change), human_bytes_delta(m.rss_delta),
                 human_bytes(m.rss_before), human_bytes(m.rss_after),
                 human_bytes(m.end_before > m.start ? m.end_before - m.start : 0),
                 human_bytes(m.end_after > m.start ? m.end_after - m.start : 0), m.perms,
                 path_or_anon(m.path));
    }
    if (shown < k.changes.size()) {
      fmt::print(out, "      ... and {} more changed mappings of this kind\n",
                 k.changes.size() - shown);
    }
  }
  if (!d.kinds.empty() && d.kinds.front().rss_delta > 0) {
    fmt::print(out, "\nReading: {} means {}.\n", series::mapping_kind_label(d.kinds.front().kind),
               mapping_kind_meaning(d.kinds.front().kind));
  }
}

nlohmann::json maps_diff_json(const series::MapsDiff& d) {
  nlohmann::json j;
  j["headline"] = maps_diff_headline(d);
  j["pid_before"] = d.pid_before;
  j["pid_after"] = d.pid_after;
  j["taken_before"] = d.taken_before;
  j["taken_after"] = d.taken_after;
  j["rss_before"] = d.rss_before;
  j["rss_after"] = d.rss_after;
  j["appeared"] = d.appeared;
  j["vanished"] = d.vanished;
  nlohmann::json kinds = nlohmann::json::array();
  for (const series::KindDelta& k : d.kinds) {
    nlohmann::json changes = nlohmann::json::array();
    for (const series::MapDelta& m : k.changes) {
      changes.push_back({{"start", fmt::format("{:016x}", m.start)},
                         {"change", series::map_change_name(m.change)},
                         {"rss_before", m.rss_before},
                         {"rss_after", m.rss_after},
                         {"rss_delta", m.rss_delta},
                         {"size_delta", m.size_delta},
                         {"mode", m.perms},
                         {"mapping", m.path}});
    }
    kinds.push_back({{"kind", series::mapping_kind_name(k.kind)},
                     {"label", series::mapping_kind_label(k.kind)},
                     {"rss_before", k.rss_before},
                     {"rss_after", k.rss_after},
                     {"rss_delta", k.rss_delta},
                     {"count_before", k.count_before},
                     {"count_after", k.count_after},
                     {"appeared", k.appeared},
                     {"vanished", k.vanished},
                     {"changes", changes}});
  }
  j["kinds"] = kinds;
  return j;
}

}  // namespace leakscope::report
