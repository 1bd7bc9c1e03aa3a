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
        if (e.is_regular_file() && e.path().extension() == ".json")
          found.push_back(e.path().string());
      if (ec) {
        std::cerr << input << ": cannot list the folder (" << ec.message() << ")\n";
        return false;
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        std::cerr << input << ": the folder holds no .json file\n";
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
  const VerbHelp help{"import", "FILE_OR_FOLDER... -o SCENARIO.yaml [--one-by-one]",
                      "  trsim import tests/data/taskrouter-export -o mirror.yaml\n"
                      "  trsim import workspace.json activities.json task_queues.json "
                      "workflows.json workers.json -o mirror.yaml --one-by-one\n"};
  std::vector<std::string> inputs;
  std::string output;
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
                             "folders of them) and writes a scenario mirroring the workspace "
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

  std::vector<std::string> files;
  if (!input_files(inputs, files)) return kExitUsage;
  std::vector<ImportSource> sources;
  for (const std::string& file : files) {
    std::string text;
    if (!read_file(file, text)) {
      std::cerr << file << ": cannot read the file\n";
      return kExitUsage;
    }
    sources.push_back({file, std::move(text)});
  }
  ImportOptions import_options;
  import_options.fold_workers = !one_by_one;
  import_options.file_stem = fs::path(output).stem().string();
  const ImportResult result = import_workspace(sources, import_options);
  for (const Diagnostic& d : result.diagnostics) std::cerr << d.format() << "\n";
  if (!result.ok()) return kExitUsage;

  // Every file is checked (naming no input and no other output) and created before any is
  // written, and all are replaced together, so a failure leaves nothing behind.
  const fs::path folder = fs::path(output).parent_path();
  OutputSet outputs("import");
  outputs.add_inputs(files);
  outputs.add("-o", output);
  for (const ImportedFile& f : result.files) outputs.add(f.name, (folder / f.name).string());
  if (!outputs.open()) return kExitUsage;
  *outputs.stream("-o") << result.scenario;
  for (const ImportedFile& f : result.files) *outputs.stream(f.name) << f.text;
  if (!outputs.commit()) return kExitUsage;
  if (!quiet)
    std::cout << output << ": " << result.summary << " (" << result.files.size()
              << " workflow configuration files)\n";
  return kExitOk;
}

}  // namespace trsim::cli
