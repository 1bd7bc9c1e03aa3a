// `trsim run`: runs the replications and writes the summary, the event log and the interval table.
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "report/report_html.hpp"
#include "trsim/json.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

int verb_run(int argc, char** argv) {
  const VerbHelp help{"run", "SCENARIO.yaml [options]",
                      "  trsim run scenarios/quickstart.yaml\n"
                      "  trsim run scenarios/support-centre.yaml --replications 20 --threads 2 "
                      "--json summary.json\n"
                      "  trsim run scenarios/quickstart.yaml --set "
                      "workflows.support.task_reservation_timeout=15s --events -\n"
                      "  trsim run scenarios/timeout-cascade.yaml --report cascade.html\n"};
  CommonOptions common;
  std::string json_path, events_path, intervals_path, report_path, stats_csv_path,
      worker_stats_path, events_format = "jsonl";
  po::options_description specific("run options");
  specific.add_options()  //
      ("json", po::value(&json_path)->value_name("FILE"),
       "write the summary JSON to FILE (- = stdout)")  //
      ("events", po::value(&events_path)->value_name("FILE"),
       "write the event log (JSON Lines) to FILE (- = stdout)")  //
      ("events-format", po::value(&events_format)->value_name("jsonl|taskrouter"),
       "the event log's format: trsim's JSON Lines (default), or TaskRouter's Event resources "
       "as the Events API returns them, an {\"events\": [...]} page (one event per line when "
       "FILE ends in .jsonl or is -)")  //
      ("intervals", po::value(&intervals_path)->value_name("FILE"),
       "write the interval table (CSV, means over the replications) to FILE (- = stdout)")  //
      ("stats-csv", po::value(&stats_csv_path)->value_name("FILE"),
       "write the summary statistics in long form (CSV: scope_kind, scope_name, metric, "
       "statistic, value) to FILE (- = stdout)")  //
      ("worker-stats", po::value(&worker_stats_path)->value_name("FILE"),
       "keep each worker's cumulative statistics (statistics.per_worker) and write them as CSV "
       "(one row per worker, means over the replications) to FILE (- = stdout)")  //
      ("report", po::value(&report_path)->value_name("FILE"),
       "write the HTML report (what `trsim report` makes of the summary) to FILE");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  if (report_path == "-") {
    std::cerr << "trsim run: --report needs a file name (use `trsim report SUMMARY.json -o -` for "
                 "stdout)\n";
    return kExitUsage;
  }
  if (events_format != "jsonl" && events_format != "taskrouter") {
    std::cerr << "trsim run: --events-format must be jsonl or taskrouter (got '" << events_format
              << "')\n";
    return kExitUsage;
  }
  const bool taskrouter_events = events_format == "taskrouter";
  // An Events API page unless one event per line was asked for (.jsonl, or stdout).
  const bool events_page =
      taskrouter_events && events_path != "-" &&
      !(events_path.size() >= 6 && events_path.compare(events_path.size() - 6, 6, ".jsonl") == 0);
  std::vector<std::string> inputs;
  // --worker-stats keeps each worker's statistics: set before the load, so that the memory
  // estimate charges them.
  std::vector<std::string> extra;
  if (!worker_stats_path.empty()) extra.emplace_back("statistics.per_worker=true");
  auto scenario = load(common, !common.quiet, extra, &inputs);
  if (!scenario) return kExitUsage;

  // Outputs are checked (writable, naming no input and no other output) before the run, and
  // replaced together after it.
  OutputSet outputs("run");
  outputs.add_inputs(inputs);
  outputs.add("--json", json_path);
  outputs.add("--events", events_path);
  outputs.add("--intervals", intervals_path);
  outputs.add("--report", report_path);
  outputs.add("--stats-csv", stats_csv_path);
  outputs.add("--worker-stats", worker_stats_path);
  if (!outputs.open()) return kExitUsage;

  std::ostream* events = outputs.stream("--events");
  constexpr std::string_view kPageHead = "{\"events\":[\n";
  if (events_page) events->write(kPageHead.data(), static_cast<std::streamsize>(kPageHead.size()));
  const RunSummary summary =
      simulate(*scenario, common, events,
               taskrouter_events ? EventLogFormat::taskrouter : EventLogFormat::jsonl, events_page);
  if (events_page) {
    // Every event came with a leading comma: blank the first one.
    if (events->tellp() > static_cast<std::streamoff>(kPageHead.size())) {
      events->seekp(static_cast<std::streamoff>(kPageHead.size()));
      events->put(' ');
      events->seekp(0, std::ios::end);
    }
    *events << "],\"meta\":{\"key\":\"events\",\"page\":0,\"next_page_url\":null,"
               "\"previous_page_url\":null}}\n";
  }
  const std::string json = summary_json(*scenario, summary);
  if (std::ostream* out = outputs.stream("--json")) *out << json;
  if (std::ostream* out = outputs.stream("--intervals")) *out << intervals_csv(*scenario, summary);
  if (std::ostream* out = outputs.stream("--stats-csv")) *out << statistics_long_csv(summary);
  if (std::ostream* out = outputs.stream("--worker-stats"))
    *out << worker_statistics_csv(*scenario, summary);
  if (std::ostream* out = outputs.stream("--report")) {
    // The report reads the summary exactly as `trsim report` would read the file.
    const auto document = parse_json(json);
    std::string why;
    if (!document || !report::render_report(*document, *out, &why))
      throw std::logic_error("the summary did not make a report: " + why);
  }
  if (!outputs.commit()) return kExitUsage;
  if (!common.quiet && !outputs.uses_stdout()) std::cout << human_summary(*scenario, summary);
  return kExitOk;
}

}  // namespace trsim::cli
