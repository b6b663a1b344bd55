#include "preload/unwind.h"

#include <pthread.h>

#include "preload/stack_table.h"

namespace leakscope::preload {

void learn_stack_bounds(ThreadState& state) {
  pthread_attr_t attr;
  void* addr = nullptr;
  std::size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    if (pthread_attr_getstack(&attr, &addr, &size) != 0) size = 0;
    pthread_attr_destroy(&attr);
  }
  if (size == 0) {
    // Unknown: an empty range keeps the walk to the hook's own frame.
    state.stack_lo = state.stack_hi = 1;
    return;
  }
  state.stack_lo = reinterpret_cast<std::uintptr_t>(addr);
  state.stack_hi = state.stack_lo + size;
}

std::uint32_t unwind_from(void* frame, ThreadState& state, std::uintptr_t* out) {
  const std::uintptr_t lo = state.stack_lo;
  const std::uintptr_t hi = state.stack_hi;
  auto* fp = static_cast<std::uintptr_t*>(frame);
  // The hook's own frame is ours: its return address is always readable.
  std::uint32_t depth = 0;
  out[depth++] = fp[1];
  auto prev = reinterpret_cast<std::uintptr_t>(fp);
  auto next = fp[0];
  while (depth < kMaxFrames) {
    if (next <= prev || (next & 7) != 0 || next < lo || next + 2 * sizeof(std::uintptr_t) > hi) {
      break;
    }
    auto* f = reinterpret_cast<const std::uintptr_t*>(next);
    std::uintptr_t ip = f[1];
    if (ip < 4096) break;
    out[depth++] = ip;
    prev = next;
    next = f[0];
  }
  return depth;
}

}  // namespace leakscope::preload
