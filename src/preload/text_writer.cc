#include "preload/text_writer.h"

#include <errno.h>
#include <unistd.h>

#include <cstring>

namespace leakscope::preload {

TextWriter& TextWriter::bytes(const char* s, std::size_t n) {
  while (n > 0) {
    if (used_ == kBuffer) flush();
    std::size_t take = n < kBuffer - used_ ? n : kBuffer - used_;
    std::memcpy(buf_ + used_, s, take);
    used_ += take;
    s += take;
    n -= take;
  }
  return *this;
}

TextWriter& TextWriter::str(const char* s) {
  return bytes(s, std::strlen(s));
}

TextWriter& TextWriter::ch(char c) {
  return bytes(&c, 1);
}

TextWriter& TextWriter::dec(std::uint64_t v) {
  char tmp[24];
  std::size_t i = sizeof tmp;
  do {
    tmp[--i] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return bytes(tmp + i, sizeof tmp - i);
}

TextWriter& TextWriter::hex(std::uint64_t v) {
  char tmp[16];
  std::size_t i = sizeof tmp;
  do {
    tmp[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v != 0);
  return bytes(tmp + i, sizeof tmp - i);
}

void TextWriter::flush() {
  std::size_t done = 0;
  while (!failed_ && done < used_) {
    ssize_t n = write(fd_, buf_ + done, used_ - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      failed_ = true;
    }
  }
  used_ = 0;
}

}  // namespace leakscope::preload
