// The file's lines, formatted into a static buffer and written with write(2): the dumper may not
// allocate (it would sample itself, and it also runs at exit and after malloc's locks are gone).
#pragma once

#include <cstddef>
#include <cstdint>

namespace leakscope::preload {

class TextWriter {
 public:
  explicit TextWriter(int fd) : fd_(fd) {}
  TextWriter& str(const char* s);
  TextWriter& bytes(const char* s, std::size_t n);
  TextWriter& dec(std::uint64_t v);
  TextWriter& hex(std::uint64_t v);
  TextWriter& ch(char c);
  // Writes what is buffered; after a failed write the file is left alone (a full disk must not
  // stop the app).
  void flush();

 private:
  static constexpr std::size_t kBuffer = 64 * 1024;
  int fd_;
  std::size_t used_ = 0;
  bool failed_ = false;
  char buf_[kBuffer];
};

}  // namespace leakscope::preload
