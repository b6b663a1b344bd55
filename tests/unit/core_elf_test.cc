// The ELF and note parsing behind `leakscope core`, on hand-built bytes: notes, NT_FILE, build
// ids, a core written by core_writer read back, and truncated or corrupt input refused cleanly.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/core_error.h"
#include "core/core_writer.h"
#include "core/elf_reader.h"
#include "core/memory_image.h"
#include "core/process_dump.h"

namespace leakscope::core {
namespace {

template <typename T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::string note(uint32_t type, const std::string& name, const std::string& desc) {
  std::string out;
  put(out, Elf64_Nhdr{static_cast<Elf64_Word>(name.size() + 1),
                      static_cast<Elf64_Word>(desc.size()), type});
  out += name;
  out += '\0';
  while (out.size() % 4) out += '\0';
  out += desc;
  while (out.size() % 4) out += '\0';
  return out;
}

Bytes bytes_of(const std::string& s) {
  return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(CoreElf, ParsesNotesAndStopsAtATruncatedOne) {
  const std::string two = note(NT_GNU_BUILD_ID, "GNU", "\x12\xab") + note(7, "CORE", "abcdef");
  const std::vector<ElfNote> notes = parse_notes(bytes_of(two));
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[1].name, "CORE");
  EXPECT_EQ(notes[1].desc.size(), 6u);
  EXPECT_EQ(build_id_of(notes), "12ab");
  EXPECT_EQ(parse_notes(bytes_of(two.substr(0, two.size() - 4))).size(), 1u);
  EXPECT_TRUE(parse_notes(bytes_of(two.substr(0, 5))).empty());
}

TEST(CoreElf, ParsesNtFileAndRefusesATruncatedTable) {
  std::string desc;
  for (uint64_t v : {uint64_t{2}, uint64_t{4096}, uint64_t{0x400000}, uint64_t{0x401000},
                     uint64_t{0}, uint64_t{0x7f0000}, uint64_t{0x7f2000}, uint64_t{3}}) {
    put(desc, v);
  }
  desc += std::string("/usr/bin/node\0/lib/libc.so.6\0", 29);
  const std::vector<FileMapping> files = parse_nt_file(bytes_of(desc));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "/usr/bin/node");
  EXPECT_EQ(files[1].start, 0x7f0000u);
  EXPECT_EQ(files[1].page_offset, 3u);
  EXPECT_THROW(parse_nt_file(bytes_of(desc.substr(0, 40))), CoreError);
  EXPECT_THROW(parse_nt_file(bytes_of(desc.substr(0, desc.size() - 16))), CoreError);
  std::string huge;
  put(huge, uint64_t{1} << 60);
  put(huge, uint64_t{4096});
  EXPECT_THROW(parse_nt_file(bytes_of(huge)), CoreError);
}

TEST(CoreElf, RefusesWhatIsNotA64BitElf) {
  EXPECT_THROW(ElfReader(bytes_of("hello"), "x"), CoreError);
  std::string eh(sizeof(Elf64_Ehdr), '\0');
  std::memcpy(eh.data(), ELFMAG, SELFMAG);
  EXPECT_THROW(ElfReader(bytes_of(eh), "x"), CoreError);  // ELFCLASSNONE
}

ProcessDump sample_dump(std::vector<uint8_t>& heap) {
  ProcessDump dump;
  dump.pid = 4321;
  dump.files.push_back({0x400000, 0x401000, 0, "/usr/bin/node"});
  heap.assign(8192, 0);
  for (size_t i = 0; i < heap.size(); ++i) heap[i] = static_cast<uint8_t>(i * 7);
  dump.memory.add({0x10000000, 4096, heap.data(), true, false});
  dump.memory.add({0x20000000, 4096, heap.data() + 4096, false, false});
  dump.memory.finish();
  return dump;
}

TEST(CoreElf, AWrittenCoreReadsBack) {
  std::vector<uint8_t> heap;
  const ProcessDump dump = sample_dump(heap);
  const std::string bytes = core_file_bytes(dump);
  const ElfReader elf(bytes_of(bytes), "core");
  EXPECT_EQ(elf.type(), ET_CORE);
  ASSERT_EQ(elf.segments().size(), 3u);
  EXPECT_EQ(elf.segments()[0].type, static_cast<uint32_t>(PT_NOTE));
  EXPECT_EQ(elf.segments()[1].vaddr, 0x10000000u);
  EXPECT_EQ(elf.segments()[1].flags & PF_W, static_cast<uint32_t>(PF_W));
  const ElfSegment& second = elf.segments()[2];
  const Bytes data = elf.segment_bytes(second);
  ASSERT_EQ(data.size(), 4096u);
  EXPECT_EQ(0, std::memcmp(data.data(), heap.data() + 4096, 4096));
  bool saw_file = false;
  for (const ElfNote& n : elf.notes()) {
    if (n.type == NT_FILE) saw_file = parse_nt_file(n.desc).at(0).path == "/usr/bin/node";
  }
  EXPECT_TRUE(saw_file);
}

// The brk heap (where V8 keeps its spaces, and the census looks for allocation areas): named by
// the note --save writes, holes and all, or, in a core from elsewhere, the segments past the
// executable's data (its mapping of the highest file offset, not a copy of its text mapped high
// up) and its .bss.
ProcessDump read_back(const ProcessDump& dump, const std::string& name) {
  const std::string path = testing::TempDir() + name;
  write_core_file(path, dump);
  ProcessDump back = read_core_file(path);
  std::remove(path.c_str());
  return back;
}

std::vector<uint64_t> malloc_heap_starts(const ProcessDump& dump) {
  std::vector<uint64_t> out;
  for (const MemorySegment& s : dump.memory.segments())
    if (s.malloc_heap) out.push_back(s.start);
  return out;
}

TEST(CoreElf, FindsTheBrkHeap) {
  std::vector<uint8_t> page(4096, 0);
  ProcessDump dump;
  dump.files.push_back({0x400000, 0x401000, 0, "/opt/node"});
  dump.files.push_back({0x600000, 0x601000, 0x200, "/opt/node"});            // its data
  dump.files.push_back({0x7f0000000000, 0x7f0000001000, 0x1, "/opt/node"});  // text, remapped
  for (uint64_t start : {0x601000ull, 0x2000000ull, 0x2001000ull, 0x2005000ull, 0x7e0000000000ull})
    dump.memory.add({start, page.size(), page.data(), true, false});
  dump.memory.finish();
  const ProcessDump guessed = read_back(dump, "brk-guessed.core");
  EXPECT_EQ(guessed.brk_start, 0x2000000u);
  EXPECT_EQ(guessed.brk_end, 0x2002000u);
  EXPECT_EQ(malloc_heap_starts(guessed), (std::vector<uint64_t>{0x2000000, 0x2001000}));
  dump.brk_start = 0x2000000;
  dump.brk_end = 0x2010000;
  const ProcessDump noted = read_back(dump, "brk-noted.core");
  EXPECT_EQ(noted.brk_end, 0x2010000u);
  EXPECT_EQ(malloc_heap_starts(noted), (std::vector<uint64_t>{0x2000000, 0x2001000, 0x2005000}));
}

TEST(CoreElf, ATruncatedCoreClipsItsSegments) {
  std::vector<uint8_t> heap;
  const std::string bytes = core_file_bytes(sample_dump(heap));
  const std::string cut = bytes.substr(0, bytes.size() - 4096 - 100);
  const ElfReader elf(bytes_of(cut), "core");
  EXPECT_EQ(elf.segment_bytes(elf.segments()[1]).size(), 4096u - 100u);
  EXPECT_TRUE(elf.segment_bytes(elf.segments()[2]).empty());
  EXPECT_THROW(ElfReader(bytes_of(bytes.substr(0, 100)), "core"), CoreError);
}

TEST(CoreElf, MemoryImageReadsOnlyWhatItHolds) {
  std::vector<uint8_t> heap;
  const ProcessDump dump = sample_dump(heap);
  const MemoryImage& m = dump.memory;
  ASSERT_TRUE(m.word(0x10000000).has_value());
  EXPECT_EQ(*m.word(0x10000008) & 0xff, heap[8]);
  EXPECT_FALSE(m.word(0x10000ffc).has_value());  // straddles the end
  EXPECT_FALSE(m.word(0x0fffffff).has_value());
  EXPECT_FALSE(m.word(UINT64_MAX - 3).has_value());
  EXPECT_EQ(m.total_bytes(), 8192u);
}

TEST(CoreElf, ExecutableMappingPrefersTheOneHoldingTheProgramHeaders) {
  ProcessDump dump;
  dump.files.push_back({0x1000, 0x2000, 0, "/lib/ld.so"});
  dump.files.push_back({0x400000, 0x500000, 0, "/opt/node"});
  EXPECT_EQ(executable_mapping(dump)->path, "/lib/ld.so");
  dump.phdr_address = 0x400040;
  EXPECT_EQ(executable_mapping(dump)->path, "/opt/node");
  EXPECT_EQ(mapped_build_id(dump, *executable_mapping(dump)), "");  // bytes not in the dump
}

}  // namespace
}  // namespace leakscope::core
