#include "cli_sweep.hpp"

#include <utility>

namespace trsim::cli {

SweepOutputs::SweepOutputs(std::string csv_path, std::string json_path)
    : csv_path_(std::move(csv_path)), json_path_(std::move(json_path)) {}

bool SweepOutputs::open(const std::string& verb) {
  files_.emplace(verb);
  files_->add_inputs(inputs_);
  files_->add("--csv", csv_path_);
  files_->add("--json", json_path_);
  return files_->open();
}

void SweepOutputs::write_json(const std::string& json) {
  if (std::ostream* out = files_->stream("--json")) *out << json;
}

void SweepOutputs::write(const SweepResults& results,
                         const std::vector<SweepPointSummary>& points) {
  if (std::ostream* out = files_->stream("--csv")) *out << sweep_csv(results, points);
  if (has_json()) write_json(sweep_json(results, points));
}

bool SweepOutputs::commit(const std::string&) { return files_->commit(); }

}  // namespace trsim::cli
