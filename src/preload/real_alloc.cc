#include "preload/real_alloc.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstring>

namespace leakscope::preload {

RealAlloc g_real;

namespace {

// dlsym needs a few hundred bytes; 64 KiB is ample and costs nothing until touched.
constexpr std::size_t kArenaBytes = 64 * 1024;
alignas(64) unsigned char g_arena[kArenaBytes];
std::size_t g_arena_used = 0;

// Each arena block is preceded by its size, so realloc and malloc_usable_size can answer.
struct BlockHeader {
  std::size_t size;
  std::size_t pad;
};

template <typename F>
void load(F& slot, const char* name) {
  slot = reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

void* bootstrap_alloc(std::size_t size, std::size_t align) {
  if (align < alignof(std::max_align_t)) align = alignof(std::max_align_t);
  std::size_t start = (g_arena_used + sizeof(BlockHeader) + align - 1) & ~(align - 1);
  if (start + size > kArenaBytes || start + size < start) return nullptr;
  auto* header = reinterpret_cast<BlockHeader*>(g_arena + start - sizeof(BlockHeader));
  header->size = size;
  g_arena_used = start + size;
  return g_arena + start;  // static storage is zeroed, so calloc needs nothing more
}

bool is_bootstrap(const void* p) {
  auto a = reinterpret_cast<std::uintptr_t>(p);
  auto base = reinterpret_cast<std::uintptr_t>(g_arena);
  return a >= base && a < base + kArenaBytes;
}

std::size_t bootstrap_size(const void* p) {
  return reinterpret_cast<const BlockHeader*>(static_cast<const unsigned char*>(p) -
                                              sizeof(BlockHeader))
      ->size;
}

void resolve_real() {
  // Threads do not exist yet when this first runs (a constructor, or the first allocation of the
  // process), so plain flags suffice.
  static bool resolving = false;
  if (real_ready() || resolving) return;
  resolving = true;
  RealAlloc r{};
  load(r.malloc, "malloc");
  load(r.calloc, "calloc");
  load(r.realloc, "realloc");
  load(r.posix_memalign, "posix_memalign");
  load(r.aligned_alloc, "aligned_alloc");
  load(r.memalign, "memalign");
  load(r.valloc, "valloc");
  load(r.pvalloc, "pvalloc");
  load(r.malloc_usable_size, "malloc_usable_size");
  load(r.free, "free");
  // free last: real_ready() tests it, and the hooks use the others as soon as it is set.
  void (*real_free)(void*) = r.free;
  r.free = nullptr;
  g_real = r;
  __atomic_store_n(&g_real.free, real_free, __ATOMIC_RELEASE);
  resolving = false;
}

}  // namespace leakscope::preload
