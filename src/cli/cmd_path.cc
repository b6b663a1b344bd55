// leakscope path SNAP (--id N | --class NAME): shortest retainer paths from the user roots
// (falling back to the GC roots) to an object or to the closest instances of a class; for a
// class, where all its instances are first (grouped by normalised retainer path).
#include <fmt/core.h>

#include <algorithm>
#include <memory>
#include <tuple>

#include "analysis/census.h"
#include "analysis/class_index.h"
#include "analysis/instance_groups.h"
#include "analysis/path_keys.h"
#include "analysis/retainer_paths.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/retention_support.h"
#include "heap/indices.h"
#include "heap/retainers.h"
#include "report/json_output.h"
#include "report/path_report.h"

namespace leakscope::cli {

namespace {
struct PathOptions {
  std::string snapshot;
  int64_t id = -1;
  std::string class_name;
  uint32_t k = 1;
  bool json = false;
  bool full = false;
};

// Shown unless --full: where most instances are is in the first few groups.
constexpr size_t kShownGroups = 10;

// The instances grouped as `leaks` clusters objects (path_keys.h), largest group first.
void group_by_path(report::PathReport& r, const RetentionContext& c, const ClassIndex& classes,
                   const std::vector<uint32_t>& instances, bool full) {
  const HeapGraph& g = c.graph;
  const Distances& distances = c.analysis.distances;
  PathKeys keys(g, distances, classes);
  const std::vector<InstanceGroup> groups = group_instances(
      g, distances, c.analysis.tree, instances, [&keys](uint32_t v) { return keys.key(v); });
  r.group_count = groups.size();
  for (const InstanceGroup& group : groups) r.grouped_instances += group.count;
  const size_t shown = full ? groups.size() : std::min(groups.size(), kShownGroups);
  for (size_t i = 0; i < shown; ++i) {
    report::PathGroup out;
    out.count = groups[i].count;
    out.retained = groups[i].retained;
    out.representative = groups[i].representative;
    out.path = shortest_path(g, distances, out.representative);
    r.groups.push_back(std::move(out));
  }
}

// The instances of the class `name` as `summary` counts them, so that a name copied from its table
// means the same objects here: AnalyzedSnapshot's classes (DevTools' naming: plain objects by
// their property set) and only objects whose re-attributed size is not 0. Every class of that
// name is taken (summary lists one row per allocation site of a located class).
std::vector<NodeOrdinal> summary_instances(RetentionContext& c, const PathOptions& o) {
  const ClassIndex& classes = c.snapshot->classes();
  std::vector<bool> wanted(classes.classes.size(), false);
  for (size_t i = 0; i < classes.classes.size(); ++i) {
    if (classes.classes[i].name == o.class_name) wanted[i] = true;
  }
  std::vector<NodeOrdinal> instances;
  for (NodeOrdinal v = 0; v < c.graph.node_count(); ++v) {
    if (wanted[classes.node_class[v]] && counted_in_summary(c.self_sizes[v])) {
      instances.push_back(v);
    }
  }
  if (instances.empty()) {
    throw UsageError(fmt::format("--class {}: no such class in {} (see `leakscope summary`)",
                                 o.class_name, o.snapshot));
  }
  return instances;
}

int run_path(const PathOptions& o) {
  if ((o.id >= 0) == !o.class_name.empty()) {
    throw UsageError("path: give exactly one of --id N or --class NAME");
  }
  RetentionOptions options;
  options.dominators = !o.class_name.empty();  // a group's retained size
  options.distance_parent_edges = true;
  RetentionContext c = load_with_retention(o.snapshot, options);
  const HeapGraph& g = c.graph;
  const Distances& distances = c.analysis.distances;
  report::PathReport r;
  r.snapshot = o.snapshot;
  r.graph = &g;
  r.full = o.full;
  if (o.id >= 0) {
    const uint32_t node = node_for_id(g, o.snapshot, static_cast<uint64_t>(o.id));
    report::PathTarget t;
    t.node = node;
    t.distance = distances.distance[node];
    if (o.k > 1) {
      const Retainers retainers(g);
      t.paths = retainer_paths(g, distances, retainers, node, o.k);
    } else {
      RetainerPath p = shortest_path(g, distances, node);
      if (!p.steps.empty()) t.paths.push_back(std::move(p));
    }
    r.targets.push_back(std::move(t));
  } else {
    std::vector<NodeOrdinal> instances = summary_instances(c, o);
    r.class_name = o.class_name;
    r.class_instances = instances.size();
    group_by_path(r, c, c.snapshot->classes(), instances, o.full);
    // Closest first: reachable from user roots, then by distance, then by id.
    auto rank = [&](uint32_t v) {
      const int32_t d = distances.distance[v];
      return std::make_tuple(!is_user_distance(d), d == kNoDistance, d, g.node_id[v]);
    };
    const size_t keep = std::min<size_t>(o.k, instances.size());
    std::partial_sort(instances.begin(), instances.begin() + static_cast<std::ptrdiff_t>(keep),
                      instances.end(), [&](uint32_t a, uint32_t b) { return rank(a) < rank(b); });
    for (size_t i = 0; i < keep; ++i) {
      report::PathTarget t;
      t.node = instances[i];
      t.distance = distances.distance[t.node];
      RetainerPath p = shortest_path(g, distances, t.node);
      if (!p.steps.empty()) t.paths.push_back(std::move(p));
      r.targets.push_back(std::move(t));
    }
  }
  if (o.json) {
    report::print_json(report::path_json(r), stdout);
  } else {
    report::render_path_text(r, stdout);
  }
  return kExitOk;
}
}  // namespace

void add_path_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<PathOptions>();
  CLI::App* cmd = app.add_subcommand(
      "path",
      "Shortest retainer paths from the user roots (else the GC roots) to an object; for a "
      "class, first its instances grouped by retainer path with counts and retained sizes");
  cmd->add_option("snapshot", o->snapshot, "a .heapsnapshot file, or - for standard input")
      ->required();
  add_count_option(cmd, "--id", o->id, "the object's snapshot id (@N)", 0, UINT32_MAX);
  cmd->add_option("--class", o->class_name, "a class name as `summary` prints it");
  add_count_option(cmd, "-k", o->k,
                   "paths to show: through different retainers for --id, to different "
                   "instances for --class (default 1)",
                   1, UINT32_MAX);
  cmd->add_flag("--json", o->json, "JSON with every step's id, name and edge");
  cmd->add_flag("--full", o->full, kFullPathsHelp);
  cmd->callback([o, &action] { action = [o] { return run_path(*o); }; });
}

}  // namespace leakscope::cli
