// Where a class or function comes from: script:line:col. The snapshot's locations table gives the
// script id and position; the script's name is found through a function of that script (its
// SharedFunctionInfo points to the Script node, whose name is the file name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "analysis/class_index.h"
#include "heap/heap_graph.h"

namespace leakscope {

struct SourcePosition {
  std::string script;  // script name (file path), empty when the snapshot does not say
  uint32_t script_id = 0;
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based
};

// The allocation site of an object's class (its constructor) or a closure's function; nullopt
// when the snapshot has no location for it.
std::optional<SourcePosition> source_position(const HeapGraph& graph, const ClassIndex& classes,
                                              uint32_t node);

// "file.js:12:5" (or "script 42:12:5" without a name).
std::string source_position_text(const SourcePosition& position);

}  // namespace leakscope
