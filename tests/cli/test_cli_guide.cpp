// The user guide's commands work as written. Every line of a ```sh block of docs/guide.md that
// starts with `trsim ` is run from a temporary folder, with --quiet, and must exit 0, or the code
// its trailing comment states (`# exit 1`). Arguments naming a file of the repository (paths from
// its root, as the guide writes them) are passed as absolute paths, so that output files land in
// the temporary folder and never in the repository.
//
// The guide also documents the interface of features other branches are building. A command is
// skipped (with a warning), not failed, when this binary does not have it yet — decided only from
// the binary itself: its verb is not among those `trsim --help` lists, or one of its options is
// not among those `trsim VERB --help` lists. Once the feature lands, its commands run here too.
#include <fstream>
#include <map>
#include <set>

#include "cli_commands.hpp"
#include "cli_support.hpp"

using namespace trsim::test;
using namespace trsim::test::cli;

namespace {

struct GuideCommand {
  int line = 0;
  std::string text;
};

/// The `trsim ...` lines of the guide's ```sh code blocks.
std::vector<GuideCommand> guide_commands(const std::string& markdown) {
  std::vector<GuideCommand> commands;
  bool in_sh = false;
  int number = 0;
  for (const std::string& line : lines_of(markdown)) {
    ++number;
    if (line.rfind("```", 0) == 0) {
      in_sh = !in_sh && line == "```sh";
      continue;
    }
    if (in_sh && line.rfind("trsim ", 0) == 0) commands.push_back({number, line});
  }
  return commands;
}

int expected_exit_code(const CommandLine& cl) {
  if (cl.comment.rfind("exit ", 0) == 0) return std::stoi(cl.comment.substr(5));
  return 0;
}

}  // namespace

TEST_CASE("the guide reader finds the trsim commands of sh blocks and their expected exit codes",
          "[cli]") {
  const std::string page =
      "text\n```sh\ntrsim run a.yaml --json 'x y.json'\ntrsim check b.yaml   # exit 1\n"
      "python3 tool.py\n```\n```yaml\ntrsim run not-a-command.yaml\n```\ntrsim run prose.yaml\n";
  const std::vector<GuideCommand> commands = guide_commands(page);
  REQUIRE(commands.size() == 2);
  CHECK(commands[0].line == 3);
  const CommandLine first = split_command_line(commands[0].text);
  CHECK(first.words == std::vector<std::string>{"trsim", "run", "a.yaml", "--json", "x y.json"});
  CHECK(expected_exit_code(first) == 0);
  const CommandLine second = split_command_line(commands[1].text);
  CHECK(second.words == std::vector<std::string>{"trsim", "check", "b.yaml"});
  CHECK(expected_exit_code(second) == 1);
}

TEST_CASE("every trsim command in docs/guide.md runs as written", "[cli]") {
  const std::string guide = read_file((source_dir() / "docs" / "guide.md").string());
  const std::vector<GuideCommand> commands = guide_commands(guide);
  REQUIRE(commands.size() >= 5);

  TempDir scratch;
  const CliResult top_help = run_trsim({"--help"}, scratch);
  const std::vector<std::string> verbs = listed_verbs(top_help.out);
  REQUIRE_FALSE(verbs.empty());
  std::map<std::string, std::set<std::string>> options_by_verb;
  for (const std::string& verb : verbs)
    options_by_verb[verb] = listed_options(run_trsim({verb, "--help"}, scratch).out);

  int ran = 0;
  for (const GuideCommand& command : commands) {
    INFO("docs/guide.md:" << command.line << ": " << command.text);
    const CommandLine cl = split_command_line(command.text);
    REQUIRE(cl.words.size() >= 2);
    const auto verb = options_by_verb.find(cl.words[1]);
    if (verb == options_by_verb.end()) {
      WARN("skipped: this binary has no verb '" << cl.words[1] << "' yet");
      continue;
    }
    std::string missing;
    for (const std::string& option : options_of(cl))
      if (verb->second.count(option) == 0) missing = option;
    if (!missing.empty()) {
      WARN("skipped: 'trsim " << cl.words[1] << "' has no option " << missing << " yet");
      continue;
    }
    std::vector<std::string> args;
    for (std::size_t i = 1; i < cl.words.size(); ++i) {
      const std::string& word = cl.words[i];
      const bool repository_file = word.rfind('-', 0) != 0 && fs::exists(source_dir() / word);
      args.push_back(repository_file ? (source_dir() / word).string() : word);
    }
    if (std::find(args.begin(), args.end(), "--quiet") == args.end()) args.push_back("--quiet");
    TempDir cwd;
    const CliResult r = run_trsim(args, scratch, cwd.path());
    INFO(describe(r));
    CHECK(r.exit_code == expected_exit_code(cl));
    ++ran;
  }
  CHECK(ran >= 5);
}
