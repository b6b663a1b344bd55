// `leakscope check` on hand-built heaps: each check fires on its pattern just above its threshold
// and stays quiet just below it, an object is reported once (by the most specific check), and
// the renderer words the facts the analysis returns.
#include "analysis/checks.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "analysis/class_index.h"
#include "analysis/retention.h"
#include "analysis/shallow_sizes.h"
#include "report/check_report.h"
#include "test_graph_builder.h"

namespace leakscope {
namespace {

using testing::GraphBuilder;

// A toy Node heap: (root) → global, with `global.keep` an Object the test hangs its pattern on.
// Every graph gets the same 200 kB of plain ballast objects under `global.ballast`, so shares of
// the heap are predictable and no pattern is the whole heap by accident.
struct Toy {
  GraphBuilder b;
  uint32_t root = 0;
  uint32_t global = 0;
  uint32_t keep = 0;
  Toy() {
    root = b.node(kSynthetic, "", 0);
    global = b.node(kObject, "global", 40);
    b.edge(root, kShortcut, "global", global);
    keep = b.node(kObject, "Object", 24);
    b.edge(global, kProperty, "keep", keep);
    const uint32_t ballast = b.node(kObject, "Ballast", 16);
    b.edge(global, kProperty, "ballast", ballast);
    for (uint32_t i = 0; i < 20; ++i) {
      b.edge(ballast, kProperty, "b" + std::to_string(i), b.node(kObject, "Chunk", 10000));
    }
  }
};

struct Checked {
  HeapGraph graph;
  CheckResults results;
  std::vector<const CheckFinding*> of(CheckKind kind) const {
    std::vector<const CheckFinding*> out;
    for (const CheckFinding& f : results.findings) {
      if (f.kind == kind) out.push_back(&f);
    }
    return out;
  }
};

Checked check(Toy& toy, const CheckOptions& options = {}) {
  Checked c;
  c.graph = toy.b.build();
  const HeapGraph& g = c.graph;
  const ClassIndex classes = classify_nodes(g);
  const BigVector<uint64_t> sizes = attribute_shallow_sizes(g);
  RetentionOptions ro;
  ro.distance_parent_edges = true;
  ro.threads = 1;
  const RetentionAnalysis ra = analyze_retention(g, sizes, ro);
  CheckInput in;
  in.graph = &g;
  in.self_sizes = &sizes;
  in.classes = &classes;
  in.tree = &ra.tree;
  in.distances = &ra.distances;
  c.results = run_checks(in, options);
  return c;
}

// `count` objects of `cls` in an Array at keep[name].
uint32_t array_of(Toy& t, std::string_view name, std::string_view cls, uint32_t count,
                  uint64_t size = 32) {
  const uint32_t array = t.b.node(kObject, "Array", 16);
  t.b.edge(t.keep, kProperty, name, array);
  for (uint32_t i = 0; i < count; ++i) t.b.element(array, i, t.b.node(kObject, cls, size));
  return array;
}

TEST(Checks, DominantClassFiresAboveTwiceTheNextClass) {
  Toy t;
  array_of(t, "widgets", "Widget", 600);
  array_of(t, "gadgets", "Gadget", 250);
  const Checked c = check(t);
  const auto found = c.of(CheckKind::kDominantClass);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->name, "Widget");
  EXPECT_EQ(found[0]->count, 600u);
  EXPECT_EQ(found[0]->bytes, 600u * 32);
  EXPECT_EQ(found[0]->other_name, "Gadget");
  EXPECT_EQ(found[0]->other_count, 250u);
  EXPECT_EQ(c.graph.name(found[0]->node), "Widget");
  EXPECT_EQ(report::check_title(c.graph, *found[0], c.results.total_size),
            "Widget: 600 instances, 2.4x the next largest class (Gadget, 250)");
}

TEST(Checks, DominantClassQuietAtTwiceTheNextOrBelowTheMinimum) {
  {
    Toy t;
    array_of(t, "widgets", "Widget", 600);
    array_of(t, "gadgets", "Gadget", 300);  // 600 is not more than 2 x 300
    EXPECT_TRUE(check(t).of(CheckKind::kDominantClass).empty());
  }
  {
    Toy t;
    array_of(t, "widgets", "Widget", 499);  // below dominant_min_count
    EXPECT_TRUE(check(t).of(CheckKind::kDominantClass).empty());
  }
  {
    Toy t;
    array_of(t, "objects", "Object", 2000);  // a builtin class says nothing by itself
    EXPECT_TRUE(check(t).of(CheckKind::kDominantClass).empty());
  }
}

// keep.hub, an EventEmitter with `listeners` functions for 'tick', `named` of them onTick.
uint32_t emitter(Toy& t, uint32_t listeners, uint32_t named) {
  const uint32_t hub = t.b.node(kObject, "EventEmitter", 40);
  t.b.edge(t.keep, kProperty, "hub", hub);
  const uint32_t events = t.b.node(kObject, "Object", 24);
  t.b.edge(hub, kProperty, "_events", events);
  const uint32_t list = t.b.node(kObject, "Array", 16);
  t.b.edge(events, kProperty, "tick", list);
  for (uint32_t i = 0; i < listeners; ++i) {
    t.b.element(list, i, t.b.node(kClosure, i < named ? "onTick" : "other", 32));
  }
  return list;
}

TEST(Checks, ManyListenersNamesTheEmitterEventAndFunction) {
  Toy t;
  const uint32_t list = emitter(t, 120, 100);
  const Checked c = check(t);
  const auto found = c.of(CheckKind::kManyListeners);
  ASSERT_EQ(found.size(), 1u);
  const CheckFinding& f = *found[0];
  EXPECT_EQ(f.node, list);
  EXPECT_EQ(f.name, "tick");
  EXPECT_EQ(f.count, 120u);
  EXPECT_EQ(f.other_count, 100u);
  EXPECT_EQ(c.graph.name(f.other_node), "onTick");
  EXPECT_EQ(c.graph.name(f.holder), "EventEmitter");
  EXPECT_EQ(f.severity, Severity::kHigh);  // 100 or more
  EXPECT_EQ(f.bytes, 16u + 120 * 32);
  EXPECT_EQ(report::check_title(c.graph, f, c.results.total_size),
            "EventEmitter @" + std::to_string(c.graph.node_id[f.holder]) +
                " has 120 listeners for 'tick' (100 of them onTick), retaining 3.9 kB");
}

TEST(Checks, ListenersQuietBelowNodesWarningAndMediumBelowAHundred) {
  {
    Toy t;
    emitter(t, 10, 10);  // Node itself warns only above 10
    EXPECT_TRUE(check(t).of(CheckKind::kManyListeners).empty());
  }
  {
    Toy t;
    emitter(t, 11, 11);
    const Checked c = check(t);
    ASSERT_EQ(c.of(CheckKind::kManyListeners).size(), 1u);
    EXPECT_EQ(c.of(CheckKind::kManyListeners)[0]->severity, Severity::kMedium);
  }
}

TEST(Checks, LargeObjectFiresFromItsEntryCountAndIsReportedOnce) {
  Toy t;
  const uint32_t big = array_of(t, "items", "Object", 5000, 8);
  const Checked c = check(t);
  const auto found = c.of(CheckKind::kLargeObject);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->node, big);
  EXPECT_EQ(found[0]->count, 5000u);
  EXPECT_EQ(found[0]->bytes, 16u + 5000 * 8);
  // The biggest collection too, but one finding per object: the more specific one.
  for (const CheckFinding* f : c.of(CheckKind::kBigCollection)) EXPECT_NE(f->node, big);
}

TEST(Checks, LargeObjectQuietBelowTheEntryCount) {
  Toy t;
  array_of(t, "items", "Object", 4999, 8);
  EXPECT_TRUE(check(t).of(CheckKind::kLargeObject).empty());
}

TEST(Checks, RepeatedClosureCountsOneFunctionAcrossHolders) {
  Toy t;
  const uint32_t a = t.b.node(kObject, "Array", 16);
  const uint32_t b = t.b.node(kObject, "Array", 16);
  t.b.edge(t.keep, kProperty, "a", a);
  t.b.edge(t.keep, kProperty, "b", b);
  for (uint32_t i = 0; i < 1000; ++i) {
    t.b.element(i % 2 ? a : b, i / 2, t.b.node(kClosure, "format", 32));
  }
  const Checked c = check(t);
  const auto found = c.of(CheckKind::kRepeatedClosure);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->name, "format");
  EXPECT_EQ(found[0]->count, 1000u);
  EXPECT_EQ(found[0]->severity, Severity::kMedium);
  EXPECT_EQ(report::check_title(c.graph, *found[0], c.results.total_size),
            "function format exists 1,000 times");
}

TEST(Checks, RepeatedClosureQuietBelowTheMinimum) {
  Toy t;
  const uint32_t a = t.b.node(kObject, "Array", 16);
  t.b.edge(t.keep, kProperty, "a", a);
  for (uint32_t i = 0; i < 999; ++i) t.b.element(a, i, t.b.node(kClosure, "format", 32));
  EXPECT_TRUE(check(t).of(CheckKind::kRepeatedClosure).empty());
}

// `copies` strings of one long text, each `size` bytes, in keep.copies.
void strings(Toy& t, uint32_t copies, uint64_t size) {
  const std::string text(100, 'x');
  const uint32_t a = t.b.node(kObject, "Array", 16);
  t.b.edge(t.keep, kProperty, "copies", a);
  for (uint32_t i = 0; i < copies; ++i) t.b.element(a, i, t.b.node(kString, text, size));
}

TEST(Checks, DuplicateStringsCountTheWasteBeyondOneCopy) {
  Toy t;
  strings(t, 100, 1024);
  const Checked c = check(t);
  const auto found = c.of(CheckKind::kDuplicateStrings);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->count, 100u);
  EXPECT_EQ(found[0]->bytes, 99u * 1024);
  EXPECT_EQ(found[0]->name, std::string(100, 'x'));  // the fact is the whole text
  EXPECT_EQ(report::check_title(c.graph, *found[0], c.results.total_size),
            "the string \"" + std::string(57, 'x') + "...\" is held 100 times, wasting 101.4 kB");
}

TEST(Checks, DuplicateStringsQuietWithFewCopiesOrLittleWaste) {
  {
    Toy t;
    strings(t, 99, 1024);
    EXPECT_TRUE(check(t).of(CheckKind::kDuplicateStrings).empty());
  }
  {
    Toy t;
    strings(t, 1000, 64);  // 63,936 bytes wasted, under 64 KiB
    EXPECT_TRUE(check(t).of(CheckKind::kDuplicateStrings).empty());
  }
}

TEST(Checks, BigCollectionsAreTheLargestUserCollections) {
  Toy t;
  const uint32_t map = t.b.node(kObject, "Map", 32);
  t.b.edge(t.keep, kProperty, "registry", map);
  const uint32_t table = t.b.node(kArray, "", 16);
  t.b.edge(map, kInternal, "table", table);
  for (uint32_t i = 0; i < 40; ++i) {
    t.b.edge(table, kInternal, std::to_string(3 + 3 * i), t.b.node(kString, "k", 16));
    t.b.edge(table, kInternal, std::to_string(4 + 3 * i), t.b.node(kObject, "Entry", 2000));
  }
  const Checked c = check(t);
  const auto found = c.of(CheckKind::kBigCollection);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found[0]->node, map);
  EXPECT_EQ(found[0]->name, "Map");
  EXPECT_EQ(found[0]->count, 40u);
  EXPECT_EQ(found[0]->severity, Severity::kMedium);  // 28 % of the heap
  ASSERT_FALSE(found[0]->path.steps.empty());
  EXPECT_EQ(found[0]->path.steps.back().node, map);
  EXPECT_EQ(report::check_explanation(*found[0]).find('\n'), std::string::npos);
}

TEST(Checks, BigCollectionsLeaveOutWhatNodesBootstrapHolds) {
  Toy t;
  const uint32_t primordials = t.b.node(kObject, "Object", 24);
  t.b.edge(t.global, kProperty, "primordials", primordials);
  const uint32_t list = t.b.node(kObject, "Array", 16);
  t.b.edge(primordials, kProperty, "list", list);
  for (uint32_t i = 0; i < 40; ++i) t.b.element(list, i, t.b.node(kObject, "Entry", 2000));
  const Checked c = check(t);
  for (const CheckFinding& f : c.results.findings) EXPECT_NE(f.node, list);
}

TEST(Checks, FindingsAreOrderedBySeverityThenBytes) {
  Toy t;
  emitter(t, 120, 120);                     // high
  array_of(t, "items", "Object", 5000, 8);  // low or medium by share
  strings(t, 100, 700);
  const Checked c = check(t);
  ASSERT_GE(c.results.findings.size(), 3u);
  for (size_t i = 1; i < c.results.findings.size(); ++i) {
    const CheckFinding& a = c.results.findings[i - 1];
    const CheckFinding& b = c.results.findings[i];
    EXPECT_TRUE(a.severity > b.severity || (a.severity == b.severity && a.bytes >= b.bytes));
  }
  EXPECT_EQ(c.results.findings[0].kind, CheckKind::kManyListeners);
}

}  // namespace
}  // namespace leakscope

namespace leakscope {
namespace {

// A Map at keep.memo with `entries` values of `value_size` bytes each.
uint32_t map_of(Toy& t, uint32_t holder, std::string_view name, uint32_t entries,
                uint64_t value_size, EdgeType kind = kProperty) {
  const uint32_t map = t.b.node(kObject, "Map", 32);
  t.b.edge(holder, kind, name, map);
  const uint32_t table = t.b.node(kArray, "", 16);
  t.b.edge(map, kInternal, "table", table);
  for (uint32_t i = 0; i < entries; ++i) {
    t.b.edge(table, kInternal, std::to_string(4 + 3 * i), t.b.node(kObject, "Entry", value_size));
  }
  return map;
}

// A closure of `script` (closure → shared → script, as V8 links them) whose context holds `name`.
uint32_t closure_with_context(Toy& t, std::string_view script, uint32_t* context) {
  const uint32_t fn = t.b.node(kClosure, "render", 32);
  const uint32_t shared = t.b.node(kCode, "render", 40);
  t.b.edge(fn, kInternal, "shared", shared);
  t.b.edge(shared, kInternal, "script", t.b.node(kCode, script, 80));
  *context = t.b.node(kObject, "system / Context", 40);
  t.b.edge(fn, kInternal, "context", *context);
  return fn;
}

TEST(Checks, ACollectionKeepingMuchOfTheHeapIsLargeBelowTheEntryCount) {
  Toy t;
  const uint32_t memo = map_of(t, t.keep, "memo", 200, 1000);  // 200 kB of 400 kB: half
  const Checked c = check(t);
  const auto found = c.of(CheckKind::kLargeObject);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0]->node, memo);
  EXPECT_EQ(found[0]->count, 200u);
  EXPECT_TRUE(found[0]->heavy);
  EXPECT_EQ(found[0]->severity, Severity::kHigh);  // 30 % of the heap or more
  EXPECT_NE(report::check_explanation(*found[0]).find("whatever its number of entries"),
            std::string::npos);
}

TEST(Checks, ASmallShareOrFewEntriesIsNotLarge) {
  {
    Toy t;
    map_of(t, t.keep, "memo", 200, 200);  // 40 kB of 240 kB: under a fifth
    EXPECT_TRUE(check(t).of(CheckKind::kLargeObject).empty());
  }
  {
    Toy t;
    map_of(t, t.keep, "memo", 63, 4000);  // most of the heap, but a handful of big values
    EXPECT_TRUE(check(t).of(CheckKind::kLargeObject).empty());
  }
}

// Node's CommonJS loader: global → Module (the class) ._cache → {"/app/x.js": Module, ...}; each
// Module's exports hold its functions, whose context holds the module-level variables.
TEST(Checks, ModuleStateReachedThroughRequireCacheIsTheUsers) {
  Toy t;
  const uint32_t module_class = t.b.node(kClosure, "Module", 32);
  t.b.edge(t.global, kProperty, "Module", module_class);
  const uint32_t cache = t.b.node(kObject, "Object", 24);
  t.b.edge(module_class, kProperty, "_cache", cache);
  uint32_t memo = 0;
  for (uint32_t i = 0; i < 70; ++i) {
    const uint32_t module = t.b.node(kObject, "Module", 64);
    t.b.edge(cache, kProperty, "/app/m" + std::to_string(i) + ".js", module);
    const uint32_t paths = t.b.node(kObject, "Array", 16);
    t.b.edge(module, kProperty, "paths", paths);
    for (uint32_t p = 0; p < 6; ++p) t.b.element(paths, p, t.b.node(kString, "/app", 400));
    if (i != 7) continue;
    const uint32_t exports = t.b.node(kObject, "Object", 24);
    t.b.edge(module, kProperty, "exports", exports);
    uint32_t context = 0;
    t.b.edge(exports, kProperty, "render", closure_with_context(t, "/app/m7.js", &context));
    memo = map_of(t, context, "compiled", 300, 1000, kContext);
  }
  const Checked c = check(t);
  const auto large = c.of(CheckKind::kLargeObject);
  ASSERT_EQ(large.size(), 1u);
  EXPECT_EQ(large[0]->node, memo);
  for (const CheckFinding& f : c.results.findings) {
    EXPECT_NE(f.node, cache) << "require.cache itself is Node's registry";
    EXPECT_NE(c.graph.name(f.node), "Array") << "a Module's paths are Node's bookkeeping";
  }
}

TEST(Checks, CollectionsOfNodeItselfAreLeftOut) {
  Toy t;
  // process.env-like: reached through the process object before any user code.
  const uint32_t process = t.b.node(kObject, "process", 64);
  t.b.edge(t.global, kProperty, "process", process);
  const uint32_t env = map_of(t, process, "env", 100, 1000);
  // Module state of a Node-internal script.
  uint32_t context = 0;
  t.b.edge(t.global, kProperty, "queueMicrotask",
           closure_with_context(t, "node:internal/process/task_queues", &context));
  const uint32_t queue = map_of(t, context, "queue", 100, 1000, kContext);
  // The same shape in a user script is the user's.
  uint32_t user_context = 0;
  t.b.edge(t.keep, kProperty, "handler", closure_with_context(t, "/app/server.js", &user_context));
  const uint32_t sessions = map_of(t, user_context, "sessions", 10, 1000, kContext);
  const Checked c = check(t);
  bool saw_sessions = false;
  for (const CheckFinding& f : c.results.findings) {
    EXPECT_NE(f.node, env);
    EXPECT_NE(f.node, queue);
    saw_sessions |= f.node == sessions;
  }
  EXPECT_TRUE(saw_sessions);
}

}  // namespace
}  // namespace leakscope
