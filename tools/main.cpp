// trsim: the command line. It dispatches to one verb (tools/verb_<name>.cpp). Exit codes: 0
// success, 1 expectations failed, 2 invalid input or usage (including a replication that went
// beyond --max-events); anything else is a bug.
#include <iostream>
#include <string>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "verbs.hpp"

namespace {

struct Verb {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);
};

// The verb table: a new verb is one line here and one file in tools/.
constexpr Verb kVerbs[] = {
    {"run", "run the scenario and print a summary", trsim::cli::verb_run},
    {"validate", "check the scenario and lint routing pitfalls", trsim::cli::verb_validate},
    {"check", "run and evaluate the scenario's `expect:` list (exit 1 when any falls short)",
     trsim::cli::verb_check},
    {"compare",
     "run a base and a change paired under common random numbers; rules on the "
     "differences",
     trsim::cli::verb_compare},
    {"sweep", "run a grid of settings under common random numbers (--shard K/N for clusters)",
     trsim::cli::verb_sweep},
    {"merge", "combine the shards of a sweep into the whole sweep's outputs",
     trsim::cli::verb_merge},
    {"tune", "find the value of one setting that optimises a metric under constraints",
     trsim::cli::verb_tune},
    {"staff", "find the smallest worker counts that meet every `expect:`", trsim::cli::verb_staff},
    {"roster", "choose shifts covering the per-interval requirement at least cost (GLPK), verified",
     trsim::cli::verb_roster},
    {"report", "turn a summary or sweep JSON into a self-contained HTML report",
     trsim::cli::verb_report},
    {"import", "turn a TaskRouter workspace's REST JSON into a scenario", trsim::cli::verb_import},
    {"export",
     "write the scenario as TaskRouter REST JSON (activities, queues, workflows, workers)",
     trsim::cli::verb_export},
};

void print_usage(std::ostream& out) {
  out << "usage: trsim VERB SCENARIO.yaml [options]\n\nverbs:\n";
  for (const Verb& v : kVerbs) {
    std::string name = v.name;
    name.resize(10, ' ');
    out << "  " << name << " " << v.summary << "\n";
  }
  out << "\nRun `trsim VERB --help` for the options and examples of a verb; `trsim --version`.\n";
}

}  // namespace

namespace {

int run_verb(int argc, char** argv) {
  try {
    if (argc < 2) {
      print_usage(std::cerr);
      return trsim::cli::kExitUsage;
    }
    const std::string verb = argv[1];
    if (verb == "--help" || verb == "-h" || verb == "help") {
      print_usage(std::cout);
      return trsim::cli::kExitOk;
    }
    if (verb == "--version") {
      std::cout << "trsim " << TRSIM_VERSION << "\n";
      return trsim::cli::kExitOk;
    }
    for (const Verb& v : kVerbs) {
      if (verb == v.name) return v.run(argc - 1, argv + 1);
    }
    std::cerr << "trsim: unknown verb '" << verb << "'\n";
    print_usage(std::cerr);
    return trsim::cli::kExitUsage;
  } catch (const trsim::EventBudgetExceeded& e) {  // --max-events: a limit, not a bug
    std::cerr << "trsim: " << e.what() << "\n";
    return trsim::cli::kExitUsage;
  } catch (const trsim::OutputFailure& e) {  // a full disk: the user's to fix, not a bug
    std::cerr << "trsim: " << e.what() << "; no output was replaced\n";
    return trsim::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "trsim: internal error: " << e.what() << "\n";
    return trsim::cli::kExitInternal;
  }
}

}  // namespace

int main(int argc, char** argv) {
  trsim::cli::prepare_process();
  return trsim::cli::finish_stdout(run_verb(argc, argv));
}
