#include "series/trace_gc.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace leakscope::series {
namespace {

constexpr std::size_t kMaxUnknownSamples = 5;
constexpr std::size_t kMaxReasons = 60000;

// A forward-only cursor; every method fails without consuming on a mismatch.
struct Cursor {
  const char* p;
  const char* e;

  explicit Cursor(std::string_view s) : p(s.data()), e(s.data() + s.size()) {}
  bool done() const { return p >= e; }
  std::string_view rest() const { return {p, static_cast<std::size_t>(e - p)}; }
  bool eat(std::string_view s) {
    if (static_cast<std::size_t>(e - p) >= s.size() && std::memcmp(p, s.data(), s.size()) == 0) {
      p += s.size();
      return true;
    }
    return false;
  }
  bool eat(char ch) {
    if (p < e && *p == ch) {
      ++p;
      return true;
    }
    return false;
  }
  void spaces() {
    while (p < e && *p == ' ') ++p;
  }
  bool number(double& out) {
    static constexpr double kPow10[] = {1,    1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                        1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
    const char* q = p;
    uint64_t whole = 0;
    int digits = 0;
    while (q < e && *q >= '0' && *q <= '9' && digits < 18) {
      whole = whole * 10 + static_cast<uint64_t>(*q - '0');
      ++q;
      ++digits;
    }
    if (digits == 0) return false;
    while (q < e && *q >= '0' && *q <= '9') ++q;  // absurdly long: precision loss is fine
    double value = static_cast<double>(whole);
    if (q + 1 < e && *q == '.' && q[1] >= '0' && q[1] <= '9') {
      ++q;
      uint64_t frac = 0;
      int fd = 0;
      while (q < e && *q >= '0' && *q <= '9') {
        if (fd < 18) {
          frac = frac * 10 + static_cast<uint64_t>(*q - '0');
          ++fd;
        }
        ++q;
      }
      value += static_cast<double>(frac) / kPow10[fd];
    }
    out = value;
    p = q;
    return true;
  }
  bool hex(uint64_t& out) {
    const char* q = p;
    uint64_t v = 0;
    while (q < e) {
      const char ch = *q;
      int d;
      if (ch >= '0' && ch <= '9') {
        d = ch - '0';
      } else if (ch >= 'a' && ch <= 'f') {
        d = ch - 'a' + 10;
      } else if (ch >= 'A' && ch <= 'F') {
        d = ch - 'A' + 10;
      } else {
        break;
      }
      v = (v << 4) | static_cast<uint64_t>(d);
      ++q;
    }
    if (q == p) return false;
    out = v;
    p = q;
    return true;
  }
  bool skip_past(std::string_view needle) {
    const std::string_view r = rest();
    const std::size_t at = r.find(needle);
    if (at == std::string_view::npos) return false;
    p += at + needle.size();
    return true;
  }
};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "[PID:ISOLATE]" with the isolate in hex, with or without 0x (Windows prints 16 bare digits).
bool isolate_prefix(Cursor& c, uint64_t& pid, uint64_t& address) {
  Cursor t = c;
  double pid_value = 0;
  if (!t.eat('[') || !t.number(pid_value) || !t.eat(':')) return false;
  if (!t.eat("0x")) t.eat("0X");
  if (!t.hex(address) || !t.eat(']')) return false;
  pid = static_cast<uint64_t>(pid_value);
  c = t;
  return true;
}

// Old V8 prints "reason collector-reason" without the ';'. These are the collector reasons.
constexpr std::string_view kCollectorReasons[] = {
    "GC in old space requested", "scavenge might not succeed", "promotion failure",
    "Minor GC requested",        "concurrent GC requested",
};

}  // namespace

std::string_view gc_kind_name(GcKind kind) {
  switch (kind) {
    case GcKind::kScavenge:
      return "Scavenge";
    case GcKind::kMinorMarkCompact:
      return "Minor Mark-Compact";
    case GcKind::kMarkCompact:
      return "Mark-Compact";
  }
  return "?";
}

uint32_t TraceGcParser::isolate_index(uint64_t pid, uint64_t address) {
  if (last_isolate_ < log_.isolates.size()) {
    const GcIsolate& last = log_.isolates[last_isolate_];
    if (last.pid == pid && last.address == address) return last_isolate_;
  }
  for (std::size_t i = 0; i < log_.isolates.size(); ++i) {
    if (log_.isolates[i].pid == pid && log_.isolates[i].address == address) {
      last_isolate_ = static_cast<uint32_t>(i);
      return last_isolate_;
    }
  }
  log_.isolates.push_back({pid, address, 0});
  last_isolate_ = static_cast<uint32_t>(log_.isolates.size() - 1);
  return last_isolate_;
}

uint16_t TraceGcParser::intern_reason(std::string_view reason) {
  reason = trim(reason);
  if (reason.empty()) return 0;
  // Few distinct reasons exist; the most recent ones are checked first.
  for (std::size_t i = log_.reasons.size(); i-- > 1;) {
    if (log_.reasons[i] == reason) return static_cast<uint16_t>(i);
  }
  if (log_.reasons.size() >= kMaxReasons) return 0;
  log_.reasons.emplace_back(reason);
  return static_cast<uint16_t>(log_.reasons.size() - 1);
}

void TraceGcParser::unknown(std::string_view text) {
  ++log_.unknown_lines;
  if (log_.unknown_samples.size() < kMaxUnknownSamples) {
    log_.unknown_samples.push_back({log_.lines, std::string(text.substr(0, 200))});
  }
  if (on_foreign_) on_foreign_(text, on_foreign_user_);
}

namespace {

// "Scavenge", "Mark-Compact (reduce)", ...: the collector and its modifiers.
bool read_kind(Cursor& c, GcEvent& ev) {
  if (c.eat("Shared ")) ev.flags |= kGcShared;
  if (c.eat("Scavenge")) {
    ev.kind = GcKind::kScavenge;
  } else if (c.eat("Mark-Compact") || c.eat("Mark-sweep") || c.eat("Mark-Sweep")) {
    ev.kind = GcKind::kMarkCompact;
  } else if (c.eat("Minor Mark-Compact") || c.eat("Minor Mark-Sweep")) {
    ev.kind = GcKind::kMinorMarkCompact;
  } else {
    return false;
  }
  while (c.eat(" (")) {
    const std::string_view r = c.rest();
    const std::size_t close = r.find(')');
    if (close == std::string_view::npos) return false;
    const std::string_view mod = r.substr(0, close);
    if (mod == "reduce") {
      ev.flags |= kGcReduce;
    } else if (mod == "interleaved") {
      ev.flags |= kGcInterleaved;
    } else if (mod == "during sweeping") {
      ev.flags |= kGcDuringSweeping;
    }
    c.p += close + 1;
  }
  return true;
}

// "12.3 (14.0) -> 11.2": false when this is no GC line. An entry of the OOM ring buffer may be
// cut after the arrow; it is then marked truncated.
bool read_before_after(Cursor& c, GcEvent& ev, bool ring) {
  c.spaces();
  if (!c.number(ev.before_mb)) return false;
  c.spaces();
  if (c.eat('(')) {
    if (!c.number(ev.before_committed_mb) || !c.eat(')')) return false;
    c.spaces();
  }
  if (!c.eat("->")) return false;
  c.spaces();
  if (!c.number(ev.after_mb)) {
    if (!ring) return false;
    ev.flags |= kGcTruncated;
  }
  return true;
}

// The fields after the heap sizes; each returns false where the line is cut short.

// " (14.0) MB, pooled: 1.0 MB, "
bool read_after_committed_and_pooled(Cursor& c, GcEvent& ev) {
  c.spaces();
  if (c.eat('(')) {
    if (!c.number(ev.after_committed_mb) || !c.eat(')')) return false;
  }
  c.spaces();
  c.eat("MB");
  c.eat(',');
  c.spaces();
  if (!c.eat("pooled: ")) return true;
  if (!c.number(ev.pooled_mb)) return false;
  c.spaces();
  c.eat("MB");
  c.eat(',');
  c.spaces();
  return true;
}

// "1.5 / 0.2 ms, "
bool read_pause(Cursor& c, GcEvent& ev) {
  if (!c.number(ev.pause_ms)) return false;
  bool complete = true;
  c.spaces();
  if (c.eat('/')) {
    c.spaces();
    if (!c.number(ev.external_ms)) complete = false;
    c.spaces();
  }
  c.eat("ms");
  c.eat(',');
  c.spaces();
  return complete;
}

// "(+ 3.1 ms in 12 steps since start of marking, ..., walltime since start of marking 40 ms) "
bool read_incremental(Cursor& c, GcEvent& ev) {
  if (!c.eat("(+ ")) return true;
  ev.flags |= kGcIncremental;
  double steps = 0;
  if (c.number(ev.incremental_ms) && c.eat(" ms in ") && c.number(steps)) {
    ev.incremental_steps = static_cast<uint32_t>(steps);
  }
  Cursor w = c;
  if (w.skip_past("walltime since start of marking ")) {
    w.number(ev.marking_walltime_ms);
    c = w;
  }
  const bool complete = c.skip_past(")");
  c.spaces();
  return complete;
}

// "(average mu = 0.9, current mu = 0.8) "
bool read_mutator_utilization(Cursor& c, GcEvent& ev) {
  if (!c.eat("(average mu = ")) return true;
  const bool complete =
      c.number(ev.average_mu) && c.eat(", current mu = ") && c.number(ev.current_mu) && c.eat(')');
  c.spaces();
  return complete;
}

// "reason; collector reason", or old V8's "reason collector-reason" without the ';'.
std::pair<std::string_view, std::string_view> split_reasons(std::string_view rest) {
  std::string_view reason = trim(rest);
  const std::size_t semi = reason.find(';');
  std::string_view collector;
  if (semi != std::string_view::npos) {
    collector = reason.substr(semi + 1);
    reason = reason.substr(0, semi);
  } else {
    for (std::string_view known : kCollectorReasons) {
      const std::size_t at = reason.rfind(known);
      if (at != std::string_view::npos && at + known.size() == reason.size()) {
        collector = reason.substr(at);
        reason = reason.substr(0, at);
        break;
      }
    }
  }
  return {reason, collector};
}

// Ring entries repeat lines printed before, when --trace-gc was on: is `ev` one of the recent?
bool printed_before(const std::vector<GcEvent>& events, const GcEvent& ev) {
  std::size_t looked = 0;
  for (std::size_t i = events.size(); i-- > 0 && looked < 256; ++looked) {
    const GcEvent& old = events[i];
    if (old.isolate == ev.isolate && old.t_ms == ev.t_ms && old.kind == ev.kind &&
        old.before_mb == ev.before_mb) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool TraceGcParser::gc_body(std::string_view body, uint32_t isolate, double t_ms, bool ring) {
  Cursor c(body);
  GcEvent ev;
  ev.t_ms = t_ms;
  ev.isolate = isolate;
  if (!read_kind(c, ev) || !read_before_after(c, ev, ring)) return false;
  // Each field is read only while the ones before it were whole.
  const bool complete = !(ev.flags & kGcTruncated) && read_after_committed_and_pooled(c, ev) &&
                        read_pause(c, ev) && read_incremental(c, ev) &&
                        read_mutator_utilization(c, ev);
  if (complete) {
    const auto [reason, collector] = split_reasons(c.rest());
    ev.reason = intern_reason(reason);
    ev.collector_reason = intern_reason(collector);
  } else {
    ev.flags |= kGcTruncated;
  }

  if (ring) {
    ++log_.oom_ring_entries;
    // Keep only the ring's new entries.
    if (printed_before(log_.events, ev)) return true;
    ++log_.oom_ring_new;
    ev.flags |= kGcFromOomRing;
  }
  log_.events.push_back(ev);
  ++log_.isolates[isolate].events;
  if (on_event_) on_event_(log_.events.back(), on_event_user_);
  return true;
}

void TraceGcParser::verbose_body(std::string_view body, uint32_t isolate) {
  // The verbose block follows its GC's line; attach to the isolate's latest event.
  GcEvent* ev = nullptr;
  for (std::size_t i = log_.events.size(), looked = 0; i-- > 0 && looked < 4; ++looked) {
    if (log_.events[i].isolate == isolate) {
      ev = &log_.events[i];
      break;
    }
  }
  Cursor c(body);
  double value = 0;
  auto number_after = [&](std::string_view key) {
    Cursor t = c;
    if (!t.skip_past(key)) return false;
    t.spaces();
    return t.number(value);
  };
  if (c.eat("External memory reported:")) {
    ++log_.verbose_lines;
    c.spaces();
    if (ev && c.number(value)) {
      ev->external_kb = value;
      ev->flags |= kGcVerbose;
    }
    return;
  }
  if (c.eat("Backing store memory:")) {
    ++log_.verbose_lines;
    c.spaces();
    if (ev && c.number(value)) {
      ev->backing_store_kb = value;
      ev->flags |= kGcVerbose;
    }
    return;
  }
  if (c.eat("All spaces,")) {
    ++log_.verbose_lines;
    if (ev && number_after("used:")) ev->all_used_kb = value;
    if (ev && number_after("committed:")) ev->all_committed_kb = value;
    if (ev) ev->flags |= kGcVerbose;
    return;
  }
  if (body.find("space,") != std::string_view::npos || starts_with(body, "Memory allocator,") ||
      starts_with(body, "Unmapper buffering") || starts_with(body, "External memory global") ||
      starts_with(body, "Total time spent in GC") || starts_with(body, "Pool buffering")) {
    ++log_.verbose_lines;
    return;
  }
  ++log_.v8_other_lines;  // Shrinking page, Fast promotion mode, ...
}

void TraceGcParser::oom_ring_line(std::string_view text) {
  // Entries are cut to a fixed length and may run together: split at each "[PID:".
  bool any = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find('[', pos);
    if (open == std::string_view::npos) break;
    Cursor c(text.substr(open));
    uint64_t pid = 0, address = 0;
    if (!isolate_prefix(c, pid, address)) {
      pos = open + 1;
      continue;
    }
    // The entry runs to the next "[digits:" or the end of the line.
    std::size_t next = open + 1;
    while (true) {
      next = text.find('[', next);
      if (next == std::string_view::npos) break;
      Cursor probe(text.substr(next));
      uint64_t p2 = 0, a2 = 0;
      if (isolate_prefix(probe, p2, a2)) break;
      ++next;
    }
    const std::size_t entry_end = next == std::string_view::npos ? text.size() : next;
    Cursor entry(text.substr(open, entry_end - open));
    isolate_prefix(entry, pid, address);
    entry.spaces();
    double t_ms = 0;
    if (entry.number(t_ms) && entry.eat(" ms: ")) {
      const uint32_t iso = isolate_index(pid, address);
      if (gc_body(entry.rest(), iso, t_ms, true)) any = true;
    }
    pos = entry_end;
  }
  ++log_.oom_lines;
  (void)any;
}

void TraceGcParser::line(std::string_view text) {
  ++log_.lines;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  if (text.empty() || trim(text).empty()) {
    ++log_.blank_lines;
    return;
  }
  if (text[0] == '<' || text[0] == 'F' || text[0] == '-') {
    if (starts_with(text, "<--- Last few GCs --->")) {
      log_.oom = true;
      in_oom_ring_ = true;
      ++log_.oom_lines;
      return;
    }
    if (starts_with(text, "<--- JS stacktrace --->")) {
      log_.oom = true;
      in_oom_ring_ = false;
      ++log_.oom_lines;
      return;
    }
    if (starts_with(text, "FATAL ERROR: ")) {
      log_.oom = true;
      in_oom_ring_ = false;
      after_fatal_ = true;
      if (log_.fatal_error.empty()) log_.fatal_error = std::string(trim(text.substr(13)));
      ++log_.oom_lines;
      return;
    }
    if (starts_with(text, "----- Native stack trace -----")) {
      after_fatal_ = true;
      ++log_.oom_lines;
      return;
    }
  }
  if (in_oom_ring_) {
    oom_ring_line(text);
    return;
  }
  std::string_view v8 = text;
  if (text[0] != '[') {
    if (after_fatal_) {
      // " 1: 0xb78db3 node::OOMErrorHandler(...) [node]"
      Cursor c(text);
      c.spaces();
      double n = 0;
      if (c.number(n) && c.eat(": 0x")) {
        ++log_.oom_lines;
        return;
      }
    }
    // A prefixed stream ("web: [123:0x...] ..."): look for V8's prefix once.
    const std::size_t open = text.find('[');
    if (open == std::string_view::npos) {
      unknown(text);
      return;
    }
    v8 = text.substr(open);
  }
  Cursor c(v8);
  uint64_t pid = 0, address = 0;
  if (!isolate_prefix(c, pid, address)) {
    unknown(text);
    return;
  }
  c.spaces();
  const uint32_t iso = isolate_index(pid, address);
  Cursor timed = c;
  double t_ms = 0;
  if (timed.number(t_ms) && timed.eat(" ms: ")) {
    const std::string_view body = timed.rest();
    if (gc_body(body, iso, t_ms, false)) {
      ++log_.gc_lines;
      return;
    }
    if (starts_with(body, "pause=")) {
      ++log_.nvp_lines;
      return;
    }
    ++log_.v8_other_lines;  // [IncrementalMarking], [HeapController], memory reducer, ...
    return;
  }
  verbose_body(c.rest(), iso);
}

void TraceGcParser::feed(std::string_view chunk) {
  log_.bytes += chunk.size();
  if (!pending_.empty()) {
    const void* nl = std::memchr(chunk.data(), '\n', chunk.size());
    if (nl == nullptr) {
      pending_.append(chunk);
      flush_if_too_long();
      return;
    }
    const auto len = static_cast<std::size_t>(static_cast<const char*>(nl) - chunk.data());
    pending_.append(chunk.substr(0, len));
    line(pending_);
    pending_.clear();
    chunk.remove_prefix(len + 1);
  }
  const char* p = chunk.data();
  const char* e = p + chunk.size();
  while (p < e) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(e - p));
    if (nl == nullptr) {
      pending_.assign(p, static_cast<std::size_t>(e - p));
      flush_if_too_long();
      return;
    }
    const char* q = static_cast<const char*>(nl);
    line(std::string_view(p, static_cast<std::size_t>(q - p)));
    p = q + 1;
  }
}

// V8 never writes a trace line this long; what does is the watched app's own output without a
// newline (a 300 MB binary dump), which would otherwise be held here whole.
void TraceGcParser::flush_if_too_long() {
  if (pending_.size() < kMaxPendingLine) return;
  line(pending_);
  pending_.clear();
}

void TraceGcParser::finish() {
  if (!pending_.empty()) {
    line(pending_);
    pending_.clear();
  }
}

GcLog parse_trace_gc(std::string_view text) {
  TraceGcParser parser;
  parser.feed(text);
  parser.finish();
  return parser.take();
}

uint32_t primary_isolate(const GcLog& log) {
  uint32_t best = UINT32_MAX;
  std::size_t best_events = 0;
  for (std::size_t i = 0; i < log.isolates.size(); ++i) {
    if (log.isolates[i].events > best_events) {
      best_events = log.isolates[i].events;
      best = static_cast<uint32_t>(i);
    }
  }
  return best;
}

namespace {
constexpr double kMB = 1024.0 * 1024.0;
}

std::vector<Point> post_full_gc_series(const GcLog& log, uint32_t isolate) {
  std::vector<Point> out;
  for (const GcEvent& ev : log.events) {
    if (ev.isolate == isolate && is_full_gc(ev.kind) && !(ev.flags & kGcTruncated)) {
      out.push_back({ev.t_ms / 1000, ev.after_mb * kMB});
    }
  }
  return out;
}

std::vector<Point> post_any_gc_series(const GcLog& log, uint32_t isolate) {
  std::vector<Point> out;
  for (const GcEvent& ev : log.events) {
    if (ev.isolate == isolate && !(ev.flags & kGcTruncated)) {
      out.push_back({ev.t_ms / 1000, ev.after_mb * kMB});
    }
  }
  return out;
}

}  // namespace leakscope::series
