#include "core/elf_reader.h"

#include <elf.h>

#include <cstring>

#include "core/core_error.h"

namespace leakscope::core {

namespace {

template <typename T>
bool read_at(Bytes bytes, uint64_t offset, T& out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

uint64_t align4(uint64_t n) {
  return (n + 3) & ~uint64_t{3};
}

std::string_view c_string_at(Bytes bytes, uint64_t offset) {
  if (offset >= bytes.size()) return {};
  const char* start = reinterpret_cast<const char*>(bytes.data() + offset);
  const size_t room = bytes.size() - offset;
  const void* nul = std::memchr(start, 0, room);
  return nul ? std::string_view(start, static_cast<const char*>(nul) - start) : std::string_view();
}

}  // namespace

std::vector<ElfNote> parse_notes(Bytes data) {
  std::vector<ElfNote> notes;
  uint64_t pos = 0;
  while (pos + sizeof(Elf64_Nhdr) <= data.size()) {
    Elf64_Nhdr header;
    read_at(data, pos, header);
    pos += sizeof(Elf64_Nhdr);
    const uint64_t name_size = align4(header.n_namesz);
    const uint64_t desc_size = align4(header.n_descsz);
    if (name_size > data.size() - pos) break;
    std::string_view name(reinterpret_cast<const char*>(data.data() + pos), header.n_namesz);
    while (!name.empty() && name.back() == '\0') name.remove_suffix(1);
    pos += name_size;
    if (header.n_descsz > data.size() - pos) break;
    notes.push_back({header.n_type, name, data.subspan(pos, header.n_descsz)});
    if (desc_size > data.size() - pos) break;
    pos += desc_size;
  }
  return notes;
}

std::vector<FileMapping> parse_nt_file(Bytes desc) {
  uint64_t count = 0;
  uint64_t page_size = 0;
  if (!read_at(desc, 0, count) || !read_at(desc, 8, page_size) || count > desc.size() / 24) {
    throw CoreError("the core's file table (NT_FILE) is malformed");
  }
  std::vector<FileMapping> files(count);
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t at = 16 + i * 24;
    uint64_t page = 0;
    if (!read_at(desc, at, files[i].start) || !read_at(desc, at + 8, files[i].end) ||
        !read_at(desc, at + 16, page)) {
      throw CoreError("the core's file table (NT_FILE) is malformed");
    }
    files[i].page_offset = page;
  }
  uint64_t pos = 16 + count * 24;
  for (FileMapping& f : files) {
    if (pos >= desc.size()) throw CoreError("the core's file table (NT_FILE) is truncated");
    const std::string_view name = c_string_at(desc, pos);
    if (name.empty() && desc[pos] != 0) {
      throw CoreError("the core's file table (NT_FILE) is truncated");
    }
    f.path.assign(name);
    pos += name.size() + 1;
  }
  return files;
}

std::string build_id_of(const std::vector<ElfNote>& notes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const ElfNote& n : notes) {
    if (n.type != NT_GNU_BUILD_ID || n.name != "GNU") continue;
    std::string hex;
    for (uint8_t b : n.desc) {
      hex += kHex[b >> 4];
      hex += kHex[b & 15];
    }
    return hex;
  }
  return {};
}

ElfReader::ElfReader(Bytes bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {
  Elf64_Ehdr eh;
  if (!read_at(bytes_, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    throw CoreError(what_ + ": not an ELF file");
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
      eh.e_machine != EM_X86_64) {
    throw CoreError(what_ + ": not a 64-bit little-endian x86-64 ELF file");
  }
  type_ = eh.e_type;
  if (eh.e_phnum > 0 && eh.e_phentsize < sizeof(Elf64_Phdr)) {
    throw CoreError(what_ + ": bad program header size");
  }
  for (uint64_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (!read_at(bytes_, eh.e_phoff + i * eh.e_phentsize, ph)) {
      throw CoreError(what_ + ": program headers run past the end of the file (truncated?)");
    }
    segments_.push_back({ph.p_type, ph.p_flags, ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz});
  }
  if (eh.e_shnum > 0 && eh.e_shentsize >= sizeof(Elf64_Shdr)) {
    read_sections(eh.e_shoff, eh.e_shentsize, eh.e_shnum, eh.e_shstrndx);
  }
}

void ElfReader::read_sections(uint64_t shoff, uint16_t shentsize, uint16_t shnum,
                              uint16_t shstrndx) {
  std::vector<Elf64_Shdr> headers(shnum);
  for (uint64_t i = 0; i < shnum; ++i) {
    if (!read_at(bytes_, shoff + i * shentsize, headers[i])) {
      throw CoreError(what_ + ": section headers run past the end of the file (truncated?)");
    }
  }
  Bytes names;
  if (shstrndx < shnum) {
    names = range(headers[shstrndx].sh_offset, headers[shstrndx].sh_size, "section names");
  }
  for (const Elf64_Shdr& sh : headers) {
    sections_.push_back({std::string(c_string_at(names, sh.sh_name)), sh.sh_type, sh.sh_addr,
                         sh.sh_offset, sh.sh_size, sh.sh_link});
  }
}

Bytes ElfReader::range(uint64_t offset, uint64_t size, const char* part) const {
  if (offset > bytes_.size() || bytes_.size() - offset < size) {
    throw CoreError(what_ + ": " + part + " run past the end of the file (truncated?)");
  }
  return bytes_.subspan(offset, size);
}

Bytes ElfReader::segment_bytes(const ElfSegment& s) const {
  if (s.offset >= bytes_.size()) return {};
  return bytes_.subspan(s.offset, std::min<uint64_t>(s.filesz, bytes_.size() - s.offset));
}

std::vector<ElfNote> ElfReader::notes() const {
  std::vector<ElfNote> all;
  for (const ElfSegment& s : segments_) {
    if (s.type != PT_NOTE) continue;
    std::vector<ElfNote> some = parse_notes(segment_bytes(s));
    all.insert(all.end(), some.begin(), some.end());
  }
  return all;
}

template <typename Keep>
std::vector<ElfSymbol> ElfReader::symbols(bool with_symtab, Keep keep) const {
  std::vector<ElfSymbol> out;
  for (const Section& sec : sections_) {
    const bool table = sec.type == SHT_DYNSYM || (with_symtab && sec.type == SHT_SYMTAB);
    if (!table || sec.link >= sections_.size()) continue;
    const Section& strtab = sections_[sec.link];
    const Bytes syms = range(sec.offset, sec.size, "a symbol table");
    const Bytes strings = range(strtab.offset, strtab.size, "a string table");
    for (uint64_t at = 0; at + sizeof(Elf64_Sym) <= syms.size(); at += sizeof(Elf64_Sym)) {
      Elf64_Sym sym;
      read_at(syms, at, sym);
      const std::string_view name = c_string_at(strings, sym.st_name);
      if (keep(sym, name)) out.push_back({std::string(name), sym.st_value, sym.st_size});
    }
  }
  return out;
}

std::vector<ElfSymbol> ElfReader::dynamic_symbols(std::string_view prefix) const {
  return symbols(false, [prefix](const Elf64_Sym&, std::string_view name) {
    return name.starts_with(prefix);
  });
}

std::vector<ElfSymbol> ElfReader::function_symbols() const {
  return symbols(true, [](const Elf64_Sym& sym, std::string_view name) {
    const unsigned kind = ELF64_ST_TYPE(sym.st_info);
    return (kind == STT_FUNC || kind == STT_GNU_IFUNC) && sym.st_shndx != SHN_UNDEF &&
           sym.st_value != 0 && !name.empty();
  });
}

std::optional<Bytes> ElfReader::bytes_at(uint64_t vaddr, uint64_t size) const {
  for (const Section& sec : sections_) {
    if (sec.type == SHT_NOBITS || sec.addr == 0 || vaddr < sec.addr) continue;
    const uint64_t delta = vaddr - sec.addr;
    if (delta > sec.size || sec.size - delta < size) continue;
    const uint64_t offset = sec.offset + delta;
    if (offset > bytes_.size() || bytes_.size() - offset < size) return std::nullopt;
    return bytes_.subspan(offset, size);
  }
  return std::nullopt;
}

bool ElfReader::in_zero_section(uint64_t vaddr) const {
  for (const Section& sec : sections_) {
    if (sec.type == SHT_NOBITS && vaddr >= sec.addr && vaddr - sec.addr < sec.size) return true;
  }
  return false;
}

}  // namespace leakscope::core
