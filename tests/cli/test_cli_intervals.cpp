// `trsim run --intervals F`: the interval table as CSV (one row per interval × scope, the mean
// over the replications), and the `intervals` block of the summary JSON that holds the same means.
#include <algorithm>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kQuickstart = scenario_path("quickstart.yaml");

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields(1);
  for (const char c : line) {
    if (c == ',')
      fields.emplace_back();
    else
      fields.back() += c;
  }
  return fields;
}

// "2026-03-02THH:MM:SSZ" for `seconds` after that day's midnight (under a day).
std::string fmt_utc(std::size_t seconds) {
  char text[96];
  std::snprintf(text, sizeof text, "2026-03-02T%02zu:%02zu:%02zuZ", seconds / 3600,
                seconds / 60 % 60, seconds % 60);
  return text;
}

}  // namespace

TEST_CASE("run --intervals writes one CSV row per interval and scope under a header",
          "[cli][intervals]") {
  TempDir dir;
  const std::string csv = (fs::path(dir.path()) / "intervals.csv").string();
  const std::string json = (fs::path(dir.path()) / "summary.json").string();
  const CliResult r = run_trsim(
      {"run", kQuickstart, "--replications", "2", "--intervals", csv, "--json", json, "--quiet"},
      dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const std::vector<std::string> lines = lines_of(read_file(csv));
  // quickstart: 8 h in 30-minute intervals = 16; scopes: workspace, 3 queues, 3 worker groups.
  REQUIRE(lines.size() == 1 + 16 * 7);
  // With replications, every column is followed by the ci95 of its mean.
  std::string columns;
  std::size_t column_count = 0;
  for (const char* c :
       {"offered", "accepted", "abandoned", "canceled", "completed", "service_level.0",
        "service_level.20", "service_level.60", "abandon_rate", "avg_task_acceptance_time",
        "avg_handle_time", "reservations_timed_out", "occupancy", "tasks_waiting", "workers_parked",
        "workers.Offline", "workers.Available", "workers.Break"}) {
    columns += std::string(",") + c + "," + c + "_ci95";
    ++column_count;
  }
  CHECK(lines[0] ==
        "interval_start,interval_start_utc,interval_end,scope_kind,scope_name" + columns);
  const std::vector<std::pair<std::string, std::string>> scopes = {
      {"workspace", "workspace"}, {"queue", "Spanish"}, {"queue", "English"}, {"queue", "Chat"},
      {"group", "bilingual"},     {"group", "english"}, {"group", "chat"}};
  for (std::size_t i = 1; i < lines.size(); ++i) {
    INFO(lines[i]);
    const std::vector<std::string> f = split_csv_line(lines[i]);
    REQUIRE(f.size() == 5 + 2 * column_count);
    const std::size_t k = (i - 1) / scopes.size();
    CHECK(f[0] == std::to_string(k * 1800));
    // quickstart starts 2026-03-02T08:00:00Z; intervals of 30 minutes.
    CHECK(f[1] == fmt_utc(8 * 3600 + k * 1800));
    CHECK(f[2] == std::to_string((k + 1) * 1800));
    CHECK(f[3] == scopes[(i - 1) % scopes.size()].first);
    CHECK(f[4] == scopes[(i - 1) % scopes.size()].second);
  }
  // A queue has no occupancy; a group has no offered tasks: empty cells (and their ci95).
  const std::vector<std::string> header = split_csv_line(lines[0]);
  const std::size_t occupancy = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), "occupancy") - header.begin());
  REQUIRE(occupancy < header.size());
  CHECK(split_csv_line(lines[2])[occupancy].empty());
  CHECK(split_csv_line(lines[2])[occupancy + 1].empty());
  CHECK(!split_csv_line(lines[1])[occupancy].empty());
  CHECK(split_csv_line(lines[5])[5].empty());
  CHECK(!split_csv_line(lines[1])[5].empty());
  CHECK(!split_csv_line(lines[1])[6].empty());

  // The summary JSON carries the same means, with ci95, per scope and column, and each run its own.
  const Json root = parse_json(read_file(json));
  const Json* iv = root.get("intervals");
  REQUIRE(iv);
  CHECK(iv->keys() ==
        std::vector<std::string>{"length", "start", "end", "workspace", "task_queues", "workers"});
  CHECK(iv->get("length")->number == 1800);
  REQUIRE(iv->get("start")->items.size() == 16);
  const Json* offered = iv->at_path("workspace.offered");
  REQUIRE(offered);
  CHECK(offered->keys() == std::vector<std::string>{"mean", "ci95"});
  REQUIRE(offered->get("mean")->items.size() == 16);
  CHECK(offered->get("mean")->items[0].text == split_csv_line(lines[1])[5]);
  CHECK(offered->get("ci95")->items[0].text == split_csv_line(lines[1])[6]);
  CHECK(iv->at_path("workspace.service_level.20.mean"));
  CHECK(iv->at_path("task_queues.Spanish.tasks_waiting.ci95"));
  CHECK(iv->at_path("workers.chat.workers.Available.mean"));
  CHECK(!iv->at_path("task_queues.Spanish.occupancy"));
  const Json* run_offered = root.get("runs")->items[1].at_path("intervals.workspace.offered");
  REQUIRE(run_offered);
  REQUIRE(run_offered->items.size() == 16);
  CHECK(run_offered->items[0].is_number());
}

TEST_CASE("run --intervals - writes the CSV to stdout, the same bytes for any --threads",
          "[cli][intervals]") {
  TempDir dir;
  const CliResult one =
      run_trsim({"run", kQuickstart, "--replications", "3", "--intervals", "-"}, dir);
  const CliResult two = run_trsim(
      {"run", kQuickstart, "--replications", "3", "--intervals", "-", "--threads", "2"}, dir);
  INFO(describe(one));
  REQUIRE(one.exit_code == 0);
  REQUIRE(two.exit_code == 0);
  CHECK(one.out.rfind("interval_start,interval_start_utc,interval_end,scope_kind,scope_name,", 0) ==
        0);
  CHECK(lines_of(one.out).size() == 1 + 16 * 7);  // no human summary mixed in
  CHECK(one.out == two.out);
}

TEST_CASE("run --intervals naming the --json file is a usage error", "[cli][intervals]") {
  TempDir dir;
  const std::string same = (fs::path(dir.path()) / "out.txt").string();
  const CliResult r = run_trsim({"run", kQuickstart, "--json", same, "--intervals", same}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--intervals"));
  CHECK(!fs::exists(same));
}
