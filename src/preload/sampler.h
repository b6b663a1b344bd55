// The sampling decision, on every allocation and free: a per-thread countdown of bytes drawn from
// an exponential distribution (mean: the interval), so an allocation of n bytes is sampled with
// probability 1 - exp(-n / interval), independently of the others; and a filter that lets a free
// of an unsampled pointer go by after one load.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace leakscope::preload {

struct ThreadState {
  std::int64_t countdown;  // bytes left before the next sample; <= 0: take the slow path
  std::uint64_t rng;
  std::uintptr_t stack_lo;  // this thread's stack, for the unwinder; 0: not known yet
  std::uintptr_t stack_hi;
  bool armed;  // countdown drawn
  bool busy;   // inside the sampler (or the dumper thread): allocations pass unsampled
};

// initial-exec: a preloaded library's TLS is static, and the general model may call malloc.
extern __thread ThreadState t_state __attribute__((tls_model("initial-exec")));

// Set by the constructor when LEAKSCOPE_NATIVE_OUT is set; cleared in a forked child.
extern bool g_active;

// The slow path of an allocation of `size` bytes at `p` whose countdown ran out. `frame` is the
// hook's frame address: the walk starts with the hook's return address, in its caller.
void sample_allocation(void* p, std::size_t size, void* frame);

// After a successful allocation: counts the bytes, samples when the countdown runs out.
// Always inlined into the hook, so __builtin_frame_address(0) is the hook's frame.
#define LEAKSCOPE_COUNT_ALLOCATION(p, size)                                               \
  do {                                                                                    \
    if (__builtin_expect(::leakscope::preload::g_active, 1)) {                            \
      auto& state_ = ::leakscope::preload::t_state;                                       \
      state_.countdown -= static_cast<std::int64_t>(size);                                \
      if (__builtin_expect(state_.countdown <= 0, 0)) {                                   \
        ::leakscope::preload::sample_allocation((p), (size), __builtin_frame_address(0)); \
      }                                                                                   \
    }                                                                                     \
  } while (0)

// The filter: one bit per bucket of pointer hashes, set while a sampled pointer of that bucket is
// live (a count per bucket, touched only by samples, says when to clear it). A clear bit means
// "certainly not sampled". 32 KiB of bits, so the free path's one load mostly hits the cache
// (128 KiB missed it: perf showed the load as most of operator delete); a false hit costs a
// lock and a probe, at 1 in 100 frees for 2,600 live samples (~1.3 GB live at 512 KiB).
constexpr unsigned kFilterBits = 18;
extern std::atomic<std::uint64_t>* g_filter;

inline std::size_t filter_slot(const void* p) {
  return static_cast<std::size_t>(
      (reinterpret_cast<std::uintptr_t>(p) >> 4) * 0x9E3779B97F4A7C15ull >> (64 - kFilterBits));
}

inline bool maybe_sampled(const void* p) {
  std::size_t slot = filter_slot(p);
  return (g_filter[slot >> 6].load(std::memory_order_relaxed) >> (slot & 63)) & 1;
}

// Forgets a sampled pointer about to be freed (slow path, under the table lock).
void forget_sample(void* p);

// Before the pointer goes back to the real allocator: its address may be reused at once.
inline void note_free(void* p) {
  if (__builtin_expect(!g_active, 0) || p == nullptr) return;
  if (__builtin_expect(!maybe_sampled(p), 1)) return;
  forget_sample(p);
}

// realloc: takes p's sample out (if it has one) before the real realloc; put it back with
// restore_sample if that fails, since p then stays allocated.
struct TakenSample {
  bool taken;
  std::uint32_t stack;
  double bytes;
  double count;
};
TakenSample take_sample(void* p);
void restore_sample(void* p, const TakenSample& s);

}  // namespace leakscope::preload
