// The /proc and cgroup parsers behind `leakscope attach`, on text copied from real systems.
#include <gtest/gtest.h>
#include <signal.h>

#include "live/headroom.h"
#include "live/inspector_target.h"

namespace leakscope::live {
namespace {

// A Node process with its inspector open on 127.0.0.1:9229 and one connection to it, an app
// server on 0.0.0.0:3000 and a truncated last line.
constexpr const char* kNetTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 0100007F:240D 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "4185763 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 "
    "4185001 1 0000000000000000 100 0 0 10 0\n"
    "   2: 0100007F:240D 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 "
    "4187777 1 0000000000000000 20 4 30 10 -1\n"
    "   3: 0100007F:1F90 0100007F:";

TEST(LiveNetTcp, ParsesListenAndEstablishedRows) {
  const std::vector<TcpRow> rows = parse_net_tcp(kNetTcp);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].local_addr, kLoopback);
  EXPECT_EQ(rows[0].local_port, 9229);
  EXPECT_EQ(rows[0].state, kTcpListen);
  EXPECT_EQ(rows[0].inode, 4185763u);
  EXPECT_EQ(rows[1].local_addr, 0u);
  EXPECT_EQ(rows[1].local_port, 3000);
  EXPECT_EQ(rows[2].state, kTcpEstablished);
  EXPECT_EQ(rows[2].remote_addr, kLoopback);
  EXPECT_EQ(rows[2].remote_port, 0xD431);
  EXPECT_EQ(rows[2].inode, 4187777u);
}

TEST(LiveNetTcp, SkipsGarbage) {
  EXPECT_TRUE(parse_net_tcp("").empty());
  EXPECT_TRUE(parse_net_tcp("0: zz:1 00000000:0000 0A 0 0 0 0 0 0 1\n").empty());
  EXPECT_TRUE(
      parse_net_tcp("   0: 0100007F:240D 00000000:0000 0A 0:0 0:0 0 0 0 notanumber\n").empty());
}

TEST(LiveStatus, ReadsUidsAndSignalMasks) {
  // A Node 22 process started with --disable-sigusr1 after a SIGUSR1: blocked and pending.
  const StatusFields st = parse_status_fields(
      "Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t1001\t1000\t1000\n"
      "Gid:\t1000\t1000\t1000\t1000\nSigQ:\t1/63704\nSigPnd:\t0000000000000000\n"
      "ShdPnd:\t0000000000000200\nSigBlk:\t0000000000000200\nSigIgn:\t0000000001001000\n"
      "SigCgt:\t0000000108004602\n");
  EXPECT_EQ(st.name, "node");
  ASSERT_TRUE(st.has_uid);
  EXPECT_EQ(st.real_uid, 1000u);
  EXPECT_EQ(st.effective_uid, 1001u);
  EXPECT_TRUE(has_signal(st.shd_pnd, SIGUSR1));
  EXPECT_TRUE(has_signal(st.sig_blk, SIGUSR1));
  EXPECT_FALSE(has_signal(st.sig_pnd, SIGUSR1));
  EXPECT_TRUE(has_signal(st.sig_cgt, SIGUSR1));
  EXPECT_FALSE(has_signal(st.sig_ign, SIGUSR1));
  EXPECT_TRUE(has_signal(st.sig_ign, SIGPIPE));
}

TEST(LiveStatus, MissingUidIsReported) {
  EXPECT_FALSE(parse_status_fields("Name:\tx\nUid:\tnope\n").has_uid);
  EXPECT_FALSE(parse_status_fields("").has_uid);
}

TEST(LiveLinks, SocketInodes) {
  EXPECT_EQ(parse_socket_link("socket:[4185763]"), 4185763u);
  EXPECT_FALSE(parse_socket_link("pipe:[4185763]"));
  EXPECT_FALSE(parse_socket_link("socket:[]"));
  EXPECT_FALSE(parse_socket_link("socket:[12x]"));
  EXPECT_FALSE(parse_socket_link("/dev/null"));
}

TEST(LiveStat, NameWithSpacesAndParentheses) {
  const auto f = parse_stat(
      "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 3000 0 0 0 150 25 0 0 20 0 11 0 987654 "
      "1000000 30000 18446744073709551615\n");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->state, 'S');
  EXPECT_EQ(f->cpu_ticks, 175u);
  EXPECT_EQ(f->start_time, 987654u);
  EXPECT_FALSE(parse_stat("4242 (short) S 1 2 3\n"));
  EXPECT_FALSE(parse_stat("no parenthesis"));
}

TEST(LiveCgroup, PrefersTheMemoryController) {
  const CgroupPath v2 = parse_proc_cgroup("0::/system.slice/app.service\n");
  EXPECT_TRUE(v2.v2);
  EXPECT_EQ(v2.path, "/system.slice/app.service");
  // Hybrid: the v2 line is there, but memory lives in v1; a path with ':' stays whole.
  const CgroupPath v1 =
      parse_proc_cgroup("9:name=systemd:/\n5:devices:/\n4:cpu,memory:/process_api/6eb9:x\n0::/\n");
  EXPECT_FALSE(v1.v2);
  EXPECT_EQ(v1.path, "/process_api/6eb9:x");
  EXPECT_TRUE(parse_proc_cgroup("garbage\n").path.empty());
}

TEST(LiveCgroup, Limits) {
  EXPECT_EQ(parse_memory_limit("max\n"), std::nullopt);
  EXPECT_EQ(parse_memory_limit("9223372036854771712\n"), std::nullopt);  // v1's "no limit"
  EXPECT_EQ(parse_memory_limit("536870912\n"), 536870912u);
  EXPECT_EQ(parse_memory_limit("12abc"), std::nullopt);
  EXPECT_EQ(parse_mem_available("MemTotal: 100 kB\nMemFree: 5 kB\nMemAvailable:   2048 kB\n"),
            2048u * 1024);
  EXPECT_EQ(parse_mem_available("MemTotal: 100 kB\n"), std::nullopt);
}

TEST(LiveHeadroom, RefusesWhenTheCgroupWouldOverflow) {
  CgroupMemory cg;
  cg.path = "/sys/fs/cgroup/app";
  cg.limit = 512u << 20;
  cg.usage = 200u << 20;
  // 53 MB of heap needs about 636 MB more: the 512 MiB group cannot take it.
  const Headroom tight = judge_headroom(121'000'000, 53'000'000, uint64_t{8} << 30, cg);
  EXPECT_FALSE(tight.enough);
  EXPECT_NE(tight.why.find("cgroup"), std::string::npos);
  EXPECT_NE(tight.why.find("636 MB"), std::string::npos);
  // Without a cgroup limit, the machine's available memory decides.
  const Headroom machine = judge_headroom(121'000'000, 53'000'000, 400'000'000, CgroupMemory{});
  EXPECT_FALSE(machine.enough);
  EXPECT_NE(machine.why.find("400 MB available"), std::string::npos);
  const Headroom fine = judge_headroom(121'000'000, 53'000'000, uint64_t{8} << 30, CgroupMemory{});
  EXPECT_TRUE(fine.enough);
  EXPECT_EQ(fine.expected_extra, 636'000'000u);
}

TEST(LiveHeadroom, PauseEstimate) {
  EXPECT_NEAR(expected_pause_seconds(52'000'000), 20.0, 0.5);
  EXPECT_NEAR(expected_pause_seconds(1'000'000), 0.4, 0.05);
}

}  // namespace
}  // namespace leakscope::live
