// Renders `leakscope leaks`: the verdict line first, then each leak cluster (counts per snapshot,
// retained growth and rate, holder with entry counts, path, source location), then what was
// checked and found not to leak.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/leak_finder.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

struct LeaksReport {
  std::vector<std::string> snapshots;  // file names, oldest first
  std::vector<double> times;           // seconds per snapshot (mtime or --interval); may be empty
  const HeapGraph* graph = nullptr;    // the last snapshot
  const LeakFindings* findings = nullptr;
  size_t top = 5;     // leak clusters to show in detail
  bool full = false;  // every step of long paths (else their middle is elided: elision.h)
};

// "Leak: UserSession, +1,500 objects (+1.2 MB retained) per interval, held by
// global.sessions (Map)" or "No leak found: ...".
std::string leaks_verdict(const LeaksReport& report);

// Why a cluster is not a leak, in words ("new objects replace old ones but the holder does not
// grow (...): a full cache"); empty for a leak. Not sanitized: callers print it through safe_text.
std::string not_leaking_text(const HeapGraph& graph, const LeakCluster& cluster);

// A short accessor for an object from its retainer path, e.g. `global.sessions`,
// `…->responseCache`, `configBus._events.reload`.
std::string path_accessor(const HeapGraph& graph, const RetainerPath& path, size_t max_edges = 4);

// The holder as the program names it: the path from `global` when there is one, else its
// property/context names (`…->configBus._events.reload`).
std::string holder_accessor(const HeapGraph& graph, const LeakCluster& cluster);

// The same for any object: its path from `global` when it has one, else `…` + its names (the last
// eight of a longer chain of names).
std::string named_accessor(const HeapGraph& graph, const RetainerPath& path,
                           const std::vector<uint64_t>& named_edges, size_t max_edges = 4);

void render_leaks_text(const LeaksReport& report, std::FILE* out);
nlohmann::ordered_json leaks_json(const LeaksReport& report);

// A path's steps for JSON (edge as displayed, id, name, type), its middle elided unless `full`;
// `into` gets "path", "path_length" and, when elided, "path_elided".
void put_path_steps(nlohmann::ordered_json& into, const HeapGraph& graph, const RetainerPath& path,
                    bool full);

}  // namespace leakscope::report
