// `trsim import`: a TaskRouter workspace's REST JSON (files or folders of them) to a scenario and
// one JSON file per workflow configuration (docs/import.md). Nothing is written on any error.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "cli_text.hpp"
#include "model/units.hpp"
#include "trsim/calibrate.hpp"
#include "trsim/workspace_import.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace trsim::cli {

namespace {

// The JSON files to read: each file as given, each folder's *.json files in name order.
bool input_files(const std::vector<std::string>& inputs, std::vector<std::string>& files) {
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<std::string> found;
      for (const fs::directory_entry& e : fs::directory_iterator(input, ec))
        if (e.is_regular_file() &&
            (e.path().extension() == ".json" || e.path().extension() == ".jsonl"))
          found.push_back(e.path().string());
      if (ec) {
        std::cerr << input << ": cannot list the folder (" << ec.message() << ")\n";
        return false;
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        std::cerr << input << ": the folder holds no .json or .jsonl file\n";
        return false;
      }
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return true;
}

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return !in.bad();
}

}  // namespace

int verb_import(int argc, char** argv) {
  const VerbHelp help{"import",
                      "FILE_OR_FOLDER... -o SCENARIO.yaml [--one-by-one] [--rates INTERVAL]",
                      "  trsim import tests/data/taskrouter-export -o mirror.yaml\n"
                      "  trsim import workspace.json activities.json task_queues.json "
                      "workflows.json workers.json -o mirror.yaml --one-by-one\n"
                      "  trsim import export/ events.jsonl -o mirror.yaml   # calibrated from "
                      "the event history\n"};
  std::vector<std::string> inputs;
  std::string output, rates_text, interval_text = "30m";
  bool one_by_one = false, quiet = false;
  po::options_description options("import options");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("output,o", po::value(&output)->value_name("SCENARIO.yaml"),
       "the scenario to write; workflow configurations go beside it as "
       "SCENARIO.<workflow>.json")  //
      ("one-by-one", po::bool_switch(&one_by_one),
       "one worker group per worker (default: workers with the same attributes, channels and "
       "activity fold into one group with a count)")  //
      ("rates", po::value(&rates_text)->value_name("INTERVAL"),
       "with event history: arrivals as a `rates` forecast per INTERVAL (e.g. 30m) instead of a "
       "trace of the observed tasks")  //
      ("interval", po::value(&interval_text)->value_name("DURATION"),
       "with event history: the interval of the observed KPIs and of the mirror's "
       "statistics, whole seconds (default 30m)")  //
      ("quiet,q", po::bool_switch(&quiet), "print nothing but errors");
  po::options_description hidden;
  hidden.add_options()("input", po::value(&inputs)->composing());
  po::variables_map vm;
  if (!parse_with_operands(argc, argv, "import", options, hidden, "input", -1, vm))
    return kExitUsage;
  if (vm.count("help")) {
    std::cout << format_help("usage: trsim import " + help.synopsis,
                             "Reads TaskRouter v1 REST JSON exactly as the API returns it (list "
                             "pages with 'meta', single resources, several pages of one kind, "
                             "folders of them) and writes a scenario mirroring the workspace; "
                             "given TaskRouter events as well (an Events API page, or one event "
                             "per line in a .jsonl file), fits arrivals, handle and wrap-up "
                             "times, patience, worker behaviours, schedules and the observed "
                             "KPIs from them, and writes a fit summary beside the scenario "
                             "(docs/import.md).",
                             {{"import options", &options}}, help.examples, help_width());
    return kExitOk;
  }
  if (inputs.empty()) {
    std::cerr << "trsim import: no input given (TaskRouter JSON files or folders of them)\n";
    return kExitUsage;
  }
  if (output.empty()) {
    std::cerr << "trsim import: -o SCENARIO.yaml is required (where to write the scenario)\n";
    return kExitUsage;
  }

  std::string why;
  const auto interval = detail::parse_duration(interval_text, &why);
  // Whole seconds: the mirror's per-interval expect lines name an interval's start in seconds.
  if (!interval || *interval < kMicrosPerSecond || *interval % kMicrosPerSecond != 0) {
    std::cerr << "trsim import: --interval: expected a duration in whole seconds, at least 1 s, "
                 "got '"
              << interval_text << "'\n";
    return kExitUsage;
  }
  SimTime rates = 0;
  if (!rates_text.empty()) {
    const auto r = detail::parse_duration(rates_text, &why);
    if (!r || *r < kMicrosPerSecond || *r % 1000 != 0) {
      std::cerr << "trsim import: --rates: expected a duration of at least 1 s in whole "
                   "milliseconds, got '"
                << rates_text << "'\n";
      return kExitUsage;
    }
    rates = *r;
  }

  std::vector<std::string> files, event_files;
  if (!input_files(inputs, files)) return kExitUsage;
  std::vector<ImportSource> sources;
  for (const std::string& file : files) {
    if (!fs::is_regular_file(file) && !fs::exists(file)) {
      std::cerr << file << ": cannot read the file\n";
      return kExitUsage;
    }
    if (looks_like_event_file(file)) {
      event_files.push_back(file);
      continue;
    }
    std::string text;
    if (!read_file(file, text)) {
      std::cerr << file << ": cannot read the file\n";
      return kExitUsage;
    }
    sources.push_back({file, std::move(text)});
  }
  if (!rates_text.empty() && event_files.empty()) {
    std::cerr << "trsim import: --rates needs event history among the inputs\n";
    return kExitUsage;
  }
  if (!event_files.empty() && sources.empty()) {
    std::cerr << "trsim import: event history needs the workspace's REST export among the inputs "
                 "(its activities, queues, workflows and workers: docs/import.md)\n";
    return kExitUsage;
  }
  ImportOptions import_options;
  import_options.fold_workers = !one_by_one;
  import_options.file_stem = fs::path(output).stem().string();
  ImportResult result = import_workspace(sources, import_options);
  for (const Diagnostic& d : result.diagnostics) std::cerr << d.format() << "\n";
  if (!result.ok()) return kExitUsage;

  // Event history: read streaming, fitted, and the workspace imported again with what it tells
  // (initial activities, schedules, behaviours), and the derived sections appended.
  std::unique_ptr<Calibration> calibration;
  if (!event_files.empty()) {
    CalibrationOptions calibration_options;
    calibration_options.interval = *interval;
    calibration_options.rates_interval = rates;
    calibration_options.file_stem = import_options.file_stem;
    calibration_options.activity_available = result.activity_available;
    for (const auto& [group, sids] : result.groups)
      for (const std::string& sid : sids) calibration_options.worker_group[sid] = group;
    calibration = std::make_unique<Calibration>(std::move(calibration_options));
    for (const std::string& file : event_files) {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        std::cerr << file << ": cannot read the file\n";
        return kExitUsage;
      }
      const bool lines = file.size() >= 6 && file.compare(file.size() - 6, 6, ".jsonl") == 0;
      std::vector<Diagnostic> diagnostics;
      const bool ok = calibration->read(in, file, lines, diagnostics);
      for (const Diagnostic& d : diagnostics) std::cerr << d.format() << "\n";
      if (!ok) return kExitUsage;
      if (in.bad()) {
        std::cerr << file << ": cannot read the file\n";
        return kExitUsage;
      }
    }
    if (calibration->events() == 0) {
      std::cerr << "trsim import: the event files hold no event\n";
      return kExitUsage;
    }
    calibration->finish();
    const Calibration& c = *calibration;
    import_options.worker_key = [&c](const std::string& sid) { return c.worker_key(sid); };
    import_options.initial_activity = [&c](const std::string& sid) {
      return c.initial_activity(sid);
    };
    import_options.group_fields = [&c](const std::vector<std::string>& sids) {
      return c.group_fields(sids);
    };
    import_options.arrivals_given = true;
    result = import_workspace(sources, import_options);
    for (const Diagnostic& d : result.diagnostics) std::cerr << d.format() << "\n";
    if (!result.ok()) return kExitUsage;
    result.scenario += calibration->sections();
  }

  // Every file is checked (naming no input and no other output) and created before any is
  // written, and all are replaced together, so a failure leaves nothing behind.
  const fs::path folder = fs::path(output).parent_path();
  OutputSet outputs("import");
  outputs.add_inputs(files);
  outputs.add("-o", output);
  for (const ImportedFile& f : result.files) outputs.add(f.name, (folder / f.name).string());
  const std::string fit_file = import_options.file_stem + ".fit.txt";
  std::vector<std::string> traces;
  if (calibration) {
    traces = calibration->trace_files();
    for (const std::string& t : traces) outputs.add(t, (folder / t).string());
    outputs.add(fit_file, (folder / fit_file).string());
  }
  if (!outputs.open()) return kExitUsage;
  *outputs.stream("-o") << result.scenario;
  for (const ImportedFile& f : result.files) *outputs.stream(f.name) << f.text;
  if (calibration) {
    for (std::size_t i = 0; i < traces.size(); ++i) {
      if (!calibration->write_trace(i, *outputs.stream(traces[i]))) {
        std::cerr << "trsim import: " << traces[i]
                  << ": the trace's rows could not be kept in a temporary file (is the temporary "
                     "folder full?); nothing written\n";
        return kExitUsage;
      }
    }
    *outputs.stream(fit_file) << calibration->summary();
  }
  if (!outputs.commit()) return kExitUsage;
  if (!quiet) {
    std::cout << output << ": " << result.summary << " (" << result.files.size()
              << " workflow configuration files)\n";
    if (calibration) {
      std::cout << calibration->summary() << "\n";
      std::cout << output << ": calibrated from " << calibration->headline() << "; fit summary in "
                << (folder / fit_file).string() << "\n";
    }
  }
  return kExitOk;
}

}  // namespace trsim::cli
