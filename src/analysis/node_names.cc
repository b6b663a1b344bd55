#include "analysis/node_names.h"

#include <string_view>
#include <vector>

#include "analysis/devtools_text.h"

namespace leakscope {

namespace {

std::string cons_string_text(const HeapGraph& graph, uint32_t node) {
  constexpr size_t kMaxLength = 1024;
  std::string text;
  size_t length = 0;
  std::vector<uint32_t> stack{node};
  while (!stack.empty() && length < kMaxLength) {
    const uint32_t n = stack.back();
    stack.pop_back();
    if (graph.type(n) != kConsString) {
      const std::string_view part = graph.name(n);
      text += part;
      length += utf16_length(part);
      continue;
    }
    uint32_t first = graph.root;
    uint32_t second = graph.root;
    bool has_first = false;
    bool has_second = false;
    for (uint64_t e = graph.edges_begin(n); e < graph.edges_end(n) && !(has_first && has_second);
         ++e) {
      if (graph.edge_kind(e) != kInternal) continue;
      const std::string_view name = graph.strings.get(graph.edge_name[e]);
      if (name == "first") {
        first = graph.edge_to[e];
        has_first = true;
      } else if (name == "second") {
        second = graph.edge_to[e];
        has_second = true;
      }
    }
    stack.push_back(second);
    stack.push_back(first);
  }
  return text;
}

std::string plain_object_name(const HeapGraph& graph, uint32_t node) {
  constexpr size_t kMaxLength = 100;
  std::string start = "{";
  std::string end = "}";
  size_t start_length = 1;
  size_t end_length = 1;
  const uint64_t first = graph.edges_begin(node);
  const uint64_t last = graph.edges_end(node);
  if (first == last) return "{}";
  int64_t from_start = static_cast<int64_t>(first);
  int64_t from_end = static_cast<int64_t>(last) - 1;
  bool next_from_end = false;
  while (from_start <= from_end) {
    const auto e = static_cast<uint64_t>(next_from_end ? from_end : from_start);
    if (graph.edge_kind(e) != kProperty || graph.strings.get(graph.edge_name[e]) == "__proto__") {
      if (next_from_end) {
        --from_end;
      } else {
        ++from_start;
      }
      continue;
    }
    const std::string formatted = devtools_property_name(graph.strings.get(graph.edge_name[e]));
    const size_t formatted_length = utf16_length(formatted);
    if (start_length > 1 && start_length + end_length + formatted_length > kMaxLength) break;
    if (next_from_end) {
      --from_end;
      if (end_length > 1) {
        end = ", " + end;
        end_length += 2;
      }
      end = formatted + end;
      end_length += formatted_length;
    } else {
      ++from_start;
      if (start_length > 1) {
        start += ", ";
        start_length += 2;
      }
      start += formatted;
      start_length += formatted_length;
    }
    next_from_end = !next_from_end;
  }
  if (from_start <= from_end) start += ", …";
  if (end_length > 1) start += ", ";
  return start + end;
}

}  // namespace

std::string display_name(const HeapGraph& graph, uint32_t node) {
  const NodeType type = graph.type(node);
  if (type == kConsString) return cons_string_text(graph, node);
  if (type == kObject && graph.name(node) == "Object") return plain_object_name(graph, node);
  return std::string(graph.name(node));
}

std::string basic_class_name(const HeapGraph& graph, uint32_t node) {
  switch (graph.type(node)) {
    case kHidden:
      return "(system)";
    case kCode:
      return "(compiled code)";
    case kClosure:
      return "Function";
    case kRegExp:
      return "RegExp";
    case kObject:
    case kNative: {
      const std::string_view name = graph.name(node);
      if (name.starts_with("<")) return std::string(name.substr(0, name.find(' ')));
      return std::string(name);
    }
    default:
      return "(" + std::string(graph.type_name(node)) + ")";
  }
}

namespace {
// Cuts to at most `max_length` code points, ending in "…" when cut.
std::string shorten(std::string text, size_t max_length) {
  size_t points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (points == max_length) {
      text.resize(i);
      text += "…";
      break;
    }
    ++points;
  }
  return text;
}
}  // namespace

std::string node_label(const HeapGraph& graph, uint32_t node, size_t max_length) {
  if (node == graph.root) return "(root)";
  switch (graph.type(node)) {
    case kString:
    case kConsString:
    case kSlicedString:
      return "\"" + shorten(display_name(graph, node), max_length) + "\"";
    case kClosure: {
      const std::string_view name = graph.name(node);
      return shorten(std::string(name.empty() ? "(anonymous)" : name), max_length) + "()";
    }
    case kObject:
    case kNative:
    case kSynthetic:
    case kHidden:
    case kArray:
    case kCode:
    case kObjectShape: {
      std::string name = display_name(graph, node);
      if (name.empty()) return basic_class_name(graph, node);
      return shorten(std::move(name), max_length);
    }
    default:
      return basic_class_name(graph, node);
  }
}

namespace {
// Whether `.name` reads back as the name: no space, quote, backslash or control byte in it.
bool reads_as_dotted(std::string_view name) {
  for (const unsigned char c : name) {
    if (c <= ' ' || c == '"' || c == '\\' || c == 0x7f) return false;
  }
  return true;
}
}  // namespace

std::string edge_display(const HeapGraph& graph, uint64_t edge) {
  const std::string name = graph.edge_name_text(edge);
  switch (graph.edge_kind(edge)) {
    case kContext:
      return "->" + name;
    case kElement:
      return "[" + name + "]";
    case kWeak:
      return "[[" + name + "]]";
    case kProperty:
    case kShortcut:
      // A name that would not read back from `.name` is quoted as JS would write it, so a quote
      // or a control byte inside it cannot end or fake the brackets.
      return reads_as_dotted(name) ? "." + name : "[" + json_stringify(name) + "]";
    default:
      return "{" + name + "}";
  }
}

}  // namespace leakscope
