// Every diagnostic the loader can give has a scenario in scenarios/invalid/ that produces it.
//
// How: the message templates are read from the loader's source (sim/loader*.cpp and the unit
// parsers of sim/model/units.cpp): the string literal of every fmt::format(...) and every literal
// message passed to error(...) / fail(...) / report(...), adjacent literals joined, leaving out
// those inside a warning(...) call. Each becomes a pattern ("{}" = anything) that the message text
// of some `# expect:` line must match. Scanning the source rather than keeping a hand-written list
// means a new diagnostic cannot be added without a scenario: this test names it. Literals that are
// not messages (names, number formats) or only fragments of one (hints appended to another
// message) are listed in kNotMessages, with why.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/scenario_fixture.hpp"
#include "trsim/loader.hpp"

namespace fs = std::filesystem;

namespace {

// Literals the scan finds that are not a diagnostic of their own.
const std::set<std::string> kNotMessages = {
    "",  // r.root(*root, "") (a path, not a message)
    // Fragments appended to another message (that message's scenario covers them).
    " (looked for '{}')",
    " (no {} is declared)",
    " (declared: {})",
    "; did you mean '{}'?",
    "in '{}'",
    "task queue '{}'",
    "worker group '{}'",
    "'{}'",
    // Parts of the memory estimate that a refusal names as its largest part ("... the largest
    // part is {}: {}"): scenarios/invalid/memory-*.yaml show the interval tables and the workers,
    // tests/cli/test_cli_memory.cpp the summary's text and the collector's time per activity.
    "the engine's and collector's state of {} ({} bytes each{}) for {} running at once",
    ", with the time in each of {}",
    "the matching indexes of {} × {}, in each of {} running at once",
    "the summary's text of the interval tables' mean and ci95 ({} × {} × {})",
    "the statistics: {} nodes for each of {} and their aggregate",
    "the {} rows of trace '{}', and their attributes in each of {} running at once",
    ", each with a copy of {} of attributes",
    // Text that is not a message: locations, paths, durations and numbers inside messages.
    ":{}:{}",
    "{}[{}]",
    "{}.{}",
    "{}s",
    "{}{}",
    "{}",
    "{:.12g}",
    // Internal errors: a caught exception is a bug, reported rather than crashed on; no scenario
    // can (or should) produce one.
    "internal error while loading the scenario ({}); please report it",
    // Unreachable from any input: a std::exception other than yaml-cpp's from the YAML reader, or
    // a file that grows past the size limit while it is read after its size was checked.
    "cannot read YAML: {}",
    "cannot read the value: {}",
    "the file is too large (the limit is {} bytes)",
    // A file that exists but cannot be opened: permissions do not stop root, which CI runs as.
    "cannot open it ({})",
    // The unit parsers' own negative checks: the loader rejects a leading '-' first, with its own
    // message ("negative duration for ...", "negative rate for ...", covered by scenarios).
    "durations cannot be negative",
    "rates cannot be negative",
};

// Diagnostics no scenario file can produce (they need --set, or a file that is missing, huge or
// holds a thousand errors): the test case "diagnostics that need more than a scenario file" below
// produces each of them.
const std::set<std::string> kProducedByTestCase = {
    "expected PATH=VALUE, got '{}'",
    "empty name in the path '{}'",
    "YAML syntax error in the value: {}",
    "'{}' is not an index of the list '{}' (it has {} items, 0 to {})",
    "'{}' is a single value, so it has no '{}'",
    "no '{}' {}{}",
    "{} more problems not shown (only the first {} are listed)",
    "cannot read the scenario: {}",
    "the file is too large ({} bytes; the limit is {})",
    // --confine (tests/unit/test_loader_confine.cpp produces both).
    "'{}' for '{}' is outside the scenario's folder (--confine reads only files under it, links "
    "resolved)",
    "{} more errors not shown (--confine)",
    // A 1 MB anchor repeated by 5000 aliases (a 5 GB scenario in 1 MB of YAML).
    "with its aliases expanded the scenario holds more than {} of text (an alias repeats what its "
    "anchor holds), more than the memory limit (raise it with --max-memory)",
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string unescape(const std::string& literal_body) {
  std::string out;
  for (std::size_t i = 0; i < literal_body.size(); ++i) {
    if (literal_body[i] == '\\' && i + 1 < literal_body.size()) ++i;
    out += literal_body[i];
  }
  return out;
}

struct Template {
  std::string text;
  std::string where;  ///< file:line
};

std::vector<Template> message_templates() {
  // The loader's sources (lint.cpp writes warnings, not errors) and the unit parser it uses.
  const fs::path sim = fs::path(TRSIM_SCENARIO_DIR) / ".." / "sim";
  std::vector<fs::path> files{sim / "model" / "units.cpp"};
  for (const auto& e : fs::directory_iterator(sim / "load")) {
    const std::string name = e.path().filename().string();
    // The workspace importer's messages are about TaskRouter JSON, not a scenario:
    // tests/cli/test_cli_import.cpp covers them.
    if (e.path().extension() == ".cpp" && name != "lint.cpp" && name != "workspace_import.cpp")
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  static const std::regex call(
      R"re((fmt::format\(\s*|\b(?:error|fail|report)\([^;"]*?,\s*|\bfail\(\s*)((?:"(?:[^"\\]|\\.)*"\s*)+))re");
  static const std::regex literal(R"re("((?:[^"\\]|\\.)*)")re");
  std::vector<Template> out;
  for (const fs::path& f : files) {
    const std::string src = read(f);
    for (auto it = std::sregex_iterator(src.begin(), src.end(), call); it != std::sregex_iterator();
         ++it) {
      const std::size_t at = static_cast<std::size_t>(it->position(0));
      // The statement so far: a literal inside a warning(...) call is not an error message.
      const std::size_t start =
          std::max({src.rfind(';', at) + 1, src.rfind("{\n", at) + 1, src.rfind("}\n", at) + 1});
      if (src.substr(start, at - start).find("warning(") != std::string::npos) continue;
      std::string text;
      const std::string lits = (*it)[2];
      for (auto l = std::sregex_iterator(lits.begin(), lits.end(), literal);
           l != std::sregex_iterator(); ++l)
        text += unescape((*l)[1]);
      const auto line = std::count(src.begin(), src.begin() + static_cast<long>(at), '\n') + 1;
      out.push_back({text, f.filename().string() + ":" + std::to_string(line)});
    }
  }
  return out;
}

// "unknown {} '{}'{}" -> a regex where each replacement field matches anything.
std::regex pattern_of(const std::string& t) {
  std::string re;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '{' && i + 1 < t.size() && t[i + 1] == '{') {
      re += "\\{";
      ++i;
    } else if (c == '}' && i + 1 < t.size() && t[i + 1] == '}') {
      re += "\\}";
      ++i;
    } else if (c == '{') {
      i = t.find('}', i);
      re += ".*";
    } else {
      if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) re += '\\';
      re += c;
    }
  }
  return std::regex(re);
}

std::vector<std::string> expected_messages() {
  std::vector<std::string> out;
  static const std::regex expect(R"(^# expect: [^:]+:\d+:\d+: (.+)$)");
  for (const auto& e : fs::directory_iterator(fs::path(TRSIM_SCENARIO_DIR) / "invalid")) {
    if (e.path().extension() != ".yaml") continue;
    std::ifstream in(e.path());
    std::string first;
    std::getline(in, first);
    std::smatch m;
    if (std::regex_match(first, m, expect)) out.push_back(m[1]);
  }
  return out;
}

}  // namespace

TEST_CASE("every loader diagnostic has an invalid scenario that produces it", "[loader][invalid]") {
  const std::vector<Template> templates = message_templates();
  REQUIRE(templates.size() > 100);  // the scan still finds the loader's messages
  const std::vector<std::string> expects = expected_messages();
  std::string missing;
  for (const Template& t : templates) {
    if (kNotMessages.count(t.text) || kProducedByTestCase.count(t.text)) continue;
    const std::regex re = pattern_of(t.text);
    const bool covered = std::any_of(expects.begin(), expects.end(), [&](const std::string& e) {
      return std::regex_search(e, re);
    });
    if (!covered) missing += t.where + ": " + t.text + "\n";
  }
  INFO(
      "diagnostics without a scenario in scenarios/invalid/ (add one whose first line is "
      "`# expect: FILE:LINE:COL: <the whole message>`):\n"
      << missing);
  CHECK(missing.empty());
}

TEST_CASE("the diagnostic scan's exclusions are still in the source", "[loader][invalid]") {
  std::set<std::string> found;
  for (const Template& t : message_templates()) found.insert(t.text);
  for (const auto* list : {&kNotMessages, &kProducedByTestCase}) {
    for (const std::string& t : *list) {
      INFO("the exclusions list '" << t << "', which the loader no longer has: remove it");
      CHECK(found.count(t) == 1);
    }
  }
}

namespace {

const char* const kValid = R"(expect:
  - {metric: workspace.tasks_created, min: 1}
task_queues: {Everyone: {}}
workflows:
  main: {configuration: {task_routing: {filters: [], default_filter: {queue: Everyone}}}}
workers: {agents: {count: 2, activity: Available}}
arrivals: {calls: {rate: 60/h, handle_time: 5m}}
)";

std::string first_error(const trsim::LoadResult& r) {
  for (const trsim::Diagnostic& d : r.diagnostics)
    if (d.severity == trsim::Diagnostic::Severity::error) return d.format();
  return "(no error)";
}

std::string with_override(const std::string& set) {
  trsim::LoadOptions options;
  options.overrides = {set};
  return first_error(trsim::load_scenario_text(kValid, "s.yaml", ".", options));
}

}  // namespace

TEST_CASE("diagnostics that need more than a scenario file", "[loader][invalid]") {
  CHECK(with_override("horizon") == "--set:1:1: expected PATH=VALUE, got 'horizon'");
  CHECK(with_override("workers..count=3") == "--set:1:9: empty name in the path 'workers..count'");
  CHECK_THAT(with_override("horizon=[1h"),
             Catch::Matchers::StartsWith("--set:1:") &&
                 Catch::Matchers::Contains("YAML syntax error in the value: "));
  CHECK(with_override("expect.3.min=2") ==
        "--set:1:8: '3' is not an index of the list 'expect' (it has 1 items, 0 to 0)");
  CHECK(with_override("workers.agents.count.x=2") ==
        "--set:1:22: 'workers.agents.count' is a single value, so it has no 'x'");
  CHECK_THAT(with_override("workers.agnets.count=3"),
             Catch::Matchers::StartsWith("--set:1:9: no 'agnets' in 'workers'"));

  std::string aliases = "arrivals: {calls: {rate: 1/h, attributes: {a0: &big " +
                        std::string(std::size_t{1} << 20, 'y');
  for (int i = 1; i <= 5000; ++i) {
    aliases += ", a";
    aliases += std::to_string(i);
    aliases += ": *big";
  }
  aliases += "}}}\n";
  const trsim::LoadResult expanded = trsim::load_scenario_text(aliases, "aliases.yaml", ".");
  REQUIRE(expanded.diagnostics.size() == 1);
  CHECK_THAT(expanded.diagnostics.front().format(),
             Catch::Matchers::StartsWith("aliases.yaml:1:") &&
                 Catch::Matchers::Contains(": with its aliases expanded the scenario holds more "
                                           "than 4 GiB of text"));

  std::string many = "horizon: 1h\n";
  for (int i = 0; i < 1100; ++i) many += "unknown_" + std::to_string(i) + ": 1\n";
  const trsim::LoadResult flood = trsim::load_scenario_text(many, "many.yaml", ".");
  REQUIRE_FALSE(flood.diagnostics.empty());
  CHECK_THAT(flood.diagnostics.back().format(),
             Catch::Matchers::Contains("more problems not shown (only the first 1000 are listed)"));

  CHECK(first_error(trsim::load_scenario_file("/no/such/folder/s.yaml")) ==
        "/no/such/folder/s.yaml: cannot read the scenario: no such file");
  const trsim::test::TempDir dir;  // a folder of its own: worktrees run their suites at once
  const fs::path huge = fs::path(dir.path()) / "huge-scenario.yaml";
  { std::ofstream(huge) << "horizon: 1h\n"; }
  fs::resize_file(huge, (std::uintmax_t{1} << 30) + 1);  // sparse: nothing is written
  CHECK_THAT(
      first_error(trsim::load_scenario_file(huge.string())),
      Catch::Matchers::Contains("cannot read the scenario: the file is too large (1073741825 "
                                "bytes; the limit is 1073741824)"));
}
