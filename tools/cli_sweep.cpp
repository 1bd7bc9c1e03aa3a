#include "cli_sweep.hpp"

#include <iostream>
#include <utility>

namespace trsim::cli {

SweepOutputs::SweepOutputs(std::string csv_path, std::string json_path)
    : csv_path_(std::move(csv_path)), json_path_(std::move(json_path)) {}

bool SweepOutputs::open(const std::string& verb) {
  if (!csv_path_.empty() && csv_path_ == json_path_) {
    std::cerr << "trsim " << verb << ": --csv and --json cannot both write to '" << csv_path_
              << "'\n";
    return false;
  }
  try {
    if (!csv_path_.empty() && csv_path_ != "-") csv_file_.emplace(csv_path_);
    if (!json_path_.empty() && json_path_ != "-") json_file_.emplace(json_path_);
  } catch (const std::exception& e) {
    std::cerr << "trsim " << verb << ": " << e.what() << "\n";
    return false;
  }
  return true;
}

void SweepOutputs::write_json(const std::string& json) {
  if (json_file_) json_file_->stream() << json;
  if (json_path_ == "-") std::cout << json;
}

void SweepOutputs::write(const SweepResults& results,
                         const std::vector<SweepPointSummary>& points) {
  if (has_csv()) {
    const std::string csv = sweep_csv(results, points);
    if (csv_file_) csv_file_->stream() << csv;
    if (csv_path_ == "-") std::cout << csv;
  }
  if (has_json()) write_json(sweep_json(results, points));
}

bool SweepOutputs::commit(const std::string& verb) {
  try {
    if (csv_file_) csv_file_->commit();
    if (json_file_) json_file_->commit();
  } catch (const std::exception& e) {  // e.g. the disk filled up during the run
    std::cerr << "trsim " << verb << ": " << e.what() << "\n";
    return false;
  }
  return true;
}

}  // namespace trsim::cli
