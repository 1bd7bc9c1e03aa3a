// `trsim run`: runs the replications and writes the summary, the event log and the interval table.
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

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
  std::string json_path, events_path, intervals_path, report_path, stats_csv_path;
  po::options_description specific("run options");
  specific.add_options()  //
      ("json", po::value(&json_path)->value_name("FILE"),
       "write the summary JSON to FILE (- = stdout)")  //
      ("events", po::value(&events_path)->value_name("FILE"),
       "write the event log (JSON Lines) to FILE (- = stdout)")  //
      ("intervals", po::value(&intervals_path)->value_name("FILE"),
       "write the interval table (CSV, means over the replications) to FILE (- = stdout)")  //
      ("stats-csv", po::value(&stats_csv_path)->value_name("FILE"),
       "write the summary statistics in long form (CSV: scope_kind, scope_name, metric, "
       "statistic, value) to FILE (- = stdout)")  //
      ("report", po::value(&report_path)->value_name("FILE"),
       "write the HTML report (what `trsim report` makes of the summary) to FILE");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  if (!json_path.empty() && json_path == events_path) {
    std::cerr << "trsim run: --json and --events cannot both write to '" << json_path << "'\n";
    return kExitUsage;
  }
  for (const auto& [name, path] :
       {std::pair{"--json", &json_path}, std::pair{"--events", &events_path}}) {
    if (!intervals_path.empty() && intervals_path == *path) {
      std::cerr << "trsim run: " << name << " and --intervals cannot both write to '"
                << intervals_path << "'\n";
      return kExitUsage;
    }
  }
  for (const auto& [name, path] :
       {std::pair{"--json", &json_path}, std::pair{"--events", &events_path},
        std::pair{"--intervals", &intervals_path}}) {
    if (!report_path.empty() && report_path == *path) {
      std::cerr << "trsim run: " << name << " and --report cannot both write to '" << report_path
                << "'\n";
      return kExitUsage;
    }
  }
  for (const auto& [name, path] :
       {std::pair{"--json", &json_path}, std::pair{"--events", &events_path},
        std::pair{"--intervals", &intervals_path}, std::pair{"--report", &report_path}}) {
    if (!stats_csv_path.empty() && stats_csv_path == *path) {
      std::cerr << "trsim run: " << name << " and --stats-csv cannot both write to '"
                << stats_csv_path << "'\n";
      return kExitUsage;
    }
  }
  if (report_path == "-") {
    std::cerr << "trsim run: --report needs a file name (use `trsim report SUMMARY.json -o -` for "
                 "stdout)\n";
    return kExitUsage;
  }
  const auto scenario = load(common, !common.quiet);
  if (!scenario) return kExitUsage;

  // Outputs are checked for writability before the run and replaced atomically after it.
  std::optional<AtomicFile> json_file, events_file, intervals_file, report_file, stats_csv_file;
  try {
    if (!json_path.empty() && json_path != "-") json_file.emplace(json_path);
    if (!events_path.empty() && events_path != "-") events_file.emplace(events_path);
    if (!intervals_path.empty() && intervals_path != "-") intervals_file.emplace(intervals_path);
    if (!report_path.empty()) report_file.emplace(report_path);
    if (!stats_csv_path.empty() && stats_csv_path != "-") stats_csv_file.emplace(stats_csv_path);
  } catch (const std::exception& e) {
    std::cerr << "trsim run: " << e.what() << "\n";
    return kExitUsage;
  }
  std::ostream* events = nullptr;
  if (events_file) events = &events_file->stream();
  if (events_path == "-") events = &std::cout;

  const RunSummary summary = simulate(*scenario, common, events);
  const std::string json = summary_json(*scenario, summary);
  if (json_file) json_file->stream() << json;
  if (json_path == "-") std::cout << json;
  if (!intervals_path.empty()) {
    const std::string csv = intervals_csv(*scenario, summary);
    if (intervals_file) intervals_file->stream() << csv;
    if (intervals_path == "-") std::cout << csv;
  }
  if (!stats_csv_path.empty()) {
    const std::string csv = statistics_long_csv(summary);
    if (stats_csv_file) stats_csv_file->stream() << csv;
    if (stats_csv_path == "-") std::cout << csv;
  }
  if (report_file) {
    // The report reads the summary exactly as `trsim report` would read the file.
    const auto document = parse_json(json);
    std::string why;
    const auto html = document ? report::render_report(*document, &why) : std::nullopt;
    if (!html) throw std::logic_error("the summary did not make a report: " + why);
    report_file->stream() << *html;
  }
  try {
    if (report_file) report_file->commit();
    if (events_file) events_file->commit();
    if (json_file) json_file->commit();
    if (intervals_file) intervals_file->commit();
    if (stats_csv_file) stats_csv_file->commit();
  } catch (const std::exception& e) {  // e.g. the disk filled up during the run
    std::cerr << "trsim run: " << e.what() << "\n";
    return kExitUsage;
  }
  if (!common.quiet && json_path != "-" && events_path != "-" && intervals_path != "-" &&
      stats_csv_path != "-")
    std::cout << human_summary(*scenario, summary);
  return kExitOk;
}

}  // namespace trsim::cli
