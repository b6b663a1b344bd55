// The allocation's stack, by the frame-pointer chain: Node's binaries and V8's JIT frames keep
// rbp, where DWARF unwinders stop at the first JIT frame (docs/native-samples-format.md).
#pragma once

#include <cstdint>

#include "preload/sampler.h"

namespace leakscope::preload {

// Fills `out` (kMaxFrames) with return addresses, innermost first, starting with the one in
// `frame` (the hook's frame, so the first is in malloc's caller). Stops at 64 frames, at a frame
// outside the thread's stack, misaligned or not above the previous one. Returns the depth (>= 1).
std::uint32_t unwind_from(void* frame, ThreadState& state, std::uintptr_t* out);

// Caches the calling thread's stack bounds in `state` (pthread_getattr_np, which allocates: call
// it with state.busy set).
void learn_stack_bounds(ThreadState& state);

}  // namespace leakscope::preload
