// DevTools' names for plain objects, from their property names alone: a heap snapshot names every
// object whose constructor is Object "Object", and DevTools renames it "{a, b}" only when that
// property set (or a subset of the object's) is common enough in the heap. The census reads each
// plain object's own properties as the snapshot's property edges would list them and asks this
// for the names, so its rows are DevTools' rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leakscope::core {

struct PlainObjectGroup {
  std::vector<std::string> properties;  // property-edge names, in edge order
  uint64_t count = 0;
};

// One name per group: the interface DevTools would infer for it ("{a, b}"), or "Object" when none
// fits. Interfaces need max(2, all plain objects / 1000) objects; an object takes the one with the
// most properties that it has all of, ties to the more common one.
std::vector<std::string> name_plain_objects(const std::vector<PlainObjectGroup>& groups);

}  // namespace leakscope::core
