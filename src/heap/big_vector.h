// BigVector: std::vector for the model's large columns.
//
// Two things make loading a 1 GB snapshot slow with plain vectors, both measured with perf:
// resize() zero-fills memory the reader overwrites anyway, and every fresh 4 KiB page costs a
// fault (on this kind of VM about as much as decoding the bytes that fill it). So the allocator
// default-initialises trivial elements, and backs large blocks with transparent huge pages.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <type_traits>
#include <vector>

namespace leakscope {

template <typename T>
class BigAllocator {
 public:
  using value_type = T;
  // Below this, plain malloc is cheaper than a mapping of its own.
  static constexpr size_t kMapThreshold = size_t{4} << 20;
  static constexpr size_t kHugePage = size_t{2} << 20;

  BigAllocator() noexcept = default;
  template <typename U>
  BigAllocator(const BigAllocator<U>&) noexcept {}  // NOLINT: allocators convert implicitly

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMapThreshold) {
      void* p = std::malloc(bytes ? bytes : 1);
      if (!p) throw std::bad_alloc();
      return static_cast<T*>(p);
    }
    void* p = ::mmap(nullptr, round_up(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    ::madvise(p, round_up(bytes), MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) noexcept {
    const size_t bytes = n * sizeof(T);
    if (bytes < kMapThreshold) {
      std::free(p);
    } else {
      ::munmap(p, round_up(bytes));
    }
  }
  // resize() leaves trivial elements uninitialised; the reader writes every one of them.
  template <typename U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }

  friend bool operator==(const BigAllocator&, const BigAllocator&) { return true; }

 private:
  static size_t round_up(size_t bytes) { return (bytes + kHugePage - 1) & ~(kHugePage - 1); }
};

template <typename T>
using BigVector = std::vector<T, BigAllocator<T>>;

}  // namespace leakscope
