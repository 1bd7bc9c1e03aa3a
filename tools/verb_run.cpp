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
  std::string json_path, events_path, intervals_path, report_path, stats_csv_path,
      events_format = "jsonl";
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
