// The C allocator's entry points. Each forwards to the real allocator, then counts the bytes
// towards the thread's next sample (LEAKSCOPE_COUNT_ALLOCATION, inlined here so the walk starts
// in the caller). Frees tell the sampler first: the address may be reused once it is freed.
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "preload/export.h"
#include "preload/real_alloc.h"
#include "preload/sampler.h"

using namespace leakscope::preload;

namespace {

constexpr std::size_t kPage = 4096;

// False while dlsym itself runs: the caller then takes its memory from the bootstrap arena.
inline bool ready() {
  if (real_ready()) return true;
  resolve_real();
  return real_ready();
}

inline void* aligned_from(std::size_t align, std::size_t n) {
  void* p = nullptr;
  return g_real.posix_memalign(&p, align, n) == 0 ? p : nullptr;
}

}  // namespace

extern "C" {

LEAKSCOPE_EXPORT void* malloc(std::size_t n) noexcept {
  if (!ready()) return bootstrap_alloc(n, 16);
  void* p = g_real.malloc(n);
  if (p) LEAKSCOPE_COUNT_ALLOCATION(p, n);
  return p;
}

LEAKSCOPE_EXPORT void free(void* p) noexcept {
  if (p == nullptr || is_bootstrap(p) || !ready()) return;
  note_free(p);
  g_real.free(p);
}

LEAKSCOPE_EXPORT void* calloc(std::size_t count, std::size_t size) noexcept {
  std::size_t n = 0;
  if (__builtin_mul_overflow(count, size, &n)) {
    errno = ENOMEM;
    return nullptr;
  }
  if (!ready()) return bootstrap_alloc(n, 16);
  void* p = g_real.calloc(count, size);
  if (p) LEAKSCOPE_COUNT_ALLOCATION(p, n);
  return p;
}

LEAKSCOPE_EXPORT void* realloc(void* p, std::size_t n) noexcept {
  if (!ready() || (p != nullptr && is_bootstrap(p))) {
    // Out of the arena (dlsym's blocks stay there): a fresh block and a copy.
    void* q = real_ready() ? g_real.malloc(n) : bootstrap_alloc(n, 16);
    if (q != nullptr && p != nullptr) {
      std::size_t old = bootstrap_size(p);
      memcpy(q, p, old < n ? old : n);
    }
    if (q && real_ready()) LEAKSCOPE_COUNT_ALLOCATION(q, n);
    return q;
  }
  // A sampled block's record goes first: once realloc moves it, its old address is free.
  TakenSample taken = take_sample(p);
  void* q = g_real.realloc(p, n);
  if (q == nullptr) {
    // realloc(p, 0) freed p; any other failure left it allocated, with its sample.
    if (n != 0) restore_sample(p, taken);
    return nullptr;
  }
  LEAKSCOPE_COUNT_ALLOCATION(q, n);
  return q;
}

LEAKSCOPE_EXPORT int posix_memalign(void** out, std::size_t align, std::size_t n) noexcept {
  if (!ready()) {
    *out = bootstrap_alloc(n, align);
    return *out ? 0 : ENOMEM;
  }
  int r = g_real.posix_memalign(out, align, n);
  if (r == 0 && *out) LEAKSCOPE_COUNT_ALLOCATION(*out, n);
  return r;
}

LEAKSCOPE_EXPORT void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
  if (!ready()) return bootstrap_alloc(n, align);
  void* p = g_real.aligned_alloc(align, n);
  if (p) LEAKSCOPE_COUNT_ALLOCATION(p, n);
  return p;
}

LEAKSCOPE_EXPORT void* memalign(std::size_t align, std::size_t n) noexcept {
  if (!ready()) return bootstrap_alloc(n, align);
  void* p = g_real.memalign(align, n);
  if (p) LEAKSCOPE_COUNT_ALLOCATION(p, n);
  return p;
}

LEAKSCOPE_EXPORT void* valloc(std::size_t n) noexcept {
  if (!ready()) return bootstrap_alloc(n, kPage);
  void* p = g_real.valloc(n);
  if (p) LEAKSCOPE_COUNT_ALLOCATION(p, n);
  return p;
}

LEAKSCOPE_EXPORT void* pvalloc(std::size_t n) noexcept {
  std::size_t rounded = (n + kPage - 1) & ~(kPage - 1);
  if (!ready()) return bootstrap_alloc(rounded, kPage);
  // Gone from newer C libraries: the same thing by hand.
  void* p = g_real.pvalloc ? g_real.pvalloc(n) : aligned_from(kPage, rounded);
  if (p) LEAKSCOPE_COUNT_ALLOCATION(p, rounded);
  return p;
}

LEAKSCOPE_EXPORT std::size_t malloc_usable_size(void* p) noexcept {
  if (p == nullptr) return 0;
  if (is_bootstrap(p)) return bootstrap_size(p);
  return g_real.malloc_usable_size(p);
}

}  // extern "C"
