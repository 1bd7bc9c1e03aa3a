#pragma once
// What `trsim sweep` and `trsim merge` share: their output files (checked writable before any
// work, replaced atomically after it) and writing the sweep's table, CSV and JSON, so that a
// merge of shards writes exactly what the unsharded sweep writes.
#include <optional>
#include <string>
#include <vector>

#include "cli_output.hpp"
#include "trsim/sweep.hpp"

namespace trsim::cli {

class SweepOutputs {
 public:
  /// `csv_path` / `json_path`: empty = not written, "-" = stdout.
  SweepOutputs(std::string csv_path, std::string json_path);
  /// Files the command reads (the scenario and what it refers to, the shards): no output may
  /// name one of them.
  void add_inputs(const std::vector<std::string>& paths) { inputs_ = paths; }
  /// Opens the files (OutputSet::open); prints the reason and returns false when one cannot be
  /// written, or when both name one file or stdout.
  bool open(const std::string& verb);
  /// Writes `json` to the --json destination (for shards' partial results).
  void write_json(const std::string& json);
  /// Writes the CSV and the JSON of a whole sweep.
  void write(const SweepResults& results, const std::vector<SweepPointSummary>& points);
  /// Commits the files as a set; prints the reason and returns false on failure.
  bool commit(const std::string& verb);
  /// True when something goes to stdout (the human table must not mix into it).
  bool uses_stdout() const { return csv_path_ == "-" || json_path_ == "-"; }
  bool has_json() const { return !json_path_.empty(); }
  bool has_csv() const { return !csv_path_.empty(); }

 private:
  std::string csv_path_, json_path_;
  std::vector<std::string> inputs_;
  std::optional<OutputSet> files_;
};

}  // namespace trsim::cli
