#include "series/watcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace leakscope::series {
namespace {

// Reports process.memoryUsage() on the fd watch hands it, from the main thread only, on an
// unref'd timer so it never keeps the app alive. The env vars are removed so that children the
// app spawns do not write into the pipe. When the pipe breaks (the watcher is gone: `run
// --keep-running`), everything it started stops, forced GCs included.
// With LEAKSCOPE_WATCH_CMD_FD it also reads commands (`leakscope run`): `snapshot N PATH` writes a
// heap snapshot to PATH.partial, renames it to PATH once complete and answers on the same pipe.
constexpr std::string_view kPreload = R"JS('use strict';
(() => {
  const fd = Number(process.env.LEAKSCOPE_WATCH_FD);
  const ms = Number(process.env.LEAKSCOPE_WATCH_MS) || 1000;
  const gcMs = Number(process.env.LEAKSCOPE_WATCH_GC_MS) || 0;
  const cmdFd = Number(process.env.LEAKSCOPE_WATCH_CMD_FD) || 0;
  delete process.env.LEAKSCOPE_WATCH_FD;
  delete process.env.LEAKSCOPE_WATCH_MS;
  delete process.env.LEAKSCOPE_WATCH_GC_MS;
  delete process.env.LEAKSCOPE_WATCH_CMD_FD;
  if (!(fd > 2) || !require('worker_threads').isMainThread) return;
  const fs = require('fs');
  const timers = [];
  let channel = null;
  const stop = () => {
    for (const t of timers) clearInterval(t);
    if (channel) channel.destroy();
  };
  const send = (line) => {
    try {
      fs.writeSync(fd, line + '\n');
    } catch (e) {
      stop();
    }
  };
  const report = () => {
    const m = process.memoryUsage();
    send(`${Date.now()} ${m.rss} ${m.heapTotal} ${m.heapUsed} ${m.external} ${m.arrayBuffers}`);
  };
  timers.push(setInterval(report, ms));
  timers[0].unref();
  report();
  // With --expose-gc, a full GC at a fixed period keeps the heap quiet, so the heap after full
  // GC is measured often (the Walmart-leak method: --expose-gc and gc() before each sample).
  if (gcMs > 0 && typeof global.gc === 'function') timers.push(setInterval(() => global.gc(), gcMs).unref());
  if (!(cmdFd > 2)) return;
  const command = (line) => {
    const m = /^snapshot (\d+) (.+)$/.exec(line);
    if (!m) return;
    const started = Date.now();
    try {
      const partial = m[2] + '.partial';
      require('v8').writeHeapSnapshot(partial);
      fs.renameSync(partial, m[2]);
      const s = (Date.now() - started) / 1000;
      send(`snapshot ${m[1]} done ${started} ${s} ${process.memoryUsage().heapUsed}`);
    } catch (e) {
      send(`snapshot ${m[1]} failed ${String(e && e.message).replace(/\s+/g, ' ')}`);
    }
  };
  channel = new (require('net').Socket)({fd: cmdFd, readable: true, writable: false});
  channel.unref();
  channel.setEncoding('utf8');
  let pending = '';
  channel.on('data', (text) => {
    pending += text;
    for (let nl; (nl = pending.indexOf('\n')) >= 0; pending = pending.slice(nl + 1)) {
      command(pending.slice(0, nl));
    }
  });
  channel.on('error', () => {});
})();
)JS";

constexpr int kMemFd = 3;
constexpr int kCmdFd = 4;

double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double unix_now_s() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

double cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void set_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
  int mem_fd = -1;
  int cmd_fd = -1;  // our end of the command channel (WatchConfig::commands)
  std::string preload_path;
};

// The node flags and the preload file (whose path goes into `child`).
std::vector<std::string> child_argv(const WatchConfig& cfg, bool node, Child& child) {
  std::vector<std::string> argv = cfg.command;
  if (!node || !cfg.trace_gc) return argv;
  char path[] = "/tmp/leakscope-watch-XXXXXX.js";
  const int fd = mkstemps(path, 3);
  if (fd < 0)
    throw ProcError(std::string("cannot create the preload file: ") + std::strerror(errno));
  const ssize_t w = ::write(fd, kPreload.data(), kPreload.size());
  ::close(fd);
  if (w != static_cast<ssize_t>(kPreload.size())) {
    ::unlink(path);
    throw ProcError("cannot write the preload file");
  }
  child.preload_path = path;
  argv.insert(argv.begin() + 1, {"--trace-gc", "--require", child.preload_path});
  if (cfg.force_gc_s > 0) argv.insert(argv.begin() + 1, "--expose-gc");
  return argv;
}

struct ChildEnv {
  std::string ms;
  long gc_ms = 0;
  bool commands = false;
};

// In the forked child, up to exec: its stdout, memory pipe and command channel, its process
// group, and the environment the preload reads. Never returns.
[[noreturn]] void exec_child(const WatchConfig& cfg, std::vector<char*>& args, const ChildEnv& env,
                             const int out[2], const int mem[2], const int cmd[2], int err_fd) {
  if (cfg.own_process_group) {
    setpgid(0, 0);
    // Our own Ctrl-C stops it through us; if we die without that, it must not linger.
    if (!cfg.keep_child) prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (isatty(STDIN_FILENO)) {
      // A background group that reads the terminal is stopped by SIGTTIN.
      const int null_fd = ::open("/dev/null", O_RDONLY);
      if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    }
  }
  // Above the fds dup2 writes to, so that none is overwritten before it is copied.
  const int cmd_copy = env.commands ? fcntl(cmd[0], F_DUPFD, 10) : -1;
  dup2(out[1], 1);
  dup2(mem[1], kMemFd);  // dup2 clears FD_CLOEXEC on the copy
  setenv("LEAKSCOPE_WATCH_FD", "3", 1);
  setenv("LEAKSCOPE_WATCH_MS", env.ms.c_str(), 1);
  if (env.gc_ms > 0) setenv("LEAKSCOPE_WATCH_GC_MS", std::to_string(env.gc_ms).c_str(), 1);
  if (cmd_copy >= 0) {
    dup2(cmd_copy, kCmdFd);
    setenv("LEAKSCOPE_WATCH_CMD_FD", "4", 1);
  }
  for (const auto& [name, value] : cfg.env) setenv(name.c_str(), value.c_str(), 1);
  execvp(args[0], args.data());
  const int e = errno;
  [[maybe_unused]] const ssize_t n = ::write(err_fd, &e, sizeof e);
  _exit(127);
}

void close_pipe(int p[2]) {
  for (int k = 0; k < 2; ++k) {
    if (p[k] >= 0) ::close(p[k]);
    p[k] = -1;
  }
}

Child spawn(const WatchConfig& cfg, bool node, double interval_s) {
  Child child;
  std::vector<std::string> argv = child_argv(cfg, node, child);
  ChildEnv env;
  env.ms = std::to_string(static_cast<long>(std::lround(interval_s * 1000)));
  env.gc_ms = node && cfg.trace_gc ? std::lround(cfg.force_gc_s * 1000) : 0;
  env.commands = node && cfg.trace_gc && cfg.commands;
  int out[2] = {-1, -1}, mem[2] = {-1, -1}, err[2] = {-1, -1}, cmd[2] = {-1, -1};
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(mem, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 ||
      (env.commands && pipe2(cmd, O_CLOEXEC) != 0)) {
    const int e = errno;
    for (int* p : {out, mem, err, cmd}) close_pipe(p);
    if (!child.preload_path.empty()) ::unlink(child.preload_path.c_str());
    throw ProcError(std::string("pipe: ") + std::strerror(e));
  }
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) throw ProcError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) exec_child(cfg, args, env, out, mem, cmd, err[1]);
  if (cfg.own_process_group) setpgid(pid, pid);  // also here: no race with our first kill
  ::close(out[1]);
  ::close(mem[1]);
  ::close(err[1]);
  if (cmd[0] >= 0) ::close(cmd[0]);
  int exec_errno = 0;
  const ssize_t n = ::read(err[0], &exec_errno, sizeof exec_errno);
  ::close(err[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    waitpid(pid, nullptr, 0);
    ::close(out[0]);
    ::close(mem[0]);
    if (cmd[1] >= 0) ::close(cmd[1]);
    if (!child.preload_path.empty()) ::unlink(child.preload_path.c_str());
    throw ProcError("cannot run '" + cfg.command[0] + "': " + std::strerror(exec_errno));
  }
  child.pid = pid;
  child.out_fd = out[0];
  child.mem_fd = mem[0];
  child.cmd_fd = cmd[1];
  set_nonblocking(child.out_fd);
  set_nonblocking(child.mem_fd);
  if (child.cmd_fd >= 0) set_nonblocking(child.cmd_fd);
  return child;
}

class Session {
 public:
  Session(const WatchConfig& cfg, WatchRecording& rec) : cfg_(cfg), rec_(rec) {
    parser_.set_on_foreign_line(
        [](std::string_view line, void* self) {
          auto* s = static_cast<Session*>(self);
          if (s->cfg_.on_child_output) s->cfg_.on_child_output(line);
        },
        this);
  }

  // Reads what is available; returns false at EOF.
  bool pump(int fd, bool gc_stream) {
    char buf[65536];
    while (true) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n > 0) {
        if (gc_stream) {
          parser_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        } else {
          mem_pending_.append(buf, static_cast<std::size_t>(n));
          std::size_t nl;
          while ((nl = mem_pending_.find('\n')) != std::string::npos) {
            mem_line(std::string_view(mem_pending_).substr(0, nl));
            mem_pending_.erase(0, nl + 1);
          }
        }
        continue;
      }
      if (n == 0) return false;
      if (errno == EINTR) continue;
      return true;  // EAGAIN
    }
  }

  // The GC log so far, for a controller that judges the recording while it runs.
  void publish_gc() { rec_.gc = parser_.log(); }

  void finish_parser() {
    parser_.finish();
    rec_.gc = parser_.take();
  }

 private:
  void mem_line(std::string_view line) {
    JsSample s;
    if (parse_js_sample_line(line, rec_.start_unix, s)) {
      rec_.js.push_back(s);
    } else if (cfg_.on_child_reply) {
      cfg_.on_child_reply(line);
    }
  }

  const WatchConfig& cfg_;
  WatchRecording& rec_;
  TraceGcParser parser_;
  std::string mem_pending_;
};

bool sample(int pid, double t, WatchRecording& rec) {
  ProcSample s;
  s.t = t;
  try {
    const ProcStatus st = read_status(pid);
    if (st.vm_rss == 0 && st.threads == 0) return false;  // a zombie
    s.rss = st.vm_rss;
    s.rss_anon = st.rss_anon;
    s.rss_file = st.rss_file;
    s.vm_size = st.vm_size;
    s.vm_swap = st.vm_swap;
    s.threads = st.threads;
    const SmapsRollup r = read_smaps_rollup(pid);
    s.anonymous = r.anonymous;
    s.pss = r.pss;
  } catch (const ProcError&) {
    return false;
  }
  s.fds = count_fds(pid);
  rec.proc.push_back(s);
  return true;
}

bool sample_maps(int pid, double t, WatchRecording& rec) {
  try {
    MapsTable table = read_smaps(pid);
    rec.maps.push_back({t, summarize(table)});
    if (rec.first_maps.mappings.empty()) {
      rec.first_maps = std::move(table);
    } else {
      rec.last_maps = std::move(table);
    }
  } catch (const ProcError&) {
    return false;
  }
  return true;
}

// A V8 --trace-gc line: "[PID:0xADDRESS]  123 ms: ...".
bool is_trace_gc_line(std::string_view line) {
  if (line.size() < 3 || line[0] != '[') return false;
  const std::size_t colon = line.find(':');
  return colon > 1 && colon != std::string_view::npos &&
         line.find_first_not_of("0123456789", 1) == colon;
}

// `keep_child`: a process of ours reads the child's stdout until it ends, passing the app's own
// lines through, so that its writes never fail; the memory pipe and the command channel close,
// which tells the preload to stop.
void hand_over_output(const WatchConfig& cfg, Child& child) {
  const pid_t pid = fork();
  if (pid != 0) return;  // we (or a failed fork: then the child's writes fail once we exit)
  if (child.mem_fd >= 0) ::close(child.mem_fd);
  if (child.cmd_fd >= 0) ::close(child.cmd_fd);
  // Whoever reads our stdout must see it end when we do.
  const int null_fd = ::open("/dev/null", O_WRONLY);
  if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
  fcntl(child.out_fd, F_SETFL, fcntl(child.out_fd, F_GETFL) & ~O_NONBLOCK);
  std::string pending;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(child.out_fd, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      const std::string_view line = std::string_view(pending).substr(0, nl);
      if (!is_trace_gc_line(line) && cfg.on_child_output) cfg.on_child_output(line);
      pending.erase(0, nl + 1);
    }
    if (pending.size() > 65536) pending.clear();
  }
  _exit(0);
}

// One watch from start to end: the target, the sampling loop, and the stop.
class Watcher {
 public:
  explicit Watcher(const WatchConfig& cfg) : cfg_(cfg), session_(cfg, rec_) {}

  WatchRecording run() {
    start();
    loop();
    finish();
    return std::move(rec_);
  }

 private:
  void start();
  void loop();
  bool tick(double now);
  bool child_exited();
  void sample_now(double now);
  std::string ask_controller();
  bool pump_pipes(int timeout_ms);
  void stop_child();
  void finish();

  const WatchConfig& cfg_;
  WatchRecording rec_;
  Session session_;
  Child child_;
  int pid_ = 0;
  double maps_interval_ = 1;
  double t0_ = 0, cpu0_ = 0, next_sample_ = 0, next_maps_ = 0;
  bool out_open_ = false, mem_open_ = false;
};

void Watcher::start() {
  rec_.interval_s = std::max(0.01, cfg_.interval_s);
  maps_interval_ =
      cfg_.maps_interval_s > 0 ? cfg_.maps_interval_s : std::max(5 * rec_.interval_s, 1.0);
  pid_ = cfg_.pid;
  if (!cfg_.command.empty()) {
    const bool node = is_node_command(cfg_.command[0]);
    if (cfg_.commands) std::signal(SIGPIPE, SIG_IGN);
    rec_.start_unix = unix_now_s();
    child_ = spawn(cfg_, node, rec_.interval_s);
    pid_ = child_.pid;
    rec_.spawned = true;
    rec_.gc_traced = node && cfg_.trace_gc;
    rec_.forced_gc_s = rec_.gc_traced ? cfg_.force_gc_s : 0;
    for (const std::string& a : cfg_.command) rec_.command += (rec_.command.empty() ? "" : " ") + a;
  } else {
    check_pid_readable(pid_);
    rec_.start_unix = unix_now_s();
    try {
      std::string cmd = read_proc_file("/proc/" + std::to_string(pid_) + "/cmdline");
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
      rec_.command = cmd;
    } catch (const ProcError&) {
    }
  }
  rec_.pid = pid_;
  cpu0_ = cpu_s();
  t0_ = now_s();
  // A child just forked may still be exec'ing: its first look would be of the wrong image.
  next_sample_ = rec_.spawned ? t0_ + std::min(rec_.interval_s, 0.2) : t0_;
  next_maps_ = rec_.spawned ? t0_ + std::min(maps_interval_, 0.5) : t0_;
  out_open_ = child_.out_fd >= 0;
  mem_open_ = child_.mem_fd >= 0;
}

void Watcher::loop() {
  rec_.end_reason = "exited";
  while (tick(now_s())) {
    const double now = now_s();
    double wait = next_sample_ - now;
    if (cfg_.duration_s > 0) wait = std::min(wait, t0_ + cfg_.duration_s - now);
    const int timeout_ms = std::max(0, static_cast<int>(std::ceil(wait * 1000)));
    if (!pump_pipes(std::min(timeout_ms, 100))) {
      // Nothing to read: sleep in short steps so a child's exit is noticed quickly.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(timeout_ms, 50)));
    }
  }
}

// One turn of the loop; false when the watch ends (rec_.end_reason says why).
bool Watcher::tick(double now) {
  if (cfg_.stop && *cfg_.stop) {
    rec_.end_reason = "interrupted";
    return false;
  }
  if (cfg_.duration_s > 0 && now - t0_ >= cfg_.duration_s) {
    rec_.end_reason = "duration";
    return false;
  }
  if (rec_.spawned && child_exited()) return false;
  if (now < next_sample_) return true;
  if (now >= next_maps_) {
    sample_maps(pid_, now - t0_, rec_);
    next_maps_ += maps_interval_;
    if (next_maps_ <= now) next_maps_ = now + maps_interval_;
  }
  next_sample_ += rec_.interval_s;
  if (next_sample_ <= now) next_sample_ = now + rec_.interval_s;
  if (!sample(pid_, now - t0_, rec_)) {
    if (!rec_.spawned) {
      rec_.process_exited = true;
      return false;
    }
    return true;
  }
  if (cfg_.on_sample) cfg_.on_sample(rec_);
  if (std::string reason = ask_controller(); !reason.empty()) {
    rec_.end_reason = std::move(reason);
    return false;
  }
  return true;
}

bool Watcher::child_exited() {
  int status = 0;
  if (waitpid(child_.pid, &status, WNOHANG) != child_.pid) return false;
  rec_.process_exited = true;
  if (WIFEXITED(status)) rec_.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) rec_.exit_signal = WTERMSIG(status);
  child_.pid = -1;
  return true;
}

std::string Watcher::ask_controller() {
  if (!cfg_.should_end) return {};
  session_.publish_gc();
  rec_.elapsed_s = now_s() - t0_;
  rec_.sampler_cpu_s = cpu_s() - cpu0_;
  const SendCommand send = [this](std::string_view line) {
    if (child_.cmd_fd < 0 || child_.pid <= 0) return false;
    std::string text(line);
    text += '\n';
    return ::write(child_.cmd_fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  };
  return cfg_.should_end(rec_, send);
}

// Reads what the child wrote on its open pipes within timeout_ms; false when none is open.
bool Watcher::pump_pipes(int timeout_ms) {
  pollfd fds[2];
  nfds_t nfds = 0;
  if (out_open_) fds[nfds++] = {child_.out_fd, POLLIN, 0};
  if (mem_open_) fds[nfds++] = {child_.mem_fd, POLLIN, 0};
  if (nfds == 0) return false;
  if (poll(fds, nfds, timeout_ms) <= 0) return true;
  for (nfds_t i = 0; i < nfds; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    const bool gc_stream = fds[i].fd == child_.out_fd;
    if (!session_.pump(fds[i].fd, gc_stream)) (gc_stream ? out_open_ : mem_open_) = false;
  }
  return true;
}

// We started it, we stop it: SIGTERM (to its whole group when it has one), then SIGKILL after
// two seconds.
void Watcher::stop_child() {
  const pid_t target = cfg_.own_process_group ? -child_.pid : child_.pid;
  ::kill(target, SIGTERM);
  int status = 0;
  const double deadline = now_s() + 2;
  pid_t w = 0;
  while ((w = waitpid(child_.pid, &status, WNOHANG)) == 0 && now_s() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (w == 0) {
    ::kill(target, SIGKILL);
    waitpid(child_.pid, &status, 0);
  } else if (cfg_.own_process_group) {
    ::kill(target, SIGKILL);  // what is left of its group (children that ignored SIGTERM)
  }
  if (WIFSIGNALED(status)) rec_.exit_signal = WTERMSIG(status);
  if (WIFEXITED(status)) rec_.exit_code = WEXITSTATUS(status);
}

void Watcher::finish() {
  // A last look at the maps, so the diff covers the whole run.
  if (!rec_.process_exited && rec_.maps.size() >= 1) sample_maps(pid_, now_s() - t0_, rec_);
  rec_.elapsed_s = now_s() - t0_;
  rec_.sampler_cpu_s = cpu_s() - cpu0_;
  const bool keep = child_.pid > 0 && cfg_.keep_child;
  if (keep) {
    // Drain what is already there, then hand the pipe over.
    pump_pipes(0);
    hand_over_output(cfg_, child_);
  } else if (child_.pid > 0) {
    stop_child();
  } else if (cfg_.own_process_group && rec_.spawned) {
    ::kill(-rec_.pid, SIGTERM);  // it exited by itself; its own children go with it
  }
  // Drain what the child wrote before it ended (bounded: a grandchild may hold the pipe).
  const double drain_deadline = now_s() + 0.5;
  while (!keep && (out_open_ || mem_open_) && now_s() < drain_deadline) pump_pipes(50);
  session_.finish_parser();
  if (child_.out_fd >= 0) ::close(child_.out_fd);
  if (child_.mem_fd >= 0) ::close(child_.mem_fd);
  if (child_.cmd_fd >= 0) ::close(child_.cmd_fd);
  if (!child_.preload_path.empty()) ::unlink(child_.preload_path.c_str());
}

}  // namespace

bool is_node_command(std::string_view argv0) {
  const std::size_t slash = argv0.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  return base.rfind("node", 0) == 0 &&
         base.find_first_not_of("nodejs0123456789.") == std::string_view::npos;
}

WatchRecording run_watch(const WatchConfig& cfg) {
  return Watcher(cfg).run();
}

}  // namespace leakscope::series
