#include "live/inspector_target.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include "heap/stopwatch.h"
#include "series/procfs.h"

namespace leakscope::live {

namespace {

std::string_view next_field(std::string_view& line) {
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) {
    line = {};
    return {};
  }
  line.remove_prefix(start);
  const size_t end = line.find_first_of(" \t");
  const std::string_view field = line.substr(0, end);
  line.remove_prefix(end == std::string_view::npos ? line.size() : end);
  return field;
}

template <typename T>
bool parse_number(std::string_view text, T& out, int base = 10) {
  if (text.empty()) return false;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

// "0100007F:240D" -> address and port in host order. The address is the kernel's u32 printed
// with %08X, i.e. in the machine's byte order: on little-endian 127.0.0.1 reads 0100007F.
bool parse_endpoint(std::string_view text, uint32_t& addr, uint16_t& port) {
  const size_t colon = text.find(':');
  if (colon != 8) return false;
  uint32_t raw = 0;
  if (!parse_number(text.substr(0, 8), raw, 16)) return false;
  if (!parse_number(text.substr(9), port, 16)) return false;
  addr = ntohl(raw);
  return true;
}

std::string proc_path(int pid, const char* what) {
  return fmt::format("/proc/{}/{}", pid, what);
}

std::string read_link(const std::string& path) {
  char buf[4096];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) return {};
  return std::string(buf, static_cast<size_t>(n));
}

std::string try_read(const std::string& path) {
  try {
    return series::read_proc_file(path);
  } catch (const series::ProcError&) {
    return {};
  }
}

bool owns(const std::vector<uint64_t>& inodes, uint64_t inode) {
  return inode != 0 && std::find(inodes.begin(), inodes.end(), inode) != inodes.end();
}

bool loopback_or_any(uint32_t addr) {
  return addr == kLoopback || addr == 0;
}

// What the target's Node options (argv before the script, and NODE_OPTIONS) say about its
// inspector: the port (--inspect-port, --inspect[-brk|-wait]=[HOST:]PORT; else 9229) and whether
// it asked for an inspector itself (so one found open was not left behind by a SIGUSR1).
struct InspectFlags {
  uint16_t port = 9229;
  bool asked = false;
};

InspectFlags inspect_flags(int pid) {
  std::vector<std::string> words;
  const std::string cmdline = try_read(proc_path(pid, "cmdline"));
  bool first = true;
  bool takes_value = false;
  for (size_t at = 0; at < cmdline.size();) {
    const size_t end = std::min(cmdline.find('\0', at), cmdline.size());
    std::string w = cmdline.substr(at, end - at);
    at = end + 1;
    if (first) {  // the executable
      first = false;
      continue;
    }
    // The script (or -e's code) ends Node's options: what follows is the app's.
    if (!takes_value && (w.empty() || w[0] != '-' || w == "--")) break;
    if (takes_value) {
      takes_value = false;
      if (words.empty() || words.back() != "--inspect-port") continue;
    } else {
      static const char* const kWithValue[] = {
          "-r", "--require",    "--import", "--loader",       "--experimental-loader",
          "-C", "--conditions", "--title",  "--inspect-port", "--debug-port"};
      for (const char* o : kWithValue) takes_value = takes_value || w == o;
      if (w == "-e" || w == "--eval" || w == "-p" || w == "--print") break;
    }
    words.push_back(std::move(w));
  }
  const std::string environ = try_read(proc_path(pid, "environ"));
  for (size_t at = 0; at < environ.size();) {
    const size_t end = std::min(environ.find('\0', at), environ.size());
    std::string_view var(environ.data() + at, end - at);
    at = end + 1;
    if (!var.starts_with("NODE_OPTIONS=")) continue;
    var.remove_prefix(13);
    for (std::string_view w = next_field(var); !w.empty(); w = next_field(var)) {
      words.emplace_back(w);
    }
  }
  InspectFlags flags;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string_view w = words[i];
    std::string_view value;
    if ((w == "--inspect-port" || w == "--debug-port") && i + 1 < words.size()) {
      value = words[i + 1];
    } else if (w.starts_with("--inspect-port=") || w.starts_with("--debug-port=")) {
      value = w.substr(w.find('=') + 1);
    } else if (w == "--inspect" || w == "--inspect-brk" || w == "--inspect-wait") {
      flags.asked = true;
    } else if (w.starts_with("--inspect=") || w.starts_with("--inspect-brk=") ||
               w.starts_with("--inspect-wait=")) {
      flags.asked = true;
      value = w.substr(w.find('=') + 1);
    }
    // [host:]port
    if (const size_t colon = value.rfind(':'); colon != std::string_view::npos) {
      value.remove_prefix(colon + 1);
    }
    uint16_t port = 0;
    if (!value.empty() && parse_number(value, port)) flags.port = port;
  }
  return flags;
}

// Who else holds the socket with this inode (for "port taken" messages); 0 when not found, e.g.
// another user's process whose fds we may not read.
int socket_owner(uint64_t inode) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return 0;
  int found = 0;
  while (dirent* e = ::readdir(proc)) {
    int pid = 0;
    if (!parse_number(std::string_view(e->d_name), pid)) continue;
    if (owns(socket_inodes(pid), inode)) {
      found = pid;
      break;
    }
  }
  ::closedir(proc);
  return found;
}

std::string process_name(int pid) {
  const StatusFields st = parse_status_fields(try_read(proc_path(pid, "status")));
  return st.name.empty() ? "?" : st.name;
}

}  // namespace

std::vector<TcpRow> parse_net_tcp(std::string_view text) {
  std::vector<TcpRow> rows;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const std::string_view sl = next_field(line);
    if (sl.empty() || sl.back() != ':') continue;
    TcpRow row;
    if (!parse_endpoint(next_field(line), row.local_addr, row.local_port)) continue;
    if (!parse_endpoint(next_field(line), row.remote_addr, row.remote_port)) continue;
    if (!parse_number(next_field(line), row.state, 16)) continue;
    for (int skip = 0; skip < 5; ++skip) next_field(line);
    if (!parse_number(next_field(line), row.inode)) continue;
    rows.push_back(row);
  }
  return rows;
}

StatusFields parse_status_fields(std::string_view text) {
  StatusFields st;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    if (key == "Name") {
      const size_t start = value.find_first_not_of(" \t");
      st.name = start == std::string_view::npos ? "" : std::string(value.substr(start));
    } else if (key == "Uid") {
      st.has_uid = parse_number(next_field(value), st.real_uid) &&
                   parse_number(next_field(value), st.effective_uid);
    } else if (key == "SigPnd") {
      parse_number(next_field(value), st.sig_pnd, 16);
    } else if (key == "ShdPnd") {
      parse_number(next_field(value), st.shd_pnd, 16);
    } else if (key == "SigBlk") {
      parse_number(next_field(value), st.sig_blk, 16);
    } else if (key == "SigIgn") {
      parse_number(next_field(value), st.sig_ign, 16);
    } else if (key == "SigCgt") {
      parse_number(next_field(value), st.sig_cgt, 16);
    }
  }
  return st;
}

std::optional<uint64_t> parse_socket_link(std::string_view link) {
  if (!link.starts_with("socket:[") || !link.ends_with("]")) return std::nullopt;
  uint64_t inode = 0;
  if (!parse_number(link.substr(8, link.size() - 9), inode)) return std::nullopt;
  return inode;
}

std::optional<StatFields> parse_stat(std::string_view text) {
  // The name is everything between the first '(' and the last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(close + 1);
  StatFields f;
  // Field 3 is the state; fields 14, 15 the CPU ticks; field 22 the start time.
  for (int field = 3; field <= 22; ++field) {
    const std::string_view v = next_field(rest);
    if (v.empty()) return std::nullopt;
    uint64_t n = 0;
    if (field == 3) {
      f.state = v[0];
    } else if (field == 14 || field == 15) {
      if (!parse_number(v, n)) return std::nullopt;
      f.cpu_ticks += n;
    } else if (field == 22) {
      if (!parse_number(v, f.start_time)) return std::nullopt;
    }
  }
  return f;
}

std::vector<uint64_t> socket_inodes(int pid) {
  std::vector<uint64_t> inodes;
  const std::string dir = proc_path(pid, "fd");
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return inodes;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (auto inode = parse_socket_link(read_link(dir + "/" + e->d_name))) inodes.push_back(*inode);
  }
  ::closedir(d);
  return inodes;
}

Target check_target(int pid) {
  Target t;
  t.pid = pid;
  std::string status;
  try {
    status = series::read_proc_file(proc_path(pid, "status"));
  } catch (const series::ProcError&) {
    throw AttachError(fmt::format("attach: no process with PID {}", pid));
  }
  const StatusFields st = parse_status_fields(status);
  t.name = st.name;
  const uid_t me = ::geteuid();
  if (!st.has_uid || st.real_uid != me || st.effective_uid != me) {
    throw AttachError(fmt::format(
        "attach: PID {} ({}) belongs to user {}, not to us (user {}): attach only to your own "
        "processes (its heap holds that user's secrets); run leakscope as that user",
        pid, t.name, st.real_uid, me));
  }
  const auto stat = parse_stat(try_read(proc_path(pid, "stat")));
  if (!stat) throw AttachError(fmt::format("attach: PID {} exited", pid));
  if (stat->state == 'Z') throw AttachError(fmt::format("attach: PID {} has exited (zombie)", pid));
  t.start_time = stat->start_time;
  t.exe = read_link(proc_path(pid, "exe"));
  // Node's binary is `node` (Debian: also `nodejs`); an embedder links libnode. process.title
  // changes the name in status, not the executable.
  std::string_view base = t.exe;
  if (const size_t slash = base.rfind('/'); slash != std::string_view::npos) {
    base.remove_prefix(slash + 1);
  }
  if (base.ends_with(" (deleted)")) base.remove_suffix(10);
  const bool node_binary = base == "node" || base == "nodejs" || base.starts_with("node-") ||
                           base.starts_with("node2") || base.starts_with("node1");
  if (!node_binary && try_read(proc_path(pid, "maps")).find("/libnode.so") == std::string::npos) {
    throw AttachError(fmt::format("attach: PID {} ({}) is not a Node.js process (it runs {})", pid,
                                  t.name, t.exe.empty() ? "an unknown executable" : t.exe));
  }
  // 127.0.0.1 means our own network namespace: in a container's, the same address reaches
  // whatever listens on the host. leakscope talks to nothing but the target, so it moves its
  // whole process into the target's namespace when it may (CAP_SYS_ADMIN).
  const std::string mine = read_link("/proc/self/ns/net");
  const std::string theirs = read_link(proc_path(pid, "ns/net"));
  if (mine.empty() || theirs.empty()) {
    throw AttachError(fmt::format("attach: cannot read the network namespace of PID {}", pid));
  }
  if (mine != theirs) {
    const int fd = ::open(proc_path(pid, "ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    const bool moved = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (!moved) {
      throw AttachError(fmt::format(
          "attach: PID {} runs in another network namespace (a container?) and we may not enter "
          "it ({}): run leakscope inside it (nsenter -t {} -n leakscope attach {})",
          pid, std::strerror(err), pid, pid));
    }
    t.other_netns = true;
  }
  return t;
}

void check_still_same(const Target& target) {
  const auto stat = parse_stat(try_read(proc_path(target.pid, "stat")));
  if (!stat || stat->state == 'Z' || stat->start_time != target.start_time) {
    throw AttachError(fmt::format("attach: PID {} ({}) exited", target.pid, target.name));
  }
}

std::vector<TcpRow> own_loopback_listeners(int pid) {
  const std::vector<uint64_t> inodes = socket_inodes(pid);
  std::vector<TcpRow> out;
  for (const TcpRow& row : parse_net_tcp(try_read(proc_path(pid, "net/tcp")))) {
    if (row.state == kTcpListen && row.local_addr == kLoopback && owns(inodes, row.inode)) {
      out.push_back(row);
    }
  }
  return out;
}

InspectorPort open_inspector(const Target& target, double timeout) {
  const int pid = target.pid;
  check_still_same(target);
  const StatusFields before = parse_status_fields(try_read(proc_path(pid, "status")));
  if (has_signal(before.sig_blk, SIGUSR1)) {
    throw AttachError(fmt::format(
        "attach: PID {} blocks SIGUSR1 (started with --disable-sigusr1?): its inspector cannot be "
        "opened from outside; use the in-process agent, or restart it with --inspect",
        pid));
  }
  if (has_signal(before.sig_ign, SIGUSR1)) {
    throw AttachError(fmt::format(
        "attach: PID {} ignores SIGUSR1 (its parent set it to SIG_IGN): its inspector cannot be "
        "opened from outside",
        pid));
  }
  const std::vector<TcpRow> existing = own_loopback_listeners(pid);
  // An inspector opened before we came (--inspect, or an attach that gave up while the main
  // thread was blocked) answers SIGUSR1 with nothing new: it is the target's own listener on its
  // inspector port. One the app did not ask for is closed again at the end.
  const InspectFlags flags = inspect_flags(pid);
  const uint16_t wanted = flags.port;
  for (const TcpRow& row : existing) {
    if (row.local_port == wanted) {
      return InspectorPort{row.local_port, row.inode, 0, true, flags.asked};
    }
  }
  const auto main_before = parse_stat(try_read(fmt::format("/proc/{}/task/{}/stat", pid, pid)));
  const auto start = StageClock::now();
  if (::kill(pid, SIGUSR1) != 0) {
    const int err = errno;
    throw AttachError(fmt::format("attach: cannot signal PID {}: {}", pid, std::strerror(err)));
  }
  bool delivered = false;
  while (true) {
    for (const TcpRow& row : own_loopback_listeners(pid)) {
      const bool old = std::any_of(existing.begin(), existing.end(),
                                   [&](const TcpRow& e) { return e.inode == row.inode; });
      if (!old) return InspectorPort{row.local_port, row.inode, seconds_since(start), false, false};
    }
    const StatusFields now = parse_status_fields(try_read(proc_path(pid, "status")));
    if (now.name.empty()) throw AttachError(fmt::format("attach: PID {} exited", pid));
    const bool pending = has_signal(now.shd_pnd, SIGUSR1) || has_signal(now.sig_pnd, SIGUSR1);
    delivered = delivered || !pending;
    if (seconds_since(start) >= timeout) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  check_still_same(target);
  const double waited = seconds_since(start);
  if (!delivered) {
    throw AttachError(fmt::format(
        "attach: SIGUSR1 is still pending in PID {} after {:.1f} s (blocked in every thread: "
        "--disable-sigusr1?); its inspector cannot be opened from outside",
        pid, waited));
  }
  const std::vector<uint64_t> mine = socket_inodes(pid);
  for (const TcpRow& row : parse_net_tcp(try_read(proc_path(pid, "net/tcp")))) {
    if (row.state != kTcpListen || row.local_port != wanted || !loopback_or_any(row.local_addr) ||
        owns(mine, row.inode)) {
      continue;
    }
    const int other = socket_owner(row.inode);
    const std::string who =
        other > 0 ? fmt::format("PID {} ({})", other, process_name(other)) : "another process";
    throw AttachError(fmt::format(
        "attach: port {} is taken by {}, so PID {} could not open its inspector (it says so only "
        "on its own stderr); free the port, or start the app with --inspect-port=0",
        wanted, who, pid));
  }
  const auto main_after = parse_stat(try_read(fmt::format("/proc/{}/task/{}/stat", pid, pid)));
  const long hz = ::sysconf(_SC_CLK_TCK);
  double cpu = 0;
  if (main_before && main_after && hz > 0) {
    cpu = static_cast<double>(main_after->cpu_ticks - main_before->cpu_ticks) /
          static_cast<double>(hz);
  }
  if (cpu > 0.5 * waited) {
    throw AttachError(fmt::format(
        "attach: PID {} got SIGUSR1 but opened no inspector in {:.1f} s while its main thread "
        "ran {:.1f} s of CPU: it is busy in native code (a long synchronous call); try again "
        "later or with a longer --open-timeout",
        pid, waited, cpu));
  }
  throw AttachError(fmt::format(
      "attach: PID {} got SIGUSR1 but opened no inspector in {:.1f} s: the app handles SIGUSR1 "
      "itself (process.on('SIGUSR1')), or its main thread is blocked in a synchronous call (then "
      "the inspector opens when the call returns: attach again to use and close it); try a "
      "longer --open-timeout, else use the in-process agent",
      pid, waited));
}

void verify_peer(const Target& target, uint16_t inspector_port, uint16_t local_port,
                 double timeout) {
  const auto start = StageClock::now();
  while (true) {
    const std::vector<uint64_t> inodes = socket_inodes(target.pid);
    for (const TcpRow& row : parse_net_tcp(try_read(proc_path(target.pid, "net/tcp")))) {
      if (row.state == kTcpEstablished && row.local_addr == kLoopback &&
          row.local_port == inspector_port && row.remote_addr == kLoopback &&
          row.remote_port == local_port && owns(inodes, row.inode)) {
        return;
      }
    }
    if (seconds_since(start) >= timeout) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  throw AttachError(fmt::format(
      "attach: the connection to 127.0.0.1:{} is not held by PID {} (the port changed hands?); "
      "nothing was sent",
      inspector_port, target.pid));
}

bool still_listening(const Target& target, uint16_t port) {
  for (const TcpRow& row : own_loopback_listeners(target.pid)) {
    if (row.local_port == port) return true;
  }
  return false;
}

}  // namespace leakscope::live
