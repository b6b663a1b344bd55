// /proc parsing, mapping classification (brk heap, glibc arenas, V8 pages), the saved table
// round trip, pmap -x input, and maps diff on the Walmart-style native growth from the research
// notes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "series/maps_diff.h"
#include "series/procfs.h"

namespace leakscope::series {
namespace {

std::string block(const std::string& header, uint64_t size_kb, uint64_t rss_kb, uint64_t anon_kb) {
  return header + "\nSize:            " + std::to_string(size_kb) +
         " kB\nKernelPageSize:        4 kB\nRss:             " + std::to_string(rss_kb) +
         " kB\nPss:             " + std::to_string(rss_kb) +
         " kB\nShared_Dirty:          0 kB\nPrivate_Dirty:   " + std::to_string(anon_kb) +
         " kB\nAnonymous:       " + std::to_string(anon_kb) +
         " kB\nSwap:                  0 kB\nVmFlags: rd wr mr mw me ac\n";
}

// A node-like process: binary, brk heap, a glibc arena (rw head + ---p tail up to 64 MiB), two
// V8 pages, a big anonymous mapping and the stack.
std::string sample_smaps(uint64_t heap_rss_kb, bool with_second_arena) {
  std::string s;
  s += block("00400000-02a00000 r-xp 00000000 fe:00 1234                       /usr/bin/node",
             38912, 20000, 0);
  // [heap] spans 128 MiB: the RSS of the grown heap (84.8 MB) must fit in it.
  s += block("37872000-3f872000 rw-p 00000000 00:00 0                          [heap]", 131072,
             heap_rss_kb, heap_rss_kb);
  s += block("7f76cc000000-7f76cdbfa000 rw-p 00000000 00:00 0 ", 28648, 21644, 21644);
  s += block("7f76cdbfa000-7f76d0000000 ---p 00000000 00:00 0 ", 36888, 0, 0);
  if (with_second_arena) {
    s += block("7f76d0000000-7f76d1b6f000 rw-p 00000000 00:00 0 ", 28092, 21224, 21224);
    s += block("7f76d1b6f000-7f76d4000000 ---p 00000000 00:00 0 ", 37444, 0, 0);
  }
  s += block("1d997f00000-1d997f40000 rw-p 00000000 00:00 0 ", 256, 252, 252);
  s += block("1d997f80000-1d997fc0000 rw-p 00000000 00:00 0 ", 256, 200, 200);
  s += block("7f7700000000-7f7700801000 rw-p 00000000 00:00 0 ", 8196, 4000, 4000);
  s += block("7ffc2a8cc000-7ffc2a8ed000 rw-p 00000000 00:00 0                  [stack]", 132, 60,
             60);
  return s;
}

TEST(SeriesMaps, ClassifiesHeapArenasV8PagesAndFiles) {
  const MapsTable t = parse_smaps(sample_smaps(2712, true));
  ASSERT_EQ(t.mappings.size(), 10u);
  auto kind_at = [&](uint64_t start) {
    for (const Mapping& m : t.mappings) {
      if (m.start == start) return m.kind;
    }
    ADD_FAILURE() << "no mapping at " << std::hex << start;
    return MappingKind::kOther;
  };
  EXPECT_EQ(kind_at(0x400000), MappingKind::kFile);
  EXPECT_EQ(kind_at(0x37872000), MappingKind::kBrkHeap);
  EXPECT_EQ(kind_at(0x7f76cc000000), MappingKind::kThreadArena);
  EXPECT_EQ(kind_at(0x7f76cdbfa000), MappingKind::kThreadArena);  // the ---p tail
  EXPECT_EQ(kind_at(0x1d997f00000), MappingKind::kV8Page);
  EXPECT_EQ(kind_at(0x7f7700000000), MappingKind::kAnonymous);
  EXPECT_EQ(kind_at(0x7ffc2a8cc000), MappingKind::kStack);
  const Mapping& heap = t.mappings[1];
  EXPECT_EQ(heap.rss, 2712u * 1024);
  EXPECT_EQ(heap.anonymous, 2712u * 1024);
  EXPECT_EQ(heap.perms, "rw-p");
  EXPECT_EQ(heap.path, "[heap]");
  const MapsSummary s = summarize(t);
  EXPECT_EQ(s.count[static_cast<int>(MappingKind::kThreadArena)], 4u);
  EXPECT_EQ(s.rss[static_cast<int>(MappingKind::kThreadArena)], (21644u + 21224u) * 1024);
  EXPECT_EQ(s.count[static_cast<int>(MappingKind::kV8Page)], 2u);
}

TEST(SeriesMaps, SavedTableRoundTrips) {
  MapsTable t = parse_smaps(sample_smaps(2712, true));
  t.pid = 4242;
  t.taken_at = 1795230137;
  t.command = "node server.js --port 8080";
  const std::string text = format_maps_table(t);
  const MapsTable back = load_maps_table(text);
  EXPECT_EQ(back.pid, 4242);
  EXPECT_DOUBLE_EQ(back.taken_at, 1795230137);
  EXPECT_EQ(back.command, "node server.js --port 8080");
  ASSERT_EQ(back.mappings.size(), t.mappings.size());
  for (std::size_t i = 0; i < t.mappings.size(); ++i) {
    EXPECT_EQ(back.mappings[i].start, t.mappings[i].start);
    EXPECT_EQ(back.mappings[i].end, t.mappings[i].end);
    EXPECT_EQ(back.mappings[i].rss, t.mappings[i].rss);
    EXPECT_EQ(back.mappings[i].anonymous, t.mappings[i].anonymous);
    EXPECT_EQ(back.mappings[i].kind, t.mappings[i].kind);
    EXPECT_EQ(back.mappings[i].path, t.mappings[i].path);
    EXPECT_EQ(back.mappings[i].perms, t.mappings[i].perms);
  }
}

// Issue 10 review: the command line and paths may hold any byte but NUL; the saved table
// escapes them (safe to cat: no control bytes, one mapping a line) and reads them back.
TEST(SeriesMaps, SavedTableEscapesControlBytesAndRoundTrips) {
  MapsTable t = parse_smaps(sample_smaps(2712, false));
  t.pid = 7;
  t.taken_at = 1795230137;
  t.command = "node -e x\ny\x1b[2J \\x41\t\r\x7f\xc3\xa9 ";
  t.mappings[0].path = "/tmp/a\nb\x1b]52;c;SGk=\x07\\n /c ";
  const std::string text = format_maps_table(t);
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '\n' || (u >= 0x20 && u < 0x7f)) << "raw byte " << int(u) << " in\n" << text;
  }
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'),
            3 + static_cast<long>(t.mappings.size()) + 1)
      << text;
  EXPECT_NE(text.find("command node -e x\\ny\\x1b[2J \\\\x41\\t\\r\\x7f\\xc3\\xa9\\x20\n"),
            std::string::npos)
      << text;
  const MapsTable back = load_maps_table(text);
  EXPECT_EQ(back.command, t.command);
  ASSERT_EQ(back.mappings.size(), t.mappings.size());
  EXPECT_EQ(back.mappings[0].path, t.mappings[0].path);
  EXPECT_EQ(format_maps_table(back), text);
}

TEST(SeriesMaps, DiffShowsTheNativeGrowthLargestFirst) {
  // The research's native fixture: [heap] 2.7 -> 84.8 MB and a new arena.
  MapsTable a = parse_smaps(sample_smaps(2712, false));
  MapsTable b = parse_smaps(sample_smaps(84836, true));
  a.taken_at = 1000;
  b.taken_at = 1900;
  const MapsDiff d = diff_maps(a, b);
  ASSERT_GE(d.kinds.size(), 2u);
  EXPECT_EQ(d.kinds[0].kind, MappingKind::kBrkHeap);
  EXPECT_EQ(d.kinds[0].rss_delta, static_cast<int64_t>((84836 - 2712) * 1024));
  ASSERT_EQ(d.kinds[0].changes.size(), 1u);
  EXPECT_EQ(d.kinds[0].changes[0].change, MapChange::kGrew);
  EXPECT_EQ(d.kinds[1].kind, MappingKind::kThreadArena);
  EXPECT_EQ(d.kinds[1].appeared, 1u);  // the rw head; its empty ---p tail is not a change
  EXPECT_EQ(d.kinds[1].count_after, 4u);
  EXPECT_EQ(d.kinds[1].changes[0].change, MapChange::kAppeared);
  EXPECT_EQ(d.kinds[1].changes[0].rss_delta, 21224 * 1024);
  EXPECT_EQ(d.appeared, 1u);
  EXPECT_EQ(d.vanished, 0u);
  // And the other way round, the mappings vanish.
  const MapsDiff back = diff_maps(b, a);
  EXPECT_EQ(back.vanished, 1u);
  EXPECT_LT(back.kinds.back().rss_delta, 0);
}

TEST(SeriesMaps, ReadsPmapX) {
  const std::string pmap =
      "16112:   node leaky.js\n"
      "Address           Kbytes     RSS   Dirty Mode  Mapping\n"
      "0000000000400000   38912   20000       0 r-x-- node\n"
      "0000000037872000    2836    2712    2712 rw---   [ anon ]\n"
      "00007f76cc000000   65536   21644   21644 rw---   [ anon ]\n"
      "---------------- ------- ------- -------\n"
      "total kB          107284   44356   24356\n";
  const MapsTable t = load_maps_table(pmap);
  EXPECT_EQ(t.pid, 16112);
  ASSERT_EQ(t.mappings.size(), 3u);
  EXPECT_EQ(t.mappings[0].kind, MappingKind::kFile);
  EXPECT_EQ(t.mappings[2].kind, MappingKind::kThreadArena);  // 64 MiB at a 64 MiB boundary
  EXPECT_EQ(t.mappings[1].rss, 2712u * 1024);
  EXPECT_EQ(t.mappings[1].perms, "rw-p");
}

TEST(SeriesMaps, BadTablesNameTheLineAndOffset) {
  try {
    load_maps_table(
        "# leakscope maps v1\nAddress Kbytes RSS Anon Dirty Mode Kind Mapping\nzzzz 1 2 3 4 rw-p "
        "file /x\n");
    FAIL() << "no error";
  } catch (const MapsFormatError& e) {
    EXPECT_STREQ(e.what(), "line 3 (byte offset 68): bad address");
  }
  EXPECT_THROW(load_maps_table(""), MapsFormatError);
  EXPECT_THROW(load_maps_table("root:x:0:0:root:/root:/bin/bash\n"), MapsFormatError);
}

// Garbage that once loaded as mappings of 18 EB: every such line is refused, naming the line.
TEST(SeriesMaps, GarbageSmapsLinesAreErrorsNamingTheLine) {
  const std::string good =
      block("00400000-00401000 r-xp 00000000 fe:00 1234 /usr/bin/node", 4, 4, 0);
  EXPECT_NO_THROW(parse_smaps(good));
  const std::pair<std::string, std::string> cases[] = {
      {"0ebbffffffff-27a7cd rwxp zz:zz 435084862 /x/0\n", "line 1 "},
      {"27a7cd-0ebbffffffff rwxp zz:zz 435084862 /x/0\n", "line 1 "},
      {"1000-0fff rw-p 00000000 00:00 0\n", "ends before it starts"},
      {"1000-2000 rw-p 00000000 00:00 0\n", ""},  // the good header the next cases follow
      {"10000000000000000-10000000000000001 rw-p 00000000 00:00 0\n", "address range"},
      {"1000-2000 rwzp 00000000 00:00 0\n", "permissions"},
      {"1000-2000 rw-p 00000000 00:00 x\n", "inode"},
  };
  for (const auto& [text, want] : cases) {
    if (want.empty()) {
      EXPECT_NO_THROW(parse_smaps(text));
      continue;
    }
    try {
      parse_smaps(text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const MapsFormatError& e) {
      EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
    }
  }
  const std::string header = "1000-2000 rw-p 00000000 00:00 0\n";
  for (const char* field : {"Size: -5 kB\n", "Rss: 18446744073709551615 kB\n", "Rss: 12x kB\n",
                            "garbage without a colon\n"}) {
    try {
      parse_smaps(header + field);
      ADD_FAILURE() << "no error for " << field;
    } catch (const MapsFormatError& e) {
      EXPECT_NE(std::string(e.what()).find("line 2 (byte offset 32)"), std::string::npos)
          << e.what();
    }
  }
  // A saved table whose sizes would wrap.
  EXPECT_THROW(load_maps_table("# leakscope maps v1\nAddress Kbytes RSS Anon Dirty Mode Kind "
                               "Mapping\nffffffffffff0000 99999999999999 1 1 1 rw-p anonymous\n"),
               MapsFormatError);
  EXPECT_THROW(load_maps_table("# leakscope maps v1\nAddress Kbytes RSS Anon Dirty Mode Kind "
                               "Mapping\n1000 4 99999999999999999999 1 1 rw-p anonymous\n"),
               MapsFormatError);
}

// Issue 10 review: impossible sizes, units other than kB, bad pmap modes and overlapping
// mappings are errors naming the line, in smaps, saved tables and pmap -x output.
TEST(SeriesMaps, ImpossibleSizesAndOverlapsAreErrorsNamingTheLine) {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      load_maps_table(text);
    } catch (const MapsFormatError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string h = "00400000-00452000 r-xp 00000000 08:02 1 /x\n";  // 328 kB
  const std::pair<std::string, std::string> cases[] = {
      {"0000000000000000-ffffffffffffffff r-xp 00000000 08:02 1 /x\nRss: 4 kB\n",
       "line 1 (byte offset 0): the address range ends past 200000000000000"},
      {h + "Size: 328 kB\nRss: 18014398509481983 kB\n", "line 3 (byte offset 56): Rss: "},
      {h + "Size: 1 kB\nRss: 5 kB\n", "line 2 (byte offset 43): Size: 1 kB, but"},
      {h + "Size: 328 kB\nRss: 329 kB\n", "line 3 (byte offset 56): Rss: 329 kB is more"},
      {h + "Anonymous: 400 kB\n", "line 2 (byte offset 43): Anonymous: 400 kB is more"},
      {h + "Private_Dirty: 400 kB\n", "line 2 (byte offset 43): Private_Dirty:"},
      {h + "Rss: 100 MB\n", "line 2 (byte offset 43): Rss: not a size in kB"},
      {h + "Rss: 100\n", "line 2 (byte offset 43): Rss: not a size in kB"},
      {h + "Rss: 5 kB\nRss: 7 kB\n", "line 3 (byte offset 53): Rss: given twice"},
      {h + "Rss: 200 kB\n" + h + "Rss: 200 kB\n",
       "line 3 (byte offset 55): the mapping "
       "400000-452000 repeats the mapping "
       "400000-452000 of line 1"},
      {h + "00401000-00453000 r-xp 00000000 08:02 1 /y\n",
       "line 2 (byte offset 43): the mapping 401000-453000 overlaps"},
      {"# leakscope maps v1\nAddress Kbytes RSS Anon Dirty Mode Kind Mapping\n"
       "0000000000400000 8 9999 0 0 r--p file /x\n",
       "line 3 (byte offset 68): RSS is more than the mapping's Kbytes (8)"},
      {"# leakscope maps v1\nAddress Kbytes RSS Anon Dirty Mode Kind Mapping\n"
       "0000000000400000 8 8 0 0 r--p file /x\n0000000000400000 8 8 0 0 r--p file /x\n",
       "line 4 (byte offset 106): the mapping 400000-402000 repeats"},
      {"# leakscope maps v1\nAddress Kbytes RSS Anon Dirty Mode Kind Mapping\n"
       "0000000000400000 8 8 0 0 zzzz file /x\n",
       "line 3 (byte offset 68): bad Mode"},
      {"1: bash\nAddress Kbytes RSS Dirty Mode Mapping\n0000562cdad0e000 188 188 0 zzzzz bash\n",
       "line 3 (byte offset 46): bad Mode (want e.g. r-x--)"},
      {"1: bash\nAddress Kbytes RSS Dirty Mode Mapping\nffffffffffff0000 4 0 0 r---- bash\n",
       "line 3 (byte offset 46): Kbytes is 0 or the mapping ends past"},
  };
  for (const auto& [text, want] : cases) {
    const std::string got = error_of(text);
    EXPECT_EQ(got.rfind(want, 0), 0u) << "want " << want << "\ngot  " << got;
  }
  // What the kernel writes still loads: sizes in kB up to the mapping's size, non-size fields,
  // and x86-64's [vsyscall] page above the user address space, in smaps and in a saved table.
  const std::string real =
      h + "Size: 328 kB\nKernelPageSize: 4 kB\nRss: 328 kB\nAnonymous: 0 kB\n" +
      "THPeligible:    0\nProtectionKey:         0\nVmFlags: rd ex mr mw me\n" +
      "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]\n" +
      "Size: 4 kB\nRss: 0 kB\n";
  EXPECT_EQ(error_of(real), "no error");
  MapsTable t = load_maps_table(real);
  ASSERT_EQ(t.mappings.size(), 2u);
  EXPECT_EQ(error_of(format_maps_table(t)), "no error");
  EXPECT_EQ(error_of("1: bash\nAddress Kbytes RSS Dirty Mode Mapping\n"
                     "0000562cdad0e000 188 188 0 rw-sR bash\n"
                     "ffffffffff600000 4 0 0 --x-- [ anon ]\n"),
            "no error");
}

TEST(SeriesMaps, StatusAndRollupParse) {
  const ProcStatus st = parse_status(
      "Name:\tnode\nUid:\t1000\t1000\t1000\t1000\nVmSize:\t  728000 kB\nVmRSS:\t   41000 kB\n"
      "RssAnon:\t    6700 kB\nRssFile:\t   34300 kB\nRssShmem:\t       0 kB\nVmSwap:\t       0 kB\n"
      "Threads:\t11\n");
  EXPECT_EQ(st.name, "node");
  EXPECT_EQ(st.uid, 1000u);
  EXPECT_EQ(st.vm_rss, 41000u * 1024);
  EXPECT_EQ(st.rss_anon, 6700u * 1024);
  EXPECT_EQ(st.threads, 11u);
  const SmapsRollup r = parse_smaps_rollup(
      "55db3ad4b000-7ffc2a8ed000 ---p 00000000 00:00 0    [rollup]\nRss:              215028 kB\n"
      "Pss:              200000 kB\nAnonymous:        175112 kB\nPrivate_Dirty:    175124 kB\n");
  EXPECT_EQ(r.rss, 215028u * 1024);
  EXPECT_EQ(r.anonymous, 175112u * 1024);
}

TEST(SeriesMaps, ReadsThisProcess) {
  const int pid = static_cast<int>(getpid());
  EXPECT_NO_THROW(check_pid_readable(pid));
  const ProcStatus st = read_status(pid);
  EXPECT_GT(st.vm_rss, 0u);
  EXPECT_GE(st.threads, 1u);
  EXPECT_GT(count_fds(pid), 2);
  const MapsTable t = read_smaps(pid);
  EXPECT_GT(t.mappings.size(), 5u);
  bool has_file = false;
  for (const Mapping& m : t.mappings) has_file |= m.kind == MappingKind::kFile;
  EXPECT_TRUE(has_file);
  EXPECT_THROW(check_pid_readable(999999), ProcError);
  EXPECT_THROW(read_status(999999), ProcError);
}

}  // namespace
}  // namespace leakscope::series
