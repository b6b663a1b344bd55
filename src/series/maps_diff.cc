#include "series/maps_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <map>

#include "series/text_fields.h"

namespace leakscope::series {
namespace {

constexpr std::string_view kMagic = "# leakscope maps v1";

// Splits off the next whitespace-separated field.
std::string_view next_field(std::string_view& s) {
  s = trim(s);
  const std::size_t sp = s.find_first_of(" \t");
  const std::string_view f = s.substr(0, sp);
  s = sp == std::string_view::npos ? std::string_view{} : s.substr(sp);
  return f;
}

// The whole field must be the number.
bool parse_number(std::string_view s, uint64_t& out, int base) {
  return !s.empty() && read_unsigned(s, base, out) == s.size();
}

[[noreturn]] void bad(std::size_t line_no, std::size_t offset, std::string_view what) {
  throw MapsFormatError(line_no, offset, what);
}

int parse_pid(std::string_view s, std::size_t line_no, std::size_t offset) {
  uint64_t pid = 0;
  if (!parse_number(s, pid, 10) || pid > 0x7fffffff) bad(line_no, offset, "bad PID");
  return static_cast<int>(pid);
}

std::string iso_time(double unix_seconds) {
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool looks_like_smaps(std::string_view first) {
  // "55b736cc7000-55b736cc9000 r--p 00000000 fe:00 247498   /usr/bin/head"
  const std::size_t dash = first.find('-');
  if (dash == std::string_view::npos || dash == 0) return false;
  for (std::size_t i = 0; i < dash; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(first[i]))) return false;
  }
  return true;
}

// A saved table is text, one mapping a line, safe to cat: the command line and the mapping paths
// (which may hold any byte but NUL) are written with `\\`, `\n`, `\t`, `\r` and `\xNN` for every
// byte outside printable ASCII, and for a space at either end (which the reader would trim).
std::string escape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f || (c == ' ' && (i == 0 || i + 1 == s.size()))) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// The inverse of escape_field; a backslash starting no known escape stays as it is.
std::string unescape_field(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[i + 1];
    uint64_t byte = 0;
    if (n == '\\' || n == 'n' || n == 't' || n == 'r') {
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : '\\';
      ++i;
    } else if (n == 'x' && i + 3 < s.size() && parse_number(s.substr(i + 2, 2), byte, 16)) {
      out += static_cast<char>(byte);
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string format_maps_table(const MapsTable& table) {
  std::string out;
  out += kMagic;
  out += '\n';
  out += fmt::format("# pid {}  taken {} ({:.0f})  command {}\n", table.pid,
                     iso_time(table.taken_at), table.taken_at, escape_field(table.command));
  out += fmt::format("{:<16} {:>9} {:>9} {:>9} {:>9} {:<4} {:<12} {}\n", "Address", "Kbytes", "RSS",
                     "Anon", "Dirty", "Mode", "Kind", "Mapping");
  uint64_t size = 0, rss = 0, anon = 0, dirty = 0;
  for (const Mapping& m : table.mappings) {
    out +=
        fmt::format("{:016x} {:>9} {:>9} {:>9} {:>9} {:<4} {:<12} {}\n", m.start, m.size() / 1024,
                    m.rss / 1024, m.anonymous / 1024, m.dirty() / 1024, m.perms,
                    mapping_kind_name(m.kind), m.path.empty() ? "[ anon ]" : escape_field(m.path));
    size += m.size();
    rss += m.rss;
    anon += m.anonymous;
    dirty += m.dirty();
  }
  out += fmt::format("{:<16} {:>9} {:>9} {:>9} {:>9}\n", "total kB", size / 1024, rss / 1024,
                     anon / 1024, dirty / 1024);
  return out;
}

namespace {

// A "#" line of a table: "# pid 123  taken ISO (unix)  command ...".
void read_meta_line(std::string_view line, bool ours, std::size_t line_no, std::size_t line_offset,
                    MapsTable& table) {
  std::string_view meta = line.substr(1);
  while (!meta.empty()) {
    const std::string_view key = next_field(meta);
    if (key == "pid") {
      table.pid = parse_pid(next_field(meta), line_no, line_offset);
    } else if (key == "taken") {
      next_field(meta);
      const std::string_view unix_s = next_field(meta);
      uint64_t seconds = 0;
      if (unix_s.size() > 2 && parse_number(unix_s.substr(1, unix_s.size() - 2), seconds, 10)) {
        table.taken_at = static_cast<double>(seconds);
      } else {
        bad(line_no, line_offset, "bad time (want \"taken ISO (unix seconds)\")");
      }
    } else if (key == "command") {
      table.command = ours ? unescape_field(trim(meta)) : std::string(trim(meta));
      break;
    } else if (key.empty()) {
      break;
    }
  }
}

// pmap -x: rwx, then s (shared) or -, then R (no swap reserved) or -; ours: rw-p as in smaps.
bool valid_mode(const std::string& mode, bool pmap) {
  return mode.size() == (pmap ? 5u : 4u) && (mode[0] == 'r' || mode[0] == '-') &&
         (mode[1] == 'w' || mode[1] == '-') && (mode[2] == 'x' || mode[2] == '-') &&
         (pmap ? (mode[3] == 's' || mode[3] == '-') && (mode[4] == 'R' || mode[4] == '-')
               : mode[3] == 'p' || mode[3] == 's');
}

// Sizes in kB must fit in 64 bits as bytes, and the mapping inside the address space.
void check_sizes(uint64_t start, uint64_t kbytes, uint64_t rss, uint64_t anon, uint64_t dirty,
                 std::size_t line_no, std::size_t line_offset) {
  constexpr uint64_t kMaxKb = UINT64_MAX >> 10;
  const bool vsyscall = start == 0xffffffffff600000 && kbytes == 4;  // x86-64's [vsyscall]
  if (kbytes == 0 ||
      (!vsyscall && (start >= kMaxUserAddress || kbytes > (kMaxUserAddress - start) >> 10)))
    bad(line_no, line_offset,
        fmt::format("Kbytes is 0 or the mapping ends past {:x}, the end of the 64-bit user "
                    "address space",
                    kMaxUserAddress));
  if (rss > kMaxKb || anon > kMaxKb || dirty > kMaxKb)
    bad(line_no, line_offset, "a size does not fit in 64 bits");
  if (rss > kbytes || anon > kbytes || dirty > kbytes)
    bad(line_no, line_offset,
        fmt::format("{} is more than the mapping's Kbytes ({})",
                    rss > kbytes    ? "RSS"
                    : anon > kbytes ? "Anon"
                                    : "Dirty",
                    kbytes));
}

// One mapping row: ours ("Address Kbytes RSS Anon Dirty Mode Kind Mapping") or pmap -x's
// ("Address Kbytes RSS Dirty Mode Mapping").
Mapping read_mapping_row(std::string_view f, bool pmap, bool ours, std::size_t line_no,
                         std::size_t line_offset) {
  Mapping m;
  uint64_t kbytes = 0, rss = 0, anon = 0, dirty = 0;
  if (!parse_number(next_field(f), m.start, 16)) bad(line_no, line_offset, "bad address");
  if (!parse_number(next_field(f), kbytes, 10)) bad(line_no, line_offset, "bad Kbytes");
  if (!parse_number(next_field(f), rss, 10)) bad(line_no, line_offset, "bad RSS");
  if (!pmap && !parse_number(next_field(f), anon, 10)) bad(line_no, line_offset, "bad Anon");
  if (!parse_number(next_field(f), dirty, 10)) bad(line_no, line_offset, "bad Dirty");
  std::string mode(next_field(f));
  if (mode.empty()) bad(line_no, line_offset, "missing Mode");
  if (!valid_mode(mode, pmap))
    bad(line_no, line_offset, pmap ? "bad Mode (want e.g. r-x--)" : "bad Mode (want e.g. rw-p)");
  if (pmap) mode = mode.substr(0, 3) + (mode[3] == 's' ? "s" : "p");
  m.perms = mode;
  if (!pmap) {
    const std::string_view kind = next_field(f);
    if (!parse_mapping_kind(kind, m.kind)) bad(line_no, line_offset, "unknown Kind");
  }
  check_sizes(m.start, kbytes, rss, anon, dirty, line_no, line_offset);
  m.source_line = line_no;
  m.source_offset = line_offset;
  std::string path(trim(f));
  if (path == "[ anon ]" || path == "[anon]") path.clear();
  if (ours) path = unescape_field(path);
  m.path = std::move(path);
  m.end = m.start + kbytes * 1024;
  m.rss = rss * 1024;
  m.anonymous = pmap ? (m.path.empty() || m.path[0] == '[' ? rss * 1024 : 0) : anon * 1024;
  m.private_dirty = dirty * 1024;
  return m;
}

// The table in address order, without overlaps; pmap -x's mappings get their kinds here.
void finish_table(bool pmap, MapsTable& table) {
  std::sort(table.mappings.begin(), table.mappings.end(),
            [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
  check_no_overlap(table.mappings);
  if (pmap) {
    classify_mappings(table.mappings);
    // pmap -x prints file names without their directory.
    for (Mapping& m : table.mappings) {
      if (!m.path.empty() && m.path[0] != '[') m.kind = MappingKind::kFile;
    }
  }
}

}  // namespace

MapsTable load_maps_table(std::string_view text) {
  // Find the first non-empty line to tell the formats apart.
  std::string_view probe = text;
  while (!probe.empty() && (probe.front() == '\n' || probe.front() == '\r' || probe.front() == ' '))
    probe.remove_prefix(1);
  const std::string_view first = probe.substr(0, probe.find('\n'));
  if (first.empty()) throw MapsFormatError("line 1 (byte offset 0): empty file");
  if (looks_like_smaps(first)) {
    MapsTable t = parse_smaps(text);
    if (t.mappings.empty()) bad(1, 0, "no mappings found");
    return t;
  }

  MapsTable table;
  bool ours = false, pmap = false, header_seen = false;
  std::size_t line_no = 0, offset = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    const std::size_t line_offset = offset;
    offset += line.size() + 1;
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    ++line_no;
    line = trim(line);
    if (line.empty()) continue;
    if (line.substr(0, kMagic.size()) == kMagic) {
      ours = true;
      continue;
    }
    if (line[0] == '#') {
      read_meta_line(line, ours, line_no, line_offset, table);
      continue;
    }
    if (!header_seen) {
      if (line.rfind("Address", 0) == 0) {
        header_seen = true;
        pmap = line.find("Anon") == std::string_view::npos;
        continue;
      }
      // pmap -x starts with "PID:   command"
      const std::size_t colon = line.find(':');
      const bool pid_first =
          colon != std::string_view::npos && colon > 0 &&
          line.substr(0, colon).find_first_not_of("0123456789") == std::string_view::npos;
      if (pid_first && !ours && table.mappings.empty()) {
        table.pid = parse_pid(line.substr(0, colon), line_no, line_offset);
        table.command = std::string(trim(line.substr(colon + 1)));
        continue;
      }
      bad(line_no, line_offset, "not a leakscope maps table, smaps file or pmap -x output");
    }
    if (line.rfind("total", 0) == 0 || line.rfind("----", 0) == 0) continue;
    table.mappings.push_back(read_mapping_row(line, pmap, ours, line_no, line_offset));
  }
  if (!header_seen) bad(line_no, offset, "no table header (Address ...) found");
  finish_table(pmap, table);
  return table;
}

std::string_view map_change_name(MapChange change) {
  switch (change) {
    case MapChange::kGrew:
      return "grew";
    case MapChange::kShrank:
      return "shrank";
    case MapChange::kAppeared:
      return "appeared";
    case MapChange::kVanished:
      return "vanished";
    case MapChange::kUnchanged:
      return "unchanged";
  }
  return "unchanged";
}

MapsDiff diff_maps(const MapsTable& before, const MapsTable& after) {
  MapsDiff d;
  d.pid_before = before.pid;
  d.pid_after = after.pid;
  d.taken_before = before.taken_at;
  d.taken_after = after.taken_at;
  std::map<uint64_t, std::pair<const Mapping*, const Mapping*>> by_start;
  for (const Mapping& m : before.mappings) {
    by_start[m.start].first = &m;
    d.rss_before += m.rss;
  }
  for (const Mapping& m : after.mappings) {
    by_start[m.start].second = &m;
    d.rss_after += m.rss;
  }
  KindDelta kinds[kMappingKindCount];
  for (std::size_t k = 0; k < kMappingKindCount; ++k) kinds[k].kind = static_cast<MappingKind>(k);
  for (const Mapping& m : before.mappings) {
    auto& kd = kinds[static_cast<std::size_t>(m.kind)];
    kd.rss_before += m.rss;
    ++kd.count_before;
  }
  for (const Mapping& m : after.mappings) {
    auto& kd = kinds[static_cast<std::size_t>(m.kind)];
    kd.rss_after += m.rss;
    ++kd.count_after;
  }
  for (const auto& [start, pair] : by_start) {
    const auto [a, b] = pair;
    // Inaccessible reservations (an arena's ---p tail, guard pages) hold no memory; their start
    // moves as the used part grows, which would read as one vanished and one new mapping.
    const Mapping& any = b ? *b : *a;
    if (any.perms.rfind("---", 0) == 0 && (!a || a->rss == 0) && (!b || b->rss == 0)) continue;
    MapDelta md;
    md.start = start;
    const Mapping& ref = b ? *b : *a;
    md.perms = ref.perms;
    md.path = ref.path;
    md.kind = ref.kind;
    if (a) {
      md.end_before = a->end;
      md.rss_before = a->rss;
    }
    if (b) {
      md.end_after = b->end;
      md.rss_after = b->rss;
    }
    md.rss_delta = static_cast<int64_t>(md.rss_after) - static_cast<int64_t>(md.rss_before);
    md.size_delta =
        static_cast<int64_t>(b ? b->size() : 0) - static_cast<int64_t>(a ? a->size() : 0);
    auto& kd = kinds[static_cast<std::size_t>(md.kind)];
    if (!a) {
      md.change = MapChange::kAppeared;
      ++kd.appeared;
      ++d.appeared;
    } else if (!b) {
      md.change = MapChange::kVanished;
      ++kd.vanished;
      ++d.vanished;
    } else if (md.rss_delta > 0 || (md.rss_delta == 0 && md.size_delta > 0)) {
      md.change = MapChange::kGrew;
    } else if (md.rss_delta < 0 || md.size_delta < 0) {
      md.change = MapChange::kShrank;
    } else {
      continue;
    }
    kd.changes.push_back(std::move(md));
  }
  for (KindDelta& kd : kinds) {
    kd.rss_delta = static_cast<int64_t>(kd.rss_after) - static_cast<int64_t>(kd.rss_before);
    if (kd.changes.empty() && kd.rss_delta == 0) continue;
    std::stable_sort(
        kd.changes.begin(), kd.changes.end(),
        [](const MapDelta& x, const MapDelta& y) { return x.rss_delta > y.rss_delta; });
    d.kinds.push_back(std::move(kd));
  }
  std::stable_sort(d.kinds.begin(), d.kinds.end(), [](const KindDelta& x, const KindDelta& y) {
    return x.rss_delta > y.rss_delta;
  });
  return d;
}

}  // namespace leakscope::series
