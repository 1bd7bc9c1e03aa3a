#pragma once
// `trsim staff --per-interval` (tools/staff_intervals.cpp): the requirement per interval and
// worker group, with the analytic estimate beside it.
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"

namespace trsim::cli {

struct PerIntervalRequest {
  std::vector<std::string> groups;  ///< empty: every group of the scenario
  std::vector<std::string> costs;   ///< GROUP=WEIGHT
  std::optional<std::int64_t> max;  ///< the most workers per group; empty: from the estimate
  std::string csv_path, json_path;
};

int staff_per_interval_verb(const CommonOptions& common, const PerIntervalRequest& request);

}  // namespace trsim::cli
