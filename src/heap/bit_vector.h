// A fixed-size bit set over node or edge ordinals: one bit each, so a flag per edge of a 40M-edge
// snapshot costs 5 MB instead of 40.
#pragma once

#include <cstdint>
#include <vector>

namespace leakscope {

class BitVector {
 public:
  BitVector() = default;
  explicit BitVector(uint64_t size) : size_(size), words_((size + 63) / 64, 0) {}

  uint64_t size() const { return size_; }
  bool get(uint64_t i) const { return (words_[i >> 6] >> (i & 63)) & 1U; }
  void set(uint64_t i) { words_[i >> 6] |= uint64_t{1} << (i & 63); }
  void clear(uint64_t i) { words_[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  uint64_t memory_bytes() const { return words_.capacity() * sizeof(uint64_t); }

 private:
  uint64_t size_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace leakscope
