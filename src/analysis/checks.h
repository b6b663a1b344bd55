// The checks experts do by hand on one snapshot (Node's "Investigating a potential memory leak"
// and the folklore around it): a class that dwarfs all others, objects with a huge number of
// properties or elements (above all EventEmitter listener lists), one closure created thousands
// of times, the same string held many times, and the collections that retain the most.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/class_index.h"
#include "analysis/distances.h"
#include "analysis/dominators.h"
#include "analysis/retainer_paths.h"
#include "analysis/source_position.h"
#include "heap/heap_graph.h"
#include "heap/indices.h"

namespace leakscope {

enum class Severity { kInfo, kLow, kMedium, kHigh };
const char* severity_name(Severity s);

enum class CheckKind {
  kDominantClass,     // instance count > 2x the next class
  kManyListeners,     // EventEmitter with many listeners for one event
  kLargeObject,       // an object/array with a huge number of properties or elements
  kRepeatedClosure,   // one function (name + location) instantiated many times
  kDuplicateStrings,  // the same text held by many string objects
  kBigCollection,     // the Maps/Sets/Arrays/dictionaries that retain the most
};
const char* check_kind_name(CheckKind k);

// Facts only: the renderer (report/check_report.h) writes the title and the explanation, so a
// second face (the addon, an HTML report) words them its own way from the same numbers.
struct CheckFinding {
  CheckKind kind = CheckKind::kBigCollection;
  Severity severity = Severity::kInfo;
  uint32_t node = 0;                  // the object (or one instance) the finding is about
  RetainerPath path;                  // from the roots to node
  std::vector<uint64_t> named_edges;  // how the program names node (node_roles.h naming_edges)
  uint64_t count = 0;                 // instances, entries, listeners or copies
  uint64_t bytes = 0;                 // retained (or wasted, for duplicate strings)
  std::string name;                   // class, event, function or the full string text
  std::optional<SourcePosition> location;
  // What the figures are compared with, by kind. kDominantClass: the next largest class.
  // kManyListeners: the emitter (holder), the most frequent listener function (other_node) and
  // how many of the listeners it is (other_count).
  uint32_t holder = kNoNode;
  uint32_t other_node = kNoNode;
  uint64_t other_count = 0;
  std::string other_name;
  bool heavy = false;  // kLargeObject: large by its share of the heap, not its entry count
};

struct CheckOptions {
  uint64_t dominant_min_count = 500;
  uint64_t listeners_warn = 11;  // Node's MaxListenersExceededWarning threshold
  uint64_t large_object_entries = 5000;
  // A collection retaining this share of the heap is large whatever its entry count: a few
  // hundred entries of big values (a module's response cache) hurt as much as 5,000 small ones.
  double large_share = 0.2;
  uint64_t large_share_min_entries = 64;
  uint64_t closure_min_count = 1000;
  uint64_t duplicate_min_copies = 100;
  uint64_t duplicate_min_wasted = 64 * 1024;
  size_t collections = 5;
  size_t per_kind = 5;  // findings of one kind, at most
};

struct CheckInput {
  const HeapGraph* graph = nullptr;
  const BigVector<uint64_t>* self_sizes = nullptr;  // after re-attribution
  const ClassIndex* classes = nullptr;
  const DominatorTree* tree = nullptr;
  const Distances* distances = nullptr;  // with parent edges
};

struct CheckResults {
  std::vector<CheckFinding> findings;  // most severe first, then by bytes
  uint64_t total_size = 0;
};

CheckResults run_checks(const CheckInput& input, const CheckOptions& options = {});

}  // namespace leakscope
