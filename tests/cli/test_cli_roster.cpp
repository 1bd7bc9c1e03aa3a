// `trsim staff --per-interval` and `trsim roster` from the command line: the CSV and JSON of the
// requirement, an unmeetable target named with its interval, the bundled realistic day rostered
// and verified (and the roster it writes, run as a scenario, meets every interval too), and shift
// templates that leave intervals uncovered named.
#include <regex>
#include <sstream>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
  return cells;
}

// A small desk over two hours (30-minute intervals) whose agents take `response` seconds to
// accept.
std::string desk(const std::string& expect, double response = 0) {
  return R"(name: desk
seed: 3
horizon: 2h
replications: 4
statistics: {service_level_thresholds: [0, 20]}
task_queues: {Q: {}}
workflows: {wf: {configuration: {task_routing: {filters: [], default_filter: {queue: Q}}}}}
behaviors: {b: {response_time: {constant: )" +
         std::to_string(response) + R"(}}}
workers: {agents: {count: 3, name: "agent-{i}", activity: Available, behavior: b}}
arrivals:
  calls: {workflow: wf, rates: {interval: 30m, per_hour: [60, 180, 180, 60]}, handle_time: {exponential: {mean: 2m}}}
expect:
)" + expect;
}

// The roster as worker groups with schedule: blocks, in place of the scenario's `workers:`, run
// as a scenario: the same per-interval service levels as the verifying run (`rows`, the roster's
// CSV).
void check_roster_reruns(const TempDir& dir, std::string day, std::string roster,
                         const std::vector<std::string>& rows) {
  roster = roster.substr(roster.find("workers:"));
  const std::size_t a = day.find("workers:\n"), b = day.find("arrivals:");
  day = day.substr(0, a) + roster + "\n" + day.substr(b, day.find("shifts:") - b);
  const std::string rostered = dir.write("rostered.yaml", day);
  const CliResult run = run_trsim({"run", rostered, "--intervals", "-", "--quiet"}, dir);
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const std::vector<std::string> header = split(lines_of(run.out)[0]);
  const std::size_t sl = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), "service_level.20") - header.begin());
  REQUIRE(sl < header.size());
  const std::size_t kind = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), "scope_kind") - header.begin());
  REQUIRE(kind < header.size());
  std::size_t k = 0;
  for (const std::string& line : lines_of(run.out)) {
    const std::vector<std::string> c = split(line);
    if (c.size() <= sl || c[kind] != "workspace") continue;
    const std::vector<std::string> mine = split(rows[1 + k]);
    INFO("interval " << k << ": " << line);
    if (!mine[6].empty()) CHECK(std::stod(c[sl]) == Approx(std::stod(mine[6])).epsilon(1e-12));
    ++k;
  }
  CHECK(k == 48);
}

}  // namespace

TEST_CASE("staff --per-interval writes a row per interval and group as CSV, and JSON",
          "[cli][staff][roster]") {
  TempDir dir;
  const std::string path =
      dir.write("desk.yaml", desk("  - {metric: workspace.service_level.20, min: 0.8}\n"
                                  "  - {metric: workspace.tasks_completed, min: 1}\n"));
  const std::string csv = dir.path() + "/req.csv";
  const CliResult r = run_trsim(
      {"staff", path, "--per-interval", "--csv", csv, "--json", dir.path() + "/req.json"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "not read per interval: workspace.tasks_completed"));
  // The table prints the service level and its bound in %, as every other table does (the CSV
  // and the JSON keep fractions): "                >= 80%" then "  86.4 % ok" per row.
  CHECK(contains(r.out, ">= 80%"));
  CHECK(std::regex_search(r.out, std::regex(R"([0-9]+\.[0-9] % (ok|FAILED))")));
  CHECK_FALSE(contains(r.out, ">= 0.8"));
  const std::vector<std::string> rows = lines_of(read_file(csv));
  REQUIRE(rows.size() == 1 + 4);
  const std::vector<std::string> header = split(rows[0]);
  REQUIRE(header.size() >= 5);
  CHECK(
      std::vector<std::string>(header.begin(), header.begin() + 5) ==
      std::vector<std::string>{"interval_start", "interval_end", "group", "required", "analytic"});
  CHECK(split(rows[2])[0] == "1800");
  CHECK(std::find(header.begin(), header.end(), "workspace.service_level.20.analytic") !=
        header.end());
  CHECK(split(rows[2])[2] == "agents");
  // The busy intervals (180 calls/h) need more than the quiet ones (60 calls/h).
  CHECK(std::stoi(split(rows[2])[3]) > std::stoi(split(rows[1])[3]));
  const Json json = parse_json(read_file(dir.path() + "/req.json"));
  REQUIRE(json.get("intervals")->items.size() == 4);
  CHECK(json.get("intervals")->items[1].at_path("required.agents")->number ==
        std::stoi(split(rows[2])[3]));
  CHECK(json.get("unmeetable")->kind == Json::Kind::null);
  // Each target carries what the report needs to print its bound as the table does.
  const Json& target = json.get("targets")->items.at(0);
  CHECK(target.get("metric")->text == "workspace.service_level.20");
  CHECK(target.get("min")->number == 0.8);
  CHECK(target.get("ci")->kind == Json::Kind::boolean);
  CHECK_FALSE(target.get("ci")->boolean);
  CHECK(target.get("interval") == nullptr);  // a line on every interval
}

TEST_CASE("staff --per-interval prints a long metric name whole, its column as wide as it",
          "[cli][staff][roster]") {
  // The target columns were 28 characters and a longer name lost its head
  // ("es.Sales.EU.service_level.20"): a table cut off.
  TempDir dir;
  const std::string metric = "task_queues.Q.avg_task_acceptance_time";
  const std::string path =
      dir.write("desk.yaml",
                desk("  - {metric: workspace.service_level.20, min: 0.8}\n  - {metric: " + metric +
                     ", max: 30}\n"));
  const CliResult r = run_trsim({"staff", path, "--per-interval"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> rows = lines_of(r.out);
  const auto header = std::find_if(
      rows.begin(), rows.end(), [](const std::string& l) { return l.rfind("interval ", 0) == 0; });
  REQUIRE(header != rows.end());
  CHECK(contains(*header, "  " + metric));
  // Every row of the table ends where its header does: the columns line up (counted in
  // characters: "±" is two bytes).
  const auto width = [](const std::string& line) {
    return std::count_if(line.begin(), line.end(),
                         [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  };
  for (auto row = header; row != rows.end() && !row->empty(); ++row) {
    INFO(*row);
    CHECK(width(*row) == width(*header));
  }
}

TEST_CASE("staff --per-interval --method: isa by default, search on request, both meeting",
          "[cli][staff][roster]") {
  TempDir dir;
  const std::string path =
      dir.write("desk.yaml", desk("  - {metric: workspace.service_level.20, min: 0.8}\n"));
  for (const std::string method : {"", "isa", "search"}) {
    std::vector<std::string> args = {"staff", path, "--per-interval", "--json", "-"};
    if (!method.empty()) args.insert(args.end(), {"--method", method});
    const CliResult r = run_trsim(args, dir);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const Json json = parse_json(r.out);
    CHECK(json.get("method")->text == (method.empty() ? "isa" : method));
    CHECK(json.get("analytic_model")->text == "erlang_c");
    CHECK(json.get("converged")->kind == Json::Kind::boolean);
    CHECK((json.get("intervals")->items[0].get("simulated_load") != nullptr) ==
          (method != "search"));
    for (const Json& interval : json.get("intervals")->items) {
      CHECK(interval.at_path("achieved")->items[0].get("met")->boolean);
      // Erlang C's service level at the required count, beside the achieved one.
      const Json* analytic = interval.at_path("achieved")->items[0].get("analytic");
      REQUIRE(analytic != nullptr);
      CHECK(analytic->is_number());
      CHECK(analytic->number > 0.5);
    }
  }
  const CliResult bad = run_trsim({"staff", path, "--per-interval", "--method", "erlang"}, dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "--method must be isa or search (got 'erlang')"));
  const CliResult whole = run_trsim({"staff", path, "--group", "agents", "--method", "isa"}, dir);
  CHECK(whole.exit_code == 2);
  CHECK(contains(whole.err, "--method apply to --per-interval only"));
}

TEST_CASE("staff --per-interval stops on a target no staffing meets, naming interval and target",
          "[cli][staff][roster]") {
  TempDir dir;
  // Agents take 2 s to accept: nobody is answered within 0 s.
  const std::string path =
      dir.write("desk.yaml", desk("  - {metric: workspace.service_level.0, min: 1.0}\n", 2));
  const CliResult r = run_trsim({"staff", path, "--per-interval", "--max", "40"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "interval 00:00-00:30 (0 s)"));
  CHECK(contains(r.err, "workspace.service_level.0 >= 1"));
  CHECK(contains(r.err, "not met even with 40 workers"));
}

TEST_CASE("roster: the bundled day is covered and verified by simulation, and so is its output",
          "[cli][roster]") {
  TempDir dir;
  const std::string out = dir.path() + "/roster.yaml", csv = dir.path() + "/roster.csv";
  const CliResult r = run_trsim(
      {"roster", scenario_path("roster-day.yaml"), "--threads", "2", "--out", out, "--csv", csv},
      dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "verifying run: every interval meets every target"));
  // The table prints each interval's service level in %, as staff --per-interval does ("86.4 ±
  // 2.1 % ok"), never as a fraction; the CSV keeps fractions.
  CHECK(std::regex_search(r.out, std::regex(R"([0-9]+\.[0-9] ± [0-9]+\.[0-9] % ok)")));
  CHECK_FALSE(std::regex_search(r.out, std::regex(R"(0\.[0-9]+ ± [0-9.e-]+ ok)")));
  // Every interval covered (the integer program's constraint) and met in the verifying run.
  const std::vector<std::string> rows = lines_of(read_file(csv));
  REQUIRE(rows.size() == 1 + 48);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string> c = split(rows[i]);
    INFO(rows[i]);
    CHECK(std::stod(c[4]) >= std::stod(c[3]) - 1e-9);
    CHECK(c[8] == "true");
    CHECK(c[11] == "true");
  }
  check_roster_reruns(dir, read_file(scenario_path("roster-day.yaml")), read_file(out), rows);
}

TEST_CASE("roster --out carries per-worker pick attributes, so the written roster routes the same",
          "[cli][roster]") {
  // The bundled day with Spanish speakers drawn per worker ({pick: ...}, 40%) and Spanish
  // callers (30%) offered first to them for 20 s: the written groups must carry each worker's
  // drawn language, or the pasted roster would route Spanish calls differently.
  TempDir dir;
  std::string day = read_file(scenario_path("roster-day.yaml"));
  const auto replace = [&](const std::string& from, const std::string& to) {
    REQUIRE(day.find(from) != std::string::npos);
    day.replace(day.find(from), from.size(), to);
  };
  replace("  Helpdesk: {}\n", "  Helpdesk: {}\n  Spanish: {target_workers: \"lang == 'es'\"}\n");
  replace("        filters: []\n",
          "        filters:\n          - {expression: \"lang == 'es'\", targets: [{queue: "
          "Spanish, timeout: 20}, {queue: Helpdesk}]}\n");
  replace("    activity: Available\n",
          "    activity: Available\n    attributes: {lang: {pick: {en: 0.6, es: 0.4}}}\n");
  replace("    workflow: helpdesk\n",
          "    workflow: helpdesk\n    attributes: {lang: {pick: {en: 0.7, es: 0.3}}}\n");
  replace("replications: 10", "replications: 4");
  const std::string path = dir.write("picks.yaml", day);
  const std::string out = dir.path() + "/roster.yaml", csv = dir.path() + "/roster.csv";
  const CliResult r =
      run_trsim({"roster", path, "--threads", "2", "--out", out, "--csv", csv}, dir);
  INFO(describe(r));
  REQUIRE((r.exit_code == 0 || r.exit_code == 1));
  const std::string roster = read_file(out);
  CHECK(contains(roster, "attributes: {\"lang\":\"es\"}"));
  CHECK(contains(roster, "attributes: {\"lang\":\"en\"}"));
  CHECK_FALSE(contains(roster, "pick"));
  check_roster_reruns(dir, day, roster, lines_of(read_file(csv)));
}

TEST_CASE("roster: shift templates that leave intervals uncovered name them", "[cli][roster]") {
  TempDir dir;
  std::string day = read_file(scenario_path("roster-day.yaml"));
  // Only morning part-time shifts: nothing covers the afternoon and evening.
  day = day.substr(0, day.find("shifts:")) +
        "shifts:\n  morning: {group: agents, earliest_start: 7h, latest_start: 8h, length: 4h}\n";
  const std::string path = dir.write("morning.yaml", day);
  const CliResult r = run_trsim({"roster", path, "--threads", "2"}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "the shift templates cover no shift in"));
  CHECK(contains(r.err, "agents 12:00-12:30"));
  CHECK(contains(r.err, "agents 21:30-22:00"));
  CHECK_FALSE(contains(r.err, "agents 10:00-10:30"));
}

TEST_CASE("roster needs shift templates", "[cli][roster]") {
  TempDir dir;
  const CliResult r = run_trsim({"roster", scenario_path("check-pass.yaml")}, dir);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "no `shifts:` templates"));
}

TEST_CASE("roster --method search verifies its roster too, and a bad method exits 2",
          "[cli][roster]") {
  TempDir dir;
  const CliResult bad =
      run_trsim({"roster", scenario_path("roster-day.yaml"), "--method", "fast"}, dir);
  CHECK(bad.exit_code == 2);
  CHECK(contains(bad.err, "trsim roster: --method must be isa or search (got 'fast')"));
  const CliResult search = run_trsim(
      {"roster", scenario_path("roster-day.yaml"), "--method", "search", "--threads", "2"}, dir);
  INFO(describe(search));
  CHECK(search.exit_code == 0);
  CHECK(contains(search.out, "verifying run: every interval meets every target"));
}

TEST_CASE(
    "roster and staff --per-interval refuse, before any run, an output naming their scenario or "
    "another output",
    "[cli][staff][roster]") {
  TempDir dir;
  const std::string day = read_file(scenario_path("roster-day.yaml"));
  const std::string path = dir.write("day.yaml", day);
  const CliResult over_input = run_trsim({"roster", path, "--out", path}, dir);
  INFO(describe(over_input));
  CHECK(over_input.exit_code == 2);
  CHECK(contains(over_input.err, "which this command reads"));
  CHECK(read_file(path) == day);  // the scenario is untouched

  const std::string csv = dir.path() + "/req.csv";
  const CliResult aliased = run_trsim(
      {"staff", path, "--per-interval", "--csv", csv, "--json", dir.path() + "/./req.csv"}, dir);
  INFO(describe(aliased));
  CHECK(aliased.exit_code == 2);
  CHECK(contains(aliased.err, "is the same file"));
  CHECK_FALSE(fs::exists(csv));
}
