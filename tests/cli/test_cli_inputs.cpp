// No input ends in an internal error, a hang or memory out of proportion (docs/guide.md,
// "Safety"): every case exits 2 with a located message, or runs normally.
#include <sys/stat.h>

#include <chrono>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kQuickstart = scenario_path("quickstart.yaml");

// A small scenario whose arrivals line is `arrivals`.
std::string scenario_text(const std::string& workers, const std::string& arrivals) {
  return R"(horizon: 1h
task_queues: {Everyone: {}}
workflows:
  main: {configuration: {task_routing: {filters: [], default_filter: {queue: Everyone}}}}
workers:
  )" + workers +
         R"(
arrivals:
  )" + arrivals +
         "\n";
}

const std::string kAgents = "agents: {count: 2, activity: Available}";

// AddressSanitizer reserves terabytes of address space for its shadow memory, which a limit on
// virtual memory forbids: the memory limit applies to the plain build only.
#if defined(__SANITIZE_ADDRESS__)
const std::string kMemoryLimit;
#else
const std::string kMemoryLimit = "ulimit -v 400000 && ";
#endif

}  // namespace

TEST_CASE("huge handle-time factors and tiny rates exit 2 or run, never an internal error",
          "[cli][inputs]") {
  TempDir dir;
  // The largest factor with a handle time near the 100-year ceiling: the scaled time is clamped.
  const std::string slow =
      dir.write("slow.yaml",
                scenario_text("agents: {count: 2, activity: Available, handle_time_factor: 1000}",
                              "calls: {rate: 1/m, handle_time: 36000d}"));
  const CliResult r = run_trsim({"run", slow, "--quiet"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  // A tiny rate draws gaps beyond what simulated time holds; memory stays small (the limit makes
  // the old behaviour, tasks created until bad_alloc, fail fast).
  for (const char* rate : {"1e-19", "1e-20", "4.9e-324"}) {
    const std::string file = dir.write(
        "tiny.yaml",
        scenario_text(kAgents, std::string("calls: {rate: ") + rate + ", handle_time: 1m}"));
    const std::string err = path_in(dir, "err.txt");
    const int code =
        shell(kMemoryLimit + trsim_command({"run", file, "--quiet"}) + " 2>" + shell_quote(err));
    INFO(rate << ": " << read_file(err));
    CHECK(code == 0);
  }
}

TEST_CASE(
    "a FIFO as the scenario, a configuration file, a trace or an input of report and merge "
    "exits 2 at once",
    "[cli][inputs]") {
  TempDir dir;
  const std::string fifo = path_in(dir, "fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string err = path_in(dir, "err.txt");
  const auto refused = [&](const std::vector<std::string>& args, const std::string& message) {
    const std::string command = "timeout 20 " + trsim_command(args) + " 2>" + shell_quote(err);
    const int code = shell(command);
    INFO(command << "\n" << read_file(err));
    CHECK(code == 2);
    CHECK(contains(read_file(err), message));
  };
  refused({"run", fifo}, "fifo: cannot read the scenario: it is not a regular file");
  const std::string config = dir.write("config.yaml", R"(task_queues: {Everyone: {}}
workflows: {main: {configuration_file: fifo}}
workers: {agents: {count: 2, activity: Available}}
arrivals: {calls: {rate: 1/m, handle_time: 1m}}
)");
  refused({"validate", config},
          "config.yaml:2:40: cannot read 'fifo' for 'configuration_file': it "
          "is not a regular file");
  const std::string trace = dir.write("trace.yaml", scenario_text(kAgents, "calls: {trace: fifo}"));
  refused({"run", trace}, "trace.yaml:8:18: cannot read 'fifo' for 'trace': it is not a regular");
  refused({"report", fifo, "-o", path_in(dir, "r.html")}, "fifo: it is not a regular file");
  refused({"merge", fifo, "--json", path_in(dir, "m.json")}, "fifo: it is not a regular file");
  refused({"report", "/dev/zero", "-o", path_in(dir, "r.html")},
          "/dev/zero: it is not a regular file");
}

TEST_CASE("report and merge refuse inputs beyond --max-input-size, from a file or stdin",
          "[cli][inputs]") {
  TempDir dir;
  const std::string summary = path_in(dir, "s.json");
  REQUIRE(run_trsim({"run", kQuickstart, "--json", summary, "--quiet"}, dir).exit_code == 0);
  const CliResult small =
      run_trsim({"report", summary, "-o", path_in(dir, "r.html"), "--max-input-size", "1000"}, dir);
  INFO(describe(small));
  CHECK(small.exit_code == 2);
  CHECK(contains(small.err,
                 "s.json: the input is larger than 1000 bytes (raise the limit with "
                 "--max-input-size)"));
  const std::string err = path_in(dir, "err.txt");
  CHECK(shell("head -c 5000000 /dev/zero | " +
              trsim_command(
                  {"report", "-", "-o", path_in(dir, "r.html"), "--max-input-size", "100000"}) +
              " 2>" + shell_quote(err)) == 2);
  CHECK(contains(read_file(err), "<stdin>: the input is larger than 100000 bytes"));
  const CliResult merge = run_trsim({"merge", summary, "--max-input-size", "10"}, dir);
  CHECK(merge.exit_code == 2);
  CHECK(contains(merge.err, "the input is larger than 10 bytes"));
  // Within the limit it works.
  CHECK(run_trsim({"report", summary, "-o", path_in(dir, "r.html")}, dir).exit_code == 0);
}

TEST_CASE(
    "invalid UTF-8 and NUL bytes are refused at load, by report and by merge, with their "
    "place",
    "[cli][inputs]") {
  TempDir dir;
  const std::string trace = dir.write("t.csv", "time,name\n0,ok\n30,caf\xe9\n");
  const std::string scenario = dir.write("u.yaml", scenario_text(kAgents, "calls: {trace: t.csv}"));
  const CliResult t = run_trsim({"validate", scenario}, dir);
  INFO(describe(t));
  CHECK(t.exit_code == 2);
  CHECK(contains(t.err, "t.csv:3:7: invalid UTF-8 (byte 0xE9); trsim reads UTF-8 text only"));

  dir.write("t.csv", std::string("time,name\n0,a\0b\n", 16));
  const CliResult nul = run_trsim({"validate", scenario}, dir);
  INFO(describe(nul));
  CHECK(nul.exit_code == 2);
  CHECK(contains(nul.err, "t.csv:2:4: a NUL byte: this is not a text file"));

  const std::string summary = dir.write("bad.json", "{\"scenario\": \"\xff\xfe\"}");
  const CliResult r = run_trsim({"report", summary, "-o", path_in(dir, "r.html")}, dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "bad.json:1:15: invalid UTF-8 (byte 0xFF)"));
  const CliResult m = run_trsim({"merge", summary}, dir);
  CHECK(m.exit_code == 2);
  CHECK(contains(m.err, "bad.json:1:15: invalid UTF-8 (byte 0xFF)"));
}

TEST_CASE("sweep refuses --set seed= and replications= lists, as the sweep block does",
          "[cli][inputs]") {
  TempDir dir;
  for (const char* set : {"seed=1,2", "replications=1,3"}) {
    const CliResult r = run_trsim({"sweep", kQuickstart, "--set", set}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "cannot be swept: every point shares the seed and the replications"));
  }
}

TEST_CASE("report names what is wrong, and where, in a malformed summary or sweep",
          "[cli][inputs]") {
  TempDir dir;
  const std::string summary = path_in(dir, "s.json");
  REQUIRE(run_trsim({"run", kQuickstart, "--json", summary, "--quiet"}, dir).exit_code == 0);
  const std::string good = read_file(summary);
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const std::size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"points": []})", "not a trsim sweep (trsim sweep --json): missing 'scenario'"},
      {R"({"scenario": "x", "replications": 1, "parameters": [], "metrics": [], "points": []})",
       "points: the sweep has no points"},
      {R"({"statistics": {}})", "not a trsim summary (trsim run --json): missing 'scenario'"},
      {replaced("\"horizon\": ", "\"horizon\": \"1h\", \"was\": "),
       "horizon: expected a number, got a string"},
      {replaced("\"start\": \"2026-03-02T08:00:00Z\"", "\"start\": \"yesterday\""),
       "start: invalid date-time 'yesterday'"},
      {replaced("\"metric\": \"workspace.service_level.60\"", "\"metric\": 60"),
       "expect[0].metric: expected a string, got a number"},
      {replaced("\"mean\": ", "\"mean\": \"x\", \"was\": "),
       "statistics.workspace.tasks_created.mean: expected a number or null, got a string"},
  };
  for (const auto& [text, message] : cases) {
    const std::string file = dir.write("bad.json", text);
    const CliResult r = run_trsim({"report", file, "-o", path_in(dir, "r.html")}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, message));
    CHECK_FALSE(fs::exists(path_in(dir, "r.html")));
  }
  // A byte-order mark is allowed (RFC 8259 §8.1: parsers may ignore one).
  const std::string bom = dir.write("bom.json", "\xEF\xBB\xBF" + good);
  const CliResult r = run_trsim({"report", bom, "-o", path_in(dir, "r.html")}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
}

TEST_CASE("errors of a --set are located at --set:N:COL, not at the line they replaced",
          "[cli][inputs]") {
  TempDir dir;
  const std::string file =
      dir.write("s.yaml", scenario_text(kAgents, "calls: {rate: 1/m, handle_time: 1m}"));
  const CliResult count = run_trsim({"validate", file, "--set", "workers.agents.count="}, dir);
  INFO(describe(count));
  CHECK(count.exit_code == 2);
  CHECK(contains(count.err, "--set:1:16: missing value for 'count'"));
  const CliResult name = run_trsim({"validate", file, "--set", "name="}, dir);
  CHECK(contains(name.err, "--set:1:1: missing value for 'name'"));
}

TEST_CASE(
    "threads: --threads 0 and --threads 1000000 run on the cores there are, with identical results",
    "[cli][inputs]") {
  TempDir dir;
  std::string reference;
  for (const char* threads : {"1", "0", "1000000"}) {
    const std::string json = path_in(dir, std::string("s-") + threads + ".json");
    const CliResult r = run_trsim(
        {"run", kQuickstart, "--replications", "3", "--threads", threads, "--json", json}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    if (reference.empty()) reference = read_file(json);
    CHECK(read_file(json) == reference);
  }
  const CliResult bad = run_trsim({"run", kQuickstart, "--threads", "-1"}, dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "--threads must be a whole number (0 = every core"));
}

TEST_CASE("a trace row of 200000 columns loads and runs with every attribute in linear time",
          "[cli][inputs]") {
  // Each cell used to scan the attributes built so far (and the stream's attributes were merged
  // the same way): 200,000 columns took 100 s to validate. Now a second or so (measured: 0.8 s;
  // a few under the sanitizers): the load is held to 20 s, which the quadratic time cannot meet
  // on any machine and the linear one meets on a loaded one.
  TempDir dir;
  constexpr int kColumns = 200'000;
  std::string header = "time,attributes,n.a";
  std::string row = R"(0,"{""c0"": ""from json"", ""n"": {""b"": 2}}",1)";
  for (int c = 0; c < kColumns; ++c) {
    const std::string n = std::to_string(c);
    header += ",c";
    header += n;
    row += ',';
    row += n;
  }
  dir.write("wide.csv", header + "\n" + row + "\n");
  // The task goes to `match` only if every attribute holds what the columns say: the stream's
  // attributes, then the row's in column order (the JSON column's members, the dotted column
  // merged into its object, and each cell: c0 replacing the JSON's, c5 the stream's).
  const std::string scenario = dir.write("wide.yaml", R"(horizon: 1h
task_queues: {match: {}, other: {}}
workflows:
  main:
    configuration:
      task_routing:
        filters:
          - expression: "stream == 1 AND c5 == 5 AND c0 == 0 AND n.a == 1 AND n.b == 2 AND c1 == 1 AND c199999 == 199999"
            targets: [{queue: match}]
        default_filter: {queue: other}
workers:
  agents: {count: 2, activity: Available}
arrivals:
  calls: {trace: wide.csv, handle_time: 1m, attributes: {stream: 1, c5: old}}
)");
  const auto started = std::chrono::steady_clock::now();
  const CliResult validated = run_trsim({"validate", scenario}, dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(describe(validated));
  CHECK(validated.exit_code == 0);
  CHECK(seconds < 20);
  const CliResult r = run_trsim({"run", scenario, "--events", "-", "--quiet"}, dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string entered;
  for (const std::string& line : lines_of(r.out))
    if (contains(line, "\"type\":\"task-queue.entered\"")) entered = line;
  CHECK(contains(entered, "\"queue\":\"match\""));
}
