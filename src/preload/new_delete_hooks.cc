// C++ operator new and delete, every variant libstdc++ exports. Node imports them from libstdc++,
// whose operator new has no frame pointer: hooking them here (instead of seeing their malloc)
// keeps the caller of `new` in the stack. They call the real malloc directly, not libstdc++'s
// operator new (which would come back through our malloc and be counted twice), and keep its
// semantics: the new_handler loop, std::bad_alloc, null from the nothrow forms.
#include <cstddef>
#include <new>

#include "preload/export.h"
#include "preload/real_alloc.h"
#include "preload/sampler.h"

using namespace leakscope::preload;

namespace {

void* try_alloc(std::size_t n, std::size_t align) {
  if (!real_ready()) resolve_real();
  if (!real_ready()) return bootstrap_alloc(n, align);
  if (align <= alignof(std::max_align_t)) return g_real.malloc(n);
  void* p = nullptr;
  return g_real.posix_memalign(&p, align, n) == 0 ? p : nullptr;
}

void* new_or_throw(std::size_t n, std::size_t align) {
  if (n == 0) n = 1;
  if (align < sizeof(void*)) align = sizeof(void*);
  for (;;) {
    void* p = try_alloc(n, align);
    if (p != nullptr) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

void* new_or_null(std::size_t n, std::size_t align) noexcept {
  try {
    return new_or_throw(n, align);
  } catch (...) {
    return nullptr;
  }
}

inline void release(void* p) noexcept {
  if (p == nullptr || is_bootstrap(p)) return;
  if (!real_ready()) resolve_real();
  note_free(p);
  g_real.free(p);
}

constexpr std::size_t kPlain = alignof(std::max_align_t);

}  // namespace

// Every allocating form samples in its own body: the walk starts at the `new` expression.
#define LEAKSCOPE_NEW_BODY(alloc_call)     \
  void* p = alloc_call;                    \
  if (p) LEAKSCOPE_COUNT_ALLOCATION(p, n); \
  return p

LEAKSCOPE_EXPORT void* operator new(std::size_t n) {
  LEAKSCOPE_NEW_BODY(new_or_throw(n, kPlain));
}
LEAKSCOPE_EXPORT void* operator new[](std::size_t n) {
  LEAKSCOPE_NEW_BODY(new_or_throw(n, kPlain));
}
LEAKSCOPE_EXPORT void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  LEAKSCOPE_NEW_BODY(new_or_null(n, kPlain));
}
LEAKSCOPE_EXPORT void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  LEAKSCOPE_NEW_BODY(new_or_null(n, kPlain));
}
LEAKSCOPE_EXPORT void* operator new(std::size_t n, std::align_val_t a) {
  LEAKSCOPE_NEW_BODY(new_or_throw(n, static_cast<std::size_t>(a)));
}
LEAKSCOPE_EXPORT void* operator new[](std::size_t n, std::align_val_t a) {
  LEAKSCOPE_NEW_BODY(new_or_throw(n, static_cast<std::size_t>(a)));
}
LEAKSCOPE_EXPORT void* operator new(std::size_t n, std::align_val_t a,
                                    const std::nothrow_t&) noexcept {
  LEAKSCOPE_NEW_BODY(new_or_null(n, static_cast<std::size_t>(a)));
}
LEAKSCOPE_EXPORT void* operator new[](std::size_t n, std::align_val_t a,
                                      const std::nothrow_t&) noexcept {
  LEAKSCOPE_NEW_BODY(new_or_null(n, static_cast<std::size_t>(a)));
}

LEAKSCOPE_EXPORT void operator delete(void* p) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete[](void* p) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete(void* p, std::size_t) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete[](void* p, std::size_t) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete(void* p, const std::nothrow_t&) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete[](void* p, const std::nothrow_t&) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete(void* p, std::align_val_t) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete[](void* p, std::align_val_t) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
LEAKSCOPE_EXPORT void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  release(p);
}
