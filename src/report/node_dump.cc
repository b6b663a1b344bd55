#include "report/node_dump.h"

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "heap/user_files.h"

namespace leakscope::report {

namespace {
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

// Writes value(0..n-1) in chunks, so no full-size copy of a column is made.
template <typename T, typename F>
void write_column(std::FILE* f, const std::string& path, uint32_t n, F value) {
  constexpr uint32_t kChunk = 1 << 16;
  std::vector<T> buffer;
  buffer.reserve(kChunk);
  for (uint32_t i = 0; i < n; ++i) {
    buffer.push_back(static_cast<T>(value(i)));
    if (buffer.size() == kChunk || i + 1 == n) {
      if (std::fwrite(buffer.data(), sizeof(T), buffer.size(), f) != buffer.size()) {
        throw std::runtime_error(path + ": write failed");
      }
      buffer.clear();
    }
  }
}
}  // namespace

void write_node_dump(const std::string& path, const HeapGraph& graph,
                     const BigVector<uint64_t>& self_sizes, const RetentionAnalysis& analysis) {
  std::unique_ptr<std::FILE, FileCloser> file(open_output_file(path));
  std::FILE* f = file.get();
  const uint32_t n = graph.node_count();
  const uint32_t header[4] = {0x41445346U, n, 0, 0};
  if (std::fwrite(header, sizeof(header), 1, f) != 1) {
    throw std::runtime_error(path + ": write failed");
  }
  const DominatorTree& tree = analysis.tree;
  const BigVector<int32_t>& distance = analysis.distances.distance;
  const bool has_tree = tree.idom.size() == n;
  const bool has_distances = distance.size() == n;
  write_column<double>(f, path, n, [&](uint32_t i) {
    return has_tree ? static_cast<double>(tree.retained[i]) : 0.0;
  });
  write_column<uint32_t>(f, path, n, [&](uint32_t i) { return graph.node_id[i]; });
  write_column<uint32_t>(f, path, n,
                         [&](uint32_t i) { return has_tree ? graph.node_id[tree.idom[i]] : 0U; });
  write_column<int32_t>(f, path, n, [&](uint32_t i) { return has_distances ? distance[i] : 0; });
  write_column<uint32_t>(f, path, n, [&](uint32_t i) { return self_sizes[i]; });
  if (std::fflush(f) != 0) throw std::runtime_error(path + ": write failed");
}

}  // namespace leakscope::report
