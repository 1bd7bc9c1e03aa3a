// trsim: the command line. Verbs: run, validate, check. Exit codes: 0 success, 1 expectations
// failed, 2 invalid input or usage; anything else is a bug.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli_output.hpp"
#include "trsim/lint.hpp"
#include "trsim/loader.hpp"
#include "trsim/runner.hpp"

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitExpectations = 1;
constexpr int kExitUsage = 2;

const char* const kUsage = R"(usage: trsim VERB SCENARIO.yaml [options]

verbs:
  run        run the scenario and print a summary
  validate   check the scenario and lint routing pitfalls
  check      run and evaluate the scenario's `expect:` list (exit 1 when any falls short)

Run `trsim VERB --help` for the options of a verb.
)";

struct CommonOptions {
  std::string scenario;
  std::vector<std::string> overrides;
  std::optional<std::uint64_t> seed;
  std::optional<std::uint32_t> replications;
  std::uint32_t threads = 1;
  bool quiet = false;
  bool check_invariants = false;
};

/// A whole number in decimal digits only. The numeric options are read as text and converted
/// here because Boost's lexical_cast turns "-1" into the largest unsigned value.
template <typename T>
std::optional<T> parse_unsigned(const std::string& text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

po::options_description common_description(CommonOptions& o) {
  po::options_description d("common options");
  d.add_options()                                                              //
      ("help,h", "show this help")                                            //
      ("set", po::value(&o.overrides)->composing()->value_name("PATH=VALUE"),
       "override a scalar of the scenario by its dotted path (repeatable), e.g. "
       "workflows.main.task_reservation_timeout=45s")                   //
      ("seed", po::value<std::string>()->value_name("N"), "run seed (overrides the scenario's)")  //
      ("replications", po::value<std::string>()->value_name("N"), "number of replications")  //
      ("threads", po::value<std::string>()->value_name("N")->default_value("1"),
       "replications run in parallel on N threads (results identical for any N)")  //
      ("check-invariants", po::bool_switch(&o.check_invariants),
       "verify the engine's invariants after every event (slow)")             //
      ("quiet,q", po::bool_switch(&o.quiet), "print nothing but errors");
  return d;
}

/// Parses the command line of a verb; returns an exit code when it should stop now.
std::optional<int> parse(int argc, char** argv, const std::string& verb, CommonOptions& common,
                         po::options_description& specific, po::variables_map& vm) {
  po::options_description all;
  all.add(common_description(common)).add(specific);
  po::options_description hidden;
  hidden.add_options()("scenario", po::value(&common.scenario));
  po::options_description parsing;
  parsing.add(all).add(hidden);
  po::positional_options_description positional;
  positional.add("scenario", 1);
  try {
    po::store(po::command_line_parser(argc, argv).options(parsing).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "trsim " << verb << ": " << e.what() << "\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << "usage: trsim " << verb << " SCENARIO.yaml [options]\n\n" << all << "\n";
    return kExitOk;
  }
  if (common.scenario.empty()) {
    std::cerr << "trsim " << verb << ": missing the scenario file\n";
    return kExitUsage;
  }
  if (vm.count("seed")) {
    common.seed = parse_unsigned<std::uint64_t>(vm["seed"].as<std::string>());
    if (!common.seed) {
      std::cerr << "trsim " << verb << ": --seed must be a whole number from 0 to 18446744073709551615 (got '"
                << vm["seed"].as<std::string>() << "')\n";
      return kExitUsage;
    }
  }
  if (vm.count("replications")) {
    common.replications = parse_unsigned<std::uint32_t>(vm["replications"].as<std::string>());
    if (!common.replications || *common.replications == 0) {
      std::cerr << "trsim " << verb << ": --replications must be a whole number of at least 1 (got '"
                << vm["replications"].as<std::string>() << "')\n";
      return kExitUsage;
    }
  }
  const auto threads = parse_unsigned<std::uint32_t>(vm["threads"].as<std::string>());
  if (!threads || *threads == 0) {
    std::cerr << "trsim " << verb << ": --threads must be a whole number of at least 1 (got '"
              << vm["threads"].as<std::string>() << "')\n";
    return kExitUsage;
  }
  common.threads = *threads;
  return std::nullopt;
}

/// Loads the scenario with the overrides; prints diagnostics. Empty on error.
std::optional<trsim::Scenario> load(const CommonOptions& o, bool print_warnings) {
  trsim::LoadOptions options;
  options.overrides = o.overrides;
  if (o.seed) options.overrides.push_back("seed=" + std::to_string(*o.seed));
  if (o.replications) options.overrides.push_back("replications=" + std::to_string(*o.replications));
  trsim::LoadResult result = trsim::load_scenario_file(o.scenario, options);
  for (const trsim::Diagnostic& d : result.diagnostics) {
    if (d.severity == trsim::Diagnostic::Severity::error || print_warnings)
      std::cerr << d.format() << "\n";
  }
  if (!result.ok()) return std::nullopt;
  return std::move(result.scenario);
}

trsim::RunSummary simulate(const trsim::Scenario& scenario, const CommonOptions& o,
                           std::ostream* events) {
  trsim::RunSettings settings;
  settings.threads = o.threads;
  settings.events = events;
  settings.check_invariants = o.check_invariants;
  const bool progress = !o.quiet && isatty(STDERR_FILENO) && scenario.replications > 1;
  if (progress) {
    settings.on_progress = [](std::uint32_t done, std::uint32_t total) {
      std::fprintf(stderr, "\rreplications %u/%u", done, total);
      if (done == total) std::fprintf(stderr, "\r\033[K");
      std::fflush(stderr);
    };
  }
  return trsim::run_scenario(scenario, settings);
}

int cmd_run(int argc, char** argv) {
  CommonOptions common;
  std::string json_path, events_path, intervals_path;
  po::options_description specific("run options");
  specific.add_options()                                                                  //
      ("json", po::value(&json_path)->value_name("FILE"), "write the summary JSON to FILE (- = stdout)")     //
      ("events", po::value(&events_path)->value_name("FILE"), "write the event log (JSON Lines) to FILE (- = stdout)")  //
      ("intervals", po::value(&intervals_path)->value_name("FILE"),
       "write the interval table (CSV, means over the replications) to FILE (- = stdout)");
  po::variables_map vm;
  if (auto code = parse(argc, argv, "run", common, specific, vm)) return *code;
  if (!json_path.empty() && json_path == events_path) {
    std::cerr << "trsim run: --json and --events cannot both write to '" << json_path << "'\n";
    return kExitUsage;
  }
  for (const auto& [name, path] : {std::pair{"--json", &json_path}, std::pair{"--events", &events_path}}) {
    if (!intervals_path.empty() && intervals_path == *path) {
      std::cerr << "trsim run: " << name << " and --intervals cannot both write to '" << intervals_path << "'\n";
      return kExitUsage;
    }
  }
  const auto scenario = load(common, !common.quiet);
  if (!scenario) return kExitUsage;

  // Outputs are checked for writability before the run and replaced atomically after it.
  std::optional<trsim::cli::AtomicFile> json_file, events_file, intervals_file;
  try {
    if (!json_path.empty() && json_path != "-") json_file.emplace(json_path);
    if (!events_path.empty() && events_path != "-") events_file.emplace(events_path);
    if (!intervals_path.empty() && intervals_path != "-") intervals_file.emplace(intervals_path);
  } catch (const std::exception& e) {
    std::cerr << "trsim run: " << e.what() << "\n";
    return kExitUsage;
  }
  std::ostream* events = nullptr;
  if (events_file) events = &events_file->stream();
  if (events_path == "-") events = &std::cout;

  const trsim::RunSummary summary = simulate(*scenario, common, events);
  const std::string json = trsim::summary_json(*scenario, summary);
  if (json_file) json_file->stream() << json;
  if (json_path == "-") std::cout << json;
  if (!intervals_path.empty()) {
    const std::string csv = trsim::cli::intervals_csv(summary);
    if (intervals_file) intervals_file->stream() << csv;
    if (intervals_path == "-") std::cout << csv;
  }
  try {
    if (events_file) events_file->commit();
    if (json_file) json_file->commit();
    if (intervals_file) intervals_file->commit();
  } catch (const std::exception& e) {  // e.g. the disk filled up during the run
    std::cerr << "trsim run: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!common.quiet && json_path != "-" && events_path != "-" && intervals_path != "-")
    std::cout << trsim::cli::human_summary(*scenario, summary);
  return kExitOk;
}

int cmd_validate(int argc, char** argv) {
  CommonOptions common;
  bool strict = false;
  po::options_description specific("validate options");
  specific.add_options()("strict", po::bool_switch(&strict),
                         "treat routing lints as errors (exit 2 when any is found)");
  po::variables_map vm;
  if (auto code = parse(argc, argv, "validate", common, specific, vm)) return *code;
  const auto scenario = load(common, true);
  if (!scenario) return kExitUsage;
  const std::vector<std::string> unknown = trsim::cli::unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return kExitUsage;
  // Routing pitfalls: warnings (exit 0) unless --strict.
  const std::vector<trsim::Diagnostic> lints = trsim::lint_scenario(*scenario, {strict});
  for (const trsim::Diagnostic& d : lints) std::cerr << d.format() << "\n";
  const int lint_code = trsim::lint_exit_code(lints);
  if (lint_code != 0) return lint_code;
  if (!common.quiet)
    std::cout << common.scenario << ": ok (" << scenario->workers.size() << " workers, "
              << scenario->task_queues.size() << " task queues, " << scenario->workflows.size()
              << " workflows, " << scenario->arrivals.size() << " arrival streams"
              << (lints.empty() ? "" : ", " + std::to_string(lints.size()) + " lint warnings")
              << ")\n";
  return kExitOk;
}

int cmd_check(int argc, char** argv) {
  CommonOptions common;
  po::options_description specific("check options");
  po::variables_map vm;
  if (auto code = parse(argc, argv, "check", common, specific, vm)) return *code;
  const auto scenario = load(common, !common.quiet);
  if (!scenario) return kExitUsage;
  if (scenario->expectations.empty()) {
    std::cerr << common.scenario << ": the scenario has no `expect:` list to check\n";
    return kExitUsage;
  }
  // A misspelt metric is an input error, found before the run rather than after it.
  const std::vector<std::string> unknown = trsim::cli::unknown_expectation_metrics(*scenario);
  for (const std::string& m : unknown) std::cerr << m << "\n";
  if (!unknown.empty()) return kExitUsage;
  const trsim::RunSummary summary = simulate(*scenario, common, nullptr);
  const trsim::cli::CheckReport report = trsim::cli::check_expectations(*scenario, summary);
  if (!report.unknown_metrics.empty()) {
    for (const std::string& m : report.unknown_metrics) std::cerr << m << "\n";
    return kExitUsage;
  }
  if (!common.quiet || report.failures > 0) std::cout << report.table;
  return report.failures > 0 ? kExitExpectations : kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::cerr << kUsage;
      return kExitUsage;
    }
    const std::string verb = argv[1];
    if (verb == "--help" || verb == "-h" || verb == "help") {
      std::cout << kUsage;
      return kExitOk;
    }
    if (verb == "--version") {
      std::cout << "trsim " << TRSIM_VERSION << "\n";
      return kExitOk;
    }
    if (verb == "run") return cmd_run(argc - 1, argv + 1);
    if (verb == "validate") return cmd_validate(argc - 1, argv + 1);
    if (verb == "check") return cmd_check(argc - 1, argv + 1);
    std::cerr << "trsim: unknown verb '" << verb << "'\n" << kUsage;
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "trsim: internal error: " << e.what() << "\n";
    return 70;
  }
}
