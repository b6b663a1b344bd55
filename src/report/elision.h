// Output that no one can use is no output: a retainer path through a 2M-long linked list printed
// in full is a 47 MB line (and 457 MB of JSON). Every long path and list leakscope prints is cut
// the same way here: the first and last few items stay, the middle is replaced by its length
// (`… 1,999,980 more steps (.next) …`), and `--full` shows everything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "analysis/retainer_paths.h"
#include "heap/heap_graph.h"

namespace leakscope::report {

inline constexpr size_t kPathHeadSteps = 10;
inline constexpr size_t kPathTailSteps = 10;

// Which items of a list of `total` are shown: [0, head) and [total - tail, total).
struct Elision {
  size_t total = 0;
  size_t head = 0;
  size_t tail = 0;

  size_t omitted() const { return total - head - tail; }
  // The index shown after i: `for (size_t i = 0; i < e.total; i = e.next(i))`.
  size_t next(size_t i) const { return i + 1 == head ? total - tail : i + 1; }
};

// How many rows of a class table (summary, diff) `--top N` shows: N, all for 0, and by default
// (N < 0) kDefaultTableRows in text but all in JSON, which programs read in full.
inline constexpr size_t kDefaultTableRows = 30;
size_t table_row_limit(int64_t top, bool json);

// Keeps everything when `full` is set or the list is short enough; otherwise `head` + `tail` items.
Elision elide(size_t total, size_t head, size_t tail, bool full);

// The steps of `path` to show (the default head and tail of kPath*Steps).
Elision elide_path(const RetainerPath& path, bool full);

// The edges of the omitted steps in a few words: `.next` when they share one name, else the most
// common ones with their counts (`.next ×1,200, ->context ×800, 3 others`).
std::string omitted_edges_text(const HeapGraph& graph, const RetainerPath& path, const Elision& e);

// "… 1,999,980 more steps (.next) …" for an elided path.
std::string omitted_steps_text(const HeapGraph& graph, const RetainerPath& path, const Elision& e);

// What JSON says about the gap in a path's `steps`: {"after": index of the last step shown before
// it, "steps": how many are left out, "edges": omitted_edges_text}.
nlohmann::json omitted_steps_json(const HeapGraph& graph, const RetainerPath& path,
                                  const Elision& e);

}  // namespace leakscope::report
