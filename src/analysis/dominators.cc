#include "analysis/dominators.h"

#include <stdexcept>
#include <utility>

namespace leakscope {

namespace {

constexpr uint32_t kUnvisited = 0;

struct Frame {
  uint32_t node;    // ordinal
  uint32_t cursor;  // edges of `node` already looked at
};

// Iterative preorder DFS over essential edges. pre[v] = DFS number + 1 (0 = unvisited);
// order[i] = ordinal with DFS number i; parent[i] = parent's DFS number.
//
// It also does the first half of the semidominator bookkeeping, since it sees every essential
// edge u -> w out of a visited node exactly once: an edge to a node numbered later (tree or
// forward edge) lowers semi[w] to u at most; an edge to a node numbered earlier (cross or back
// edge) is a predecessor the semidominator loop must evaluate, so it is counted in pred_count.
class Dfs {
 public:
  Dfs(const HeapGraph& graph, const BitVector& essential, std::vector<uint32_t>& pre,
      std::vector<uint32_t>& order, std::vector<uint32_t>& parent, std::vector<uint32_t>& semi,
      std::vector<uint32_t>& pred_count)
      : graph_(graph),
        essential_(essential),
        pre_(pre),
        order_(order),
        parent_(parent),
        semi_(semi),
        pred_count_(pred_count) {}

  void run(uint32_t start, uint32_t parent_number) {
    visit(start, parent_number);
    stack_.push_back({start, 0});
    while (!stack_.empty()) {
      Frame& frame = stack_.back();
      const uint32_t v = frame.node;
      const uint32_t v_number = pre_[v] - 1;
      const uint64_t begin = graph_.edges_begin(v);
      const uint64_t end = graph_.edges_end(v);
      uint64_t e = begin + frame.cursor;
      uint32_t next = UINT32_MAX;
      for (; e < end; ++e) {
        if (!essential_.get(e)) continue;
        const uint32_t w = graph_.edge_to[e];
        const uint32_t w_pre = pre_[w];
        if (w_pre == kUnvisited) {
          next = w;
          ++e;
          break;
        }
        const uint32_t w_number = w_pre - 1;
        if (w_number > v_number) {
          if (v_number < semi_[w_number]) semi_[w_number] = v_number;
        } else if (w_number < v_number) {
          ++pred_count_[w_number + 1];
        }
      }
      frame.cursor = static_cast<uint32_t>(e - begin);
      if (next == UINT32_MAX) {
        stack_.pop_back();
      } else {
        visit(next, v_number);
        stack_.push_back({next, 0});
      }
    }
  }

 private:
  void visit(uint32_t node, uint32_t parent_number) {
    order_.push_back(node);
    parent_.push_back(parent_number);
    semi_.push_back(parent_number);
    pre_[node] = static_cast<uint32_t>(order_.size());
  }

  const HeapGraph& graph_;
  const BitVector& essential_;
  std::vector<uint32_t>& pre_;
  std::vector<uint32_t>& order_;
  std::vector<uint32_t>& parent_;
  std::vector<uint32_t>& semi_;
  std::vector<uint32_t>& pred_count_;
  std::vector<Frame> stack_;
};

template <typename T>
void release(std::vector<T>& v) {
  std::vector<T>().swap(v);
}

}  // namespace

DominatorTree compute_dominators(const HeapGraph& graph, const BitVector& essential,
                                 const BigVector<uint64_t>& self_sizes,
                                 const DominatorOptions& options) {
  const uint32_t node_count = graph.node_count();
  DominatorTree tree;
  if (node_count == 0) return tree;
  if (self_sizes.size() != node_count || essential.size() != graph.edge_count()) {
    throw std::invalid_argument(
        "compute_dominators: one self size per node and one bit per edge are required");
  }
  const uint32_t root = graph.root;

  std::vector<uint32_t> pre(node_count, kUnvisited);
  std::vector<uint32_t> order;
  std::vector<uint32_t> parent;
  std::vector<uint32_t> semi;
  // Predecessors v > w of each w, counted by the DFS, then turned into CSR offsets.
  std::vector<uint32_t> pred_start(static_cast<size_t>(node_count) + 1, 0);
  order.reserve(node_count);
  parent.reserve(node_count);
  semi.reserve(node_count);
  {
    Dfs dfs(graph, essential, pre, order, parent, semi, pred_start);
    dfs.run(root, 0);
    tree.unreachable = node_count - static_cast<uint32_t>(order.size());
    if (order.size() < node_count) {
      // Orphans: unvisited nodes that no essential edge reaches. DevTools DFSes from each one,
      // in ordinal order, as if the root pointed at it.
      BitVector has_essential_retainer(node_count);
      const uint64_t edge_count = graph.edge_count();
      for (uint64_t e = 0; e < edge_count; ++e) {
        if (essential.get(e)) has_essential_retainer.set(graph.edge_to[e]);
      }
      for (uint32_t v = 0; v < node_count; ++v) {
        if (pre[v] == kUnvisited && !has_essential_retainer.get(v)) dfs.run(v, 0);
      }
    }
  }
  const uint32_t n = static_cast<uint32_t>(order.size());
  const bool has_cycles_left = n < node_count;

  // Predecessor lists in DFS-number space. A predecessor v of w with v < w is not yet processed
  // when w is, so it contributes just its own number: the DFS folded those into semi[w] (which
  // started as parent[w]) and counted the others; only the predecessors v > w are stored.
  pred_start.resize(static_cast<size_t>(n) + 1);
  for (uint32_t w = 0; w < n; ++w) {
    if (pred_start[w + 1] > UINT32_MAX - pred_start[w]) {
      throw std::length_error("dominators: more than 4G predecessor entries");
    }
    pred_start[w + 1] += pred_start[w];
  }
  std::vector<uint32_t> preds(pred_start[n]);
  // Fill with pred_start[w] as the cursor (it ends at w's end, i.e. w + 1's start), then shift
  // back: saves a copy of the offsets.
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t u = order[i];
    for (uint64_t e = graph.edges_begin(u); e < graph.edges_end(u); ++e) {
      const uint32_t target_pre = pre[graph.edge_to[e]];
      if (target_pre == kUnvisited) continue;
      const uint32_t w = target_pre - 1;
      if (w < i && essential.get(e)) preds[pred_start[w]++] = i;
    }
  }
  for (uint32_t w = n; w > 0; --w) pred_start[w] = pred_start[w - 1];
  pred_start[0] = 0;
  // `pre` is not needed any more (results go back through `order`); its buffer becomes the
  // label array, so the peak does not grow.
  std::vector<uint32_t> label = std::move(pre);
  label.resize(n);
  std::vector<uint32_t> ancestor(parent);

  // Semidominators, in decreasing DFS order. Processed nodes (> w) form a forest linked along
  // DFS parents; eval(v) is the smallest semidominator on the path from v up to (excluding) the
  // first unprocessed ancestor, with path compression.
  std::vector<uint32_t> path;
  for (uint32_t w = n; w-- > 1;) {
    uint32_t s = semi[w];
    for (uint32_t p = pred_start[w]; p < pred_start[w + 1]; ++p) {
      const uint32_t v = preds[p];
      uint32_t x = v;
      if (ancestor[x] > w) {
        while (ancestor[x] > w) {
          path.push_back(x);
          x = ancestor[x];
        }
        // x is the topmost processed node; the path holds the nodes below it. Compress
        // top-down so each node sees its already-compressed ancestor.
        while (!path.empty()) {
          const uint32_t y = path.back();
          path.pop_back();
          const uint32_t a = ancestor[y];
          if (label[a] < label[y]) label[y] = label[a];
          ancestor[y] = ancestor[a];
        }
      }
      if (label[v] < s) s = label[v];
    }
    semi[w] = s;
    label[w] = s;
  }
  release(preds);
  release(pred_start);
  release(label);
  release(ancestor);

  // Immediate dominators: idom(w) is the nearest common ancestor of parent(w) and sdom(w).
  std::vector<uint32_t>& idom = parent;
  for (uint32_t w = 1; w < n; ++w) {
    uint32_t x = idom[w];
    while (x > semi[w]) x = idom[x];
    idom[w] = x;
  }
  release(semi);

  // Retained sizes: children have larger DFS numbers than their dominators.
  tree.retained = self_sizes;
  for (uint32_t w = n; w-- > 1;) {
    tree.retained[order[idom[w]]] += tree.retained[order[w]];
  }
  tree.idom.assign(node_count, root);
  for (uint32_t w = 1; w < n; ++w) tree.idom[order[w]] = order[idom[w]];
  if (has_cycles_left) {
    // The nodes of unreachable cycles hang under the root and dominate nothing.
    std::vector<uint8_t> seen(node_count, 0);
    for (uint32_t w = 0; w < n; ++w) seen[order[w]] = 1;
    for (uint32_t v = 0; v < node_count; ++v) {
      if (!seen[v]) tree.retained[root] += self_sizes[v];
    }
  }
  release(order);
  release(parent);

  if (options.build_children) build_dominated_children(tree, root);
  return tree;
}

void build_dominated_children(DominatorTree& tree, uint32_t root) {
  const auto node_count = static_cast<uint32_t>(tree.idom.size());
  tree.first_child.assign(static_cast<size_t>(node_count) + 1, 0);
  for (uint32_t v = 0; v < node_count; ++v) {
    if (v != root) ++tree.first_child[tree.idom[v] + 1];
  }
  for (uint32_t v = 0; v < node_count; ++v) tree.first_child[v + 1] += tree.first_child[v];
  tree.children.assign(node_count > 0 ? node_count - 1 : 0, 0);
  std::vector<uint32_t> fill(tree.first_child.begin(), tree.first_child.end() - 1);
  for (uint32_t v = 0; v < node_count; ++v) {
    if (v != root) tree.children[fill[tree.idom[v]]++] = v;
  }
}

}  // namespace leakscope
