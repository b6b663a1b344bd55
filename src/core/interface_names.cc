#include "core/interface_names.h"

#include <algorithm>
#include <unordered_map>

#include "analysis/devtools_text.h"

namespace leakscope::core {

namespace {

constexpr size_t kMaxInterfaceLength = 120;  // UTF-16 units, as DevTools counts them
constexpr double kMinObjectsPerInterface = 2;
constexpr double kObjectsPerInterfaceProportion = 1000;

struct Interface {
  std::string name;
  std::vector<uint32_t> properties;  // name ids, sorted
  uint64_t count = 0;
};

// The interface DevTools proposes for one property list: its names in order until the name would
// pass 120 units; none when the list has no property but __proto__.
Interface propose(const std::vector<uint32_t>& ids, const std::vector<std::string>& texts) {
  Interface out;
  std::string name = "{";
  size_t length = 1;
  for (uint32_t id : ids) {
    if (texts[id] == "__proto__") continue;
    const std::string formatted = devtools_property_name(texts[id]);
    const size_t formatted_length = utf16_length(formatted);
    if (length > 1 && length + formatted_length > kMaxInterfaceLength) break;
    if (length != 1) {
      name += ", ";
      length += 2;
    }
    name += formatted;
    length += formatted_length;
    out.properties.push_back(id);
  }
  if (out.properties.empty()) return out;
  out.name = name + "}";
  std::sort(out.properties.begin(), out.properties.end());
  return out;
}

}  // namespace

std::vector<std::string> name_plain_objects(const std::vector<PlainObjectGroup>& groups) {
  // Property names by text, as DevTools compares them.
  std::unordered_map<std::string, uint32_t> id_of;
  std::vector<std::string> texts;
  std::vector<std::vector<uint32_t>> ids(groups.size());
  uint64_t total = 0;
  for (size_t g = 0; g < groups.size(); ++g) {
    total += groups[g].count;
    for (const std::string& p : groups[g].properties) {
      auto [it, inserted] = id_of.try_emplace(p, static_cast<uint32_t>(texts.size()));
      if (inserted) texts.push_back(p);
      ids[g].push_back(it->second);
    }
  }
  std::vector<Interface> interfaces;
  std::unordered_map<std::string, size_t> by_name;
  for (size_t g = 0; g < groups.size(); ++g) {
    Interface proposed = propose(ids[g], texts);
    if (proposed.properties.empty()) continue;
    auto [it, inserted] = by_name.try_emplace(proposed.name, interfaces.size());
    if (inserted) interfaces.push_back(std::move(proposed));
    interfaces[it->second].count += groups[g].count;
  }
  std::stable_sort(interfaces.begin(), interfaces.end(),
                   [](const Interface& a, const Interface& b) { return a.count > b.count; });
  const double min_count = std::max(kMinObjectsPerInterface,
                                    static_cast<double>(total) / kObjectsPerInterfaceProportion);
  size_t kept = 0;
  while (kept < interfaces.size() && static_cast<double>(interfaces[kept].count) >= min_count)
    ++kept;
  interfaces.resize(kept);

  std::vector<std::string> names(groups.size(), "Object");
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<uint32_t> has = ids[g];
    std::sort(has.begin(), has.end());
    size_t best_size = 0;
    for (const Interface& i : interfaces) {
      if (i.properties.size() <= best_size || i.properties.size() > has.size()) continue;
      if (std::includes(has.begin(), has.end(), i.properties.begin(), i.properties.end())) {
        names[g] = i.name;
        best_size = i.properties.size();
      }
    }
  }
  return names;
}

}  // namespace leakscope::core
