#include "report/elision.h"

#include <fmt/core.h>

#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

#include "analysis/node_names.h"
#include "report/format.h"

namespace leakscope::report {

size_t table_row_limit(int64_t top, bool json) {
  if (top < 0) return json ? SIZE_MAX : kDefaultTableRows;
  return top == 0 ? SIZE_MAX : static_cast<size_t>(top);
}

Elision elide(size_t total, size_t head, size_t tail, bool full) {
  // Eliding fewer items than one line's worth saves nothing.
  if (full || total <= head + tail + 1) return {total, total, 0};
  return {total, head, tail};
}

Elision elide_path(const RetainerPath& path, bool full) {
  return elide(path.steps.size(), kPathHeadSteps, kPathTailSteps, full);
}

namespace {
// The omitted steps are [head, total - tail); the edge of step i leads into step i, so the edges
// that leave the omitted steps are those of steps head + 1 .. total - tail.
std::pair<size_t, size_t> omitted_edge_range(const Elision& e) {
  return {e.head + 1, e.total - e.tail + 1};
}
}  // namespace

std::string omitted_edges_text(const HeapGraph& g, const RetainerPath& path, const Elision& e) {
  // Counted by (edge type, name) so that two million steps do not build two million strings.
  std::unordered_map<uint64_t, std::pair<size_t, uint64_t>> counts;  // key -> (count, an edge)
  const auto [begin, end] = omitted_edge_range(e);
  for (size_t i = begin; i < end && i < path.steps.size(); ++i) {
    const uint64_t edge = path.steps[i].edge;
    const uint64_t key = (static_cast<uint64_t>(g.edge_type[edge]) << 32) | g.edge_name[edge];
    auto [it, inserted] = counts.try_emplace(key, 0, edge);
    ++it->second.first;
  }
  std::vector<std::pair<size_t, uint64_t>> ranked;
  ranked.reserve(counts.size());
  for (const auto& [key, value] : counts) ranked.push_back(value);
  std::sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  if (ranked.size() == 1) return edge_display(g, ranked.front().second);
  std::string text;
  constexpr size_t kNamed = 2;
  for (size_t i = 0; i < ranked.size() && i < kNamed; ++i) {
    text += fmt::format("{}{} ×{}", i ? ", " : "", edge_display(g, ranked[i].second),
                        with_commas(ranked[i].first));
  }
  if (ranked.size() > kNamed) {
    text += fmt::format(", {} other edge names", with_commas(ranked.size() - kNamed));
  }
  return text;
}

std::string omitted_steps_text(const HeapGraph& g, const RetainerPath& path, const Elision& e) {
  return fmt::format("… {} more steps ({}) …", with_commas(e.omitted()),
                     omitted_edges_text(g, path, e));
}

nlohmann::json omitted_steps_json(const HeapGraph& g, const RetainerPath& path, const Elision& e) {
  return {{"after", e.head - 1}, {"steps", e.omitted()}, {"edges", omitted_edges_text(g, path, e)}};
}

}  // namespace leakscope::report
