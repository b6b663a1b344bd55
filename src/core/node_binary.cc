#include "core/node_binary.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "core/core_error.h"

namespace leakscope::core {

namespace {

struct Mapped {
  void* data = MAP_FAILED;
  size_t size = 0;
  ~Mapped() {
    if (data != MAP_FAILED) ::munmap(data, size);
  }
};

void map_binary(const std::string& path, Mapped& m) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw CoreError("node binary " + path + ": " + std::strerror(errno) +
                    " (pass the binary the process ran with --node PATH)");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    ::close(fd);
    throw CoreError("node binary " + path + ": not a regular file");
  }
  m.size = static_cast<size_t>(st.st_size);
  m.data = ::mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m.data == MAP_FAILED) throw CoreError("node binary " + path + ": cannot map it");
}

}  // namespace

NodeBinary load_node_binary(const ProcessDump& dump, const std::string& override_path) {
  NodeBinary out;
  const FileMapping* exe = executable_mapping(dump);
  out.path = override_path.empty() ? (exe ? exe->path : std::string()) : override_path;
  if (out.path.empty()) {
    throw CoreError("the dump names no executable (no NT_FILE note): pass --node PATH");
  }
  constexpr std::string_view kDeleted = " (deleted)";
  if (override_path.empty() && out.path.ends_with(kDeleted)) {
    throw CoreError("the process's node binary was deleted or replaced (" + out.path +
                    "): pass the one it ran with --node PATH");
  }
  Mapped m;
  map_binary(out.path, m);
  const ElfReader elf(Bytes(static_cast<const uint8_t*>(m.data), m.size), out.path);
  out.build_id = elf.build_id();
  const std::string mapped = exe ? mapped_build_id(dump, *exe) : std::string();
  if (!mapped.empty() && !out.build_id.empty()) {
    if (mapped != out.build_id) {
      throw CoreError("node binary " + out.path + " does not match the dump (build id " +
                      out.build_id + ", the process ran " + mapped + "): pass --node PATH");
    }
    out.build_id_checked = true;
  }
  out.layout = load_v8_layout(elf, out.path);
  return out;
}

}  // namespace leakscope::core
