#pragma once
// `trsim staff --per-interval` (tools/staff_intervals.cpp): the requirement per interval and
// worker group, with the analytic estimate beside it.
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "trsim/interval_staffing.hpp"

namespace trsim::cli {

struct PerIntervalRequest {
  std::vector<std::string> groups;  ///< empty: every group of the scenario
  std::vector<std::string> costs;   ///< GROUP=WEIGHT
  std::optional<std::int64_t> max;  ///< the most workers per group; empty: from the estimate
  StaffingMethod method = StaffingMethod::isa;
  std::string csv_path, json_path;
  std::string verb = "staff";  ///< for progress lines
};

/// The per-interval requirement of a scenario as `staff --per-interval` computes it, with the
/// scenario loaded at the groups' caps (the workers the search may log in).
struct RequirementsRun {
  Scenario at_cap;
  std::vector<std::string> groups;
  IntervalStaffingSettings settings;
  IntervalStaffingResult result;
  std::vector<std::size_t> skipped;  ///< expect: lines not read per interval
};

/// Loads, checks and staffs; prints errors and returns nothing (with `exit_code`) on bad input.
std::optional<RequirementsRun> compute_requirements(const CommonOptions& common,
                                                    const PerIntervalRequest& request,
                                                    int& exit_code);

/// Reads `--method isa|search` (empty: the default, isa); false with a message on stderr.
bool parse_staffing_method(const std::string& verb, const std::string& text,
                           StaffingMethod& method);

int staff_per_interval_verb(const CommonOptions& common, const PerIntervalRequest& request);

}  // namespace trsim::cli
