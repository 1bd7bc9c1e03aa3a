// Outputs that can never hurt the user's files (docs/guide.md, "Safety"): temporaries that no
// planted link can redirect, outputs that may not name an input or each other by any spelling,
// devices written in place, checked standard output, temporaries removed on signals, and a run's
// outputs replaced as a set.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

const std::string kQuickstart = scenario_path("quickstart.yaml");

/// Starts `trsim ARGS...` with the default signal dispositions, its output thrown away; its pid.
pid_t spawn_quietly(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  const int null_fd = ::open("/dev/null", O_RDWR);
  ::dup2(null_fd, 0);
  ::dup2(null_fd, 1);
  ::dup2(null_fd, 2);
  std::vector<std::string> argv_text = {TRSIM_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(TRSIM_BINARY, argv.data());
  ::_exit(127);
}

// A scenario that reads one file of each kind: a configuration file, a trace and an empirical
// file.
struct ScenarioWithFiles {
  std::string scenario, configuration, trace, empirical;
};

ScenarioWithFiles write_scenario_with_files(const TempDir& dir) {
  ScenarioWithFiles s;
  s.configuration =
      dir.write("workflow.json",
                R"({"task_routing": {"filters": [], "default_filter": {"queue": "Everyone"}}})");
  s.trace = dir.write("trace.csv", "time\n0\n30s\n90\n");
  s.empirical = dir.write("handle.csv", "120\n3m\n");
  s.scenario = dir.write("files.yaml", R"(horizon: 1h
task_queues: {Everyone: {}}
workflows: {main: {configuration_file: workflow.json}}
workers: {agents: {count: 2, activity: Available}}
arrivals:
  replay: {trace: trace.csv, handle_time: {empirical: {file: handle.csv}}}
)");
  return s;
}

}  // namespace

TEST_CASE("a link planted at any temporary name is never written through", "[cli][files]") {
  TempDir dir;
  const std::string victim = dir.write("victim.txt", "the user's own file\n");
  const std::string out = path_in(dir, "out.json");
  // The fixed temporary name older versions used, and a few guesses of the new ones.
  fs::create_symlink(victim, out + ".tmp-trsim");
  fs::create_symlink(victim, path_in(dir, ".out.json.trsim-aaaaaaaa"));
  const CliResult r = run_trsim({"run", kQuickstart, "--json", out, "--quiet"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(victim) == "the user's own file\n");
  CHECK(fs::is_symlink(out + ".tmp-trsim"));
  CHECK(fs::is_regular_file(fs::symlink_status(out)));
  CHECK(contains(read_file(out), "\"scenario\": \"quickstart\""));
  CHECK(files_in(dir.path()) == std::vector<std::string>{".out.json.trsim-aaaaaaaa", "out.json",
                                                         "out.json.tmp-trsim", "victim.txt"});
}

TEST_CASE("an output that is a link replaces the file it names and stays a link", "[cli][files]") {
  TempDir dir;
  const std::string target = dir.write("real.json", "old\n");
  const std::string link = path_in(dir, "link.json");
  fs::create_symlink(target, link);
  const CliResult r = run_trsim({"run", kQuickstart, "--json", link, "--quiet"}, dir);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK(fs::is_symlink(link));
  CHECK(contains(read_file(target), "\"scenario\": \"quickstart\""));
  // A link to nothing is refused rather than followed into a new file.
  const std::string dangling = path_in(dir, "dangling.json");
  fs::create_symlink(path_in(dir, "nowhere/x.json"), dangling);
  const CliResult d = run_trsim({"run", kQuickstart, "--json", dangling, "--quiet"}, dir);
  INFO(describe(d));
  CHECK(d.exit_code == 2);
  CHECK(contains(d.err, "cannot write '" + dangling + "': it is a link to a file that does not"));
  CHECK(fs::is_symlink(dangling));
}

TEST_CASE(
    "an output naming an input of any kind, by any spelling or a hard link, exits 2 "
    "before anything is written",
    "[cli][files]") {
  TempDir dir;
  const ScenarioWithFiles s = write_scenario_with_files(dir);
  const CliResult ok = run_trsim({"run", s.scenario, "--quiet"}, dir);
  INFO(describe(ok));
  REQUIRE(ok.exit_code == 0);
  const std::string alias = path_in(dir, "hard-link.yaml");
  fs::create_hard_link(s.scenario, alias);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"./files.yaml", "files.yaml"},  // the scenario by another spelling (run in dir)
      {alias, s.scenario},             // a hard link to the scenario
      {s.configuration, s.configuration},
      {"sub/../trace.csv", "trace.csv"},
      {s.empirical, s.empirical},
  };
  fs::create_directories(path_in(dir, "sub"));
  for (const auto& [output, input] : cases) {
    for (const char* option : {"--json", "--events", "--intervals", "--report"}) {
      const std::string before = read_file(path_in(dir, fs::path(input).filename().string()));
      const CliResult r = run_trsim({"run", "files.yaml", option, output}, dir, dir.path());
      INFO(describe(r));
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(contains(r.err, std::string(option) + " '" + output + "' would overwrite"));
      CHECK(read_file(path_in(dir, fs::path(input).filename().string())) == before);
    }
  }
  // check --junit and sweep --csv likewise.
  const std::string before = read_file(s.trace);
  CHECK(run_trsim({"check", s.scenario, "--junit", s.trace}, dir).exit_code == 2);
  CHECK(run_trsim({"sweep", s.scenario, "--set", "workers.agents.count=1,2", "--csv", s.trace}, dir)
            .exit_code == 2);
  CHECK(read_file(s.trace) == before);
}

TEST_CASE("two outputs naming one file by different spellings exit 2 and leave it untouched",
          "[cli][files]") {
  TempDir dir;
  const std::string old_text = "an earlier run's summary\n";
  dir.write("E18.out", old_text);
  fs::create_hard_link(path_in(dir, "E18.out"), path_in(dir, "alias.out"));
  for (const auto& [a, b] : std::vector<std::pair<std::string, std::string>>{
           {"E18.out", "./E18.out"},
           {"E18.out", "alias.out"},
           {"E18.out", "../" + fs::path(dir.path()).filename().string() + "/E18.out"}}) {
    const CliResult r =
        run_trsim({"run", kQuickstart, "--json", a, "--intervals", b}, dir, dir.path());
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--json and --intervals cannot both write to 'E18.out'"));
    CHECK(read_file(path_in(dir, "E18.out")) == old_text);
  }
}

TEST_CASE("merge refuses an output that is one of its shards, report one that is its input",
          "[cli][files]") {
  TempDir dir;
  const std::string part0 = path_in(dir, "p0.json"), part1 = path_in(dir, "p1.json");
  for (const auto& [k, p] : {std::pair{"0/2", part0}, std::pair{"1/2", part1}}) {
    const CliResult r = run_trsim({"sweep", kQuickstart, "--set", "workers.bilingual.count=7,8",
                                   "--replications", "2", "--shard", k, "--json", p, "--quiet"},
                                  dir);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
  }
  const std::string shard = read_file(part1);
  const CliResult m =
      run_trsim({"merge", "p0.json", "p1.json", "--json", "./p1.json"}, dir, dir.path());
  INFO(describe(m));
  CHECK(m.exit_code == 2);
  CHECK(contains(m.err, "--json './p1.json' would overwrite 'p1.json'"));
  CHECK(read_file(part1) == shard);

  const std::string summary = path_in(dir, "s.json");
  REQUIRE(run_trsim({"run", kQuickstart, "--json", summary, "--quiet"}, dir).exit_code == 0);
  const std::string text = read_file(summary);
  const CliResult r = run_trsim({"report", summary, "-o", summary}, dir);
  INFO(describe(r));
  CHECK(r.exit_code == 2);
  CHECK(read_file(summary) == text);
}

TEST_CASE("a device output is written in place, never replaced", "[cli][files]") {
  TempDir dir;
  struct stat before {};
  REQUIRE(::stat("/dev/full", &before) == 0);
  const CliResult full = run_trsim({"run", kQuickstart, "--json", "/dev/full"}, dir);
  INFO(describe(full));
  CHECK(full.exit_code == 2);
  CHECK(contains(full.err, "cannot write '/dev/full': No space left on device"));
  struct stat after {};
  REQUIRE(::stat("/dev/full", &after) == 0);
  CHECK(S_ISCHR(after.st_mode));
  CHECK(after.st_ino == before.st_ino);
  // A link to a device: written through, the link kept.
  const std::string link = path_in(dir, "null-link");
  fs::create_symlink("/dev/null", link);
  const CliResult null = run_trsim({"run", kQuickstart, "--json", link, "--quiet"}, dir);
  INFO(describe(null));
  CHECK(null.exit_code == 0);
  CHECK(fs::is_symlink(link));
  CHECK(fs::is_character_file("/dev/null"));
  CHECK(files_in(dir.path()) == std::vector<std::string>{"null-link"});
}

TEST_CASE("an output that cannot be written says why, in the system's words, and exits 2",
          "[cli][files]") {
  TempDir dir;
  const std::string file = dir.write("a-file", "x");
  struct Case {
    std::string path, reason;
  };
  std::vector<Case> cases = {
      {path_in(dir, "no-such-folder/summary.json"), "No such file or directory"},
      {file + "/summary.json", "Not a directory"},
  };
  // Permission denied: a folder without write permission (root ignores the mode bits, but not a
  // sysfs that refuses new files).
  if (::geteuid() != 0) {
    const std::string locked = path_in(dir, "locked");
    fs::create_directories(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    cases.push_back({locked + "/summary.json", "Permission denied"});
  } else {
    cases.push_back({"/sys/trsim-summary.json", "Permission denied"});
  }
  for (const Case& c : cases) {
    const CliResult r = run_trsim({"run", kQuickstart, "--json", c.path}, dir);
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    const bool read_only = contains(r.err, "Read-only file system");  // a sysfs mounted so
    CHECK((contains(r.err, "cannot write '" + c.path + "': " + c.reason) || read_only));
  }
}

TEST_CASE("a full or closed standard output exits 2 with the system's reason", "[cli][files]") {
  TempDir dir;
  const std::string summary = path_in(dir, "s.json");
  REQUIRE(run_trsim({"run", kQuickstart, "--json", summary, "--quiet"}, dir).exit_code == 0);
  const std::string err = path_in(dir, "err.txt");
  const std::vector<std::vector<std::string>> commands = {
      {"run", kQuickstart, "--json", "-"},
      {"run", kQuickstart, "--events", "-"},
      {"run", kQuickstart},  // the printed summary
      {"report", summary, "-o", "-"},
      {"check", scenario_path("check-pass.yaml"), "--junit", "-"},
      {"validate", kQuickstart},
  };
  for (const auto& args : commands) {
    for (const std::string& redirect : {std::string(">/dev/full"), std::string(">&-")}) {
      const std::string command = trsim_command(args) + " " + redirect + " 2>" + shell_quote(err);
      const int code = shell(command);
      INFO(command << "\n" << read_file(err));
      CHECK(code == 2);
      CHECK(contains(read_file(err), redirect == ">&-"
                                         ? "cannot write to standard output: Bad file descriptor"
                                         : "cannot write to standard output: No space left"));
    }
  }
  // Nothing printed, nothing to fail: --quiet with a closed stdout is fine.
  CHECK(shell(trsim_command({"run", kQuickstart, "--quiet"}) + " >&-") == 0);
}

TEST_CASE("a full or closed standard output replaces none of the files named beside it",
          "[cli][files]") {
  // What goes to standard output is written out before any named file is renamed: a failure
  // there leaves every previous output as it was (they were replaced first, before).
  TempDir dir;
  const std::string json = dir.write("s.json", "previous summary\n");
  const std::string events = dir.write("e.jsonl", "previous events\n");
  const std::string markdown = dir.write("r.md", "previous markdown\n");
  const std::string err = path_in(dir, "err.txt");
  const std::vector<std::vector<std::string>> commands = {
      {"run", kQuickstart, "--json", "-", "--events", events, "--intervals", markdown},
      {"run", kQuickstart, "--events", "-", "--json", json},
      {"check", scenario_path("check-pass.yaml"), "--junit", "-", "--markdown", markdown},
      {"check", scenario_path("check-pass.yaml"), kQuickstart, "--junit", "-", "--markdown",
       markdown},
      {"sweep", kQuickstart, "--set", "workers.bilingual.count=7,8", "--csv", "-", "--json", json},
  };
  for (const auto& args : commands) {
    for (const std::string& redirect : {std::string(">/dev/full"), std::string(">&-")}) {
      const std::string command = trsim_command(args) + " " + redirect + " 2>" + shell_quote(err);
      const int code = shell(command);
      const std::string said = read_file(err);
      INFO(command << "\n" << said);
      CHECK(code == 2);
      CHECK(contains(said, "cannot write to standard output"));
      CHECK(contains(said, "no output was replaced"));
      CHECK(read_file(json) == "previous summary\n");
      CHECK(read_file(events) == "previous events\n");
      CHECK(read_file(markdown) == "previous markdown\n");
      CHECK(files_in(dir.path()) ==
            std::vector<std::string>{"e.jsonl", "err.txt", "r.md", "s.json"});
    }
  }
}

TEST_CASE(
    "SIGINT, SIGTERM, SIGHUP and SIGPIPE during a run leave no temporary and the previous "
    "outputs intact",
    "[cli][files][signals]") {
  TempDir dir;
  const std::string json = dir.write("s.json", "previous summary\n");
  const std::string events = dir.write("e.jsonl", "previous events\n");
  const struct {
    int signal;
    std::vector<std::string> args;
  } cases[] = {
      {SIGINT, {"run", kQuickstart, "--json", json, "--events", events}},
      {SIGTERM, {"run", kQuickstart, "--json", json, "--events", events}},
      {SIGHUP, {"run", kQuickstart, "--json", json, "--events", events}},
      {SIGPIPE, {"run", kQuickstart, "--json", json, "--events", events}},
      {SIGTERM, {"check", scenario_path("check-pass.yaml"), "--junit", json}},
      {SIGTERM, {"sweep", kQuickstart, "--set", "workers.bilingual.count=7,8", "--json", json}},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    // A run long enough to be stopped midway: its 100,000 replications' results would need more
    // than the default memory limit by the end, which it never reaches.
    for (const char* a : {"--replications", "100000", "--max-memory", "1T", "--quiet"})
      args.push_back(a);
    const pid_t pid = spawn_quietly(args);
    REQUIRE(pid > 0);
    bool temporary_seen = false;
    for (int i = 0; i < 400 && !temporary_seen; ++i) {
      for (const std::string& name : files_in(dir.path()))
        if (contains(name, ".trsim-")) temporary_seen = true;
      if (!temporary_seen) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    CHECK(temporary_seen);
    ::kill(pid, c.signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    INFO("signal " << c.signal << ": " << args[0]);
    CHECK(WIFSIGNALED(status));  // it died of the signal, as the shell expects
    CHECK(WTERMSIG(status) == c.signal);
    // REQUIRE: a temporary left behind would be "seen" by the next case at once, which would then
    // kill its child before it even started.
    REQUIRE(files_in(dir.path()) == std::vector<std::string>{"e.jsonl", "s.json"});
    CHECK(read_file(json) == "previous summary\n");
    CHECK(read_file(events) == "previous events\n");
  }
}

TEST_CASE("a file-size limit reached by one output replaces none of the run's outputs",
          "[cli][files]") {
  TempDir dir;
  const std::string json = dir.write("s.json", "previous summary\n");
  const std::string events = dir.write("e.jsonl", "previous events\n");
  const std::string intervals = dir.write("i.csv", "previous intervals\n");
  const std::string err = path_in(dir, "err.txt");
  // 64 KiB: the interval table fits, the summary and the event log do not.
  const std::string command = "ulimit -f 64 && " +
                              trsim_command({"run", kQuickstart, "--intervals", intervals, "--json",
                                             json, "--events", events}) +
                              " 2>" + shell_quote(err);
  const int code = shell(command);
  INFO(command << "\n" << read_file(err));
  CHECK(code == 2);
  CHECK(contains(read_file(err), "File too large"));
  CHECK(read_file(json) == "previous summary\n");
  CHECK(read_file(events) == "previous events\n");
  CHECK(read_file(intervals) == "previous intervals\n");
  CHECK(files_in(dir.path()) == std::vector<std::string>{"e.jsonl", "err.txt", "i.csv", "s.json"});
}
