// `trsim report`: turns a run's summary JSON (`trsim run --json`) or a sweep's JSON (`trsim sweep
// --json`) into one self-contained HTML page (tools/report/).
#include <cassert>
#include <iostream>
#include <string>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "cli_text.hpp"
#include "report/report_html.hpp"
#include "trsim/json.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

int verb_report(int argc, char** argv) {
  const char* synopsis = "SUMMARY.json -o REPORT.html   (SUMMARY.json - = stdin)";
  const char* examples =
      "  trsim run scenarios/support-centre.yaml --replications 10 --json summary.json\n"
      "  trsim report summary.json -o support-centre.html\n"
      "  trsim run scenarios/timeout-cascade.yaml --report cascade.html   # in one step\n"
      "  trsim run scenarios/quickstart.yaml --json - --quiet | trsim report - -o quickstart.html\n"
      "  trsim sweep scenarios/timeout-cascade.yaml --set "
      "workflows.support.task_reservation_timeout=15s,30s,60s "
      "--json sweep.json && trsim report sweep.json -o sweep.html\n"
      "  trsim tune scenarios/tune-timeout.yaml --param workflows.main.task_reservation_timeout "
      "--range 5..60 --objective min:workspace.avg_task_acceptance_time --json tune.json && "
      "trsim report tune.json -o tune.html\n";
  std::string input, output, max_input = std::to_string(kDefaultMaxInputBytes);
  po::options_description options("report options");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("output,o", po::value(&output)->value_name("FILE"),
       "write the HTML page to FILE (- = stdout)")  //
      ("max-input-size", po::value(&max_input)->value_name("BYTES"),
       "refuse an input larger than BYTES (default 67108864, 64 MiB)");
  po::options_description hidden;
  hidden.add_options()("input", po::value(&input));
  po::variables_map vm;
  if (!parse_with_operands(argc, argv, "report", options, hidden, "input", 1, vm))
    return kExitUsage;
  if (vm.count("help")) {
    std::cout << format_help(std::string("usage: trsim report ") + synopsis,
                             "One self-contained HTML page (inline SVG charts, no scripts) from a "
                             "run's summary JSON or a sweep's or a tuning's JSON; docs/report.md "
                             "describes each chart.",
                             {{"report options", &options}}, examples, help_width());
    return kExitOk;
  }
  if (input.empty() || output.empty()) {
    std::cerr << "trsim report: "
              << (input.empty() ? "missing the summary JSON file" : "missing -o REPORT.html")
              << " (usage: trsim report " << synopsis << ")\n";
    return kExitUsage;
  }
  // The output is checked (writable, not the input) before anything is read.
  OutputSet outputs("report");
  outputs.add_input(input);
  outputs.add("--output", output);
  if (!outputs.open()) return kExitUsage;
  std::uint64_t max_bytes = 0;
  if (auto code = parse_max_input_size("report", max_input, max_bytes)) return *code;
  std::string why;
  std::optional<Value> document;
  {
    // The text is let go once parsed: the page is made from the document alone.
    const std::optional<std::string> text = read_input_file(input, max_bytes, &why);
    if (!text) {
      std::cerr << why << "\n";
      return kExitUsage;
    }
    JsonError error;
    document = parse_json(*text, &error);
    if (!document) {
      std::cerr << input << ":" << error.line << ":" << error.column << ": " << error.message
                << "\n";
      return kExitUsage;
    }
  }
  // The page is written as it is made (never whole in memory); nothing is written when the
  // document is not a report's input.
  std::ostream* out = outputs.stream("--output");
  assert(out != nullptr);  // -o is required (checked above) and opened
  if (!report::render_report(*document, *out, &why)) {
    std::cerr << input << ":1:1: " << why << "\n";
    return kExitUsage;
  }
  if (!outputs.commit()) return kExitUsage;
  return kExitOk;
}

}  // namespace trsim::cli
