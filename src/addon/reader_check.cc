#include "addon/reader_check.h"

#include <exception>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <v8-profiler.h>

#include "addon/v8_snapshot.h"
#include "addon/v8_snapshot_graph.h"
#include "analysis/analyzed_snapshot.h"
#include "heap/snapshot_reader.h"

namespace leakscope::addon {
namespace {

// V8's JSON serializer feeding the CLI's push-mode reader.
class ReaderStream final : public v8::OutputStream {
 public:
  explicit ReaderStream(SnapshotStreamReader& reader) : reader_(reader) {}
  int GetChunkSize() override { return 1 << 20; }
  void EndOfStream() override {}
  WriteResult WriteAsciiChunk(char* data, int size) override {
    try {
      reader_.push(std::string_view(data, static_cast<size_t>(size)));
    } catch (...) {
      error_ = std::current_exception();
      return kAbort;
    }
    return kContinue;
  }
  void rethrow() const {
    if (error_) std::rethrow_exception(error_);
  }

 private:
  SnapshotStreamReader& reader_;
  std::exception_ptr error_;
};

class Tally {
 public:
  explicit Tally(ReaderCheck& out) : out_(out) {}
  // describe() formats the disagreement; only the first few are kept.
  template <typename Describe>
  void fail(uint64_t& counter, Describe describe) {
    ++counter;
    if (out_.examples.size() < 10) out_.examples.push_back(describe());
  }

 private:
  ReaderCheck& out_;
};

void compare_graphs(const HeapGraph& mine, const HeapGraph& file, bool edge_names,
                    ReaderCheck& out) {
  Tally tally(out);
  if (mine.node_count() != file.node_count() || mine.edge_count() != file.edge_count() ||
      mine.root != file.root) {
    tally.fail(out.structure, [&] {
      return fmt::format("{} nodes / {} edges / root {} against the file's {} / {} / {}",
                         mine.node_count(), mine.edge_count(), mine.root, file.node_count(),
                         file.edge_count(), file.root);
    });
    return;
  }
  for (uint32_t i = 0; i < mine.node_count(); ++i) {
    if (mine.node_type[i] != file.node_type[i] || mine.node_id[i] != file.node_id[i] ||
        mine.node_self_size[i] != file.node_self_size[i] ||
        mine.first_edge[i] != file.first_edge[i]) {
      tally.fail(out.structure, [&] {
        return fmt::format("node {} (id {}): type/size/edges differ", i, file.node_id[i]);
      });
      continue;
    }
    if (node_name_kept(mine.type(i)) && mine.name(i) != file.name(i))
      tally.fail(out.node_names, [&] {
        return fmt::format("node {} (id {}): name '{}' against '{}'", i, file.node_id[i],
                           mine.name(i), file.name(i));
      });
  }
  for (uint64_t e = 0; e < mine.edge_count(); ++e) {
    if (mine.edge_type[e] != file.edge_type[e] || mine.edge_to[e] != file.edge_to[e]) {
      tally.fail(out.structure, [&] { return fmt::format("edge {}: type or target differs", e); });
      continue;
    }
    if (edge_names && mine.edge_name_text(e) != file.edge_name_text(e))
      tally.fail(out.edge_names, [&] {
        return fmt::format("edge {}: name '{}' against '{}'", e, mine.edge_name_text(e),
                           file.edge_name_text(e));
      });
  }
}

// Classes, dominators and distances of the three reads, as every consumer computes them; plain
// objects by constructor name, as the HeapDiff names them.
AnalysisOptions checked_analyses(bool distances) {
  AnalysisOptions options;
  options.definitions.emplace();
  options.retention.distances = distances;
  return options;
}

void compare_analyses(HeapGraph mine_graph, HeapGraph lean_graph, HeapGraph file_graph,
                      ReaderCheck& out) {
  Tally tally(out);
  AnalyzedSnapshot mine(std::move(mine_graph), checked_analyses(true));
  AnalyzedSnapshot file(std::move(file_graph), checked_analyses(true));
  // The constructor's read keeps fewer edge names; its dominator tree must not change.
  AnalyzedSnapshot lean(std::move(lean_graph), checked_analyses(false));
  const ClassIndex& mine_classes = mine.classes();
  const ClassIndex& file_classes = file.classes();
  const RetentionAnalysis& a = mine.retention();
  const RetentionAnalysis& b = file.retention();
  const RetentionAnalysis& c = lean.retention();
  for (uint32_t i = 0; i < mine.graph().node_count(); ++i) {
    const std::string& x = mine_classes.classes[mine_classes.node_class[i]].name;
    const std::string& y = file_classes.classes[file_classes.node_class[i]].name;
    if (x != y)
      tally.fail(out.classes,
                 [&] { return fmt::format("node {}: class '{}' against '{}'", i, x, y); });
    if (a.tree.idom[i] != b.tree.idom[i] || a.tree.retained[i] != b.tree.retained[i])
      tally.fail(out.retained, [&] {
        return fmt::format("node {}: dominator {} / retained {} against {} / {}", i, a.tree.idom[i],
                           a.tree.retained[i], b.tree.idom[i], b.tree.retained[i]);
      });
    if (c.tree.idom[i] != b.tree.idom[i] || c.tree.retained[i] != b.tree.retained[i])
      tally.fail(out.retained, [&] {
        return fmt::format("node {} (lean read): dominator {} / retained {} against {} / {}", i,
                           c.tree.idom[i], c.tree.retained[i], b.tree.idom[i], b.tree.retained[i]);
      });
    if (a.distances.distance[i] != b.distances.distance[i])
      tally.fail(out.distance, [&] {
        return fmt::format("node {}: distance {} against {}", i, a.distances.distance[i],
                           b.distances.distance[i]);
      });
  }
}

}  // namespace

ReaderCheck check_snapshot_reader(v8::Isolate* isolate, bool public_api_only) {
  v8::HandleScope scope(isolate);
  V8Snapshot snapshot(isolate);
  ReaderCheck out;
  V8ReadOptions options;
  options.read_records = !public_api_only;
  V8GraphRead mine = read_v8_snapshot(isolate, snapshot.get(), options);
  out.from_records = mine.all_edge_names;
  options.edge_names = false;
  V8GraphRead lean = read_v8_snapshot(isolate, snapshot.get(), options);
  SnapshotStreamReader reader("<live heap>");
  ReaderStream stream(reader);
  snapshot.get().Serialize(&stream, v8::HeapSnapshot::kJSON);
  snapshot.release();
  stream.rethrow();
  HeapGraph file = reader.finish();
  out.nodes = file.node_count();
  out.edges = file.edge_count();
  compare_graphs(mine.graph, file, mine.all_edge_names, out);
  if (out.structure == 0)
    compare_analyses(std::move(mine.graph), std::move(lean.graph), std::move(file), out);
  return out;
}

}  // namespace leakscope::addon
