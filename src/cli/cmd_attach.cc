// leakscope attach PID: the leak finder on a running Node process that was started with no flags
// and no agent. It opens the target's inspector (SIGUSR1), streams each snapshot over the DevTools
// protocol straight into the reader, closes the inspector, and runs the same analysis and
// renderer as `leakscope leaks`.
// Exit code 0 = no leak, 1 = leak found, 2 = could not attach or bad input, 130 = interrupted.
//
// The inspector is opened once for the whole session, although a shorter window (one opening per
// snapshot) would be safer: V8 forgets its heap-object ids when the HeapProfiler domain is
// disabled, which closing a session does, so snapshots from separate openings share no ids and
// the leak finder could match nothing (tried: every object looked new in every snapshot). The
// window is therefore (N - 1) x --interval plus the snapshots, and leakscope says how long it was.
#include <fmt/core.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "analysis/analyzed_snapshot.h"
#include "cli/cli_support.h"
#include "cli/commands.h"
#include "cli/leaks_verdict.h"
#include "cli/output_file.h"
#include "cli/safe_output.h"
#include "heap/snapshot_reader.h"
#include "heap/stopwatch.h"
#include "html/html_report.h"
#include "live/headroom.h"
#include "live/inspector_session.h"
#include "live/inspector_target.h"
#include "report/format.h"
#include "report/safe_text.h"

namespace leakscope::cli {

namespace {

using Clock = StageClock;
using live::AttachError;

struct AttachOptions {
  int pid = 0;
  size_t snapshots = 3;
  double interval = 30;
  std::string save_dir;
  std::string report;  // the HTML report; default DIR/leakscope-report.html with --save DIR
  bool redact = false;
  bool force = false;
  LeakVerdictOptions verdict;
  double open_timeout = 5;
};

constexpr int kExitInterrupted = 130;

// Ctrl-C while the target is frozen in a snapshot must not drop the connection (that can crash
// the target): the first one asks to stop after the snapshot in progress, the second quits.
std::atomic<bool> interrupted{false};

void on_interrupt(int) {
  interrupted.store(true);
  static const char message[] =
      "\nleakscope: stopping after the snapshot in progress, once the target's inspector is "
      "closed (Ctrl-C again quits at once)\n";
  [[maybe_unused]] const ssize_t n = ::write(STDERR_FILENO, message, sizeof message - 1);
}

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESETHAND;  // the second Ctrl-C gets the default action
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

int node_major(const std::string& version) {
  int major = 0;
  for (size_t i = version.starts_with('v') ? 1 : 0; i < version.size(); ++i) {
    if (version[i] < '0' || version[i] > '9') break;
    major = major * 10 + (version[i] - '0');
  }
  return major;
}

// Writes the chunks of one snapshot to DIR/attach-PID-N.heapsnapshot, under a temporary name
// until the snapshot is complete, so a failed attach leaves no half file behind.
class SnapshotSaver {
 public:
  explicit SnapshotSaver(std::string path) : path_(std::move(path)), partial_(path_ + ".partial") {
    file_ = std::fopen(partial_.c_str(), "wb");
    if (file_ == nullptr) {
      throw AttachError(fmt::format("attach: cannot write {}: {}", partial_, std::strerror(errno)));
    }
  }
  ~SnapshotSaver() {
    if (file_ != nullptr) {
      std::fclose(file_);
      std::remove(partial_.c_str());
    }
  }
  SnapshotSaver(const SnapshotSaver&) = delete;
  SnapshotSaver& operator=(const SnapshotSaver&) = delete;
  void write(std::string_view chunk) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), file_) != chunk.size()) {
      throw AttachError(fmt::format("attach: writing {}: {}", partial_, std::strerror(errno)));
    }
  }
  void commit() {
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok || std::rename(partial_.c_str(), path_.c_str()) != 0) {
      std::remove(partial_.c_str());
      throw AttachError(fmt::format("attach: cannot write {}: {}", path_, std::strerror(errno)));
    }
  }

 private:
  std::string path_;
  std::string partial_;
  std::FILE* file_ = nullptr;
};

// Streams one snapshot from the session into the reader (and the --save file).
HeapGraph stream_snapshot(live::InspectorSession& session, const std::string& name,
                          const std::string& label, const std::string* save_path,
                          live::SnapshotStats& stats) {
  const bool terminal = stderr_is_terminal();
  SnapshotStreamReader reader(name);
  std::optional<SnapshotSaver> saver;
  if (save_path != nullptr) saver.emplace(*save_path);
  live::SnapshotCallbacks cb;
  uint64_t received = 0;
  cb.chunk = [&](std::string_view chunk) {
    reader.push(chunk);
    if (saver) saver->write(chunk);
    const uint64_t before = received;
    received += chunk.size();
    if (terminal && (before >> 20) != (received >> 20)) {  // a redraw per MB, not per chunk
      print_status_line(STDERR_FILENO, fmt::format("attach: {}: receiving, {} so far", label,
                                                   report::human_bytes(received)));
    }
  };
  if (terminal) {
    cb.progress = [&](uint64_t done, uint64_t total, bool) {
      print_status_line(STDERR_FILENO,
                        fmt::format("attach: {}: the target builds its snapshot: {} of {} objects",
                                    label, report::with_commas(done), report::with_commas(total)));
    };
  }
  try {
    stats = session.take_snapshot(cb);
  } catch (...) {
    if (terminal) print_status_line(STDERR_FILENO, "");
    throw;
  }
  if (terminal) print_status_line(STDERR_FILENO, "");
  HeapGraph graph = reader.finish();
  if (saver) saver->commit();
  return graph;
}

struct Session {
  std::vector<std::string> names;
  std::vector<double> times;
  std::vector<EarlierSnapshot> earlier;
  std::optional<HeapGraph> last;
};

// Before each snapshot: the target's memory now, the headroom check and the expected pause.
// Returns an empty string, or why the snapshot is refused.
std::string prepare_snapshot(live::InspectorSession& session, const live::Target& target,
                             const AttachOptions& o, const std::string& label) {
  const live::MemoryUsage m = session.memory_usage();
  const live::Headroom h = live::check_headroom(target.pid, m.rss, m.heap_used);
  if (!h.enough && !o.force) {
    return fmt::format("attach: refusing {} of PID {}: {}; --force takes it anyway", label,
                       target.pid, h.why);
  }
  const int major = node_major(m.node_version);
  fmt::print(stderr,
             "attach: {}: Node {}, heap used {}, RSS {}: the target freezes for about {:.0f} s{} "
             "and may grow by about {}{}\n",
             label, m.node_version, report::human_bytes(m.heap_used), report::human_bytes(m.rss),
             std::max(1.0, live::expected_pause_seconds(m.heap_used)),
             major > 0 && major < 20 ? " (up to 5 times that on Node 18)" : "",
             report::human_bytes(h.expected_extra),
             h.enough ? "" : " (more than it has room for: --force)");
  return {};
}

// The snapshots, over one inspector session. Earlier snapshots are reduced at once and freed, so
// leakscope holds one graph at a time.
void take_snapshots(live::InspectorSession& session, const live::Target& target,
                    const AttachOptions& o, Session& out, std::string& refused) {
  Timings& timings = Timings::get();
  const Clock::time_point start = Clock::now();
  for (size_t k = 0; k < o.snapshots; ++k) {
    // Snapshots start every --interval seconds, however long each took; meanwhile the session
    // listens for the target wanting to exit.
    const double due = o.interval * static_cast<double>(k);
    if (!session.idle(std::max(0.0, due - seconds_since(start)), &interrupted)) return;
    live::check_still_same(target);
    const std::string label = fmt::format("snapshot {}/{}", k + 1, o.snapshots);
    const std::string file = fmt::format("attach-{}-{}.heapsnapshot", target.pid, k + 1);
    const std::string name =
        o.save_dir.empty() ? file : (std::filesystem::path(o.save_dir) / file).string();
    refused = prepare_snapshot(session, target, o, label);
    if (!refused.empty()) return;
    timings.phase("snapshot");
    const double at = seconds_since(start);
    live::SnapshotStats stats;
    HeapGraph graph =
        stream_snapshot(session, name, label, o.save_dir.empty() ? nullptr : &name, stats);
    fmt::print(stderr, "attach: {}: {} objects, {} in {} chunks (largest message {}), {:.1f} s\n",
               label, report::with_commas(graph.node_count()), report::human_bytes(stats.bytes),
               report::with_commas(stats.chunks), report::human_bytes(stats.largest_frame),
               stats.seconds);
    out.names.push_back(name);
    out.times.push_back(at);
    if (k + 1 < o.snapshots) {
      // Unlike `leaks` on files, the last snapshot is not there yet: the class keys of inferred
      // interfaces come from each snapshot's own definitions (only the class totals shown
      // beside a cluster can differ).
      timings.phase("reduce earlier snapshot");
      const std::vector<InterfaceDefinition> own = infer_interface_definitions(graph);
      out.earlier.push_back(summarize_earlier_snapshot(graph, own));
    } else {
      out.last.emplace(std::move(graph));
    }
    if (interrupted.load()) return;
  }
}

// Opens the inspector, takes the snapshots, closes it and says how long it was open.
Session capture(const live::Target& target, const AttachOptions& o) {
  const live::InspectorPort port = live::open_inspector(target, o.open_timeout);
  const Clock::time_point opened =
      Clock::now() -
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(port.wait_seconds));
  fmt::print(stderr, "attach: PID {} {} its inspector on 127.0.0.1:{}{} (socket owner checked)\n",
             target.pid, port.was_open ? "already had" : "opened", port.port,
             !port.was_open   ? fmt::format(" in {:.2f} s", port.wait_seconds)
             : port.app_asked ? std::string()
                              : std::string(", not asked for by its command line (left by an "
                                            "earlier SIGUSR1?): it is closed at the end"));
  live::SessionOptions so;
  so.port = port.port;
  so.end_inspector = !port.app_asked;
  so.verify_peer = [&](uint16_t local_port) {
    live::verify_peer(target, port.port, local_port, 2.0);
  };
  Session out;
  bool closed_by_target = true;
  std::string refused;
  try {
    live::InspectorSession session(so);
    take_snapshots(session, target, o, out, refused);
    closed_by_target = session.close();
  } catch (const AttachError& e) {
    if (!port.app_asked && live::still_listening(target, port.port)) {
      throw AttachError(fmt::format("{} (PID {}'s inspector is still open on 127.0.0.1:{})",
                                    e.what(), target.pid, port.port));
    }
    throw;
  }
  // The port closes on the target's next turn of the event loop: wait for the socket to go, to
  // say truthfully whether it is closed.
  bool still_open = true;
  if (!port.app_asked) {
    const Clock::time_point wait = Clock::now();
    while ((still_open = live::still_listening(target, port.port)) && seconds_since(wait) < 3) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (port.app_asked) {
    fmt::print(stderr,
               "attach: we were connected to 127.0.0.1:{} for {:.1f} s; PID {}'s inspector stays "
               "open (it was open before we came)\n",
               port.port, seconds_since(opened), target.pid);
  } else {
    fmt::print(stderr,
               "attach: the inspector port 127.0.0.1:{} of PID {} was open for {:.1f} s{}\n",
               port.port, target.pid, seconds_since(opened),
               still_open         ? ", and is STILL OPEN (the target did not close it)"
               : closed_by_target ? ", now closed"
                                  : ", now closed (we had to disconnect first)");
  }
  if (!refused.empty()) throw AttachError(refused);
  if (!port.app_asked && still_open) {
    throw AttachError(fmt::format("attach: PID {} did not close its inspector on 127.0.0.1:{}",
                                  target.pid, port.port));
  }
  return out;
}

// The page to share: the verdict, the leak with its path, per-class growth; beside the saved
// snapshots unless --report names the file.
void write_attach_report(const AttachOptions& o, const nlohmann::ordered_json& leaks) {
  std::string path = o.report;
  if (path.empty() && !o.save_dir.empty()) {
    path = (std::filesystem::path(o.save_dir) / "leakscope-report.html").string();
  }
  if (path.empty()) return;
  html::ReportInput page;
  page.title = fmt::format("leakscope attach {}", o.pid);
  page.leaks = leaks;
  if (write_output_file("attach", path, html::render_html(page, html::HtmlOptions{o.redact}))) {
    fmt::print(stderr, "attach: wrote {}\n", report::safe_text(path));
  }
}

int run_attach(const AttachOptions& o) {
  const live::Target target = live::check_target(o.pid);
  if (target.other_netns) {
    fmt::print(stderr, "attach: PID {} runs in another network namespace; working inside it\n",
               target.pid);
  }
  if (!o.save_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.save_dir, ec);
    if (ec) {
      throw AttachError(fmt::format("attach: cannot create {}: {}", o.save_dir, ec.message()));
    }
  }
  install_interrupt_handler();
  Session s = capture(target, o);
  if (interrupted.load() || !s.last) {
    print_error(fmt::format("attach: interrupted after {} of {} snapshots; no verdict",
                            s.names.size(), o.snapshots));
    return kExitInterrupted;
  }
  // The check `leaks` makes on files: ids only line up within one inspector session of one
  // process.
  if (const auto foreign = first_foreign_snapshot(*s.last, s.earlier)) {
    const ProcessMatch& m = foreign->match;
    throw AttachError(fmt::format(
        "attach: snapshots {} and {} share only {} of {} object ids: V8 renumbered the heap "
        "between them, so they cannot be compared",
        foreign->index + 1, s.names.size(), report::with_commas(m.shared_ids),
        report::with_commas(std::min(m.base_objects, m.current_objects))));
  }
  AnalysisOptions analysis_options;
  analysis_options.retention.dominated_children = true;
  analysis_options.retention.distance_parent_edges = true;
  AnalyzedSnapshot last(std::move(*s.last), std::move(analysis_options));
  Timings::get().phase("dominators and distances");
  last.retention();
  nlohmann::ordered_json leaks;
  const int code = print_leak_verdict(last, s.earlier, s.names, s.times, o.verdict, &leaks);
  write_attach_report(o, leaks);
  return code;
}

}  // namespace

void add_attach_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<AttachOptions>();
  CLI::App* cmd = app.add_subcommand(
      "attach",
      "Find a leak in a running Node process (no flags or agent needed): opens its inspector "
      "with SIGUSR1 once for the whole session, then runs `leaks` on the snapshots (exit 0: no "
      "leak, 1: leak, "
      "2: could not attach)");
  add_count_option(
      cmd, "pid", [o](uint64_t v) { o->pid = static_cast<int>(v); },
      "the Node process, of your own user", 1, 4194304)
      ->required();
  add_count_option(cmd, "--snapshots", o->snapshots, "snapshots to take (default 3, at least 3)", 3,
                   100);
  add_duration_option(cmd, "--interval", o->interval,
                      "time from one snapshot's start to the next (default 30s)", 0.1,
                      kMaxWaitSeconds);
  cmd->add_option("--save", o->save_dir,
                  "also write the snapshots to DIR as attach-PID-N.heapsnapshot");
  cmd->add_option("--report", o->report,
                  "write the HTML report to FILE (default with --save DIR: "
                  "DIR/leakscope-report.html)");
  cmd->add_flag("--redact", o->redact,
                "in the HTML report, replace the heap's strings by their length and a hash");
  cmd->add_flag("--force", o->force,
                "take snapshots even when the target may run out of memory doing so");
  add_duration_option(cmd, "--open-timeout", o->open_timeout,
                      "how long to wait for the inspector port after SIGUSR1 (default 5s)", 0.1,
                      600);
  add_leak_verdict_options(cmd, o->verdict);
  cmd->callback([o, &action] { action = [o] { return run_attach(*o); }; });
}

}  // namespace leakscope::cli
