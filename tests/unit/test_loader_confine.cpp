// --confine (LoadLimits::confine), for scenarios nobody vetted: every file a scenario reads must be
// inside its folder tree, links resolved, and errors quote little of the files it refers to.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "support/scenario_fixture.hpp"
#include "trsim/loader.hpp"

using namespace trsim;
using namespace trsim::test;
namespace fs = std::filesystem;

namespace {

LoadResult load_confined(const std::string& path) {
  LoadOptions options;
  options.limits.confine = true;
  return load_scenario_file(path, options);
}

std::string all_messages(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.format() + "\n";
  return out;
}

// (Built by concatenation: std::string::replace here trips GCC 12's false -Wrestrict.)
std::string scenario_naming(const std::string& file) {
  std::string text = "task_queues: {Everyone: {}}\nworkflows: {main: {configuration_file: ";
  text += file;
  text +=
      "}}\nworkers: {agents: {count: 2, activity: Available}}\n"
      "arrivals: {calls: {rate: 1/m, handle_time: 1m}}\n";
  return text;
}

}  // namespace

TEST_CASE(
    "confinement (--confine) refuses a file outside the scenario's folder, by '..', absolute path "
    "or link",
    "[loader][confine]") {
  TempDir dir;
  fs::create_directories(fs::path(dir.path()) / "sub");
  const std::string workflow =
      R"({"task_routing": {"filters": [], "default_filter": {"queue": "Everyone"}}})";
  dir.write("outside.json", workflow);
  dir.write("sub/inside.json", workflow);
  fs::create_symlink(fs::path(dir.path()) / "outside.json", fs::path(dir.path()) / "sub/link.json");
  for (const std::string& name :
       {std::string("../outside.json"), (fs::path(dir.path()) / "outside.json").string(),
        std::string("link.json"), std::string("/etc/passwd")}) {
    const std::string scenario = dir.write("sub/s.yaml", scenario_naming(name));
    const LoadResult r = load_confined(scenario);
    INFO(all_messages(r));
    CHECK_FALSE(r.ok());
    CHECK(all_messages(r) ==
          scenario + ":2:40: '" + name +
              "' for 'configuration_file' is outside the scenario's folder (--confine reads only "
              "files under it, links resolved)\n");
    // Without --confine the same file loads (it is a valid workflow), /etc/passwd aside.
    if (name != "/etc/passwd") CHECK(load_scenario_file(scenario).ok());
  }
  const std::string inside = dir.write("sub/s.yaml", scenario_naming("inside.json"));
  const LoadResult ok = load_confined(inside);
  INFO(all_messages(ok));
  CHECK(ok.ok());
}

TEST_CASE(
    "confinement (--confine) quotes at most a short, escaped excerpt of three errors of a "
    "referenced file",
    "[loader][confine]") {
  TempDir dir;
  std::string lines = "time\n";
  for (int i = 0; i < 10; ++i) lines += "secret-" + std::string(100, 'x') + "\x01\n";
  dir.write("t.csv", lines);
  const std::string scenario = dir.write("s.yaml", R"(task_queues: {Everyone: {}}
workflows: {main: {configuration: {task_routing: {filters: [], default_filter: {queue: Everyone}}}}}
workers: {agents: {count: 2, activity: Available}}
arrivals: {calls: {trace: t.csv}}
)");
  const LoadResult open = load_scenario_file(scenario);
  const LoadResult r = load_confined(scenario);
  INFO(all_messages(r));
  CHECK(open.diagnostics.size() >= 10);
  REQUIRE(r.diagnostics.size() == 4);
  for (int i = 0; i < 3; ++i) {
    CHECK(r.diagnostics[i].message.size() <= 83);
    CHECK(r.diagnostics[i].message.find('\x01') == std::string::npos);
  }
  CHECK(r.diagnostics[3].format() == dir.path() + "/t.csv: 7 more errors not shown (--confine)");
}
