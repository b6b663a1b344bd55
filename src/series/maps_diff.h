// The seed's `diff -u pmap.1 pmap.15`, readable: save a classified mapping table, read it back
// (or a raw /proc/PID/smaps, or `pmap -x` output), and compare two tables by start address,
// grouped by kind, the largest growth first.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "series/procfs.h"

namespace leakscope::series {

// The text form `leakscope maps --save` writes: a pmap -x-like table with a kind column.
std::string format_maps_table(const MapsTable& table);
// Reads what format_maps_table wrote, a raw smaps file, or `pmap -x` output.
MapsTable load_maps_table(std::string_view text);

enum class MapChange : uint8_t { kGrew, kShrank, kAppeared, kVanished, kUnchanged };
std::string_view map_change_name(MapChange change);

struct MapDelta {
  uint64_t start = 0;
  uint64_t end_before = 0;
  uint64_t end_after = 0;
  uint64_t rss_before = 0;
  uint64_t rss_after = 0;
  int64_t rss_delta = 0;
  int64_t size_delta = 0;
  std::string perms;
  std::string path;
  MappingKind kind = MappingKind::kAnonymous;
  MapChange change = MapChange::kUnchanged;
};

struct KindDelta {
  MappingKind kind = MappingKind::kAnonymous;
  uint64_t rss_before = 0;
  uint64_t rss_after = 0;
  int64_t rss_delta = 0;
  uint32_t count_before = 0;
  uint32_t count_after = 0;
  uint32_t appeared = 0;
  uint32_t vanished = 0;
  std::vector<MapDelta> changes;  // changed mappings of this kind, largest |growth| first
};

struct MapsDiff {
  int pid_before = 0;
  int pid_after = 0;
  double taken_before = 0;
  double taken_after = 0;
  uint64_t rss_before = 0;
  uint64_t rss_after = 0;
  std::size_t appeared = 0;
  std::size_t vanished = 0;
  std::vector<KindDelta> kinds;  // kinds with any change, largest RSS growth first
};

MapsDiff diff_maps(const MapsTable& before, const MapsTable& after);

}  // namespace leakscope::series
