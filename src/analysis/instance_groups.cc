#include "analysis/instance_groups.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>

namespace leakscope {

namespace {

constexpr uint32_t kNoMember = UINT32_MAX;

// For each member, whether a member of its own group dominates it (then its retained size is
// inside that member's already). A member of another group in between does not count: the
// promises that a never-settling promise keeps are their own group's memory, not that promise's.
// Nearest member ancestors are found by walks up the dominator tree that stop at the first node
// already known, so the cost is one pass over the nodes however long the dominator chains are.
std::vector<bool> nested_in_own_group(const DominatorTree& tree, uint32_t root,
                                      const std::vector<uint32_t>& members,
                                      const std::vector<uint32_t>& group_of_member,
                                      size_t node_count) {
  constexpr uint32_t kUnknown = UINT32_MAX - 1;
  std::vector<uint32_t> member_index(node_count, kNoMember);
  for (size_t i = 0; i < members.size(); ++i) member_index[members[i]] = static_cast<uint32_t>(i);
  // nearest[u]: the member index of u's closest strict dominator that is a member.
  std::vector<uint32_t> nearest(node_count, kUnknown);
  nearest[root] = kNoMember;
  std::vector<uint32_t> walked;
  auto nearest_of = [&](uint32_t v) {
    walked.clear();
    uint32_t u = v;
    uint32_t found = kNoMember;
    while (nearest[u] == kUnknown) {
      walked.push_back(u);
      const uint32_t up = tree.idom[u];
      if (up == u) break;
      if (member_index[up] != kNoMember) {
        found = member_index[up];
        break;
      }
      u = up;
    }
    if (nearest[u] != kUnknown) found = nearest[u];
    // Every node walked has the same nearest member ancestor: no member lies between them.
    for (const uint32_t w : walked) nearest[w] = found;
    return nearest[v];
  };
  std::vector<bool> out(members.size(), false);
  for (size_t i = 0; i < members.size(); ++i) {
    for (uint32_t a = nearest_of(members[i]); a != kNoMember; a = nearest_of(members[a])) {
      if (group_of_member[a] == group_of_member[i]) {
        out[i] = true;
        break;
      }
    }
  }
  return out;
}

}  // namespace

std::vector<InstanceGroup> group_instances(const HeapGraph& g, const Distances& d,
                                           const DominatorTree& tree,
                                           const std::vector<uint32_t>& instances,
                                           const std::function<uint64_t(uint32_t)>& key_of) {
  std::vector<uint32_t> reachable;
  for (const uint32_t v : instances) {
    if (d.distance[v] != kNoDistance && (d.parent_edge[v] != kNoEdge || v == g.root)) {
      reachable.push_back(v);
    }
  }
  auto closer = [&](uint32_t a, uint32_t b) {
    return std::make_tuple(!is_user_distance(d.distance[a]), d.distance[a], g.node_id[a]) <
           std::make_tuple(!is_user_distance(d.distance[b]), d.distance[b], g.node_id[b]);
  };
  std::unordered_map<uint64_t, uint32_t> group_of;
  std::vector<uint32_t> group_of_member(reachable.size());
  std::vector<InstanceGroup> groups;
  for (size_t i = 0; i < reachable.size(); ++i) {
    const uint32_t v = reachable[i];
    const uint64_t key = key_of(v);
    auto [it, inserted] = group_of.try_emplace(key, static_cast<uint32_t>(groups.size()));
    if (inserted) {
      InstanceGroup fresh;
      fresh.key = key;
      fresh.representative = v;
      groups.push_back(fresh);
    }
    group_of_member[i] = it->second;
    InstanceGroup& group = groups[it->second];
    ++group.count;
    if (closer(v, group.representative)) group.representative = v;
  }
  const std::vector<bool> nested =
      nested_in_own_group(tree, g.root, reachable, group_of_member, g.node_count());
  for (size_t i = 0; i < reachable.size(); ++i) {
    if (!nested[i]) groups[group_of_member[i]].retained += tree.retained[reachable[i]];
  }
  std::sort(groups.begin(), groups.end(), [](const InstanceGroup& a, const InstanceGroup& b) {
    return std::tie(b.count, b.retained, a.key) < std::tie(a.count, a.retained, b.key);
  });
  return groups;
}

}  // namespace leakscope
