#include "analysis/dominators.h"

#include <stdexcept>
#include <utility>

#include "heap/indices.h"

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
  Dfs(const HeapGraph& graph, const BitVector& essential, BigVector<uint32_t>& pre,
      BigVector<uint32_t>& order, BigVector<uint32_t>& parent, BigVector<uint32_t>& semi,
      BigVector<uint32_t>& pred_count)
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
      NodeOrdinal next = kNoNode;
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
      if (next == kNoNode) {
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
  BigVector<uint32_t>& pre_;
  BigVector<uint32_t>& order_;
  BigVector<uint32_t>& parent_;
  BigVector<uint32_t>& semi_;
  BigVector<uint32_t>& pred_count_;
  std::vector<Frame> stack_;
};

template <typename T>
void release(BigVector<T>& v) {
  BigVector<T>().swap(v);
}

// DFS numbers over essential edges, from the root and then from each orphan. Returns how many
// nodes the root does not reach.
uint32_t number_depth_first(const HeapGraph& graph, const BitVector& essential,
                            BigVector<uint32_t>& pre, BigVector<uint32_t>& order,
                            BigVector<uint32_t>& parent, BigVector<uint32_t>& semi,
                            BigVector<uint32_t>& pred_count) {
  const uint32_t node_count = graph.node_count();
  Dfs dfs(graph, essential, pre, order, parent, semi, pred_count);
  dfs.run(graph.root, 0);
  const uint32_t unreachable = node_count - static_cast<uint32_t>(order.size());
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
  return unreachable;
}

// Predecessor lists in DFS-number space. A predecessor v of w with v < w is not yet processed
// when w is, so it contributes just its own number: the DFS folded those into semi[w] (which
// started as parent[w]) and counted the others; only the predecessors v > w are stored.
//
// The lists are laid out in decreasing w, the order the semidominator loop reads them, so the
// loop streams through them and needs no offsets: each w's count sits in label[w] until w is
// processed (label is only read for processed nodes). That keeps the peak at five per-node
// arrays plus the lists. `pred_start` holds the counts on entry and the fill cursors after.
BigVector<uint32_t> store_predecessors(const HeapGraph& graph, const BitVector& essential,
                                       const BigVector<uint32_t>& pre, uint32_t n,
                                       BigVector<uint32_t>& pred_start) {
  pred_start.resize(static_cast<size_t>(n) + 1);
  uint64_t total = 0;
  for (uint32_t w = n; w-- > 0;) {
    const uint32_t count = pred_start[w + 1];
    pred_start[w + 1] = static_cast<uint32_t>(total);  // becomes w's fill cursor
    total += count;
    if (total > UINT32_MAX) throw std::length_error("dominators: more than 4G predecessor entries");
  }
  BigVector<uint32_t> preds(total);
  // In ordinal order, so the edges are read sequentially; the order of a node's predecessors
  // does not matter to the semidominator loop.
  const uint32_t node_count = graph.node_count();
  for (uint32_t u = 0; u < node_count; ++u) {
    if (pre[u] == kUnvisited) continue;
    const uint32_t i = pre[u] - 1;
    for (uint64_t e = graph.edges_begin(u); e < graph.edges_end(u); ++e) {
      if (!essential.get(e)) continue;
      const uint32_t target_pre = pre[graph.edge_to[e]];
      if (target_pre == kUnvisited) continue;
      const uint32_t w = target_pre - 1;
      if (w < i) preds[pred_start[w + 1]++] = i;
    }
  }
  return preds;
}

// `pre` is not needed once the lists are stored (results go back through `order`); its buffer
// becomes the label array, first holding each w's count of stored predecessors.
BigVector<uint32_t> counts_as_labels(BigVector<uint32_t> pre, const BigVector<uint32_t>& pred_start,
                                     uint32_t n) {
  BigVector<uint32_t> label = std::move(pre);
  label.resize(n);
  for (uint32_t w = 0; w < n; ++w) {
    const uint32_t block_end = pred_start[w + 1];
    const uint32_t block_begin = w + 1 < n ? pred_start[w + 2] : 0;
    label[w] = block_end - block_begin;
  }
  return label;
}

// Semidominators, in decreasing DFS order. Processed nodes (> w) form a forest linked along
// DFS parents; eval(v) is the smallest semidominator on the path from v up to (excluding) the
// first unprocessed ancestor, with path compression.
void semidominators(const BigVector<uint32_t>& preds, BigVector<uint32_t>& label,
                    BigVector<uint32_t>& ancestor, BigVector<uint32_t>& semi, uint32_t n) {
  BigVector<uint32_t> path;
  uint64_t next_pred = 0;
  for (uint32_t w = n; w-- > 1;) {
    uint32_t s = semi[w];
    const uint32_t count = label[w];
    for (uint32_t k = 0; k < count; ++k) {
      const uint32_t v = preds[next_pred++];
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
}

// Retained sizes: children have larger DFS numbers than their dominators. Then the tree in
// ordinal space.
void retained_sizes_and_idom(const BigVector<uint32_t>& order, const BigVector<uint32_t>& idom,
                             const BigVector<uint64_t>& self_sizes, uint32_t root,
                             DominatorTree& tree) {
  const uint32_t node_count = static_cast<uint32_t>(self_sizes.size());
  const uint32_t n = static_cast<uint32_t>(order.size());
  tree.retained = self_sizes;
  for (uint32_t w = n; w-- > 1;) {
    tree.retained[order[idom[w]]] += tree.retained[order[w]];
  }
  tree.idom.assign(node_count, root);
  for (uint32_t w = 1; w < n; ++w) tree.idom[order[w]] = order[idom[w]];
  if (n < node_count) {
    // The nodes of unreachable cycles hang under the root and dominate nothing.
    BigVector<uint8_t> seen(node_count, 0);
    for (uint32_t w = 0; w < n; ++w) seen[order[w]] = 1;
    for (uint32_t v = 0; v < node_count; ++v) {
      if (!seen[v]) tree.retained[root] += self_sizes[v];
    }
  }
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

  BigVector<uint32_t> pre(node_count, kUnvisited);
  BigVector<uint32_t> order;
  BigVector<uint32_t> parent;
  BigVector<uint32_t> semi;
  // Predecessors v > w of each w, counted by the DFS, then turned into fill cursors.
  BigVector<uint32_t> pred_start(static_cast<size_t>(node_count) + 1, 0);
  order.reserve(node_count);
  parent.reserve(node_count);
  semi.reserve(node_count);
  tree.unreachable = number_depth_first(graph, essential, pre, order, parent, semi, pred_start);
  const uint32_t n = static_cast<uint32_t>(order.size());

  BigVector<uint32_t> preds = store_predecessors(graph, essential, pre, n, pred_start);
  tree.stored_predecessors = preds.size();
  BigVector<uint32_t> label = counts_as_labels(std::move(pre), pred_start, n);
  release(pred_start);
  BigVector<uint32_t> ancestor(parent);
  semidominators(preds, label, ancestor, semi, n);
  release(preds);
  release(label);
  release(ancestor);

  // Immediate dominators: idom(w) is the nearest common ancestor of parent(w) and sdom(w).
  BigVector<uint32_t>& idom = parent;
  for (uint32_t w = 1; w < n; ++w) {
    uint32_t x = idom[w];
    while (x > semi[w]) x = idom[x];
    idom[w] = x;
  }
  release(semi);

  retained_sizes_and_idom(order, idom, self_sizes, root, tree);
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
  // first_child[d] is d's fill cursor and ends at d + 1's start; shift back afterwards.
  for (uint32_t v = 0; v < node_count; ++v) {
    if (v != root) tree.children[tree.first_child[tree.idom[v]]++] = v;
  }
  for (uint32_t v = node_count; v > 0; --v) tree.first_child[v] = tree.first_child[v - 1];
  tree.first_child[0] = 0;
}

}  // namespace leakscope
