#include "preload/dumper.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cmath>
#include <new>

#include "preload/proc_reader.h"
#include "preload/profile.h"
#include "preload/sampler.h"
#include "preload/text_writer.h"

namespace leakscope::preload {

namespace {

int g_fd = -1;
std::uint64_t g_t0_ns = 0;
std::uint64_t g_period_ms = 1000;
// Serialises the dumper thread and the exit dump; once `g_finished`, nothing more is written.
pthread_mutex_t g_dump_lock = PTHREAD_MUTEX_INITIALIZER;
bool g_finished = false;
// Dumper state, touched only under g_dump_lock.
std::uint32_t g_stacks_written = 0;
std::uint64_t g_maps_hash = 0;
alignas(64) char g_writer_storage[sizeof(TextWriter)];
StackCounters g_snapshot[StackTable::kCapacity];
char g_maps[256 * 1024];

TextWriter& writer() {
  return *reinterpret_cast<TextWriter*>(g_writer_storage);
}

std::uint64_t now_ns(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t elapsed_ms() {
  return (now_ns(CLOCK_MONOTONIC) - g_t0_ns) / 1000000;
}

std::uint64_t hash_bytes(const char* p, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ull;
  return h;
}

std::uint64_t rounded(double v) {
  return v <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(v));
}

// The mappings, again whole, when they changed since the last block and new stacks follow.
void write_maps_if_changed() {
  std::size_t n = read_exec_maps(g_maps, sizeof g_maps);
  std::uint64_t h = hash_bytes(g_maps, n);
  if (h == g_maps_hash) return;
  g_maps_hash = h;
  writer().str("maps ").dec(elapsed_ms()).ch('\n').bytes(g_maps, n).str("end\n");
}

void write_stacks(std::uint32_t upto) {
  for (std::uint32_t id = g_stacks_written; id < upto; ++id) {
    std::uint32_t depth = 0;
    const std::uintptr_t* frames = g_profile.stacks.frames(id, &depth);
    TextWriter& w = writer().str("stack ").dec(id);
    for (std::uint32_t i = 0; i < depth; ++i) w.ch(' ').hex(frames[i]);
    w.ch('\n');
  }
  g_stacks_written = upto;
}

void dump_locked() {
  pthread_mutex_lock(&g_profile.lock);
  std::uint32_t stacks = g_profile.stacks.size();
  const StackCounters* all = g_profile.stacks.all_counters();
  for (std::uint32_t i = 0; i < stacks; ++i) g_snapshot[i] = all[i];
  std::uint64_t allocs = g_profile.sampled_allocs;
  std::uint64_t frees = g_profile.sampled_frees;
  pthread_mutex_unlock(&g_profile.lock);

  if (stacks > g_stacks_written) {
    // Read after the snapshot: any code a new stack points into was mapped before it was taken.
    write_maps_if_changed();
    write_stacks(stacks);
  }
  TextWriter& w = writer();
  w.str("dump ")
      .dec(elapsed_ms())
      .ch(' ')
      .dec(read_rss_bytes())
      .ch(' ')
      .dec(allocs)
      .ch(' ')
      .dec(frees)
      .ch('\n');
  for (std::uint32_t i = 0; i < stacks; ++i) {
    const StackCounters& c = g_snapshot[i];
    w.str("live ")
        .dec(i)
        .ch(' ')
        .dec(rounded(c.live_bytes))
        .ch(' ')
        .dec(rounded(c.live_count))
        .ch(' ');
    w.dec(rounded(c.allocated_bytes)).ch('\n');
  }
  w.str("end\n");
  w.flush();
}

void* dumper_main(void*) {
  // Its own allocations (the C library's) are not the app's.
  t_state.busy = true;
  for (;;) {
    timespec ts{static_cast<time_t>(g_period_ms / 1000),
                static_cast<long>(g_period_ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0) {
    }
    pthread_mutex_lock(&g_dump_lock);
    bool done = g_finished;
    if (!done && g_active) dump_locked();
    pthread_mutex_unlock(&g_dump_lock);
    if (done) return nullptr;
  }
}

}  // namespace

bool open_output(const char* path) {
  g_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (g_fd < 0) return false;
  new (g_writer_storage) TextWriter(g_fd);
  std::uint64_t wall_ms = now_ns(CLOCK_REALTIME) / 1000000;
  g_t0_ns = now_ns(CLOCK_MONOTONIC);
  writer().str("leakscope-native 1\nstart ").dec(static_cast<std::uint64_t>(getpid())).ch(' ');
  writer().dec(static_cast<std::uint64_t>(g_profile.interval)).ch(' ').dec(wall_ms).ch('\n');
  writer().flush();
  return true;
}

bool start_dumper(std::uint64_t period_ms) {
  g_period_ms = period_ms;
  // The thread takes no signals: the app's handlers run on the app's threads.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t thread;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  bool ok = pthread_create(&thread, &attr, dumper_main, nullptr) == 0;
  pthread_attr_destroy(&attr);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (ok) pthread_setname_np(thread, "leakscope-dump");
  return ok;
}

void final_dump() {
  // A forked child (inactive) may have inherited the lock held by the parent's dumper thread; a
  // thread that exits from inside the sampler (a signal handler) may hold the profile's lock.
  if (!g_active || t_state.busy) return;
  pthread_mutex_lock(&g_dump_lock);
  if (!g_finished && g_active && g_fd >= 0) {
    dump_locked();
    g_finished = true;
  }
  pthread_mutex_unlock(&g_dump_lock);
}

}  // namespace leakscope::preload
