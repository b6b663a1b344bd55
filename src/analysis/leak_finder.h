// The leak finder behind `leakscope leaks S1 S2 S3 [...]`.
//
// memlab's method ("allocated after the baseline, still alive at the end") is the starting point,
// but a leak here also has to *keep* growing: objects of the cluster were added in every interval
// and are still alive in the last snapshot, and the object holding them (a Map, an array, an
// EventEmitter's listener list, a chain of closure contexts) got bigger in every interval. A full
// LRU cache (its holder stays the same size), a cache that warmed up and stopped (no additions in
// the last interval), garbage churn (nothing survives) and WeakMap/WeakRef-held entries (no strong
// path) are therefore not reported.
//
// Objects are grouped into clusters by their normalised shortest retainer path (path_keys.h:
// array indices and map keys erased, repeated segments folded), so one leak is one cluster.
// Clusters nested inside a bigger leaking cluster (in the dominator tree) are folded into it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/class_index.h"
#include "analysis/comparison.h"
#include "analysis/distances.h"
#include "analysis/dominators.h"
#include "analysis/node_roles.h"
#include "analysis/path_keys.h"
#include "analysis/retainer_paths.h"
#include "analysis/source_position.h"
#include "heap/heap_graph.h"

namespace leakscope {

// What the finder keeps of a snapshot other than the last: ids, the size of every potential
// holder, class counts. A few bytes per node; the graph itself can be freed right after.
struct EarlierSnapshot {
  std::vector<uint32_t> ids;                               // ascending
  std::vector<uint32_t> entries;                           // entry_count() of the node with ids[i]
  std::unordered_map<std::string, uint64_t> class_counts;  // by class key
  uint64_t node_count = 0;
  uint64_t total_size = 0;  // sum of self sizes as V8 wrote them
  uint64_t js_objects = 0;  // objects and closures with odd (JS heap) ids
  JsIdentity identity;      // to check that all snapshots come from one process

  bool contains(uint32_t id) const;
  // entry_count() of the node with this id, or nullopt when the snapshot has no such node.
  std::optional<uint32_t> entries_of(uint32_t id) const;
};

// definitions: the last snapshot's interface definitions, so class keys line up.
EarlierSnapshot summarize_earlier_snapshot(const HeapGraph& graph,
                                           const std::vector<InterfaceDefinition>& definitions);

struct LeakFinderInput {
  const HeapGraph* graph = nullptr;  // the last snapshot
  const BigVector<uint64_t>* self_sizes = nullptr;
  const ClassIndex* classes = nullptr;
  const DominatorTree* tree = nullptr;          // with dominated children
  const Distances* distances = nullptr;         // with parent edges
  std::vector<const EarlierSnapshot*> earlier;  // oldest first; at least one
};

struct LeakFinderOptions {
  bool all = false;                   // include Node/V8 internals
  uint64_t min_new_per_interval = 1;  // objects a cluster must gain in every interval
  uint64_t min_gained_bytes = 1024;   // retained bytes a cluster must gain since the baseline
  size_t max_rejected = 5;            // non-leaking clusters to keep, to say what was checked
};

// Why a cluster is not a leak: the facts; report/leaks_report.cc says it in words.
enum class NotLeaking {
  kLeaking,              // it is a leak
  kNothingAddedBetween,  // no member added between snapshots why_snapshot and why_snapshot + 1
  kPlateau,              // no member added after snapshot why_snapshot (the last interval)
  kHoldersAreNew,        // most members hang off holders that are new objects themselves
  kEngineTable,          // the holder is one of V8's own root tables
  kHolderDoesNotGrow,    // members are replaced, the holder's entries do not grow: a full cache
  kGainedTooLittle,      // it gained fewer bytes than LeakFinderOptions::min_gained_bytes
};

struct LeakCluster {
  std::string class_name;
  std::string class_key;
  std::optional<SourcePosition> location;  // of the class (objects) or function (closures)
  uint32_t representative = 0;  // node ordinal (last snapshot): the member closest to the roots
  uint64_t members = 0;         // in the last snapshot
  // Per snapshot (oldest first, the last snapshot included):
  std::vector<uint64_t> counts;        // members of the cluster that already existed then
  std::vector<uint64_t> class_counts;  // all instances of the class
  // Retained size of those members, with what they keep only together, e.g. a context their
  // closures share (last snapshot's sizes).
  std::vector<uint64_t> retained;
  std::vector<uint64_t> holder_entries;  // the holders' entry counts (0 where absent)
  uint64_t retained_final = 0;
  uint64_t gained = 0;  // retained size of the members added since the first snapshot

  uint32_t holder = 0;          // node ordinal of the main holder
  uint64_t holder_count = 1;    // distinct holders (e.g. one array per user)
  uint64_t holder_members = 0;  // members held by the main holder
  bool chain = false;           // members hold each other (linked list, closure contexts)
  std::string chain_edge;       // the edge that repeats along the chain, e.g. "originalThing"
  // Set when the growing chain is an engine-internal list (e.g. "PromiseReaction") that keeps
  // the user objects this cluster is named after; the holder is the object the list hangs off.
  std::string internal_chain;
  RetainerPath holder_path;  // shortest path from the roots to the holder
  // How the program names the holder, whatever the shortest path is (a stack slot can be
  // shorter than `configBus._events.reload`): property and context edges into the holder, its
  // owner, and so on, outermost first.
  std::vector<uint64_t> named_edges;
  // When those names start at a closure context: a function that closes over it (its script is
  // the holder's), and whether the context is a module's top-level scope.
  std::optional<SourcePosition> holder_scope;
  bool holder_scope_is_module = false;
  std::vector<std::pair<std::string, uint64_t>> includes;  // nested leaking classes, by count

  bool leak = false;
  NotLeaking why = NotLeaking::kLeaking;
  uint32_t why_snapshot = 0;  // 1-based snapshot number, for kNothingAddedBetween and kPlateau
};

struct LeakFindings {
  std::vector<LeakCluster> leaks;     // largest gain first
  std::vector<LeakCluster> rejected;  // the largest non-leaking clusters, with reasons
  uint64_t candidates = 0;            // objects added since the first snapshot and still alive
  uint64_t excluded_internal = 0;     // of those, Node/V8 internals left out
  uint64_t clusters = 0;              // clusters checked
};

LeakFindings find_leaks(const LeakFinderInput& input, const LeakFinderOptions& options = {});

}  // namespace leakscope
