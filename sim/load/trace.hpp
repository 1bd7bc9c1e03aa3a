#pragma once
// Trace files (§2): a CSV of the tasks to replay, one row each, with a `time` column, optional
// handle_time, patience, priority and channel, and task attributes in every other column.
#include <optional>
#include <vector>

#include "load/context.hpp"
#include "trsim/scenario.hpp"

namespace trsim::detail {

struct TraceData {
  std::vector<TraceRow> rows;  ///< in time order
  bool every_row_has_handle_time = true;
};

/// Reads `csv`; every problem is reported at CSVFILE:LINE:COL and gives nullopt. A `time` written
/// as an ISO 8601 date-time counts from `start_epoch_seconds` (the scenario's `start`).
std::optional<TraceData> read_trace(const Source& csv, const NameIndex& channels,
                                    std::int64_t start_epoch_seconds, Diagnostics& diags);

}  // namespace trsim::detail
