// StringPool: the snapshot's string table, unescaped to UTF-8 and stored back to back in one
// buffer. Lone UTF-16 surrogates (legal in JS strings) are kept as WTF-8 so nothing is lost.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "heap/big_vector.h"

namespace leakscope {

class StringPool {
 public:
  StringPool() { offsets_.push_back(0); }

  uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }
  std::string_view get(uint32_t index) const {
    return {bytes_.data() + offsets_[index], offsets_[index + 1] - offsets_[index]};
  }
  uint64_t byte_size() const { return bytes_.size(); }

  // Appends one string; the reader writes the unescaped bytes straight into bytes() and then
  // seals them with end_string(), which avoids a copy per string.
  BigVector<char>& bytes() { return bytes_; }
  void end_string() { offsets_.push_back(bytes_.size()); }
  void add(std::string_view s) {
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    end_string();
  }

  uint64_t memory_bytes() const {
    return bytes_.capacity() + offsets_.capacity() * sizeof(uint64_t);
  }
  // Address space for the expected total, so growing never copies (pages are touched only as
  // they fill).
  void reserve(uint64_t bytes, uint64_t strings) {
    bytes_.reserve(bytes);
    offsets_.reserve(strings + 1);
  }
  void shrink_to_fit() {
    bytes_.shrink_to_fit();
    offsets_.shrink_to_fit();
  }

 private:
  BigVector<char> bytes_;
  BigVector<uint64_t> offsets_;
};

}  // namespace leakscope
