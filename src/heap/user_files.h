// Files the user names on the command line. Only "-" (standard input) may be a stream; anything
// else must be a regular file, checked before open() and again on the open descriptor, so that a
// FIFO with no writer, a terminal or /dev/zero can never hang a command or fill its memory.
// /proc files count as regular files (st_size 0: read to the end, never trust the size).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace leakscope {

// What went wrong with a user-named file; what() is one line that starts with the path.
class UserFileError : public std::runtime_error {
 public:
  UserFileError(const std::string& path, const std::string& message)
      : std::runtime_error(path + ": " + message), message_(message) {}
  const std::string& message() const { return message_; }

 private:
  std::string message_;
};

class InputFile {
 public:
  explicit InputFile(const std::string& path);  // throws UserFileError
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  int fd() const { return fd_; }
  bool is_stdin() const { return !owns_fd_; }
  // st_size of a regular file (0 for /proc files); 0 for standard input.
  uint64_t size() const { return size_; }
  // Up to n bytes; 0 at the end. Throws UserFileError on a read error.
  size_t read_some(char* buffer, size_t n);

 private:
  std::string path_;
  int fd_ = -1;
  bool owns_fd_ = false;
  uint64_t size_ = 0;
  uint64_t read_ = 0;  // bytes read so far, for the message of a read error
};

// Bounds for a line-oriented text input: a binary file or a device passed through a pipe is found
// within its first line instead of after gigabytes.
struct TextLimits {
  size_t max_line_bytes = 64u << 10;
  uint64_t max_total_bytes = 256u << 20;
  const char* what = "text file";  // "maps table", "--trace-gc log": for the messages
};

// A text input read chunk by chunk under those limits: no line longer than the limit, not more
// bytes than the limit. Throws UserFileError naming the line number and byte offset.
class TextInput {
 public:
  TextInput(const std::string& path, const TextLimits& limits);
  uint64_t size() const { return file_.size(); }  // as InputFile::size()
  // The next chunk (valid until the next call); empty at the end.
  std::string_view next();

 private:
  void check(std::string_view chunk);

  std::string path_;
  TextLimits limits_;
  InputFile file_;
  std::unique_ptr<char[]> buffer_;
  uint64_t offset_ = 0;      // bytes seen before this chunk
  uint64_t line_ = 1;        // 1-based number of the line being read
  uint64_t line_start_ = 0;  // byte offset where it started
};

// Reads a whole text input ("-" = standard input) under those limits.
std::string read_text_input(const std::string& path, const TextLimits& limits);

// Opens a file the user named for writing ("wb"). A FIFO that nobody reads is refused at once
// instead of blocking in open(). Throws UserFileError.
std::FILE* open_output_file(const std::string& path);

}  // namespace leakscope
