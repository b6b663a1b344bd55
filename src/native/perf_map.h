// V8's `--perf-basic-prof` map (/tmp/perf-PID.map): one `start size name` line, in hex, per piece
// of code V8 made. Code addresses are reused once code dies and the file only grows, so each entry
// keeps the byte offset of its line: an address is resolved with the entries written before the
// stack that holds it was first seen (the latest such entry wins), else with the first written
// after.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leakscope::native {

struct PerfMapEntry {
  uint64_t start = 0;
  uint64_t size = 0;
  uint64_t line_offset = 0;  // byte offset of its line in the file
  std::string name;          // as V8 wrote it: "JS:~fn /app.js:12:7", "Builtin:CEntry", ...
};

class PerfMap {
 public:
  PerfMap() = default;
  // Parses the text; malformed lines are skipped (V8 writes it; a crash may cut the last line).
  explicit PerfMap(std::string_view text);
  // Reads the file; a missing file gives an empty map.
  static PerfMap load(const std::string& path);

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  // The entry holding `address`, preferring those written before byte `written_before` of the
  // file (pass UINT64_MAX when unknown); nullptr when none holds it.
  const PerfMapEntry* find(uint64_t address, uint64_t written_before) const;

 private:
  std::vector<PerfMapEntry> entries_;  // sorted by start, then line offset
  std::vector<uint64_t> max_end_;      // running maximum of start + size, for the search
};

// A V8 code name made readable: "JS:~createGunzip /srv/app.js:12:7" (or Node 18's
// "LazyCompile:*fn file:12") becomes "JS createGunzip (app.js:12:7)", paths under `cwd` relative
// to it; anonymous functions are "(anonymous)". Other kinds (Builtin:, Stub:, ...) are returned
// as they are. `is_js` tells whether it was a JS function.
std::string js_frame_name(std::string_view v8_name, std::string_view cwd, bool* is_js);

}  // namespace leakscope::native
