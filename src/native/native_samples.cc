#include "native/native_samples.h"

#include <charconv>
#include <unordered_map>

#include "heap/user_files.h"

namespace leakscope::native {
namespace {

// Splits off the next space-separated field.
std::string_view next_field(std::string_view& rest) {
  const std::size_t space = rest.find(' ');
  const std::string_view field = rest.substr(0, space);
  rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  return field;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& what) : text_(text), what_(what) {}

  NativeSamples run() {
    std::size_t pos = 0;
    while (pos < text_.size()) {
      const std::size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) {
        out_.truncated = true;  // the writer has not finished this line yet
        break;
      }
      ++line_no_;
      line(text_.substr(pos, nl - pos));
      pos = nl + 1;
    }
    if (line_no_ == 0) {
      throw NativeError(what_ + ": " +
                        (text_.empty() ? "empty: the sampler wrote nothing"
                                       : "not a leakscope-native sample file (no complete line)"));
    }
    if (state_ != State::kTop) out_.truncated = true;  // an unfinished last block is left out
    return std::move(out_);
  }

 private:
  enum class State { kTop, kMaps, kDump };

  [[noreturn]] void fail(const std::string& message) const {
    throw NativeError(what_ + ":" + std::to_string(line_no_) + ": " + message);
  }

  uint64_t number(std::string_view field, int base, const char* name) const {
    uint64_t v = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), v, base);
    if (field.empty() || ec != std::errc() || end != field.data() + field.size()) {
      fail(std::string("bad ") + name + " '" + std::string(field.substr(0, 40)) + "'");
    }
    return v;
  }

  void line(std::string_view text) {
    if (line_no_ == 1) {
      if (text != "leakscope-native 1") {
        fail(text.starts_with("leakscope-native ")
                 ? "unsupported format version (this leakscope reads version 1)"
                 : "not a leakscope-native sample file (no 'leakscope-native 1' header)");
      }
      return;
    }
    std::string_view rest = text;
    const std::string_view kind = next_field(rest);
    if (state_ == State::kMaps) return maps_line(kind, rest);
    if (kind == "stack") return stack_line(rest);
    if (state_ == State::kDump) return dump_line(kind, rest);
    if (kind == "start") return start_line(rest);
    if (kind == "maps") {
      out_.maps.push_back({seconds(next_field(rest)), {}});
      state_ = State::kMaps;
      return;
    }
    if (kind == "dump") return dump_start(rest);
    fail("unexpected record '" + std::string(kind.substr(0, 20)) + "'");
  }

  double seconds(std::string_view field) const {
    return static_cast<double>(number(field, 10, "time")) / 1000.0;
  }

  void start_line(std::string_view rest) {
    out_.pid = static_cast<int>(number(next_field(rest), 10, "pid"));
    out_.interval = number(next_field(rest), 10, "interval");
    out_.start_unix_s = static_cast<double>(number(next_field(rest), 10, "start time")) / 1000.0;
    if (out_.interval == 0) fail("sampling interval 0");
    started_ = true;
  }

  void maps_line(std::string_view kind, std::string_view rest) {
    if (kind == "end") {
      state_ = State::kTop;
      return;
    }
    if (kind != "map") fail("expected 'map' or 'end' in a maps block");
    Mapping m;
    m.start = number(next_field(rest), 16, "map start");
    m.end = number(next_field(rest), 16, "map end");
    m.offset = number(next_field(rest), 16, "map offset");
    m.path = std::string(rest);  // the rest of the line: paths may hold spaces
    if (m.end <= m.start) fail("a mapping that ends before it starts");
    out_.maps.back().mappings.push_back(std::move(m));
  }

  void stack_line(std::string_view rest) {
    if (out_.maps.empty()) fail("a stack before any maps block");
    Stack s;
    s.id = static_cast<uint32_t>(number(next_field(rest), 10, "stack id"));
    while (!rest.empty()) s.ips.push_back(number(next_field(rest), 16, "address"));
    s.maps = out_.maps.size() - 1;
    s.first_dump = out_.dumps.size();
    if (!index_.emplace(s.id, out_.stacks.size()).second) {
      fail("stack " + std::to_string(s.id) + " written twice");
    }
    out_.stacks.push_back(std::move(s));
  }

  void dump_start(std::string_view rest) {
    if (!started_) fail("a dump before the 'start' line");
    dump_ = Dump();
    dump_.t = seconds(next_field(rest));
    dump_.rss = number(next_field(rest), 10, "rss");
    dump_.sampled_allocs = number(next_field(rest), 10, "sampled allocations");
    dump_.sampled_frees = number(next_field(rest), 10, "sampled frees");
    state_ = State::kDump;
  }

  void dump_line(std::string_view kind, std::string_view rest) {
    if (kind == "end") {
      out_.dumps.push_back(std::move(dump_));
      state_ = State::kTop;
      return;
    }
    if (kind != "live") fail("expected 'live', 'stack' or 'end' in a dump");
    const uint64_t id = number(next_field(rest), 10, "stack id");
    const auto it = index_.find(id);
    if (it == index_.end()) fail("live bytes for stack " + std::to_string(id) + ", never written");
    LiveEntry e;
    e.stack = it->second;
    e.live_bytes = number(next_field(rest), 10, "live bytes");
    e.live_count = number(next_field(rest), 10, "live count");
    e.allocated_bytes = number(next_field(rest), 10, "allocated bytes");
    dump_.live.push_back(e);
  }

  std::string_view text_;
  const std::string& what_;
  NativeSamples out_;
  State state_ = State::kTop;
  Dump dump_;
  bool started_ = false;
  std::unordered_map<uint64_t, std::size_t> index_;
  std::size_t line_no_ = 0;
};

}  // namespace

NativeSamples parse_native_samples(std::string_view text, const std::string& what) {
  return Parser(text, what).run();
}

NativeSamples read_native_samples(const std::string& path) {
  TextLimits limits;
  limits.max_total_bytes = uint64_t{4} << 30;
  limits.what = "native sample file";
  std::string text;
  try {
    text = read_text_input(path, limits);
  } catch (const UserFileError& e) {
    throw NativeError(e.what());
  }
  return parse_native_samples(text, path);
}

}  // namespace leakscope::native
