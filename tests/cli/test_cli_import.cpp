// `trsim import`: a workspace export written from TaskRouter's documented JSON shapes
// (tests/data/taskrouter-export/: list pages with `meta`, a single Workspace resource, two pages
// of task queues, a workflow whose `configuration` is a JSON string, worker `attributes` as JSON
// strings, a worker's channels page) becomes a scenario that validates and runs; bad input is an
// error naming the file, the place, the resource and the field, and nothing is written.
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kExport = std::string(TRSIM_TEST_DATA_DIR) + "/taskrouter-export";

std::string export_file(const std::string& name) { return kExport + "/" + name; }

// The fixture's files with `name` replaced by `text`, in a folder of `scratch`.
std::string export_with(const TempDir& scratch, const std::string& name, const std::string& text) {
  const fs::path folder = fs::path(scratch.path()) / "export";
  fs::create_directories(folder);
  for (const auto& entry : fs::directory_iterator(kExport))
    fs::copy_file(entry.path(), folder / entry.path().filename(),
                  fs::copy_options::overwrite_existing);
  std::ofstream(folder / name) << text;
  return folder.string();
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("an exported workspace imports into a scenario that validates and runs", "[cli]") {
  TempDir scratch;
  const std::string out = scratch.path() + "/mirror.yaml";
  const CliResult r = run_trsim({"import", kExport, "-o", out}, scratch);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out,
                 "3 activities, 3 task channels, 3 task queues, 1 workflows, 5 workers "
                 "(3 groups)"));
  CHECK(files_in(scratch.path()) ==
        std::vector<std::string>{"mirror.Inbound-Calls.json", "mirror.yaml"});
  const std::string yaml = read_file(out);
  INFO(yaml);
  // Workspace settings by name; sids kept, so the workflow's queue sids resolve.
  CHECK(contains(yaml, R"(workspace: {default_activity: "Offline", timeout_activity: "Break")"));
  CHECK(contains(yaml, R"("Everyone": {sid: "WQ00000000000000000000000000000003", )"
                       R"(target_workers: "1==1", max_reserved_workers: 1, task_order: "LIFO"})"));
  CHECK(contains(yaml, R"("Inbound Calls": {sid: "WW00000000000000000000000000000001", )"
                       R"(task_reservation_timeout: 60, configuration_file: )"
                       R"("mirror.Inbound-Calls.json"})"));
  // alice, bob and carol share attributes, channels and activity: one group of 3. Attribute
  // strings stay strings ("+12625876034", "00501").
  CHECK(contains(yaml, R"(count: 3, activity: "Available", attributes: )"
                       R"({"skills":["sales"],"phone":"+12625876034"}})"));
  CHECK(contains(yaml,
                 R"("dave": {count: 1, name: "dave", sid: "WK00000000000000000000000000000004")"));
  // An unavailable worker channel takes no task: capacity 0.
  CHECK(contains(yaml, R"(channels: {"callback": 0, "chat": 3, "voice": 1})"));
  CHECK(contains(yaml, R"("zip":"00501")"));
  const std::string config = read_file(scratch.path() + "/mirror.Inbound-Calls.json");
  CHECK(contains(config, R"("queue": "WQ00000000000000000000000000000001")"));

  const CliResult valid = run_trsim({"validate", out}, scratch);
  INFO(describe(valid));
  CHECK(valid.exit_code == 0);
  CHECK_FALSE(contains(valid.err, "error"));
  CHECK(contains(valid.out, "ok (5 workers, 3 task queues, 1 workflow,"));

  // With arrivals added, the mirrored routing serves tasks: sales calls go to the Sales queue
  // by its sid, where alice, bob, carol and dave (all sales) take them.
  {
    std::ofstream(out, std::ios::app)
        << "arrivals:\n  calls: {rate: 60/h, handle_time: 2m, attributes: {type: sales}}\n";
  }
  const CliResult run =
      run_trsim({"run", out, "--json", scratch.path() + "/summary.json"}, scratch);
  INFO(describe(run));
  REQUIRE(run.exit_code == 0);
  const Json summary = parse_json(read_file(scratch.path() + "/summary.json"));
  const Json* sales = summary.at_path("statistics.task_queues.Sales.tasks_completed.mean");
  REQUIRE(sales != nullptr);
  CHECK(sales->number > 100);  // about 480 calls in 8 h

  SECTION("--one-by-one keeps every worker with its name and sid") {
    TempDir one;
    const CliResult each =
        run_trsim({"import", kExport, "-o", one.path() + "/each.yaml", "--one-by-one"}, one);
    INFO(describe(each));
    REQUIRE(each.exit_code == 0);
    CHECK(contains(each.out, "5 workers (5 groups)"));
    const std::string text = read_file(one.path() + "/each.yaml");
    for (const char* sid :
         {"WK00000000000000000000000000000001", "WK00000000000000000000000000000002",
          "WK00000000000000000000000000000003"})
      CHECK(contains(text, sid));
    CHECK(run_trsim({"validate", one.path() + "/each.yaml"}, one).exit_code == 0);
  }
  SECTION("files given one by one, a page twice, give the same scenario") {
    TempDir files;
    std::vector<std::string> args = {"import"};
    for (const char* name :
         {"workspace.json", "activities.json", "task_channels.json", "task_queues-page0.json",
          "task_queues-page1.json", "task_queues-page0.json", "workflows.json", "workers.json",
          "worker-dave-channels.json"})
      args.push_back(export_file(name));
    args.insert(args.end(), {"-o", files.path() + "/mirror.yaml"});
    const CliResult again = run_trsim(args, files);
    INFO(describe(again));
    REQUIRE(again.exit_code == 0);
    CHECK(read_file(files.path() + "/mirror.yaml") == yaml);
  }
}

TEST_CASE(
    "bad TaskRouter JSON is an error naming file, place, resource and field, and nothing is "
    "written",
    "[cli]") {
  TempDir scratch;
  const std::string workers = read_file(export_file("workers.json"));
  const std::string workflows = read_file(export_file("workflows.json"));
  struct Case {
    std::string file, text, expected;
  };
  const std::vector<Case> cases = {
      {"workflows.json", replaced(workflows, R"(\"task_routing\":{)", R"(\"task_routing\":{{)"),
       "workflows.json:3:5: workflow WW00000000000000000000000000000001 (workflows[0]): "
       "'configuration' is not valid JSON: expected a key in double quotes"},
      {"workers.json",
       replaced(workers, R"("activity_sid": "WA00000000000000000000000000000002",)", ""),
       "workers.json:3:5: worker WK00000000000000000000000000000001 (workers[0]): missing "
       "required field 'activity_sid'"},
      {"workers.json",
       replaced(workers, R"("activity_sid": "WA00000000000000000000000000000002")",
                R"("activity_sid": "WA0000000000000000000000000000000f")"),
       "workers.json:3:5: worker WK00000000000000000000000000000001 (workers[0]): 'activity_sid' "
       "names the activity 'WA0000000000000000000000000000000f', which no imported activity has"},
  };
  for (const Case& c : cases) {
    TempDir run;
    const std::string folder = export_with(run, c.file, c.text);
    const std::string out = run.path() + "/out/mirror.yaml";
    fs::create_directories(run.path() + "/out");
    const CliResult r = run_trsim({"import", folder, "-o", out}, run);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, folder + "/" + c.expected));
    CHECK(files_in(run.path() + "/out").empty());
  }
  // The truncated file: the reader says where the text ends, and that it may be truncated.
  TempDir cut;
  const std::string folder =
      export_with(cut, "workers.json", workers.substr(0, workers.size() / 2));
  const CliResult r = run_trsim({"import", folder, "-o", cut.path() + "/m.yaml"}, cut);
  CHECK(contains(r.err, "not valid JSON"));
  CHECK(contains(r.err, "(is the export truncated?)"));
}

// "configuration: The JSON string that contains the rules to apply to the Workflow" (OpenAPI,
// taskrouter.v1.workspace.workflow): the export writes it as a string, and import reads it back.
TEST_CASE("trsim export writes REST JSON that trsim import reads back", "[cli]") {
  TempDir scratch;
  const std::string folder = scratch.path() + "/exported";
  const CliResult r =
      run_trsim({"export", scenario_path("quickstart.yaml"), folder, "--set",
                 "workflows.support.configuration.task_routing.filters.1.targets.0.timeout=45"},
                scratch);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(files_in(folder) == std::vector<std::string>{"activities.json", "task_channels.json",
                                                     "task_queues.json", "worker_channels.json",
                                                     "workers.json", "workflows.json",
                                                     "workspace.json"});
  const Json workflows = parse_json(read_file(folder + "/workflows.json"));
  const Json& workflow = workflows.get("workflows")->items.at(0);
  CHECK(workflow.get("task_reservation_timeout")->number == 30);
  REQUIRE(workflow.get("configuration")->kind == Json::Kind::string);
  const Json config = parse_json(workflow.get("configuration")->text);
  const Json* step = &config.at_path("task_routing.filters")->items.at(1);
  CHECK(step->get("targets")->items.at(0).get("timeout")->number == 45);  // the --set value
  const Json workers = parse_json(read_file(folder + "/workers.json"));
  CHECK(workers.get("workers")->items.size() == 28);
  CHECK(workers.get("workers")->items.at(0).get("attributes")->kind == Json::Kind::string);

  const CliResult back =
      run_trsim({"import", folder, "-o", scratch.path() + "/back.yaml"}, scratch);
  INFO(describe(back));
  REQUIRE(back.exit_code == 0);
  CHECK(run_trsim({"validate", scratch.path() + "/back.yaml"}, scratch).exit_code == 0);
  CHECK(contains(read_file(scratch.path() + "/back.support.json"), "\"timeout\": 45"));
}

TEST_CASE("import and export never overwrite a file they read", "[cli]") {
  TempDir scratch;
  // An import whose scenario would land on one of its inputs.
  const std::string input = scratch.write("workflows.json", read_file(kExport + "/workflows.json"));
  const CliResult in = run_trsim({"import", kExport, input, "-o", input}, scratch);
  INFO(describe(in));
  CHECK(in.exit_code == 2);
  CHECK(contains(in.err, "which this command reads"));
  CHECK(read_file(input) == read_file(kExport + "/workflows.json"));

  // An export into the scenario's own folder, whose configuration_file is named like one of the
  // exported files.
  fs::create_directories(scratch.path() + "/desk");
  const std::string config = scratch.write(
      "desk/workflows.json", R"({"task_routing": {"default_filter": {"queue": "Q"}}})");
  const std::string scenario =
      scratch.write("desk/desk.yaml",
                    "task_queues: {Q: {}}\n"
                    "workflows: {wf: {configuration_file: workflows.json}}\n"
                    "workers: {agents: {count: 2, activity: Available}}\n");
  const CliResult out = run_trsim({"export", scenario, scratch.path() + "/desk"}, scratch);
  INFO(describe(out));
  CHECK(out.exit_code == 2);
  CHECK(contains(out.err, "which this command reads"));
  CHECK(read_file(config) == R"({"task_routing": {"default_filter": {"queue": "Q"}}})");
  CHECK_FALSE(fs::exists(scratch.path() + "/desk/workspace.json"));  // nothing written
}
