// The tidy outputs, read as a data scientist's script would, with Python's `csv` module (no
// pandas): the interval CSV (ISO 8601 start beside the seconds, scope in kind and name columns,
// the ci95 of every mean with replications), the long summary statistics (`--stats-csv`) summing
// back to the summary JSON, the sweep CSV's parameter values in base units, and `rep` on every
// line of the event log.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kQuickstart = scenario_path("quickstart.yaml");

// Runs `python3 SCRIPT ARGS...`; its exit code and what it printed (stdout then stderr).
std::pair<int, std::string> python(const TempDir& dir, const std::string& script,
                                   const std::vector<std::string>& args) {
  const std::string path = dir.write("check.py", script);
  std::string command = "python3 " + shell_quote(path);
  for (const std::string& a : args) {
    command += ' ';
    command += shell_quote(a);
  }
  const std::string out = dir.path() + "/python.out";
  command += " >" + shell_quote(out) + " 2>&1";
  const int status = std::system(command.c_str());
  return {(status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1, read_file(out)};
}

// The interval CSV: the declared columns, each cell of its declared type; the ISO start equals
// the scenario's start plus the seconds; with replications, every column has its _ci95 beside it.
constexpr const char* kIntervalsCheck = R"py(
import csv, sys, datetime, json
path, reps, summary_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
summary = json.load(open(summary_path))
start = datetime.datetime.fromisoformat(summary["start"].replace("Z", "+00:00"))
with open(path, newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
fixed = ["interval_start", "interval_start_utc", "interval_end", "scope_kind", "scope_name"]
assert header[:5] == fixed, header[:5]
columns = header[5:]
metrics = [c for c in columns if not c.endswith("_ci95")]
if reps > 1:
    assert columns == [x for m in metrics for x in (m, m + "_ci95")], columns
else:
    assert not any(c.endswith("_ci95") for c in columns), columns
kinds = {"workspace": 0, "queue": 0, "group": 0}
for row in body:
    assert len(row) == len(header), row
    seconds = float(row[0])
    utc = datetime.datetime.strptime(row[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert utc == start + datetime.timedelta(seconds=seconds), (row[1], seconds)
    assert float(row[2]) > seconds
    assert row[3] in kinds, row[3]
    kinds[row[3]] += 1
    assert row[4] and ":" not in row[4], row[4]
    for cell in row[5:]:
        if cell != "":
            float(cell)
assert all(kinds.values()), kinds
# Volume, occupancy and average handle time per interval, without statistics.snapshots: the
# handle time (seconds) of the tasks completed in the interval, null only where none completed.
for name in ("completed", "occupancy", "avg_handle_time"):
    assert name in metrics, name
done, aht = header.index("completed"), header.index("avg_handle_time")
for row in body:
    if row[3] == "workspace":
        assert (row[aht] == "") == (float(row[done]) == 0), row
        assert row[aht] == "" or float(row[aht]) > 0, row
# The workspace's offered tasks per interval are the summary's interval means.
offered = [float(r[5]) for r in body if r[3] == "workspace"]
assert offered == summary["intervals"]["workspace"]["offered"]["mean"], offered
print("ok", len(body), "rows", len(columns), "columns")
)py";

// The long statistics: every row one (scope, metric, statistic) of the summary JSON, every leaf of
// the JSON a row, and the values summing to the same total.
constexpr const char* kLongCheck = R"py(
import csv, sys, json, math
path, summary_path = sys.argv[1], sys.argv[2]
stats = json.load(open(summary_path))["statistics"]
with open(path, newline="") as f:
    reader = csv.DictReader(f)
    assert reader.fieldnames == ["scope_kind", "scope_name", "metric", "statistic", "value"], reader.fieldnames
    rows = list(reader)
top = {"workspace": None, "queue": "task_queues", "workflow": "workflows", "group": "workers"}
def leaves(node, prefix):
    if isinstance(node, dict) and "mean" in node and not isinstance(node["mean"], dict):
        yield prefix, node
        return
    for k, v in node.items():
        yield from leaves(v, prefix + [k])
expected = {}
for kind, key in top.items():
    scopes = {"workspace": stats["workspace"]} if key is None else stats.get(key, {})
    for name, node in scopes.items():
        for path, leaf in leaves(node, []):
            for s in ("mean", "ci95", "min", "max"):
                expected[(kind, name, ".".join(path), s)] = leaf[s]
got = {}
for r in rows:
    key = (r["scope_kind"], r["scope_name"], r["metric"], r["statistic"])
    assert key not in got, key
    got[key] = None if r["value"] == "" else float(r["value"])
assert set(got) == set(expected), set(got) ^ set(expected)
for key, v in expected.items():
    assert got[key] == v, (key, got[key], v)
total = sum(v for v in got.values() if v is not None)
json_total = sum(v for v in expected.values() if v is not None)
assert math.isclose(total, json_total, rel_tol=1e-12), (total, json_total)
print("ok", len(rows), "rows")
)py";

}  // namespace

TEST_CASE(
    "the interval CSV parses into its declared columns: ISO start, scope kind and name, a ci95 per "
    "mean",
    "[cli][tidy]") {
  TempDir dir;
  for (const int reps : {1, 3}) {
    const std::string csv = dir.path() + "/intervals.csv";
    const std::string json = dir.path() + "/summary.json";
    const CliResult r = run_trsim({"run", kQuickstart, "--replications", std::to_string(reps),
                                   "--intervals", csv, "--json", json, "--quiet"},
                                  dir);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const auto [code, out] = python(dir, kIntervalsCheck, {csv, std::to_string(reps), json});
    INFO(out);
    CHECK(code == 0);
    CHECK(contains(out, "ok 112 rows"));  // 16 intervals × 7 scopes
  }
}

TEST_CASE(
    "run --stats-csv writes one row per scope, metric and statistic that sum back to the JSON",
    "[cli][tidy]") {
  TempDir dir;
  const std::string csv = dir.path() + "/stats.csv";
  const std::string json = dir.path() + "/summary.json";
  const CliResult r = run_trsim(
      {"run", kQuickstart, "--replications", "3", "--stats-csv", csv, "--json", json, "--quiet"},
      dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto [code, out] = python(dir, kLongCheck, {csv, json});
  INFO(out);
  CHECK(code == 0);
  CHECK(contains(out, "ok "));
  // The same bytes on stdout, and the usual refusal to share a path with another output.
  const CliResult piped =
      run_trsim({"run", kQuickstart, "--replications", "3", "--stats-csv", "-"}, dir);
  CHECK(piped.out == read_file(csv));
  const CliResult clash =
      run_trsim({"run", kQuickstart, "--json", "x.out", "--stats-csv", "x.out"}, dir, dir.path());
  CHECK(clash.exit_code == 2);
  CHECK(contains(clash.err, "--stats-csv"));
}

// The per-worker CSV: one row per worker of the summary's worker_statistics, each cell the mean
// the JSON holds, a ci95 beside each with replications.
constexpr const char* kWorkerCheck = R"py(
import csv, sys, json
path, summary_path = sys.argv[1], sys.argv[2]
stats = json.load(open(summary_path))["statistics"]
workers = stats["worker_statistics"]
with open(path, newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
assert header[:2] == ["worker", "group"], header
metrics = [c for c in header[2:] if not c.endswith("_ci95")]
assert header[2:] == [x for m in metrics for x in (m, m + "_ci95")], header
assert [r[0] for r in body] == list(workers), [r[0] for r in body]
def leaf(node, path):
    for part in path.split("."):
        node = node[part]
    return node
total_assigned = 0
for row in body:
    assert len(row) == len(header), row
    for i, name in enumerate(header[2:], start=2):
        metric = name[:-5] if name.endswith("_ci95") else name
        want = leaf(workers[row[0]], metric)["ci95" if name.endswith("_ci95") else "mean"]
        assert (row[i] == "" and want is None) or abs(float(row[i]) - want) < 1e-9, (row[0], name)
    total_assigned += float(row[header.index("tasks_assigned")])
groups = sum(g["tasks_assigned"]["mean"] for g in stats["workers"].values())
assert abs(total_assigned - groups) < 1e-6, (total_assigned, groups)
print("ok", len(body), "workers")
)py";

TEST_CASE("run --worker-stats writes each worker's statistics as CSV, which the JSON then holds",
          "[cli][tidy]") {
  TempDir dir;
  const std::string csv = dir.path() + "/workers.csv";
  const std::string json = dir.path() + "/summary.json";
  const CliResult r = run_trsim(
      {"run", kQuickstart, "--replications", "2", "--worker-stats", csv, "--json", json, "--quiet"},
      dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto [code, out] = python(dir, kWorkerCheck, {csv, json});
  INFO(out);
  CHECK(code == 0);
  CHECK(contains(out, "ok 28 workers"));
  // Without the option, the summary has no worker_statistics.
  const CliResult plain = run_trsim({"run", kQuickstart, "--json", "-"}, dir);
  REQUIRE(plain.exit_code == 0);
  CHECK(!contains(plain.out, "worker_statistics"));
}

TEST_CASE("the sweep CSV gives each swept value in base units beside the text", "[cli][tidy]") {
  TempDir dir;
  const std::string csv = dir.path() + "/sweep.csv";
  const CliResult r =
      run_trsim({"sweep", scenario_path("sweep-timeout.yaml"), "--replications", "1", "--set",
                 "workflows.main.task_reservation_timeout=15s,1m", "--csv", csv, "--quiet"},
                dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto [code, out] = python(dir, R"py(
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
p = "workflows.main.task_reservation_timeout"
assert [(x[p], float(x[p + ".value"])) for x in rows] == [("15s", 15.0), ("1m", 60.0)], rows
for x in rows:
    for k, v in x.items():
        if k != p and v != "":
            float(v)
print("ok")
)py",
                                  {csv});
  INFO(out);
  CHECK(code == 0);
}

TEST_CASE("every line of the event log names its replication, with one replication too",
          "[cli][tidy]") {
  TempDir dir;
  const CliResult r =
      run_trsim({"run", kQuickstart, "--replications", "1", "--events", "-", "--quiet"}, dir);
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() > 100);
  for (const std::string& line : lines) {
    INFO(line);
    REQUIRE(contains(line, ",\"rep\":0,"));
  }
}
