// Which class each node belongs to, as DevTools' Summary groups them: the class name rules per
// node type, plain objects renamed by inferred property sets ("{name, payload}"), and the class
// key that also carries the allocation location of objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "heap/heap_graph.h"

namespace leakscope {

struct ClassInfo {
  std::string name;  // what DevTools shows, e.g. "UserSession", "{name, payload}", "(string)"
  std::string key;   // DevTools' class key: "scriptId,line,col,Name" or ",Name"
  std::optional<Location> location;  // for object classes with a known source position
};

struct ClassIndex {
  std::vector<uint32_t> node_class;  // class ordinal per node
  std::vector<ClassInfo> classes;    // by class ordinal
};

// Interface definitions (the "{a, b}" names) inferred from a snapshot. Comparison re-applies the
// current snapshot's definitions to the base snapshot, so they are a separate step.
struct InterfaceDefinitions {
  std::vector<std::vector<uint32_t>> property_sets;  // sorted string indices... in the source graph
  std::vector<std::string> names;
};

ClassIndex classify_nodes(const HeapGraph& graph);

}  // namespace leakscope
