// DevTools' Comparison view between two snapshots of one process, plus what DevTools does not
// show: each class's change in retained size. Built from a compact summary of each snapshot, so
// the two graphs never need to be in memory at once.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "analysis/analyzed_snapshot.h"
#include "analysis/class_index.h"
#include "analysis/heap_diff.h"
#include "heap/heap_graph.h"

namespace leakscope {

// Who each JavaScript object is (id and name), to tell whether two snapshots come from the same
// process: V8 ids are only stable within one process.
struct JsIdentity {
  std::vector<uint64_t> id_name;  // (id << 32) | hash of (type, name), ascending
};

// JS objects and closures only, with odd ids: V8 gives even ids to native/embedder objects and
// numbers them in a separate sequence.
JsIdentity js_identity(const HeapGraph& graph);

struct ProcessMatch {
  uint64_t base_objects = 0;
  uint64_t current_objects = 0;
  uint64_t shared_ids = 0;  // ids present on both sides
  uint64_t same_name = 0;   // shared ids whose object has the same type and name on both sides
  // False when the ids cannot be matched: almost no shared ids, or shared ids naming unrelated
  // objects (two runs of different programs).
  bool comparable() const;
};

ProcessMatch match_processes(const JsIdentity& base, const JsIdentity& current);

// One snapshot reduced to what a comparison needs.
struct ComparisonSide {
  IdClassTable table;  // nodes DevTools shows (non-zero size), classified with given definitions,
                       // with class retained sizes when asked
  JsIdentity identity;
  uint64_t total_size = 0;  // the root's retained size when computed, else the sum of self sizes
};

struct ComparisonSideOptions {
  bool retained = true;  // compute dominators and class retained sizes
  unsigned threads = 2;
};

// What each side's AnalyzedSnapshot must compute. The caller sets `definitions` on the base to
// the CURRENT snapshot's interface definitions, as the DevTools UI re-classifies the base
// snapshot's plain objects with them (the current side infers its own).
AnalysisOptions comparison_analysis_options(const ComparisonSideOptions& options = {});

// Frees the snapshot's retention once the class retained sizes are taken.
ComparisonSide summarize_for_comparison(AnalyzedSnapshot& snapshot);

struct ComparisonRow {
  ClassDelta delta;  // # New / # Deleted / Alloc. Size / Freed Size
  uint64_t base_retained = 0;
  uint64_t current_retained = 0;
  bool has_retained = false;
  int64_t retained_delta() const {
    return static_cast<int64_t>(current_retained) - static_cast<int64_t>(base_retained);
  }
};

struct Comparison {
  HeapDiff diff;                    // DevTools' per-class join (DiffMatching::kByClassAndId)
  std::vector<ComparisonRow> rows;  // one per class with a change, sorted by size delta, largest
                                    // growth first
  ProcessMatch match;
};

Comparison compare_snapshots(const ComparisonSide& base, const ComparisonSide& current);

}  // namespace leakscope
