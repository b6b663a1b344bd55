#include "analysis/source_position.h"

namespace leakscope {

std::optional<SourcePosition> source_position(const HeapGraph& g, const ClassIndex& classes,
                                              uint32_t node) {
  std::optional<Location> loc = classes.classes[classes.node_class[node]].location;
  if (!loc) {
    for (const Location& l : g.locations) {
      if (l.node == node) {
        loc = l;
        break;
      }
    }
  }
  if (!loc) return std::nullopt;
  SourcePosition pos;
  pos.script_id = loc->script_id;
  pos.line = loc->line + 1;
  pos.column = loc->column + 1;
  // Script names are not in the locations table: a function of that script leads to its
  // SharedFunctionInfo and from there to the Script, whose node name is the file name.
  for (const Location& l : g.locations) {
    if (l.script_id != loc->script_id || g.type(l.node) != kClosure) continue;
    for (uint64_t e = g.edges_begin(l.node); e < g.edges_end(l.node); ++e) {
      if (g.edge_kind(e) != kInternal || g.strings.get(g.edge_name[e]) != "shared") continue;
      const uint32_t shared = g.edge_to[e];
      for (uint64_t f = g.edges_begin(shared); f < g.edges_end(shared); ++f) {
        const std::string_view name = g.strings.get(g.edge_name[f]);
        if (g.edge_kind(f) == kInternal && (name == "script_or_debug_info" || name == "script")) {
          pos.script = std::string(g.name(g.edge_to[f]));
          if (!pos.script.empty()) return pos;
        }
      }
    }
  }
  return pos;
}

std::string source_position_text(const SourcePosition& p) {
  const std::string script = p.script.empty() ? "script " + std::to_string(p.script_id) : p.script;
  return script + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

}  // namespace leakscope
