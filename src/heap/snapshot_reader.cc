// The .heapsnapshot reader: a pull parser over chunks, specialised for the format's shape.
//
// The top level is parsed token by token; the big integer arrays (nodes, edges) go through the
// decode loop in number_decoder.h, split across threads when a chunk is large; the strings array
// is unescaped straight into the string pool. Everything that can be wrong in a file is checked,
// and reported with the byte offset where it was found.
#include "heap/snapshot_reader.h"

#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <type_traits>

#include "heap/byte_source.h"
#include "heap/number_decoder.h"

namespace leakscope {

SnapshotError::SnapshotError(std::string source, uint64_t offset, const std::string& message)
    : std::runtime_error(offset == kNoOffset
                             ? fmt::format("{}: {}", source, message)
                             : fmt::format("{}: byte {}: {}", source, offset, message)),
      source_(std::move(source)),
      offset_(offset),
      message_(message) {}

namespace {

using json = nlohmann::json;

// A chunk is split across threads only when each half is worth a thread hand-off.
constexpr size_t kParallelThreshold = 1u << 20;
// The header is a few kilobytes; anything this large is not a snapshot header.
constexpr size_t kMaxHeaderBytes = 16u << 20;
constexpr uint64_t kProgressStep = 64u << 20;

// kSkip: a field the analyses do not use (the older layout's retained_size and dominator, or one
// a future V8 adds). DevTools reads fields by name and ignores the rest; so does this reader.
enum class NodeField : uint8_t {
  kType,
  kName,
  kId,
  kSelfSize,
  kEdgeCount,
  kTraceNodeId,
  kDetach,
  kSkip
};
enum class EdgeField : uint8_t { kType, kName, kToNode, kSkip };

// Thrown by an array sink for a value that is wrong in context; the parser turns the value's
// position into a byte offset (only on this error path, so the hot loop keeps no positions).
struct BadValue {
  ptrdiff_t index;
  std::string message;
};

// Layout facts taken from snapshot.meta.
struct Layout {
  std::vector<NodeField> node_fields;
  std::vector<EdgeField> edge_fields;
  std::vector<uint8_t> node_type_map;  // file type index -> NodeType value
  std::vector<uint8_t> edge_type_map;  // file type index -> EdgeType value
  size_t trace_function_fields = 0;
  std::vector<int> trace_function_slot;  // per file field: slot in TraceFunctionInfo or -1
  std::vector<int> trace_node_slot;      // per file field: 0 id, 1 fi, 2 count, 3 size, 4 children
  std::vector<int> sample_slot;          // per file field: 0 timestamp, 1 last id, -1 other
  std::vector<int> location_slot;        // per file field: 0 object, 1 script, 2 line, 3 column
};

class Parser {
 public:
  Parser(ByteSource& source, std::string name, const LoadOptions& options)
      : source_(source), name_(std::move(name)), options_(options) {
    total_ = source_.total_size();
    threads_ =
        options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  }

  HeapGraph parse() {
    skip_ws();
    expect('{', "a snapshot must start with '{'");
    bool first = true;
    for (;;) {
      skip_ws();
      if (peek() == '}') {
        if (first) fail("empty JSON object: not a heap snapshot");
        get();
        break;
      }
      if (!first) {
        expect(',', "expected ',' or '}' between top-level sections");
        skip_ws();
      }
      first = false;
      expect('"', "expected a section name");
      std::string key;
      read_string_body(key, 256);
      skip_ws();
      expect(':', "expected ':' after a section name");
      skip_ws();
      parse_section(key);
    }
    skip_ws();
    if (peek() != kEof) fail("unexpected data after the end of the snapshot");
    return finish();
  }

 private:
  static constexpr int kEof = -1;

  // ---- byte access -------------------------------------------------------------------------

  bool refill() {
    base_ += chunk_.size();
    chunk_ = source_.next();
    pos_ = 0;
    if (options_.progress && base_ >= next_progress_) {
      options_.progress(base_, total_);
      next_progress_ = base_ + kProgressStep;
    }
    return !chunk_.empty();
  }
  int peek() {
    if (pos_ == chunk_.size() && !refill()) return kEof;
    return static_cast<unsigned char>(chunk_[pos_]);
  }
  int get() {
    int c = peek();
    if (c != kEof) ++pos_;
    return c;
  }
  uint64_t offset() const { return base_ + pos_; }

  [[noreturn]] void fail(const std::string& message) { fail_at(offset(), message); }
  [[noreturn]] void fail_at(uint64_t at, const std::string& message) {
    throw SnapshotError(name_, at, message);
  }
  [[noreturn]] void fail_truncated(const char* where) {
    fail(fmt::format("unexpected end of file inside {} (truncated snapshot?)", where));
  }

  void skip_ws() {
    for (;;) {
      int c = peek();
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        ++pos_;
      } else {
        return;
      }
    }
  }
  void expect(char want, const char* message) {
    int c = peek();
    if (c != want) {
      if (c == kEof) fail_truncated("the top-level object");
      fail(fmt::format("{} (found {})", message, describe_char(c)));
    }
    ++pos_;
  }
  static std::string describe_char(int c) {
    if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", static_cast<char>(c));
    return fmt::format("byte 0x{:02x}", c);
  }

  // ---- sections ----------------------------------------------------------------------------

  void parse_section(const std::string& key) {
    if (key == "snapshot") return parse_header();
    if (key == "strings") return parse_strings();
    if (key == "trace_tree") {
      need_header(key);
      return parse_trace_tree();
    }
    if (key == "nodes" || key == "edges" || key == "locations" || key == "samples" ||
        key == "trace_function_infos") {
      need_header(key);
      if (key == "nodes") return parse_nodes();
      if (key == "edges") return parse_edges();
      if (key == "locations") return parse_locations();
      if (key == "samples") return parse_samples();
      return parse_trace_function_infos();
    }
    skip_value();  // a section a future V8 adds; nothing here depends on it
  }

  void need_header(const std::string& key) {
    if (!have_header_) fail(fmt::format("section \"{}\" comes before the snapshot header", key));
  }

  // Reads a JSON string after its opening quote, unescaping into out. Lone surrogates become
  // WTF-8 so that every JS string survives.
  template <typename Out>
  void read_string_body(Out& out, size_t limit = std::numeric_limits<size_t>::max()) {
    uint32_t pending_high = 0;
    for (;;) {
      if (pos_ == chunk_.size() && !refill()) fail_truncated("a string");
      const char* begin = chunk_.data() + pos_;
      const char* end = chunk_.data() + chunk_.size();
      const char* p = begin;
      while (p < end && *p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) ++p;
      if (p != begin) {
        if (pending_high) append_utf8(out, std::exchange(pending_high, 0));
        out.insert(out.end(), begin, p);
        pos_ += static_cast<size_t>(p - begin);
        if (out.size() > limit) fail("string is too long here");
        if (p == end) continue;
      }
      const char c = *p;
      if (c == '"') {
        ++pos_;
        if (pending_high) append_utf8(out, pending_high);
        return;
      }
      if (c != '\\') fail(fmt::format("control character {} inside a string", describe_char(c)));
      const uint64_t escape_at = offset();
      ++pos_;
      int e = get();
      if (e == kEof) fail_truncated("a string escape");
      if (e == 'u') {
        uint32_t unit = read_hex4(escape_at);
        if (pending_high && unit >= 0xDC00 && unit <= 0xDFFF) {
          append_utf8(out, 0x10000 + ((pending_high - 0xD800) << 10) + (unit - 0xDC00));
          pending_high = 0;
          continue;
        }
        if (pending_high) append_utf8(out, std::exchange(pending_high, 0));
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          pending_high = unit;
        } else {
          append_utf8(out, unit);
        }
        continue;
      }
      if (pending_high) append_utf8(out, std::exchange(pending_high, 0));
      switch (e) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        default:
          fail_at(escape_at, fmt::format("invalid escape \\{} in a string", static_cast<char>(e)));
      }
    }
  }

  uint32_t read_hex4(uint64_t escape_at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = get();
      if (h == kEof) fail_truncated("a \\u escape");
      uint32_t d;
      if (h >= '0' && h <= '9') {
        d = static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        d = static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        d = static_cast<uint32_t>(h - 'A' + 10);
      } else {
        fail_at(escape_at, "invalid \\u escape: expected four hex digits");
      }
      v = v * 16 + d;
    }
    return v;
  }

  template <typename Out>
  static void append_utf8(Out& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Skips any JSON value, without recursion.
  void skip_value() {
    int depth = 0;
    for (;;) {
      int c = get();
      if (c == kEof) fail_truncated("a value");
      if (c == '"') {
        skip_string_body();
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if (c == ']' || c == '}') {
        if (--depth < 0) fail("unbalanced brackets");
      }
      if (depth == 0) {
        // A scalar ends at the next structural character.
        if (c != ']' && c != '}' && c != '"') {
          for (int n = peek(); n != kEof && n != ',' && n != '}' && n != ']'; n = peek()) ++pos_;
        }
        return;
      }
    }
  }
  void skip_string_body() {
    for (;;) {
      int c = get();
      if (c == kEof) fail_truncated("a string");
      if (c == '\\') {
        if (get() == kEof) fail_truncated("a string escape");
      } else if (c == '"') {
        return;
      }
    }
  }

  // ---- the header ----------------------------------------------------------------------------

  void parse_header() {
    if (have_header_) fail("a second \"snapshot\" header");
    const uint64_t start = offset();
    if (peek() != '{') fail("\"snapshot\" must be an object");
    std::string text;
    int depth = 0;
    bool in_string = false;
    for (;;) {
      int c = get();
      if (c == kEof) fail_truncated("the snapshot header");
      text.push_back(static_cast<char>(c));
      if (text.size() > kMaxHeaderBytes) fail_at(start, "snapshot header is implausibly large");
      if (in_string) {
        if (c == '\\') {
          int n = get();
          if (n == kEof) fail_truncated("the snapshot header");
          text.push_back(static_cast<char>(n));
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) break;
      }
    }
    json header = json::parse(text, nullptr, false);
    if (header.is_discarded()) fail_at(start, "snapshot header is not valid JSON");
    read_header(header, start);
    have_header_ = true;
  }

  static std::vector<std::string> string_list(const json& meta, const char* key, bool required,
                                              const std::function<void(std::string)>& error) {
    std::vector<std::string> out;
    auto it = meta.find(key);
    if (it == meta.end()) {
      if (required) error(fmt::format("snapshot.meta.{} is missing", key));
      return out;
    }
    if (!it->is_array()) error(fmt::format("snapshot.meta.{} is not an array", key));
    for (const auto& v : *it) {
      if (!v.is_string()) error(fmt::format("snapshot.meta.{} holds a non-string", key));
      out.push_back(v.get<std::string>());
    }
    return out;
  }

  static uint64_t header_number(const json& snapshot, const char* key, bool required,
                                const std::function<void(std::string)>& error) {
    auto it = snapshot.find(key);
    if (it == snapshot.end()) {
      if (required) error(fmt::format("snapshot.{} is missing", key));
      return 0;
    }
    if (!it->is_number_unsigned()) {
      if (it->is_number_integer() && it->get<int64_t>() >= 0) return it->get<uint64_t>();
      error(fmt::format("snapshot.{} is not a non-negative integer", key));
    }
    return it->get<uint64_t>();
  }

  // Each name in `names` becomes its Field from `known`, or kSkip: DevTools finds fields by name
  // and ignores the rest. The first `needed` entries of `known` must be present; a known field
  // listed twice is an error, naming it.
  template <typename Field>
  static std::vector<Field> fields_by_name(
      const std::vector<std::string>& names, const char* list,
      std::initializer_list<std::pair<const char*, Field>> known, size_t needed,
      const std::function<void(std::string)>& error) {
    std::vector<Field> out;
    for (const std::string& name : names) {
      Field field = Field::kSkip;
      for (const auto& [known_name, known_field] : known) {
        if (name == known_name) field = known_field;
      }
      if (field != Field::kSkip && std::count(out.begin(), out.end(), field) != 0)
        error(fmt::format("snapshot.meta.{} lists \"{}\" twice", list, name));
      out.push_back(field);
    }
    for (const auto& [known_name, known_field] : known) {
      if (needed-- == 0) break;
      if (std::count(out.begin(), out.end(), known_field) != 1)
        error(fmt::format("snapshot.meta.{} has no \"{}\" field", list, known_name));
    }
    return out;
  }

  void read_header(const json& snapshot, uint64_t at) {
    auto error = [&](const std::string& message) { fail_at(at, message); };
    auto meta_it = snapshot.find("meta");
    if (meta_it == snapshot.end() || !meta_it->is_object()) error("snapshot.meta is missing");
    const json& meta = *meta_it;
    SnapshotHeader& h = graph_.header;
    if (auto t = snapshot.find("title"); t != snapshot.end() && t->is_string()) h.title = *t;
    if (auto u = snapshot.find("uid"); u != snapshot.end() && u->is_number_unsigned()) h.uid = *u;
    h.node_count = header_number(snapshot, "node_count", true, error);
    h.edge_count = header_number(snapshot, "edge_count", true, error);
    h.trace_function_count = header_number(snapshot, "trace_function_count", false, error);
    h.extra_native_bytes = header_number(snapshot, "extra_native_bytes", false, error);
    if (snapshot.contains("root_index")) {
      h.has_root_index = true;
      h.root_index = header_number(snapshot, "root_index", true, error);
    }

    h.node_fields = string_list(meta, "node_fields", true, error);
    h.edge_fields = string_list(meta, "edge_fields", true, error);
    h.trace_function_info_fields = string_list(meta, "trace_function_info_fields", false, error);
    h.trace_node_fields = string_list(meta, "trace_node_fields", false, error);
    h.sample_fields = string_list(meta, "sample_fields", false, error);
    h.location_fields = string_list(meta, "location_fields", false, error);

    layout_.node_fields = fields_by_name<NodeField>(h.node_fields, "node_fields",
                                                    {{"type", NodeField::kType},
                                                     {"name", NodeField::kName},
                                                     {"id", NodeField::kId},
                                                     {"self_size", NodeField::kSelfSize},
                                                     {"edge_count", NodeField::kEdgeCount},
                                                     {"trace_node_id", NodeField::kTraceNodeId},
                                                     {"detachedness", NodeField::kDetach}},
                                                    5, error);
    layout_.edge_fields = fields_by_name<EdgeField>(h.edge_fields, "edge_fields",
                                                    {{"type", EdgeField::kType},
                                                     {"name_or_index", EdgeField::kName},
                                                     {"to_node", EdgeField::kToNode}},
                                                    3, error);

    // The type names sit in node_types / edge_types at the position of the "type" field, as
    // DevTools reads them (meta.node_types[node_fields.indexOf("type")]).
    const auto type_at = [](const auto& fields, auto type) {
      return static_cast<size_t>(std::find(fields.begin(), fields.end(), type) - fields.begin());
    };
    read_type_names(meta, "node_types", type_at(layout_.node_fields, NodeField::kType),
                    graph_.node_type_names, layout_.node_type_map, true, error);
    read_type_names(meta, "edge_types", type_at(layout_.edge_fields, EdgeField::kType),
                    graph_.edge_type_names, layout_.edge_type_map, false, error);
    has_trace_ids_ = std::count(layout_.node_fields.begin(), layout_.node_fields.end(),
                                NodeField::kTraceNodeId) > 0;
    has_detach_ =
        std::count(layout_.node_fields.begin(), layout_.node_fields.end(), NodeField::kDetach) > 0;

    auto slots = [](const std::vector<std::string>& fields,
                    std::initializer_list<const char*> names) {
      std::vector<int> out;
      for (const std::string& f : fields) {
        int slot = -1, i = 0;
        for (const char* n : names) {
          if (f == n) slot = i;
          ++i;
        }
        out.push_back(slot);
      }
      return out;
    };
    layout_.trace_function_fields = h.trace_function_info_fields.size();
    layout_.trace_function_slot =
        slots(h.trace_function_info_fields,
              {"function_id", "name", "script_name", "script_id", "line", "column"});
    layout_.trace_node_slot =
        slots(h.trace_node_fields, {"id", "function_info_index", "count", "size", "children"});
    layout_.sample_slot = slots(h.sample_fields, {"timestamp_us", "last_assigned_id"});
    layout_.location_slot =
        slots(h.location_fields, {"object_index", "script_id", "line", "column"});

    // A claim the file cannot possibly back (every number needs a digit and a separator) is
    // rejected before anything is allocated for it.
    const uint64_t nf = layout_.node_fields.size();
    if (h.node_count > std::numeric_limits<uint32_t>::max() - 1)
      error(
          fmt::format("node_count {} is more than this reader supports (2^32 - 2)", h.node_count));
    const uint64_t ef = layout_.edge_fields.size();
    if (total_ != 0 && (h.node_count > total_ / (nf * 2) || h.edge_count > total_ / (ef * 2)))
      error(fmt::format("node_count {} / edge_count {} cannot fit in a {}-byte file (truncated?)",
                        h.node_count, h.edge_count, total_));
    if (total_ != 0) reserve_graph();
  }

  void read_type_names(const json& meta, const char* key, size_t type_slot,
                       std::vector<std::string>& names, std::vector<uint8_t>& map, bool nodes,
                       const std::function<void(std::string)>& error) {
    auto it = meta.find(key);
    if (it == meta.end() || !it->is_array() || it->size() <= type_slot ||
        !(*it)[type_slot].is_array())
      error(fmt::format(
          "snapshot.meta.{} must hold the list of type names at index {} (the \"type\" field's)",
          key, type_slot));
    const json& list = (*it)[type_slot];
    if (list.size() > 200) error(fmt::format("snapshot.meta.{} lists too many types", key));
    const size_t known = nodes ? size_t{kKnownNodeTypeCount} : size_t{kKnownEdgeTypeCount};
    const size_t first_extra = nodes ? size_t{kFirstExtraNodeType} : size_t{kFirstExtraEdgeType};
    names.assign(first_extra, "");
    for (size_t t = 0; t < known; ++t) {
      names[t] = nodes ? known_node_type_name(static_cast<NodeType>(t))
                       : known_edge_type_name(static_cast<EdgeType>(t));
    }
    for (const auto& v : list) {
      if (!v.is_string()) error(fmt::format("snapshot.meta.{} holds a non-string type", key));
      const std::string s = v.get<std::string>();
      auto found = std::find(names.begin(), names.begin() + static_cast<ptrdiff_t>(known), s);
      if (found != names.begin() + static_cast<ptrdiff_t>(known)) {
        map.push_back(static_cast<uint8_t>(found - names.begin()));
      } else {
        map.push_back(static_cast<uint8_t>(names.size()));
        names.push_back(s);
      }
    }
  }

  // Sizes the columns from the header once the file is known to be big enough to back it.
  void reserve_graph() {
    const SnapshotHeader& h = graph_.header;
    graph_.node_type.resize(h.node_count);
    graph_.node_name.resize(h.node_count);
    graph_.node_id.resize(h.node_count);
    graph_.node_self_size.resize(h.node_count);
    graph_.first_edge.reserve(h.node_count + 1);
    graph_.first_edge.resize(h.node_count);
    if (has_detach_) graph_.node_detachedness.resize(h.node_count);
    graph_.edge_type.resize(h.edge_count);
    graph_.edge_name.resize(h.edge_count);
    graph_.edge_to.resize(h.edge_count);
    // The string table and the locations have no count in the header. Reserving address space
    // for the most the file could hold costs nothing until pages are touched, and saves the
    // copies (and the fresh pages they fault in) of growing by doubling.
    graph_.strings.reserve(total_, total_ / 3);
    graph_.locations.reserve(total_ / 8);
  }

  // ---- integer arrays ------------------------------------------------------------------------

  // A destination for the values of one integer array. ensure() runs alone and may grow the
  // columns (its BadValue index counts from the start of the array); commit() writes values [first,
  // first + n) and, when `parallel`, runs for disjoint ranges on two threads at once. Both throw
  // BadValue for a value that is wrong in context.
  struct IntegerSink {
    bool parallel = false;
    std::function<void(uint64_t total_values)> ensure;
    std::function<void(const uint64_t* values, size_t n, uint64_t first)> commit;
  };

  // Decodes a whole `[n, n, ...]` array into the sink. Large chunks are decoded, and committed,
  // in two halves on two threads.
  uint64_t parse_integer_array(const char* what, IntegerSink& sink) {
    expect('[', fmt::format("\"{}\" must be an array", what).c_str());
    NumberCarry carry;
    uint64_t count = 0;
    for (;;) {
      if (pos_ == chunk_.size() && !refill()) fail_truncated(what);
      const char* begin = chunk_.data() + pos_;
      const char* end = chunk_.data() + chunk_.size();
      const char* close = static_cast<const char*>(std::memchr(begin, ']', end - begin));
      const char* stop = close ? close : end;
      count = decode_span(what, begin, stop, carry, close != nullptr, sink, count);
      pos_ = static_cast<size_t>(stop - chunk_.data());
      if (close) {
        ++pos_;
        return count;
      }
    }
  }

  // Byte offset of value `index` among the values decoded from [begin, end); value 0 may have
  // started before `begin` when a number was carried in from the previous chunk.
  uint64_t locate_value(const char* begin, const char* end, ptrdiff_t index, bool starts_mid_number,
                        uint64_t begin_offset) {
    const char* p = begin;
    if (!(starts_mid_number && index == 0)) {
      ptrdiff_t k = starts_mid_number ? 0 : -1;
      bool prev_digit = starts_mid_number;
      for (; p < end; ++p) {
        const bool digit = *p >= '0' && *p <= '9';
        if (digit && !prev_digit && ++k == index) break;
        prev_digit = digit;
      }
    }
    return begin_offset + static_cast<uint64_t>(p - begin);
  }

  struct Part {
    const char* begin;
    const char* end;
    bool starts_mid_number;
    BigVector<uint64_t>* values;
    size_t n = 0;
  };

  // Decodes [begin, stop) of an array whose values so far number `count`; returns the new count.
  uint64_t decode_span(const char* what, const char* begin, const char* stop, NumberCarry& carry,
                       bool array_ends, IntegerSink& sink, uint64_t count) {
    const size_t len = static_cast<size_t>(stop - begin);
    const uint64_t span_offset = offset();
    const char* split = nullptr;
    if (threads_ > 1 && len >= kParallelThreshold) {
      // Split at a separator so the second half starts on a fresh number.
      split = begin + len / 2;
      while (split < stop && static_cast<unsigned>(*split - '0') < 10) ++split;
      if (split == stop) split = nullptr;
    }
    Part parts[2] = {{begin, split ? split : stop, carry.digits != 0, &scratch_[0]},
                     {split, stop, false, &scratch_[1]}};
    const int part_count = split ? 2 : 1;
    NumberCarry second_carry;
    auto decode = [&](Part& part, NumberCarry& c, bool ends_number) -> DecodeResult {
      part.values->resize(static_cast<size_t>(part.end - part.begin) / 2 + 2);
      DecodeResult r = decode_numbers(part.begin, part.end, part.values->data(), c);
      if (r.stop == part.end && ends_number && c.digits) {
        overflow_check(c, what, span_offset + static_cast<uint64_t>(part.end - begin));
        *r.out++ = c.value;
        c = {};
      }
      part.n = static_cast<size_t>(r.out - part.values->data());
      return r;
    };
    std::future<DecodeResult> second;
    if (split) {
      second = std::async(std::launch::async,
                          [&] { return decode(parts[1], second_carry, array_ends); });
    }
    // A number still open at `split` ends there (it is a separator); at `stop` only when the
    // array closes there.
    DecodeResult results[2];
    results[0] = decode(parts[0], carry, split ? true : array_ends);
    if (split) results[1] = second.get();
    for (int i = 0; i < part_count; ++i) {
      const DecodeResult& r = results[i];
      if (r.stop != parts[i].end) {
        fail_at(span_offset + static_cast<uint64_t>(r.stop - begin),
                fmt::format("unexpected {} in \"{}\" (only unsigned integers are allowed)",
                            describe_char(static_cast<unsigned char>(*r.stop)), what));
      }
      if (r.overflow) fail_at(span_offset, fmt::format("number too large in \"{}\"", what));
    }
    if (split) carry = second_carry;
    const uint64_t total = count + parts[0].n + parts[1].n * (split ? 1 : 0);
    auto located = [&](int part, const BadValue& bad) {
      return std::make_pair(
          locate_value(parts[part].begin, parts[part].end, bad.index, parts[part].starts_mid_number,
                       span_offset + static_cast<uint64_t>(parts[part].begin - begin)),
          bad.message);
    };
    try {
      sink.ensure(total);
    } catch (const BadValue& bad) {
      // ensure() names the first value past the limit by its index in the whole array.
      const ptrdiff_t index = bad.index - static_cast<ptrdiff_t>(count);
      const ptrdiff_t first_n = static_cast<ptrdiff_t>(parts[0].n);
      auto [at, message] = index < first_n ? located(0, BadValue{index, bad.message})
                                           : located(1, BadValue{index - first_n, bad.message});
      fail_at(at, message);
    }
    std::optional<BadValue> errors[2];
    auto commit = [&](int i, uint64_t first) {
      try {
        if (parts[i].n) sink.commit(parts[i].values->data(), parts[i].n, first);
      } catch (const BadValue& bad) {
        errors[i] = bad;
      }
    };
    if (split && sink.parallel) {
      auto other = std::async(std::launch::async, [&] { commit(1, count + parts[0].n); });
      commit(0, count);
      other.get();
    } else {
      commit(0, count);
      if (split && !errors[0]) commit(1, count + parts[0].n);
    }
    for (int i = 0; i < part_count; ++i) {
      if (errors[i]) {
        auto [at, message] = located(i, *errors[i]);
        fail_at(at, message);
      }
    }
    return total;
  }

  void overflow_check(const NumberCarry& c, const char* what, uint64_t end_at) {
    if (c.digits > 19) fail_at(end_at - c.digits, fmt::format("number too large in \"{}\"", what));
  }

  // Grows columns for a stream whose size is unknown; a file's are sized from the header.
  template <typename Column>
  static void grow(Column& column, uint64_t needed) {
    if (column.size() >= needed) return;
    column.resize(std::max<uint64_t>(needed, column.size() + column.size() / 2 + 1024));
  }

  void parse_nodes() {
    if (nodes_done_) fail("a second \"nodes\" array");
    const uint64_t nf = layout_.node_fields.size();
    const uint64_t max_nodes = graph_.header.node_count;
    const uint8_t type_count = static_cast<uint8_t>(layout_.node_type_map.size());
    const uint64_t array_start = offset();
    std::once_flag trace_column_once;
    std::atomic<bool> has_trace_ids{false};
    IntegerSink sink;
    sink.parallel = true;
    sink.ensure = [&](uint64_t total) {
      if (total > max_nodes * nf)
        throw BadValue{
            static_cast<ptrdiff_t>(max_nodes * nf),
            fmt::format("\"nodes\" holds more than the {} nodes the header declares", max_nodes)};
      const uint64_t nodes = (total + nf - 1) / nf;
      grow(graph_.node_type, nodes);
      grow(graph_.node_name, nodes);
      grow(graph_.node_id, nodes);
      grow(graph_.node_self_size, nodes);
      grow(graph_.first_edge, nodes);
      if (has_detach_) grow(graph_.node_detachedness, nodes);
      if (has_trace_ids.load()) {
        const size_t old = graph_.node_trace_id.size();
        grow(graph_.node_trace_id, nodes);
        std::fill(graph_.node_trace_id.begin() + static_cast<ptrdiff_t>(old),
                  graph_.node_trace_id.end(), 0u);
      }
    };
    sink.commit = [&](const uint64_t* v, size_t n, uint64_t first) {
      uint64_t node = first / nf;
      size_t f = static_cast<size_t>(first % nf);
      for (size_t i = 0; i < n; ++i) {
        const uint64_t value = v[i];
        const ptrdiff_t at = static_cast<ptrdiff_t>(i);
        switch (layout_.node_fields[f]) {
          case NodeField::kType:
            if (value >= type_count)
              throw BadValue{at, fmt::format("node {} has type {} but meta lists {} node types",
                                             node, value, type_count)};
            graph_.node_type[node] = layout_.node_type_map[value];
            break;
          case NodeField::kName:
            graph_.node_name[node] = narrow32(value, "node name index", at);
            break;
          case NodeField::kId:
            graph_.node_id[node] = narrow32(value, "node id", at);
            break;
          case NodeField::kSelfSize:
            graph_.node_self_size[node] = value;
            break;
          case NodeField::kEdgeCount:
            graph_.first_edge[node] = narrow32(value, "edge_count", at);
            break;
          case NodeField::kTraceNodeId:
            // Without allocation tracking every trace id is 0: keep no column for them.
            if (value != 0) {
              std::call_once(trace_column_once, [&] {
                graph_.node_trace_id.assign(graph_.node_type.size(), 0u);
                has_trace_ids = true;
              });
              graph_.node_trace_id[node] = narrow32(value, "trace_node_id", at);
            }
            break;
          case NodeField::kDetach:
            if (value > 3)
              throw BadValue{at, fmt::format("node {} has detachedness {}", node, value)};
            graph_.node_detachedness[node] = static_cast<uint8_t>(value);
            break;
          case NodeField::kSkip:
            break;
        }
        if (++f == nf) {
          f = 0;
          ++node;
        }
      }
    };
    const uint64_t values = parse_integer_array("nodes", sink);
    if (values % nf != 0)
      fail_at(array_start, fmt::format("\"nodes\" holds {} values, not a multiple of the {} "
                                       "node fields",
                                       values, nf));
    if (values / nf != max_nodes)
      fail_at(array_start, fmt::format("\"nodes\" holds {} nodes but the header declares {}",
                                       values / nf, max_nodes));
    // A stream's columns grew in steps; cut them to the real count.
    graph_.node_type.resize(max_nodes);
    graph_.node_name.resize(max_nodes);
    graph_.node_id.resize(max_nodes);
    graph_.node_self_size.resize(max_nodes);
    graph_.first_edge.resize(max_nodes);
    if (has_detach_) graph_.node_detachedness.resize(max_nodes);
    if (!graph_.node_trace_id.empty()) graph_.node_trace_id.resize(max_nodes);
    uint64_t edge_sum = 0;
    for (uint64_t i = 0; i < max_nodes; ++i) edge_sum += graph_.first_edge[i];
    edge_sum_ = edge_sum;
    nodes_done_ = true;
  }

  static uint32_t narrow32(uint64_t value, const char* what, ptrdiff_t index) {
    if (value > std::numeric_limits<uint32_t>::max())
      throw BadValue{index, fmt::format("{} {} does not fit in 32 bits", what, value)};
    return static_cast<uint32_t>(value);
  }

  void parse_edges() {
    if (edges_done_) fail("a second \"edges\" array");
    if (!nodes_done_) fail("\"edges\" comes before \"nodes\"");
    const uint64_t nf = layout_.node_fields.size();
    const uint64_t ef = layout_.edge_fields.size();
    const uint64_t node_count = graph_.node_type.size();
    const uint64_t max_edges = graph_.header.edge_count;
    if (max_edges >= std::numeric_limits<uint32_t>::max())
      fail(fmt::format("edge_count {} is more than this reader supports (2^32 - 1)", max_edges));
    const uint8_t type_count = static_cast<uint8_t>(layout_.edge_type_map.size());
    const uint64_t array_start = offset();
    IntegerSink sink;
    sink.parallel = true;
    sink.ensure = [&](uint64_t total) {
      if (total > max_edges * ef)
        throw BadValue{
            static_cast<ptrdiff_t>(max_edges * ef),
            fmt::format("\"edges\" holds more than the {} edges the header declares", max_edges)};
      const uint64_t edges = (total + ef - 1) / ef;
      grow(graph_.edge_type, edges);
      grow(graph_.edge_name, edges);
      grow(graph_.edge_to, edges);
    };
    // `fields` is a compile-time 3 for V8's own layout, so the hot loop keeps its constant
    // divisions and compares; any other layout takes the same loop with a run-time count.
    auto commit = [&](auto fields, const uint64_t* v, size_t n, uint64_t first) {
      const uint64_t field_count = fields;
      uint64_t edge = first / field_count;
      size_t f = static_cast<size_t>(first % field_count);
      for (size_t i = 0; i < n; ++i) {
        const uint64_t value = v[i];
        const ptrdiff_t at = static_cast<ptrdiff_t>(i);
        switch (layout_.edge_fields[f]) {
          case EdgeField::kType:
            if (value >= type_count)
              throw BadValue{at, fmt::format("edge {} has type {} but meta lists {} edge types",
                                             edge, value, type_count)};
            graph_.edge_type[edge] = layout_.edge_type_map[value];
            break;
          case EdgeField::kName:
            graph_.edge_name[edge] = narrow32(value, "edge name_or_index", at);
            break;
          case EdgeField::kToNode:
            if (value % nf != 0 || value / nf >= node_count)
              throw BadValue{
                  at,
                  fmt::format("edge {} points to node index {}, which is {}", edge, value,
                              value % nf ? fmt::format("not a multiple of the {} node fields", nf)
                                         : fmt::format("past the {} nodes", node_count))};
            graph_.edge_to[edge] = static_cast<uint32_t>(value / nf);
            break;
          case EdgeField::kSkip:
            break;
        }
        if (++f == field_count) {
          f = 0;
          ++edge;
        }
      }
    };
    sink.commit = [&](const uint64_t* v, size_t n, uint64_t first) {
      if (ef == 3) {
        commit(std::integral_constant<uint64_t, 3>{}, v, n, first);
      } else {
        commit(ef, v, n, first);
      }
    };
    const uint64_t values = parse_integer_array("edges", sink);
    if (values % ef != 0 || values / ef != max_edges)
      fail_at(array_start, fmt::format("\"edges\" holds {} values ({} edges) but the header "
                                       "declares {} edges",
                                       values, values / ef, max_edges));
    if (edge_sum_ != max_edges)
      fail_at(array_start, fmt::format("the nodes' edge_count values add up to {} but there are "
                                       "{} edges",
                                       edge_sum_, max_edges));
    graph_.edge_type.resize(max_edges);
    graph_.edge_name.resize(max_edges);
    graph_.edge_to.resize(max_edges);
    edges_done_ = true;
  }

  // A sink for the small record arrays, committed in order on one thread.
  template <typename Commit>
  static IntegerSink serial_sink(Commit&& commit) {
    IntegerSink sink;
    sink.ensure = [](uint64_t) {};
    sink.commit = [commit](const uint64_t* v, size_t n, uint64_t) { commit(v, n); };
    return sink;
  }

  void parse_locations() {
    locations_before_nodes_ = locations_before_nodes_ || !nodes_done_;
    const size_t lf = layout_.location_slot.size();
    uint64_t field = 0;
    uint32_t rec[4] = {0, 0, 0, 0};
    const uint64_t nf = layout_.node_fields.size();
    IntegerSink sink = serial_sink([&](const uint64_t* v, size_t n) {
      if (lf == 0)
        throw BadValue{0,
                       std::string("\"locations\" has values but meta.location_fields is missing")};
      for (size_t i = 0; i < n; ++i, ++field) {
        const int slot = layout_.location_slot[field % lf];
        if (slot >= 0) rec[slot] = narrow32(v[i], "location value", static_cast<ptrdiff_t>(i));
        if (field % lf == lf - 1) {
          if (rec[0] % nf != 0) {
            // DevTools files such a location under a fractional node number that no node has, so
            // it names nothing; one bad entry is no reason to refuse the heap.
            if (skipped_locations_++ == 0) {
              first_skipped_location_ = field / lf;
              first_skipped_index_ = rec[0];
            }
            continue;
          }
          if (nodes_done_ && rec[0] / nf >= graph_.node_type.size())
            throw BadValue{
                static_cast<ptrdiff_t>(i),
                fmt::format("location points to node index {}, which is not a node", rec[0])};
          graph_.locations.push_back({static_cast<uint32_t>(rec[0] / nf), rec[1], rec[2], rec[3]});
        }
      }
    });
    parse_integer_array("locations", sink);
    if (lf && field % lf) fail("\"locations\" ends inside a record");
  }

  void parse_samples() {
    const size_t sf = layout_.sample_slot.size();
    uint64_t field = 0;
    uint64_t rec[2] = {0, 0};
    IntegerSink sink = serial_sink([&](const uint64_t* v, size_t n) {
      if (sf == 0)
        throw BadValue{0, std::string("\"samples\" has values but meta.sample_fields is missing")};
      for (size_t i = 0; i < n; ++i, ++field) {
        const int slot = layout_.sample_slot[field % sf];
        if (slot >= 0) rec[slot] = v[i];
        if (field % sf == sf - 1) graph_.samples.push_back({rec[0], rec[1]});
      }
    });
    parse_integer_array("samples", sink);
    if (sf && field % sf) fail("\"samples\" ends inside a record");
  }

  void parse_trace_function_infos() {
    const size_t ff = layout_.trace_function_fields;
    uint64_t field = 0;
    TraceFunctionInfo rec{};
    IntegerSink sink = serial_sink([&](const uint64_t* v, size_t n) {
      if (ff == 0)
        throw BadValue{
            0, std::string("\"trace_function_infos\" has values but its meta fields are missing")};
      for (size_t i = 0; i < n; ++i, ++field) {
        const uint64_t value = v[i];
        switch (layout_.trace_function_slot[field % ff]) {
          case 0:
            rec.function_id = value;
            break;
          case 1:
            rec.name = narrow32(value, "function name index", static_cast<ptrdiff_t>(i));
            break;
          case 2:
            rec.script_name = narrow32(value, "script name index", static_cast<ptrdiff_t>(i));
            break;
          case 3:
            rec.script_id = value;
            break;
          // V8 writes line and column + 1, with 0 for "unknown".
          case 4:
            rec.line = static_cast<int64_t>(value) - 1;
            break;
          case 5:
            rec.column = static_cast<int64_t>(value) - 1;
            break;
          default:
            break;
        }
        if (field % ff == ff - 1) graph_.trace_function_infos.push_back(rec);
      }
    });
    parse_integer_array("trace_function_infos", sink);
    if (ff && field % ff) fail("\"trace_function_infos\" ends inside a record");
  }

  // trace_tree is nested: [id, function_info_index, count, size, [children...], id, ...].
  // Parsed with an explicit stack; allocation trees can be deep.
  void parse_trace_tree() {
    expect('[', "\"trace_tree\" must be an array");
    const size_t tf = layout_.trace_node_slot.size();
    struct Frame {
      uint32_t parent;
      size_t field;  // position within the current node record
    };
    std::vector<Frame> stack{{kNoTraceParent, 0}};
    while (!stack.empty()) {
      skip_ws();
      int c = peek();
      if (c == kEof) fail_truncated("\"trace_tree\"");
      if (c == ',') {
        ++pos_;
        continue;
      }
      Frame& top = stack.back();
      if (c == ']') {
        ++pos_;
        if (top.field != 0) fail("\"trace_tree\" ends inside a node record");
        const uint32_t parent = top.parent;
        stack.pop_back();
        if (parent != kNoTraceParent) {
          graph_.trace_tree[parent].subtree_end = static_cast<uint32_t>(graph_.trace_tree.size());
          Frame& outer = stack.back();
          outer.field = (outer.field + 1) % tf;
        }
        continue;
      }
      if (tf == 0) fail("\"trace_tree\" has values but meta.trace_node_fields is missing");
      if (top.field == 0) {
        if (graph_.trace_tree.size() >= std::numeric_limits<uint32_t>::max() - 1)
          fail("\"trace_tree\" is too large");
        graph_.trace_tree.push_back(
            {0, 0, 0, 0, top.parent, static_cast<uint32_t>(graph_.trace_tree.size() + 1)});
      }
      const uint32_t current = static_cast<uint32_t>(graph_.trace_tree.size() - 1);
      const int slot = layout_.trace_node_slot[top.field];
      if (c == '[') {
        if (slot != 4) fail("unexpected array in \"trace_tree\"");
        ++pos_;
        stack.push_back({current, 0});
        continue;
      }
      if (slot == 4) fail("expected the children array in \"trace_tree\"");
      const uint64_t value = read_plain_number("trace_tree");
      TraceNode& node = graph_.trace_tree[current];
      if (slot == 0) node.id = value;
      if (slot == 1) node.function_info_index = value;
      if (slot == 2) node.count = value;
      if (slot == 3) node.size = value;
      top.field = (top.field + 1) % tf;
    }
  }

  uint64_t read_plain_number(const char* what) {
    uint64_t value = 0;
    int digits = 0;
    for (int c = peek(); c >= '0' && c <= '9'; c = peek()) {
      value = value * 10 + static_cast<uint64_t>(c - '0');
      ++pos_;
      if (++digits > 19) fail(fmt::format("number too large in \"{}\"", what));
    }
    if (digits == 0) fail(fmt::format("expected a number in \"{}\"", what));
    return value;
  }

  void parse_strings() {
    if (strings_done_) fail("a second \"strings\" array");
    expect('[', "\"strings\" must be an array");
    BigVector<char>& bytes = graph_.strings.bytes();
    bool first = true;
    for (;;) {
      skip_ws();
      int c = peek();
      if (c == kEof) fail_truncated("\"strings\"");
      if (c == ']') {
        ++pos_;
        break;
      }
      if (!first) {
        expect(',', "expected ',' between strings");
        skip_ws();
      }
      first = false;
      if (peek() != '"') fail("\"strings\" must hold only strings");
      ++pos_;
      read_string_body(bytes);
      if (graph_.strings.size() >= std::numeric_limits<uint32_t>::max() - 1)
        fail("more strings than this reader supports");
      graph_.strings.end_string();
    }
    strings_done_ = true;
  }

  // ---- checks that need the whole file -----------------------------------------------------

  HeapGraph finish() {
    const uint64_t end = offset();
    if (!have_header_) fail_at(end, "no \"snapshot\" header: not a V8 heap snapshot");
    if (!nodes_done_) fail_at(end, "no \"nodes\" array: not a complete heap snapshot");
    if (!edges_done_) fail_at(end, "no \"edges\" array: not a complete heap snapshot");
    if (!strings_done_) fail_at(end, "no \"strings\" array: not a complete heap snapshot");
    const uint32_t n = graph_.node_count();
    if (n == 0) fail_at(end, "the snapshot has no nodes");
    const uint32_t string_count = graph_.strings.size();
    for (uint32_t i = 0; i < n; ++i) {
      if (graph_.node_name[i] >= string_count)
        fail_at(end, fmt::format("node {} (id {}) names string {} but there are {} strings", i,
                                 graph_.node_id[i], graph_.node_name[i], string_count));
    }
    const uint64_t e = graph_.edge_count();
    for (uint64_t i = 0; i < e; ++i) {
      if (!graph_.edge_name_is_index(i) && graph_.edge_name[i] >= string_count)
        fail_at(end, fmt::format("edge {} names string {} but there are {} strings", i,
                                 graph_.edge_name[i], string_count));
    }
    for (const TraceFunctionInfo& f : graph_.trace_function_infos) {
      if (f.name >= string_count || f.script_name >= string_count)
        fail_at(end, "a trace function info names a string that does not exist");
    }
    // edge_count values become CSR offsets.
    uint32_t sum = 0;  // parse_edges checked that the edge count fits
    for (uint32_t i = 0; i < n; ++i) {
      const uint32_t count = graph_.first_edge[i];
      graph_.first_edge[i] = sum;
      sum += count;
    }
    graph_.first_edge.push_back(sum);
    // Locations that came before "nodes" could not be checked against the node count then.
    if (locations_before_nodes_) {
      for (const Location& l : graph_.locations) {
        if (l.node >= n)
          fail_at(end, fmt::format("a location points to node {}, past the {} nodes", l.node, n));
      }
    }
    if (skipped_locations_ && options_.warning) {
      options_.warning(fmt::format(
          "{}: skipped {} location(s) whose object_index is not a node boundary (the first: "
          "location {}, object_index {}, not a multiple of the {} node fields)",
          name_, skipped_locations_, first_skipped_location_, first_skipped_index_,
          layout_.node_fields.size()));
    }
    if (graph_.header.has_root_index) {
      const uint64_t nf = layout_.node_fields.size();
      if (graph_.header.root_index % nf != 0 || graph_.header.root_index / nf >= n)
        fail_at(end, fmt::format("root_index {} is not a node", graph_.header.root_index));
      graph_.root = static_cast<uint32_t>(graph_.header.root_index / nf);
    }
    graph_.strings.shrink_to_fit();
    if (options_.progress) options_.progress(end, total_);
    return std::move(graph_);
  }

  ByteSource& source_;
  std::string name_;
  const LoadOptions& options_;
  uint64_t total_ = 0;
  unsigned threads_ = 1;

  std::string_view chunk_;
  size_t pos_ = 0;
  uint64_t base_ = 0;
  uint64_t next_progress_ = kProgressStep;

  Layout layout_;
  HeapGraph graph_;
  bool have_header_ = false, nodes_done_ = false, edges_done_ = false, strings_done_ = false;
  bool has_trace_ids_ = false, has_detach_ = false, locations_before_nodes_ = false;
  uint64_t edge_sum_ = 0;
  uint64_t skipped_locations_ = 0, first_skipped_location_ = 0, first_skipped_index_ = 0;
  BigVector<uint64_t> scratch_[2];
};

}  // namespace

HeapGraph load_snapshot_file(const std::string& path, const LoadOptions& options) {
  FileSource source(path);
  if (source.total_size() == 0 && path != "-") {
    throw SnapshotError(path, SnapshotError::kNoOffset, "file is empty");
  }
  return Parser(source, path, options).parse();
}

HeapGraph load_snapshot_buffer(std::string_view text, const std::string& source_name,
                               const LoadOptions& options) {
  BufferSource source(text);
  return Parser(source, source_name, options).parse();
}

struct SnapshotStreamReader::Impl {
  std::string name;
  LoadOptions options;
  QueueSource queue;
  std::thread worker;
  HeapGraph graph;
  std::exception_ptr error;
  std::atomic<bool> failed{false};
  bool finished = false;
};

SnapshotStreamReader::SnapshotStreamReader(std::string source_name, const LoadOptions& options)
    : impl_(std::make_unique<Impl>()) {
  impl_->name = std::move(source_name);
  impl_->options = options;
  impl_->worker = std::thread([impl = impl_.get()] {
    try {
      impl->graph = Parser(impl->queue, impl->name, impl->options).parse();
    } catch (...) {
      impl->error = std::current_exception();
      impl->failed = true;
      impl->queue.cancel();  // unblock a producer waiting for room
    }
  });
}

SnapshotStreamReader::~SnapshotStreamReader() {
  if (impl_ && impl_->worker.joinable()) {
    impl_->queue.cancel();
    impl_->worker.join();
  }
}

void SnapshotStreamReader::push(std::string_view chunk) {
  if (impl_->finished) throw std::logic_error("SnapshotStreamReader::push after finish");
  if (!impl_->queue.push(chunk) || impl_->failed) {
    impl_->worker.join();
    impl_->finished = true;
    std::rethrow_exception(impl_->error);
  }
}

HeapGraph SnapshotStreamReader::finish() {
  if (impl_->finished) throw std::logic_error("SnapshotStreamReader::finish called twice");
  impl_->finished = true;
  impl_->queue.close();
  impl_->worker.join();
  if (impl_->error) std::rethrow_exception(impl_->error);
  return std::move(impl_->graph);
}

}  // namespace leakscope
