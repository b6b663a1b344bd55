// A bounds-checked view of a 64-bit little-endian ELF file (a core or the node binary) held in
// memory: program headers, notes, sections and dynamic symbols. Every read is checked against the
// bytes, so a truncated or fuzzed file gives a CoreError, never a read outside it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace leakscope::core {

using Bytes = std::span<const uint8_t>;

struct ElfSegment {
  uint32_t type = 0;
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
};

struct ElfNote {
  uint32_t type = 0;
  std::string_view name;
  Bytes desc;
};

// One NT_FILE entry: a file mapped at [start, end) from page offset `page_offset`.
struct FileMapping {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t page_offset = 0;
  std::string path;
};

struct ElfSymbol {
  std::string name;
  uint64_t value = 0;
  uint64_t size = 0;
};

// The notes in a PT_NOTE segment's bytes; stops at the first malformed one.
std::vector<ElfNote> parse_notes(Bytes data);
// NT_FILE's table; throws CoreError when it is malformed.
std::vector<FileMapping> parse_nt_file(Bytes desc);
// NT_GNU_BUILD_ID among `notes`, as lowercase hex, or "".
std::string build_id_of(const std::vector<ElfNote>& notes);

class ElfReader {
 public:
  // `what` names the file in errors. Throws CoreError when the headers do not fit.
  ElfReader(Bytes bytes, std::string what);

  uint16_t type() const { return type_; }
  const std::vector<ElfSegment>& segments() const { return segments_; }
  // The file bytes of a segment, clipped to what the file holds (a truncated core).
  Bytes segment_bytes(const ElfSegment& segment) const;
  std::vector<ElfNote> notes() const;
  std::string build_id() const { return build_id_of(notes()); }
  // Dynamic symbols whose names start with `prefix`.
  std::vector<ElfSymbol> dynamic_symbols(std::string_view prefix) const;
  // Every defined function symbol of `.symtab` and `.dynsym` (both: a stripped library keeps
  // only the latter), unsorted, possibly repeated (for `leakscope native`'s symboliser).
  std::vector<ElfSymbol> function_symbols() const;
  // `size` bytes at virtual address `vaddr`, from the section that holds them in the file.
  std::optional<Bytes> bytes_at(uint64_t vaddr, uint64_t size) const;
  // Whether `vaddr` lies in a zero-initialised section (.bss): a symbol there holds 0.
  bool in_zero_section(uint64_t vaddr) const;

 private:
  struct Section {
    std::string name;
    uint32_t type = 0;
    uint64_t addr = 0;
    uint64_t offset = 0;
    uint64_t size = 0;
    uint32_t link = 0;
  };
  Bytes range(uint64_t offset, uint64_t size, const char* part) const;
  // The symbols of `.dynsym` (and `.symtab` too when `with_symtab`) that `keep(symbol, name)`
  // keeps, in table order.
  template <typename Keep>
  std::vector<ElfSymbol> symbols(bool with_symtab, Keep keep) const;
  void read_sections(uint64_t shoff, uint16_t shentsize, uint16_t shnum, uint16_t shstrndx);

  Bytes bytes_;
  std::string what_;
  uint16_t type_ = 0;
  std::vector<ElfSegment> segments_;
  std::vector<Section> sections_;
};

}  // namespace leakscope::core
