#include "analysis/comparison.h"

#include <algorithm>

namespace leakscope {

namespace {
uint32_t mix32(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return static_cast<uint32_t>(x);
}
}  // namespace

JsIdentity js_identity(const HeapGraph& graph) {
  JsIdentity identity;
  const uint32_t n = graph.node_count();
  for (uint32_t v = 0; v < n; ++v) {
    const NodeType t = graph.type(v);
    const uint32_t id = graph.node_id[v];
    if ((t != kObject && t != kClosure) || (id & 1u) == 0) continue;
    const std::string_view name = graph.name(v);
    uint64_t h = 1469598103934665603ULL ^ t;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    identity.id_name.push_back((static_cast<uint64_t>(id) << 32) | mix32(h));
  }
  std::sort(identity.id_name.begin(), identity.id_name.end());
  return identity;
}

bool ProcessMatch::comparable() const {
  const uint64_t smaller = std::min(base_objects, current_objects);
  if (smaller < 200) return true;  // too few objects to judge; let the user see the diff
  // The same process keeps most of its startup objects (builtins, modules) with their ids, and an
  // id always names the same object; a different process has other objects behind the same ids.
  return shared_ids * 20 >= smaller && same_name * 10 >= shared_ids * 9;
}

ProcessMatch match_processes(const JsIdentity& base, const JsIdentity& current) {
  ProcessMatch m;
  m.base_objects = base.id_name.size();
  m.current_objects = current.id_name.size();
  size_t i = 0;
  size_t j = 0;
  while (i < base.id_name.size() && j < current.id_name.size()) {
    const uint64_t a = base.id_name[i] >> 32;
    const uint64_t b = current.id_name[j] >> 32;
    if (a < b) {
      ++i;
    } else if (b < a) {
      ++j;
    } else {
      ++m.shared_ids;
      if (base.id_name[i] == current.id_name[j]) ++m.same_name;
      ++i;
      ++j;
    }
  }
  return m;
}

AnalysisOptions comparison_analysis_options(const ComparisonSideOptions& options) {
  AnalysisOptions a;
  a.retention.dominators = options.retained;
  a.retention.distances = false;
  a.retention.dominated_children = true;
  a.retention.threads = options.threads;
  return a;
}

ComparisonSide summarize_for_comparison(AnalyzedSnapshot& snapshot) {
  ComparisonSide side;
  const HeapGraph& graph = snapshot.graph();
  const bool retained = snapshot.options().retention.dominators;
  std::vector<uint64_t> class_retained;
  if (retained) {
    class_retained = snapshot.class_retained_sizes();
    side.total_size = snapshot.dominators().retained[graph.root];
    snapshot.release_retention();
  }
  side.table = make_id_class_table(graph, snapshot.classes(), snapshot.self_sizes(), class_retained,
                                   /*skip_zero_size=*/true);
  side.identity = js_identity(graph);
  if (!retained) side.total_size = side.table.total_size;
  return side;
}

Comparison compare_snapshots(const ComparisonSide& base, const ComparisonSide& current) {
  Comparison c;
  c.match = match_processes(base.identity, current.identity);
  c.diff = diff_heaps(base.table, current.table, DiffMatching::kByClassAndId);
  c.rows.reserve(c.diff.classes.size());
  for (const ClassDelta& d : c.diff.classes) {
    ComparisonRow row;
    row.delta = d;
    row.has_retained = c.diff.has_retained;
    row.base_retained = d.retained_before;
    row.current_retained = d.retained_after;
    c.rows.push_back(std::move(row));
  }
  std::stable_sort(c.rows.begin(), c.rows.end(),
                   [](const ComparisonRow& a, const ComparisonRow& b) {
                     if (a.delta.size_delta() != b.delta.size_delta())
                       return a.delta.size_delta() > b.delta.size_delta();
                     return a.delta.count_delta() > b.delta.count_delta();
                   });
  return c;
}

}  // namespace leakscope
