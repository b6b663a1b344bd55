// The allocator underneath the hooks: the next definitions of malloc & co. after this library
// (glibc's, or another preloaded allocator's), found with dlsym(RTLD_NEXT).
#pragma once

#include <cstddef>

namespace leakscope::preload {

struct RealAlloc {
  void* (*malloc)(std::size_t);
  void (*free)(void*);
  void* (*calloc)(std::size_t, std::size_t);
  void* (*realloc)(void*, std::size_t);
  int (*posix_memalign)(void**, std::size_t, std::size_t);
  void* (*aligned_alloc)(std::size_t, std::size_t);
  void* (*memalign)(std::size_t, std::size_t);
  void* (*valloc)(std::size_t);
  void* (*pvalloc)(std::size_t);
  std::size_t (*malloc_usable_size)(void*);
};

extern RealAlloc g_real;

// Fills g_real once. dlsym itself allocates (calloc for its error state), so while it runs the
// hooks serve requests from a small static arena instead (bootstrap_*).
void resolve_real();

inline bool real_ready() {
  return __builtin_expect(g_real.free != nullptr, 1);
}

// The arena used while resolve_real runs: what dlsym asks for before malloc is known.
void* bootstrap_alloc(std::size_t size, std::size_t align);
bool is_bootstrap(const void* p);
std::size_t bootstrap_size(const void* p);

}  // namespace leakscope::preload
