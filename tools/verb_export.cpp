// `trsim export`: the scenario's activities, task channels, task queues, workflows and workers as
// TaskRouter v1 REST JSON in a folder (docs/import.md#back-to-taskrouter). Nothing is written
// unless every file can be.
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "trsim/workspace_export.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace trsim::cli {

int verb_export(int argc, char** argv) {
  const VerbHelp help{"export", "SCENARIO.yaml FOLDER [options]",
                      "  trsim export scenarios/quickstart.yaml exported\n"
                      "  trsim export scenarios/quickstart.yaml tuned --set "
                      "workflows.support.task_reservation_timeout=15s\n"};
  // FOLDER is the word after the scenario; the common parser takes one positional argument.
  std::vector<char*> args(argv, argv + argc);
  std::string folder;
  if (args.size() >= 3 && args[1][0] != '-' && args[2][0] != '-') {
    folder = args[2];
    args.erase(args.begin() + 2);
  }
  CommonOptions common;
  po::options_description specific("export options");
  po::variables_map vm;
  if (auto code = parse_command_line(static_cast<int>(args.size()), args.data(), help, common,
                                     specific, vm))
    return *code;
  if (folder.empty()) {
    std::cerr << "trsim export: no FOLDER given (where to write the TaskRouter JSON files)\n";
    return kExitUsage;
  }
  std::vector<std::string> inputs;
  const auto scenario = load(common, false, {}, &inputs);
  if (!scenario) return kExitUsage;
  const std::vector<ExportedFile> files = export_workspace(*scenario);

  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder)) {
    std::cerr << "trsim export: cannot create the folder '" << folder << "'\n";
    return kExitUsage;
  }
  // Every file is checked (naming none of the scenario's files) and created before any is
  // written, and all are replaced together.
  OutputSet outputs("export");
  outputs.add_inputs(inputs);
  for (const ExportedFile& f : files) outputs.add(f.name, (fs::path(folder) / f.name).string());
  if (!outputs.open()) return kExitUsage;
  for (const ExportedFile& f : files) *outputs.stream(f.name) << f.text;
  if (!outputs.commit()) return kExitUsage;
  if (!common.quiet)
    std::cout << folder << ": " << files.size() << " files (" << scenario->activities.size()
              << " activities, " << scenario->task_queues.size() << " task queues, "
              << scenario->workflows.size() << " workflows, " << scenario->workers.size()
              << " workers)\n";
  return kExitOk;
}

}  // namespace trsim::cli
