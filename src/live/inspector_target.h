// The process `leakscope attach` works on: checks that it is a Node process of our own user,
// opens its inspector with SIGUSR1, and finds the port it listens on, proving from /proc that the
// socket belongs to that process (other Node processes on the machine listen on 9229 too, and a
// connection to the inspector is full code execution in whoever owns it). Linux only.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace leakscope::live {

// Every failure of a live attach: one line that says what happened and what to do.
class AttachError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A socket row of /proc/PID/net/tcp (IPv4 only; addresses and ports in host order).
struct TcpRow {
  uint32_t local_addr = 0;
  uint16_t local_port = 0;
  uint32_t remote_addr = 0;
  uint16_t remote_port = 0;
  uint8_t state = 0;  // 0x0A = LISTEN, 0x01 = ESTABLISHED
  uint64_t inode = 0;
};
inline constexpr uint8_t kTcpListen = 0x0A;
inline constexpr uint8_t kTcpEstablished = 0x01;
inline constexpr uint32_t kLoopback = 0x7F000001;  // 127.0.0.1

// Rows that do not parse are skipped (the header line, truncated lines).
std::vector<TcpRow> parse_net_tcp(std::string_view text);

// What /proc/PID/status says about the process's user and SIGUSR1.
struct StatusFields {
  std::string name;
  uint32_t real_uid = 0;
  uint32_t effective_uid = 0;
  bool has_uid = false;
  uint64_t sig_pnd = 0;  // pending for the main thread
  uint64_t shd_pnd = 0;  // pending for the process
  uint64_t sig_blk = 0;  // blocked by the main thread
  uint64_t sig_ign = 0;
  uint64_t sig_cgt = 0;  // caught
};
StatusFields parse_status_fields(std::string_view text);
// Bit of signal `sig` (1-based, as in <signal.h>) in a /proc signal mask.
constexpr bool has_signal(uint64_t mask, int sig) {
  return ((mask >> (sig - 1)) & 1u) != 0;
}

// "socket:[12345]" -> 12345, anything else -> nullopt.
std::optional<uint64_t> parse_socket_link(std::string_view link);

// Field 22 of /proc/PID/stat (start time in clock ticks since boot) and fields 14+15 (user and
// system CPU ticks). The command name in parentheses may hold spaces and parentheses itself.
struct StatFields {
  uint64_t start_time = 0;
  uint64_t cpu_ticks = 0;
  char state = '?';
};
std::optional<StatFields> parse_stat(std::string_view text);

// The verified target: a live Node process of our user. `start_time` tells it apart from a later
// process that reuses the PID.
struct Target {
  int pid = 0;
  std::string name;
  std::string exe;
  uint64_t start_time = 0;
  bool other_netns = false;  // we entered the target's network namespace to reach it
};

// Throws AttachError: no such PID, another user's process (refused even for root: the snapshot
// would hand that user's secrets to us), not a Node process, another network namespace that we may
// not enter. A target in another network namespace moves the calling process into it.
Target check_target(int pid);
// Throws AttachError when the process exited or its PID now names another process.
void check_still_same(const Target& target);

// The inodes of the sockets among /proc/PID/fd/*.
std::vector<uint64_t> socket_inodes(int pid);

// The LISTEN rows on 127.0.0.1 in the target's network namespace whose socket the target owns.
std::vector<TcpRow> own_loopback_listeners(int pid);

struct InspectorPort {
  uint16_t port = 0;
  uint64_t inode = 0;
  double wait_seconds = 0;  // from the signal to the port
  bool was_open = false;    // already listening before we asked
  bool app_asked = false;   // ... because its command line asked for it (--inspect): leave it open
};

// Sends SIGUSR1 and waits up to `timeout` seconds for a new loopback listener owned by the target.
// Throws AttachError explaining why none came: SIGUSR1 blocked (--disable-sigusr1), the port taken
// by another process, or the signal delivered but not acted on (own SIGUSR1 listener, or a main
// thread blocked in native code).
InspectorPort open_inspector(const Target& target, double timeout);

// After connecting from 127.0.0.1:`local_port` to the inspector: the connection's other end must
// be a socket of the target (an ESTABLISHED row from the inspector port to our port whose inode is
// one of the target's fds). Waits up to `timeout` seconds for the target to accept; throws
// AttachError otherwise. Nothing may be sent on the connection before this passes.
void verify_peer(const Target& target, uint16_t inspector_port, uint16_t local_port,
                 double timeout);

// Whether the target still listens on `port` (to report that the inspector closed).
bool still_listening(const Target& target, uint16_t port);

}  // namespace leakscope::live
