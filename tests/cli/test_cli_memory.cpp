// The memory a scenario asks for is estimated at load, in bytes, and a scenario past --max-memory
// (default 4 GiB) is refused with exit 2 at the key that drives it, before anything large is
// allocated (docs/guide.md, "Safety"). Small files can ask for huge tables: a year of 317 s
// intervals over 300 queues and 100 thresholds, 100,000 worker groups, 20,000 activities, a name
// pattern of 3,000 {i} over 100,000 workers, a 1 MB attribute copied to every worker or repeated
// through aliases. The estimate follows the real peak (within a factor of two).
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;
using Catch::Matchers::Contains;

namespace {

// AddressSanitizer reserves terabytes of address space for its shadow memory, which a limit on
// virtual memory forbids: the limit applies to the plain build only. Under it, a refusal that
// came after allocating the tables would end in an internal error, not the located message.
#if defined(__SANITIZE_ADDRESS__)
const std::string kMemoryLimit;
#else
const std::string kMemoryLimit = "ulimit -v 400000 && ";
#endif

const std::string kRouting = R"(workflows:
  main: {configuration: {task_routing: {filters: [], default_filter: {queue: q1}}}}
)";

// "<prefix>1<suffix><prefix>2<suffix>...": numbered entries of a map. (Appended piece by piece:
// `"x" + std::to_string(i)` trips GCC 12's false -Wrestrict.)
std::string numbered(const std::string& prefix, int n, const std::string& suffix) {
  std::string out;
  for (int i = 1; i <= n; ++i) {
    out += prefix;
    out += std::to_string(i);
    out += suffix;
  }
  return out;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Runs `trsim ARGS` under the memory limit: exit code and stderr.
CliResult run_limited(const std::vector<std::string>& args, const TempDir& dir) {
  CliResult r;
  const std::string err = path_in(dir, "limited.err");
  r.command = kMemoryLimit + trsim_command(args);
  r.exit_code = shell(r.command + " </dev/null >/dev/null 2>" + shell_quote(err));
  r.err = read_file(err);
  return r;
}

// Runs `trsim ARGS` and returns its peak resident memory in bytes (wait4's ru_maxrss), or 0
// when it did not exit 0.
std::uint64_t peak_rss(const std::vector<std::string>& args) {
  std::vector<std::string> words{TRSIM_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    if (freopen("/dev/null", "w", stdout) == nullptr) _exit(127);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (pid < 0 || wait4(pid, &status, 0, &usage) != pid) return 0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;
}

// The estimate `trsim validate` prints ("..., about 152 MiB of memory)"), in bytes.
std::uint64_t estimate(const std::string& scenario, const TempDir& dir,
                       const std::vector<std::string>& more = {}) {
  std::vector<std::string> args{"validate", scenario};
  args.insert(args.end(), more.begin(), more.end());
  const CliResult r = run_trsim(args, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  REQUIRE(
      std::regex_search(r.out, m, std::regex(R"(about ([0-9.]+) (bytes|KiB|MiB|GiB) of memory)")));
  const double v = std::stod(m[1]);
  const int shift = m[2] == "bytes" ? 0 : m[2] == "KiB" ? 10 : m[2] == "MiB" ? 20 : 30;
  return static_cast<std::uint64_t>(v * static_cast<double>(std::uint64_t{1} << shift));
}

}  // namespace

TEST_CASE("scenarios asking for huge tables exit 2 at the key that drives them, before allocating",
          "[cli][limits][memory]") {
  TempDir dir;
  struct Case {
    std::string file;
    std::string text;
    std::string where;    // FILE:LINE:COL of the key at fault
    std::string largest;  // what the message names as the largest part
  };
  std::vector<Case> cases;
  {
    // 3.9 KB: a year at 317 s intervals, 300 queues, 100 thresholds.
    const std::string queues = numbered("q", 300, ": {}, ");
    std::string thresholds;
    for (int t = 1; t <= 100; ++t) thresholds += std::to_string(t) + ", ";
    thresholds.resize(thresholds.size() - 2);
    cases.push_back(
        {"year.yaml",
         "horizon: 365d\nstatistics:\n  service_level_thresholds: [" + thresholds +
             "]\n  interval: 317s\ntask_queues: {" + queues + "}\n" + kRouting +
             "workers: {agents: {count: 10, activity: Available}}\n"
             "arrivals: {calls: {rate: 1/h, handle_time: 1m}}\n",
         "year.yaml:4:13:",
         "the interval tables: 99483 intervals of 5m17s × 302 scopes (the workspace, 300 "
         "queues and 1 group) × 115 columns × 8 bytes, for 1 replication"});
  }
  {
    // 100,000 worker groups, a day in 30-minute intervals.
    const std::string groups = numbered("  g", 100'000, ": {}\n");
    cases.push_back({"groups.yaml",
                     "horizon: 1d\ntask_queues: {q1: {}}\n" + kRouting + "workers:\n" + groups +
                         "arrivals: {calls: {rate: 1/h, handle_time: 1m}}\n",
                     "groups.yaml:5:1:",
                     "the summary's text of the interval tables' mean and ci95 (48 intervals × "
                     "100002 scopes × 18 columns)"});
  }
  {
    // 20,000 activities and 50,000 workers: the time of each worker in each activity.
    const std::string activities = numbered("  a", 20'000, ": {}\n");
    cases.push_back({"activities.yaml",
                     "activities:\n  Available: {available: true}\n  Offline: {}\n" + activities +
                         "task_queues: {q1: {}}\n" + kRouting +
                         "workers: {agents: {count: 50000, activity: Available}}\n"
                         "arrivals: {calls: {rate: 1/h, handle_time: 1m}}\n",
                     "activities.yaml:1:1:", "with the time in each of 20002 activities"});
  }
  {
    // 9 KB: a name pattern of 3,000 {i} over 100,000 workers.
    cases.push_back({"pattern.yaml",
                     "task_queues: {q1: {}}\n" + kRouting +
                         "workers: {agents: {count: 100000, name: '" + repeat("{i}", 3000) +
                         "'}}\narrivals: {calls: {rate: 1/h, handle_time: 1m}}\n",
                     "pattern.yaml:4:41:", "each named by a pattern of 9000 bytes"});
  }
  {
    // A 1 MB attribute, copied to each of 100,000 workers.
    cases.push_back(
        {"attribute.yaml",
         "task_queues: {q1: {}}\n" + kRouting +
             "workers: {agents: {count: 100000, attributes: {notes: " + repeat("x", 1 << 20) +
             "}}}\narrivals: {calls: {rate: 1/h, handle_time: 1m}}\n",
         "attribute.yaml:4:47:", "each with a copy of 1 MiB of attributes"});
  }
  for (const Case& c : cases) {
    const std::string path = dir.write(c.file, c.text);
    for (const char* verb : {"validate", "run"}) {
      const CliResult r = run_limited({verb, path}, dir);
      INFO(r.command << "\n" << r.err.substr(0, 2000));
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Contains(c.where + " the scenario asks for about ") &&
                            Contains("more than the limit of 4 GiB (raise it with --max-memory)") &&
                            Contains(c.largest));
    }
  }
}

TEST_CASE("a 1 MB string repeated through aliases is refused where the text passes the limit",
          "[cli][limits][memory]") {
  TempDir dir;
  const std::string attributes =
      "{a0: &big " + repeat("y", 1 << 20) + numbered(",\n    a", 5000, ": *big");
  const std::string path =
      dir.write("aliases.yaml", "task_queues: {q1: {}}\n" + kRouting +
                                    "workers: {agents: {count: 1}}\narrivals:\n  calls: {rate: "
                                    "1/h, handle_time: 1m, attributes: " +
                                    attributes + "}}\n");
  const CliResult r = run_limited({"validate", path}, dir);
  INFO(r.command << "\n" << r.err.substr(0, 2000));
  CHECK(r.exit_code == 2);
  // 4 GiB of text is the anchor's 1 MiB 4096 times: the alias of a4096 (line 4101) passes it.
  CHECK_THAT(r.err, Contains("aliases.yaml:4101:5: with its aliases expanded the scenario holds "
                             "more than 4 GiB of text") &&
                        Contains("(raise it with --max-memory)"));
  // Raised past it, the limit is the workers' and run tables' estimate, not the text.
  const CliResult raised = run_limited({"validate", path, "--max-memory", "8G"}, dir);
  INFO(raised.err.substr(0, 2000));
  CHECK_FALSE(contains(raised.err, "with its aliases expanded"));
}

// A configuration file is a text of its own, inlined into the scenario: its positions start at 0
// again, like the scenario's. The expanded-text walk once told collections apart by position
// alone, took the file's top-level map (position 0) for the scenario's and skipped the whole file
// as a cycle, so a 6 MB configuration passed a 2 MiB limit.
TEST_CASE("a configuration file's text counts against --max-memory like the scenario's own",
          "[cli][limits][memory]") {
  TempDir dir;
  std::string filters;
  for (int i = 0; i < 20'000; ++i)
    filters += (i == 0 ? "" : ",") + std::string(R"({"expression": "x == ')") + repeat("a", 200) +
               R"('", "targets": [{"queue": "q1"}]})";
  dir.write("wf.json", R"({"task_routing": {"filters": [)" + filters +
                           R"(], "default_filter": {"queue": "q1"}}})");
  const std::string path =
      dir.write("s.yaml",
                "task_queues: {q1: {}}\nworkflows:\n  main: {configuration_file: "
                "wf.json}\nworkers: {agents: {count: 2}}\n"
                "arrivals: {calls: {rate: 1/h, handle_time: 1m}}\n");
  const CliResult r = run_trsim({"validate", path, "--max-memory", "2M"}, dir);
  INFO(r.err.substr(0, 2000));
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Contains("wf.json:1:") &&
                        Contains("with its aliases expanded the scenario holds more than 2 MiB"));
}

TEST_CASE("option --max-memory lowers and raises the limit and validate prints the estimate",
          "[cli][limits][memory]") {
  TempDir dir;
  const std::string path = dir.write(
      "day.yaml", "horizon: 1d\nstatistics: {interval: 1m}\ntask_queues: {q1: {}}\n" + kRouting +
                      "workers: {agents: {count: 20, activity: Available}}\n"
                      "arrivals: {calls: {rate: 1/m, handle_time: 1m}}\n");
  const std::uint64_t bytes = estimate(path, dir);
  CHECK(bytes > (std::uint64_t{1} << 20));
  const CliResult lowered = run_trsim({"run", path, "--max-memory", "1M", "--quiet"}, dir);
  CHECK(lowered.exit_code == 2);
  CHECK_THAT(lowered.err,
             Contains("day.yaml:2:24: the scenario asks for about ") &&
                 Contains("more than the limit of 1 MiB (raise it with --max-memory)"));
  const CliResult enough = run_trsim({"run", path, "--max-memory", "64MiB", "--quiet"}, dir);
  INFO(enough.err);
  CHECK(enough.exit_code == 0);
  // More replications keep more interval tables: the estimate grows with them.
  CHECK(estimate(path, dir, {"--replications", "50"}) > 5 * bytes);
  for (const char* bad : {"0", "1K", "-5", "4X", "G", "1.5.2G"}) {
    const CliResult r = run_trsim({"validate", path, "--max-memory", bad}, dir);
    INFO(bad);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Contains("trsim validate: --max-memory must be a size of at least 1M"));
  }
}

TEST_CASE("the memory estimate is within a factor of two of the measured peak",
          "[cli][limits][memory]") {
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's shadow memory and quarantine add two to three times the program's own
  // peak: the estimate is of the plain build's memory, so only that build can be held to it.
  SUCCEED("the peak is measured in the plain build only");
  return;
#endif
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> cases;
  // Workers with long names and attributes.
  cases.emplace_back("workers.yaml",
                     "task_queues: {q1: {}}\n" + kRouting +
                         "workers: {agents: {count: 100000, activity: Available, name: "
                         "'agent-of-the-support-centre-number-{i}', attributes: {skills: [a, b, "
                         "c], note: 'a note longer than sixteen characters'}}}\n"
                         "arrivals: {calls: {rate: 1/m, handle_time: 1m}}\n");
  // An interval table: three days of 5-minute intervals, 100 queues, 10 replications.
  {
    const std::string queues = numbered("q", 100, ": {}, ");
    cases.emplace_back("intervals.yaml",
                       "horizon: 3d\nreplications: 10\nstatistics: {interval: 5m}\ntask_queues: {" +
                           queues + "}\n" + kRouting +
                           "workers: {agents: {count: 5, activity: Available}}\n"
                           "arrivals: {calls: {rate: 1/h, handle_time: 1m}}\n");
  }
  // Activities: 2,000 of them and 10,000 workers.
  {
    const std::string activities = numbered("  a", 2000, ": {}\n");
    cases.emplace_back("activities.yaml",
                       "activities:\n  Available: {available: true}\n  Offline: {}\n" + activities +
                           "task_queues: {q1: {}}\n" + kRouting +
                           "workers: {agents: {count: 10000, activity: Available}}\n"
                           "arrivals: {calls: {rate: 1/m, handle_time: 1m}}\n");
  }
  // Per-worker statistics: a node per worker in each of 10 replications' trees, their aggregate
  // and the summary's text.
  cases.emplace_back("per-worker.yaml",
                     "replications: 10\nstatistics: {per_worker: true}\ntask_queues: {q1: {}}\n" +
                         kRouting +
                         "workers: {agents: {count: 10000, activity: Available, name: "
                         "'agent-of-the-support-centre-{i}'}}\n"
                         "arrivals: {calls: {rate: 1/m, handle_time: 1m}}\n");
  // Snapshots: their columns (one per activity and per priority, besides the fixed ones) are
  // most of an interval table of a day of 5-minute intervals, 100 queues, 5 replications, 22
  // activities and 60 priorities.
  {
    const std::string queues = numbered("q", 100, ": {}, ");
    const std::string activities = numbered("  a", 20, ": {}\n");
    std::string streams;
    for (int p = 1; p <= 60; ++p)
      streams += "  s" + std::to_string(p) +
                 ": {rate: 1/h, handle_time: 1m, priority: " + std::to_string(p) + "}\n";
    cases.emplace_back("snapshots.yaml",
                       "horizon: 1d\nreplications: 5\nstatistics: {interval: 5m, snapshots: "
                       "true}\nactivities:\n  Available: {available: true}\n  Offline: {}\n" +
                           activities + "task_queues: {" + queues + "}\n" + kRouting +
                           "workers: {agents: {count: 5, activity: Available}}\narrivals:\n" +
                           streams);
  }
  for (const auto& [file, text] : cases) {
    const std::string path = dir.write(file, text);
    const std::uint64_t estimated = estimate(path, dir, {"--threads", "1"});
    const std::uint64_t measured =
        peak_rss({"run", path, "--threads", "1", "--json", path_in(dir, file + ".json")});
    INFO(file << ": estimated " << estimated << " bytes, measured peak " << measured);
    REQUIRE(measured > 0);
    CHECK(estimated > measured / 2);
    CHECK(estimated < measured * 2);
  }
}
