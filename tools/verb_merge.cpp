// `trsim merge`: combines the partial results of `trsim sweep --shard K/N` into the table, CSV
// and JSON of the whole sweep, byte for byte what the unsharded sweep writes.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_sweep.hpp"
#include "cli_text.hpp"
#include "trsim/sweep.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

int verb_merge(int argc, char** argv) {
  const VerbHelp help{"merge", "PART.json... [--csv FILE] [--json FILE]",
                      "  trsim merge part-0.json part-1.json part-2.json --csv sweep.csv "
                      "--json sweep.json\n"
                      "  trsim merge parts/*.json --json -\n"};
  std::vector<std::string> part_paths;
  std::string csv_path, json_path, max_input = std::to_string(kDefaultMaxInputBytes);
  bool quiet = false;
  po::options_description options("merge options");
  options.add_options()             //
      ("help,h", "show this help")  //
      ("csv", po::value(&csv_path)->value_name("FILE"),
       "write the sweep CSV to FILE (- = stdout)")  //
      ("json", po::value(&json_path)->value_name("FILE"),
       "write the sweep JSON to FILE (- = stdout)")  //
      ("max-input-size", po::value(&max_input)->value_name("BYTES"),
       "refuse a part larger than BYTES (default 67108864, 64 MiB)")  //
      ("quiet,q", po::bool_switch(&quiet), "print nothing but errors");
  po::options_description hidden;
  hidden.add_options()("part", po::value(&part_paths)->composing());
  po::variables_map vm;
  if (!parse_with_operands(argc, argv, "merge", options, hidden, "part", -1, vm)) return kExitUsage;
  if (vm.count("help")) {
    std::cout << format_help("usage: trsim merge " + help.synopsis, "",
                             {{"merge options", &options}}, help.examples, help_width());
    return kExitOk;
  }
  if (part_paths.empty()) {
    std::cerr << "trsim merge: no parts given (the --json files of trsim sweep --shard K/N)\n";
    return kExitUsage;
  }

  std::uint64_t max_bytes = 0;
  if (auto code = parse_max_input_size("merge", max_input, max_bytes)) return *code;
  std::vector<SweepPartial> parts;
  for (const std::string& path : part_paths) {
    std::string why;
    const std::optional<std::string> text = read_input_file(path, max_bytes, &why);
    if (!text) {
      std::cerr << why << "\n";
      return kExitUsage;
    }
    auto part = parse_sweep_partial(*text, path, &why);
    if (!part) {
      std::cerr << why << "\n";
      return kExitUsage;
    }
    if (part->version != TRSIM_VERSION) {
      std::cerr << path << ": written by trsim " << part->version << ", this is trsim "
                << TRSIM_VERSION << "\n";
      return kExitUsage;
    }
    parts.push_back(std::move(*part));
  }
  std::string why;
  const auto results = merge_sweep_partials(std::move(parts), part_paths, &why);
  if (!results) {
    std::cerr << "trsim merge: " << why << "\n";
    return kExitUsage;
  }
  SweepOutputs outputs(csv_path, json_path);
  outputs.add_inputs(part_paths);
  if (!outputs.open("merge")) return kExitUsage;
  const std::vector<SweepPointSummary> summary = summarise_sweep(*results);
  outputs.write(*results, summary);
  if (!outputs.commit("merge")) return kExitUsage;
  if (!quiet && !outputs.uses_stdout()) std::cout << sweep_table(*results, summary);
  return kExitOk;
}

}  // namespace trsim::cli
