// Throughput of the --trace-gc parser (target: >= 500 MB/s of log). The log is generated in
// memory from the line shapes Node 20 prints (scavenges with the trailing space, incremental
// mark-compacts, memory-reducing GCs, a few app lines), with varying numbers.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <random>
#include <string>

#include "series/trace_gc.h"

namespace {

std::string make_log(std::size_t target_bytes) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> mb(3, 900), pause(0.1, 40);
  std::string log;
  log.reserve(target_bytes + 512);
  double t = 10;
  std::size_t i = 0;
  while (log.size() < target_bytes) {
    t += 1 + static_cast<double>(rng() % 50);
    const double a = mb(rng), b = a * 1.3, c = a * 0.8, d = b * 1.05, p = pause(rng);
    switch (i++ % 20) {
      case 7:
        log += fmt::format(
            "[16112:0x3ba65da0] {:8.0f} ms: Mark-Compact {:.1f} ({:.1f}) -> {:.1f} ({:.1f}) MB, "
            "{:.2f} / 0.00 ms  (+ 0.0 ms in 1 steps since start of marking, biggest step 0.0 ms, "
            "walltime since start of marking 10 ms) (average mu = 0.993, current mu = 0.991) "
            "finalize incremental marking via stack guard; GC in old space requested\n",
            t, a, b, c, d, p);
        break;
      case 13:
        log += fmt::format(
            "[16112:0x3ba65da0] {:8.0f} ms: Mark-Compact (reduce) {:.1f} ({:.1f}) -> {:.1f} "
            "({:.1f}) MB, {:.2f} / 0.00 ms  (average mu = 1.000, current mu = 1.000) testing; GC "
            "in old space requested\n",
            t, a, b, c, d, p);
        break;
      case 19:
        log += fmt::format("GET /api/orders/{} 200 {} ms\n", i, i % 97);
        break;
      default:
        log += fmt::format(
            "[16112:0x3ba65da0] {:8.0f} ms: Scavenge {:.1f} ({:.1f}) -> {:.1f} ({:.1f}) MB, "
            "{:.2f} / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; \n",
            t, a, b, c, d, p);
    }
  }
  return log;
}

const std::string& shared_log() {
  static const std::string log = make_log(64u << 20);
  return log;
}

void BM_ParseTraceGc(benchmark::State& state) {
  const std::string& log = shared_log();
  std::size_t events = 0;
  for (auto _ : state) {
    leakscope::series::TraceGcParser parser;
    // 1 MiB chunks, as `leakscope gclog` reads a file.
    for (std::size_t off = 0; off < log.size(); off += 1u << 20) {
      parser.feed(std::string_view(log).substr(off, 1u << 20));
    }
    parser.finish();
    events = parser.log().events.size();
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * log.size()));
  state.counters["gc_events"] = static_cast<double>(events);
  state.counters["log_MB"] = static_cast<double>(log.size()) / 1e6;
}
BENCHMARK(BM_ParseTraceGc)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
