// leakscope core CORE [CORE…] | --pid PID: the class census of a Node process's JS heap read
// straight from its memory (a core file, or leakscope's own dump of a live process), without a
// heap snapshot. Two or three dumps: side by side, with the growth per class.
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "core/core_error.h"
#include "core/core_writer.h"
#include "core/heap_census.h"
#include "core/live_dump.h"
#include "core/node_binary.h"
#include "core/process_dump.h"
#include "report/elision.h"
#include "report/format.h"
#include "report/json_output.h"
#include "report/safe_text.h"

namespace leakscope::cli {

namespace {

using namespace leakscope::core;
using report::human_bytes;
using report::safe_text;
using report::with_commas;

constexpr size_t kNameWidth = 48;
constexpr const char* kApproximate =
    "dead objects V8 has swept or not yet reused, stale copies in the young generation's "
    "from-space and objects nothing live points at are left out, but garbage that dead arrays or "
    "hash tables still point at is counted (a heap snapshot collects it first); JS "
    "objects and strings are counted, not arrays' backing stores, code "
    "or V8's internal objects; shallow sizes are the objects' own, without the storage "
    "`leakscope summary` charges to its owner";

struct CoreOptions {
  std::vector<std::string> cores;
  int pid = 0;
  std::string save;
  std::string node;
  bool json = false;
  int64_t top = -1;
};

struct Result {
  std::string source;
  NodeBinary binary;
  HeapCensus census;
  int64_t pid = 0;
  double census_seconds = 0;
  std::optional<LiveDumpStats> live;
};

Result census_of(const ProcessDump& dump, const std::string& source, const std::string& node) {
  Result r;
  r.source = source;
  r.pid = dump.pid;
  r.binary = load_node_binary(dump, node);
  const auto started = std::chrono::steady_clock::now();
  r.census = take_census(dump.memory, r.binary.layout);
  r.census_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

std::string name_cell(const std::string& name) {
  std::string cell = report::fit(safe_text(name), kNameWidth);
  return cell + std::string(kNameWidth - std::min(kNameWidth, report::display_width(cell)), ' ');
}

void print_text(const Result& r, size_t limit) {
  const HeapCensus& c = r.census;
  fmt::print("{} (from a core file: approximate): {} objects, {} total; showing {} of {} classes\n",
             safe_text(r.source), with_commas(c.object_count), human_bytes(c.total_size),
             std::min(limit, c.rows.size()), c.rows.size());
  fmt::print("approximate: {}\n", kApproximate);
  fmt::print(
      "left out: {} object headers in the young generation's from-space, {} in swept free "
      "space, {} past "
      "an allocation top, {} that nothing live points at\n",
      with_commas(c.young_skipped), with_commas(c.dead_skipped), with_commas(c.unallocated_skipped),
      with_commas(c.unreferenced_skipped));
  fmt::print("node: {} ({})\n", safe_text(r.binary.path),
             r.binary.build_id_checked ? "build id matches the dump"
                                       : "build id not checked: the dump lacks the binary's notes");
  if (r.live) {
    const LiveDumpStats& s = *r.live;
    fmt::print(
        "process {}: stopped {:.3f} s; read {} of populated pages ({} unpopulated "
        "skipped); RSS {} before, {} after\n",
        r.pid, s.stopped_seconds, human_bytes(s.bytes_read), human_bytes(s.bytes_skipped),
        human_bytes(s.rss_before), human_bytes(s.rss_after));
  }
  fmt::print("\n{:<{}}  {:>11}  {:>18}\n", "Class", kNameWidth, "Count", "Shallow Size");
  for (size_t i = 0; i < c.rows.size() && i < limit; ++i) {
    const CensusRow& row = c.rows[i];
    fmt::print("{}  {:>11}  {:>10} {:>6.1f} %\n", name_cell(row.name), with_commas(row.count),
               human_bytes(row.shallow_size), report::percent(row.shallow_size, c.total_size));
  }
}

nlohmann::json result_json(const Result& r, size_t limit) {
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < r.census.rows.size() && i < limit; ++i) {
    const CensusRow& row = r.census.rows[i];
    rows.push_back({{"name", row.name}, {"count", row.count}, {"shallow_size", row.shallow_size}});
  }
  nlohmann::json j = {{"source", r.source},
                      {"approximate", true},
                      {"approximate_reason", kApproximate},
                      {"pid", r.pid},
                      {"node",
                       {{"path", r.binary.path},
                        {"build_id", r.binary.build_id},
                        {"build_id_checked", r.binary.build_id_checked}}},
                      {"map_count", r.census.map_count},
                      {"object_count", r.census.object_count},
                      {"total_size", r.census.total_size},
                      {"scanned_bytes", r.census.scanned_bytes},
                      {"free_bytes", r.census.free_bytes},
                      {"dead_skipped", r.census.dead_skipped},
                      {"unallocated_skipped", r.census.unallocated_skipped},
                      {"young_skipped", r.census.young_skipped},
                      {"off_heap_skipped", r.census.off_heap_skipped},
                      {"read_only_skipped", r.census.read_only_skipped},
                      {"unreferenced_skipped", r.census.unreferenced_skipped},
                      {"census_seconds", r.census_seconds},
                      {"class_count", r.census.rows.size()},
                      {"classes", std::move(rows)}};
  if (r.live) {
    j["live"] = {
        {"stopped_seconds", r.live->stopped_seconds}, {"dump_seconds", r.live->dump_seconds},
        {"bytes_read", r.live->bytes_read},           {"bytes_skipped", r.live->bytes_skipped},
        {"rss_before", r.live->rss_before},           {"rss_after", r.live->rss_after}};
  }
  return j;
}

struct GrowthRow {
  std::string name;
  std::vector<uint64_t> counts;
  std::vector<uint64_t> sizes;
  int64_t count_growth() const { return static_cast<int64_t>(counts.back() - counts.front()); }
  int64_t size_growth() const { return static_cast<int64_t>(sizes.back() - sizes.front()); }
};

std::vector<GrowthRow> growth_rows(const std::vector<Result>& results) {
  std::map<std::string, GrowthRow> by_name;
  for (size_t i = 0; i < results.size(); ++i) {
    for (const CensusRow& row : results[i].census.rows) {
      GrowthRow& g = by_name[row.name];
      g.name = row.name;
      g.counts.resize(results.size());
      g.sizes.resize(results.size());
      g.counts[i] = row.count;
      g.sizes[i] = row.shallow_size;
    }
  }
  std::vector<GrowthRow> rows;
  for (auto& [name, row] : by_name) rows.push_back(std::move(row));
  std::stable_sort(rows.begin(), rows.end(), [](const GrowthRow& a, const GrowthRow& b) {
    return a.size_growth() > b.size_growth();
  });
  return rows;
}

void print_growth(const std::vector<Result>& results, size_t limit) {
  const std::vector<GrowthRow> rows = growth_rows(results);
  for (size_t i = 0; i < results.size(); ++i) {
    fmt::print("{}: {} (from a core file: approximate): {} objects, {} total\n",
               static_cast<char>('A' + i), safe_text(results[i].source),
               with_commas(results[i].census.object_count),
               human_bytes(results[i].census.total_size));
  }
  fmt::print("approximate: {}\n\n{:<{}}", kApproximate, "Class", kNameWidth);
  for (size_t i = 0; i < results.size(); ++i)
    fmt::print("  {:>11}", fmt::format("Count {}", static_cast<char>('A' + i)));
  fmt::print("  {:>11}  {:>12}\n", "+Count", "+Size");
  for (size_t r = 0; r < rows.size() && r < limit; ++r) {
    fmt::print("{}", name_cell(rows[r].name));
    for (uint64_t c : rows[r].counts) fmt::print("  {:>11}", with_commas(c));
    const int64_t dc = rows[r].count_growth();
    fmt::print("  {:>11}  {:>12}\n",
               (dc >= 0 ? "+" : "-") + with_commas(static_cast<uint64_t>(dc >= 0 ? dc : -dc)),
               report::human_bytes_delta(rows[r].size_growth()));
  }
}

nlohmann::json growth_json(const std::vector<Result>& results, size_t limit) {
  nlohmann::json dumps = nlohmann::json::array();
  for (const Result& r : results) {
    dumps.push_back({{"source", r.source},
                     {"object_count", r.census.object_count},
                     {"total_size", r.census.total_size},
                     {"node", r.binary.path}});
  }
  nlohmann::json rows = nlohmann::json::array();
  const std::vector<GrowthRow> growth = growth_rows(results);
  for (size_t i = 0; i < growth.size() && i < limit; ++i) {
    rows.push_back({{"name", growth[i].name},
                    {"counts", growth[i].counts},
                    {"shallow_sizes", growth[i].sizes},
                    {"count_growth", growth[i].count_growth()},
                    {"size_growth", growth[i].size_growth()}});
  }
  return {{"approximate", true},
          {"approximate_reason", kApproximate},
          {"dumps", std::move(dumps)},
          {"class_count", growth.size()},
          {"classes", std::move(rows)}};
}

int run_core(const CoreOptions& o) {
  if (o.pid == 0 && o.cores.empty()) throw UsageError("core: name a core file or --pid PID");
  if (o.pid != 0 && !o.cores.empty()) throw UsageError("core: a core file or --pid, not both");
  if (!o.save.empty() && o.pid == 0) throw UsageError("core: --save needs --pid");
  if (o.cores.size() > 3) throw UsageError("core: at most three core files");
  const size_t limit = report::table_row_limit(o.top, o.json);
  try {
    std::vector<Result> results;
    Timings& timings = Timings::get();
    if (o.pid != 0) {
      timings.phase("live dump");
      LiveDumpStats stats;
      const ProcessDump dump = dump_live_process(o.pid, stats);
      if (!o.save.empty()) write_core_file(o.save, dump);
      timings.phase("census");
      results.push_back(census_of(dump, fmt::format("process {}", o.pid), o.node));
      results.back().live = stats;
    } else {
      refuse_repeated_files("core", o.cores);
      for (const std::string& path : o.cores) {
        timings.phase("census");
        results.push_back(census_of(read_core_file(path), path, o.node));
      }
    }
    timings.phase("output");
    if (results.size() == 1) {
      if (o.json) {
        report::print_json(result_json(results[0], limit), stdout);
      } else {
        print_text(results[0], limit);
      }
    } else if (o.json) {
      report::print_json(growth_json(results, limit), stdout);
    } else {
      print_growth(results, limit);
    }
  } catch (const CoreError& e) {
    print_error(e.what());
    return kExitBadInput;
  }
  return 0;
}

}  // namespace

void add_core_command(CLI::App& app, Action& action) {
  auto o = std::make_shared<CoreOptions>();
  CLI::App* cmd = app.add_subcommand(
      "core",
      "Class census from a core file or a live process's memory, without a heap snapshot "
      "(approximate); two or three cores side by side with the growth per class");
  cmd->add_option("cores", o->cores, "core files (gcore, a crash core, or --save's output)");
  add_count_option(cmd, "--pid", o->pid,
                   "dump this live Node process (stopped briefly, only populated pages read)", 1,
                   1 << 30);
  cmd->add_option("--save", o->save, "with --pid: also write the dump as an ELF core file");
  cmd->add_option("--node", o->node, "the node binary the process ran (default: from the core)");
  add_count_option(cmd, "--top", o->top,
                   "show the N largest classes (0 = all; default 30, all with --json)", 0, 1 << 30);
  cmd->add_flag("--json", o->json, "JSON with exact byte counts");
  cmd->callback([o, &action] { action = [o] { return run_core(*o); }; });
}

}  // namespace leakscope::cli
