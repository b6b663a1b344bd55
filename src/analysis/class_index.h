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

// An inferred interface: plain objects that have at least these properties are shown as `name`.
// Comparison re-applies the current snapshot's definitions to the base snapshot, so inference and
// classification are separate steps.
struct InterfaceDefinition {
  std::string name;                     // e.g. "{name, payload}"
  std::vector<std::string> properties;  // in the order the name lists them
};

// DevTools' inference: property sets shared by at least max(2, plain objects / 1000) objects,
// most popular first.
std::vector<InterfaceDefinition> infer_interface_definitions(const HeapGraph& graph);

// Classifies every node. With definitions == nullptr the graph's own inferred definitions are
// used, as in DevTools' Summary.
ClassIndex classify_nodes(const HeapGraph& graph,
                          const std::vector<InterfaceDefinition>* definitions = nullptr);

// Natives that DevTools renames "Detached ..." after propagating the embedder's detachedness.
std::vector<bool> detached_natives(const HeapGraph& graph);

}  // namespace leakscope
