#include "analysis/memwatch_classes.h"

#include <array>
#include <string>
#include <unordered_map>

#include "heap/indices.h"

namespace leakscope {
namespace {

const char* type_class(NodeType type) {
  switch (type) {
    case kArray:
      return "Array";
    case kString:
    case kConsString:
    case kSlicedString:
      return "String";
    case kCode:
      return "Code";
    case kClosure:
      return "Closure";
    case kRegExp:
      return "RegExp";
    case kNumber:
      return "Number";
    case kNative:
      return "Native";
    default:
      return kMemwatchUncounted;
  }
}

}  // namespace

ClassIndex classify_nodes_as_memwatch(const HeapGraph& graph) {
  ClassIndex index;
  const uint32_t n = graph.node_count();
  index.node_class.resize(n);
  std::unordered_map<std::string, uint32_t> ordinal;
  auto class_of = [&](std::string name) {
    auto [it, added] = ordinal.try_emplace(name, static_cast<uint32_t>(index.classes.size()));
    if (added) index.classes.push_back({name, name, std::nullopt});
    return it->second;
  };
  // Object names repeat: one lookup per distinct name string, not per node.
  std::vector<ClassOrdinal> by_string(graph.strings.size(), kNoClass);
  std::array<ClassOrdinal, 256> by_type;
  by_type.fill(kNoClass);
  for (uint32_t i = 0; i < n; ++i) {
    const NodeType type = graph.type(i);
    if (type == kObject) {
      ClassOrdinal& cached = by_string[graph.node_name[i]];
      if (cached == kNoClass) cached = class_of(std::string(graph.name(i)));
      index.node_class[i] = cached;
    } else {
      ClassOrdinal& cached = by_type[graph.node_type[i]];
      if (cached == kNoClass) cached = class_of(type_class(type));
      index.node_class[i] = cached;
    }
  }
  return index;
}

}  // namespace leakscope
