#include "preload/sampler.h"

#include <errno.h>
#include <time.h>

#include <cmath>

#include "preload/profile.h"
#include "preload/stack_table.h"
#include "preload/unwind.h"

namespace leakscope::preload {

__thread ThreadState t_state __attribute__((tls_model("initial-exec")));
bool g_active = false;
std::atomic<std::uint64_t>* g_filter = nullptr;

namespace {

// Live sampled pointers per filter bucket; 255 sticks (the bit then stays set).
std::uint8_t* g_filter_counts = nullptr;

}  // namespace
Profile g_profile = {PTHREAD_MUTEX_INITIALIZER, {}, {}, 524288.0, 0, 0, 0};

namespace {

std::uint64_t next_random(ThreadState& s) {
  // xorshift64*: a thread's own generator, no shared state.
  s.rng ^= s.rng >> 12;
  s.rng ^= s.rng << 25;
  s.rng ^= s.rng >> 27;
  return s.rng * 0x2545F4914F6CDD1Dull;
}

// Bytes to the next sample: exponential with mean `interval` (a Poisson process over the bytes
// allocated, so each allocation's chance depends on its size alone).
std::int64_t draw_countdown(ThreadState& s) {
  double u = static_cast<double>((next_random(s) >> 11) + 1) * 0x1.0p-53;  // (0, 1]
  double bytes = -std::log(u) * g_profile.interval;
  return static_cast<std::int64_t>(bytes) + 1;
}

void seed(ThreadState& s) {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  s.rng = (reinterpret_cast<std::uintptr_t>(&s) * 0x9E3779B97F4A7C15ull) ^
          static_cast<std::uint64_t>(ts.tv_nsec) ^ (static_cast<std::uint64_t>(ts.tv_sec) << 32);
  if (s.rng == 0) s.rng = 0x853c49e6748fea9bull;
}

// Under the lock: every writer of the bits holds it, so a load and a store cannot lose an update;
// the free path reads the words without it.
void filter_add(const void* p) {
  std::size_t slot = filter_slot(p);
  std::uint8_t& n = g_filter_counts[slot];
  if (n == 255) return;
  if (n++ == 0) {
    auto& word = g_filter[slot >> 6];
    word.store(word.load(std::memory_order_relaxed) | (1ull << (slot & 63)),
               std::memory_order_relaxed);
  }
}

void filter_remove(const void* p) {
  std::size_t slot = filter_slot(p);
  std::uint8_t& n = g_filter_counts[slot];
  if (n == 255 || n == 0) return;
  if (--n == 0) {
    auto& word = g_filter[slot >> 6];
    word.store(word.load(std::memory_order_relaxed) & ~(1ull << (slot & 63)),
               std::memory_order_relaxed);
  }
}

// Under the lock: takes p's sample back from its stack's live counters.
bool unlink_locked(std::uintptr_t p, LiveSample* out) {
  if (!g_profile.live.remove(p, out)) return false;
  filter_remove(reinterpret_cast<void*>(p));
  StackCounters& c = g_profile.stacks.counters(out->stack);
  c.live_bytes -= out->bytes;
  c.live_count -= out->count;
  return true;
}

void record(void* p, std::size_t size, const std::uintptr_t* frames, std::uint32_t depth) {
  double n = static_cast<double>(size);
  // P(sampled) = 1 - exp(-n / interval); -expm1 keeps precision for small n.
  double probability = -std::expm1(-n / g_profile.interval);
  double bytes = n / probability;
  double count = 1.0 / probability;
  auto ptr = reinterpret_cast<std::uintptr_t>(p);
  pthread_mutex_lock(&g_profile.lock);
  LiveSample stale;
  // The pointer was sampled before and freed by a path the hooks do not see: that one is gone.
  if (maybe_sampled(p) && unlink_locked(ptr, &stale)) ++g_profile.sampled_frees;
  std::uint32_t id = g_profile.stacks.intern(frames, depth);
  if (id == kNoStack) {
    ++g_profile.dropped;
  } else {
    StackCounters& c = g_profile.stacks.counters(id);
    c.allocated_bytes += bytes;
    ++g_profile.sampled_allocs;
    if (g_profile.live.insert(LiveSample{ptr, id, static_cast<float>(count), bytes})) {
      filter_add(p);
      c.live_bytes += bytes;
      c.live_count += count;
    } else {
      ++g_profile.dropped;
    }
  }
  pthread_mutex_unlock(&g_profile.lock);
}

}  // namespace

bool init_profile(double interval) {
  g_profile.interval = interval;
  g_filter = static_cast<std::atomic<std::uint64_t>*>(
      map_pages(sizeof(std::atomic<std::uint64_t>) << (kFilterBits - 6)));
  g_filter_counts = static_cast<std::uint8_t*>(map_pages(std::size_t{1} << kFilterBits));
  return g_filter && g_filter_counts && g_profile.stacks.init() && g_profile.live.init();
}

void sample_allocation(void* p, std::size_t size, void* frame) {
  ThreadState& s = t_state;
  if (!s.armed) {
    // The thread's first allocation: its countdown starts here, nothing is sampled yet.
    seed(s);
    s.armed = true;
    s.countdown += draw_countdown(s);
    if (s.countdown > 0) return;
  }
  s.countdown = draw_countdown(s);
  if (s.busy || p == nullptr || size == 0) return;
  s.busy = true;
  int saved_errno = errno;  // a successful malloc leaves errno alone
  if (s.stack_hi == 0) learn_stack_bounds(s);
  std::uintptr_t frames[kMaxFrames];
  std::uint32_t depth = unwind_from(frame, s, frames);
  record(p, size, frames, depth);
  errno = saved_errno;
  s.busy = false;
}

void forget_sample(void* p) {
  LiveSample gone;
  pthread_mutex_lock(&g_profile.lock);
  if (unlink_locked(reinterpret_cast<std::uintptr_t>(p), &gone)) ++g_profile.sampled_frees;
  pthread_mutex_unlock(&g_profile.lock);
}

TakenSample take_sample(void* p) {
  TakenSample t{false, 0, 0, 0};
  if (!g_active || p == nullptr) return t;
  if (!maybe_sampled(p)) return t;
  LiveSample gone;
  pthread_mutex_lock(&g_profile.lock);
  if (unlink_locked(reinterpret_cast<std::uintptr_t>(p), &gone)) {
    ++g_profile.sampled_frees;
    t = TakenSample{true, gone.stack, gone.bytes, gone.count};
  }
  pthread_mutex_unlock(&g_profile.lock);
  return t;
}

void restore_sample(void* p, const TakenSample& t) {
  if (!t.taken) return;
  pthread_mutex_lock(&g_profile.lock);
  --g_profile.sampled_frees;
  if (g_profile.live.insert(LiveSample{reinterpret_cast<std::uintptr_t>(p), t.stack,
                                       static_cast<float>(t.count), t.bytes})) {
    filter_add(p);
    StackCounters& c = g_profile.stacks.counters(t.stack);
    c.live_bytes += t.bytes;
    c.live_count += t.count;
  }
  pthread_mutex_unlock(&g_profile.lock);
}

}  // namespace leakscope::preload
