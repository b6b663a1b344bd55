#include "native/perf_map.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>

namespace leakscope::native {
namespace {

bool hex_field(std::string_view& rest, uint64_t& out) {
  const std::size_t space = rest.find(' ');
  if (space == std::string_view::npos || space == 0) return false;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + space, out, 16);
  if (ec != std::errc() || end != rest.data() + space) return false;
  rest.remove_prefix(space + 1);
  return true;
}

// "/srv/app/lib/x.js:12:7" under cwd "/srv/app" -> "lib/x.js:12:7".
std::string shorten(std::string_view location, std::string_view cwd) {
  if (cwd.size() > 1 && location.starts_with(cwd) && location.size() > cwd.size() + 1 &&
      location[cwd.size()] == '/') {
    return std::string(location.substr(cwd.size() + 1));
  }
  if (location.starts_with("file://")) return shorten(location.substr(7), cwd);
  return std::string(location);
}

}  // namespace

PerfMap::PerfMap(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) break;  // V8 is still writing it
    std::string_view rest = text.substr(pos, nl - pos);
    PerfMapEntry e;
    e.line_offset = pos;
    pos = nl + 1;
    if (!hex_field(rest, e.start) || !hex_field(rest, e.size) || e.size == 0 || rest.empty()) {
      continue;
    }
    if (e.start + e.size < e.start) continue;
    e.name = std::string(rest);
    entries_.push_back(std::move(e));
  }
  std::sort(entries_.begin(), entries_.end(), [](const PerfMapEntry& a, const PerfMapEntry& b) {
    return a.start != b.start ? a.start < b.start : a.line_offset < b.line_offset;
  });
  max_end_.reserve(entries_.size());
  uint64_t running = 0;
  for (const PerfMapEntry& e : entries_) {
    running = std::max(running, e.start + e.size);
    max_end_.push_back(running);
  }
}

PerfMap PerfMap::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return PerfMap(text.str());
}

const PerfMapEntry* PerfMap::find(uint64_t address, uint64_t written_before) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), address,
                             [](uint64_t a, const PerfMapEntry& e) { return a < e.start; });
  const PerfMapEntry* before = nullptr;  // the latest written before the limit
  const PerfMapEntry* after = nullptr;   // else the first written after it
  for (std::size_t i = static_cast<std::size_t>(it - entries_.begin()); i-- > 0;) {
    if (max_end_[i] <= address) break;  // nothing at or before i reaches the address
    const PerfMapEntry& e = entries_[i];
    if (address - e.start >= e.size) continue;
    if (e.line_offset < written_before) {
      if (!before || e.line_offset > before->line_offset) before = &e;
    } else if (!after || e.line_offset < after->line_offset) {
      after = &e;
    }
  }
  return before ? before : after;
}

std::string js_frame_name(std::string_view v8_name, std::string_view cwd, bool* is_js) {
  static constexpr std::string_view kFunctionKinds[] = {"JS:", "LazyCompile:", "Function:"};
  static constexpr std::string_view kScriptKinds[] = {"Eval:", "Script:"};
  std::string_view rest;
  bool script = false;
  for (std::string_view k : kFunctionKinds) {
    if (v8_name.starts_with(k)) rest = v8_name.substr(k.size());
  }
  for (std::string_view k : kScriptKinds) {
    if (v8_name.starts_with(k)) {
      rest = v8_name.substr(k.size());
      script = true;
    }
  }
  *is_js = !rest.empty();
  if (rest.empty()) return std::string(v8_name);
  // The tier: ~ interpreted, ^ Sparkplug, + Maglev, * TurboFan, and Node 24's ' after it for code
  // specialised to its context ("+'f"). One function, one name.
  while (!rest.empty() && std::string_view("~^+*'").find(rest.front()) != std::string_view::npos) {
    rest.remove_prefix(1);
  }
  const std::size_t space = rest.rfind(' ');
  std::string_view name = space == std::string_view::npos ? rest : rest.substr(0, space);
  const std::string_view location =
      space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  std::string out = "JS ";
  out += script ? std::string_view("(script)") : name.empty() ? "(anonymous)" : name;
  if (!location.empty()) out += " (" + shorten(location, cwd) + ")";
  return out;
}

}  // namespace leakscope::native
