#include "series/watcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace leakscope::series {
namespace {

// Reports process.memoryUsage() on the fd watch hands it, from the main thread only, on an
// unref'd timer so it never keeps the app alive. The env vars are removed so that children the
// app spawns do not write into the pipe.
constexpr std::string_view kPreload = R"JS('use strict';
(() => {
  const fd = Number(process.env.LEAKSCOPE_WATCH_FD);
  const ms = Number(process.env.LEAKSCOPE_WATCH_MS) || 1000;
  const gcMs = Number(process.env.LEAKSCOPE_WATCH_GC_MS) || 0;
  delete process.env.LEAKSCOPE_WATCH_FD;
  delete process.env.LEAKSCOPE_WATCH_MS;
  delete process.env.LEAKSCOPE_WATCH_GC_MS;
  if (!(fd > 2) || !require('worker_threads').isMainThread) return;
  const fs = require('fs');
  let timer = null;
  const report = () => {
    try {
      const m = process.memoryUsage();
      fs.writeSync(fd, `${Date.now()} ${m.rss} ${m.heapTotal} ${m.heapUsed} ${m.external} ${m.arrayBuffers}\n`);
    } catch (e) {
      if (timer) clearInterval(timer);
    }
  };
  timer = setInterval(report, ms);
  timer.unref();
  report();
  // With --expose-gc, a full GC at a fixed period keeps the heap quiet, so the heap after full
  // GC is measured often (the Walmart-leak method: --expose-gc and gc() before each sample).
  if (gcMs > 0 && typeof global.gc === 'function') setInterval(() => global.gc(), gcMs).unref();
})();
)JS";

constexpr int kMemFd = 3;

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
  std::string preload_path;
};

Child spawn(const WatchConfig& cfg, bool node, double interval_s) {
  Child child;
  std::vector<std::string> argv = cfg.command;
  if (node && cfg.trace_gc) {
    char path[] = "/tmp/leakscope-watch-XXXXXX.js";
    const int fd = mkstemps(path, 3);
    if (fd < 0)
      throw ProcError(std::string("cannot create the preload file: ") + std::strerror(errno));
    const ssize_t w = ::write(fd, kPreload.data(), kPreload.size());
    ::close(fd);
    if (w != static_cast<ssize_t>(kPreload.size()))
      throw ProcError("cannot write the preload file");
    child.preload_path = path;
    argv.insert(argv.begin() + 1, {"--trace-gc", "--require", child.preload_path});
    if (cfg.force_gc_s > 0) argv.insert(argv.begin() + 1, "--expose-gc");
  }
  int out[2], mem[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(mem, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    throw ProcError(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  const std::string ms = std::to_string(static_cast<long>(std::lround(interval_s * 1000)));
  const long gc_ms = node && cfg.trace_gc ? std::lround(cfg.force_gc_s * 1000) : 0;
  const pid_t pid = fork();
  if (pid < 0) throw ProcError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(out[1], 1);
    dup2(mem[1], kMemFd);  // dup2 clears FD_CLOEXEC on the copy
    setenv("LEAKSCOPE_WATCH_FD", "3", 1);
    setenv("LEAKSCOPE_WATCH_MS", ms.c_str(), 1);
    if (gc_ms > 0) setenv("LEAKSCOPE_WATCH_GC_MS", std::to_string(gc_ms).c_str(), 1);
    execvp(args[0], args.data());
    const int e = errno;
    [[maybe_unused]] const ssize_t n = ::write(err[1], &e, sizeof e);
    _exit(127);
  }
  ::close(out[1]);
  ::close(mem[1]);
  ::close(err[1]);
  int exec_errno = 0;
  const ssize_t n = ::read(err[0], &exec_errno, sizeof exec_errno);
  ::close(err[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    waitpid(pid, nullptr, 0);
    ::close(out[0]);
    ::close(mem[0]);
    if (!child.preload_path.empty()) ::unlink(child.preload_path.c_str());
    throw ProcError("cannot run '" + cfg.command[0] + "': " + std::strerror(exec_errno));
  }
  child.pid = pid;
  child.out_fd = out[0];
  child.mem_fd = mem[0];
  set_nonblocking(child.out_fd);
  set_nonblocking(child.mem_fd);
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
            JsSample s;
            if (parse_js_sample_line(std::string_view(mem_pending_).substr(0, nl), rec_.start_unix,
                                     s)) {
              rec_.js.push_back(s);
            }
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

  void finish_parser() {
    parser_.finish();
    rec_.gc = parser_.take();
  }

 private:
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

}  // namespace

bool is_node_command(std::string_view argv0) {
  const std::size_t slash = argv0.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  return base.rfind("node", 0) == 0 &&
         base.find_first_not_of("nodejs0123456789.") == std::string_view::npos;
}

WatchRecording run_watch(const WatchConfig& cfg) {
  WatchRecording rec;
  rec.interval_s = std::max(0.01, cfg.interval_s);
  const double maps_interval =
      cfg.maps_interval_s > 0 ? cfg.maps_interval_s : std::max(5 * rec.interval_s, 1.0);
  Child child;
  int pid = cfg.pid;
  if (!cfg.command.empty()) {
    const bool node = is_node_command(cfg.command[0]);
    rec.start_unix = unix_now_s();
    child = spawn(cfg, node, rec.interval_s);
    pid = child.pid;
    rec.spawned = true;
    rec.gc_traced = node && cfg.trace_gc;
    rec.forced_gc_s = rec.gc_traced ? cfg.force_gc_s : 0;
    for (const std::string& a : cfg.command) rec.command += (rec.command.empty() ? "" : " ") + a;
  } else {
    check_pid_readable(pid);
    rec.start_unix = unix_now_s();
    try {
      std::string cmd = read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
      std::replace(cmd.begin(), cmd.end(), '\0', ' ');
      while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
      rec.command = cmd;
    } catch (const ProcError&) {
    }
  }
  rec.pid = pid;

  Session session(cfg, rec);
  const double cpu0 = cpu_s();
  const double t0 = now_s();
  // A child just forked may still be exec'ing: its first look would be of the wrong image.
  double next_sample = rec.spawned ? t0 + std::min(rec.interval_s, 0.2) : t0;
  double next_maps = rec.spawned ? t0 + std::min(maps_interval, 0.5) : t0;
  bool out_open = child.out_fd >= 0, mem_open = child.mem_fd >= 0;
  // Reads what the child wrote on its open pipes within timeout_ms; false when none is open.
  auto pump_pipes = [&](int timeout_ms) {
    pollfd fds[2];
    nfds_t nfds = 0;
    if (out_open) fds[nfds++] = {child.out_fd, POLLIN, 0};
    if (mem_open) fds[nfds++] = {child.mem_fd, POLLIN, 0};
    if (nfds == 0) return false;
    if (poll(fds, nfds, timeout_ms) <= 0) return true;
    for (nfds_t i = 0; i < nfds; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const bool gc_stream = fds[i].fd == child.out_fd;
      if (!session.pump(fds[i].fd, gc_stream)) (gc_stream ? out_open : mem_open) = false;
    }
    return true;
  };
  rec.end_reason = "exited";
  while (true) {
    double now = now_s();
    if (cfg.stop && *cfg.stop) {
      rec.end_reason = "interrupted";
      break;
    }
    if (cfg.duration_s > 0 && now - t0 >= cfg.duration_s) {
      rec.end_reason = "duration";
      break;
    }
    if (rec.spawned) {
      int status = 0;
      const pid_t w = waitpid(child.pid, &status, WNOHANG);
      if (w == child.pid) {
        rec.process_exited = true;
        if (WIFEXITED(status)) rec.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) rec.exit_signal = WTERMSIG(status);
        child.pid = -1;
        break;
      }
    }
    if (now >= next_sample) {
      if (now >= next_maps) {
        sample_maps(pid, now - t0, rec);
        next_maps += maps_interval;
        if (next_maps <= now) next_maps = now + maps_interval;
      }
      if (!sample(pid, now - t0, rec)) {
        if (!rec.spawned) {
          rec.process_exited = true;
          break;
        }
      } else if (cfg.on_sample) {
        cfg.on_sample(rec);
      }
      next_sample += rec.interval_s;
      if (next_sample <= now) next_sample = now + rec.interval_s;
    }
    now = now_s();
    double wait = next_sample - now;
    if (cfg.duration_s > 0) wait = std::min(wait, t0 + cfg.duration_s - now);
    const int timeout_ms = std::max(0, static_cast<int>(std::ceil(wait * 1000)));
    if (!pump_pipes(std::min(timeout_ms, 100))) {
      // Nothing to read: sleep in short steps so a child's exit is noticed quickly.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(timeout_ms, 50)));
    }
  }
  // A last look at the maps, so the diff covers the whole run.
  if (!rec.process_exited && rec.maps.size() >= 1) sample_maps(pid, now_s() - t0, rec);
  rec.elapsed_s = now_s() - t0;
  rec.sampler_cpu_s = cpu_s() - cpu0;

  if (child.pid > 0) {
    // We started it, we stop it: SIGTERM, then SIGKILL after two seconds.
    ::kill(child.pid, SIGTERM);
    int status = 0;
    const double deadline = now_s() + 2;
    pid_t w = 0;
    while ((w = waitpid(child.pid, &status, WNOHANG)) == 0 && now_s() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (w == 0) {
      ::kill(child.pid, SIGKILL);
      waitpid(child.pid, &status, 0);
    }
    if (WIFSIGNALED(status)) rec.exit_signal = WTERMSIG(status);
    if (WIFEXITED(status)) rec.exit_code = WEXITSTATUS(status);
  }
  // Drain what the child wrote before it ended (bounded: a grandchild may hold the pipe).
  const double drain_deadline = now_s() + 0.5;
  while ((out_open || mem_open) && now_s() < drain_deadline) pump_pipes(50);
  session.finish_parser();
  if (child.out_fd >= 0) ::close(child.out_fd);
  if (child.mem_fd >= 0) ::close(child.mem_fd);
  if (!child.preload_path.empty()) ::unlink(child.preload_path.c_str());
  return rec;
}

}  // namespace leakscope::series
