#pragma once
// The keys every fixed-shape map of a scenario may hold, in one table. The loader checks each map
// against its entry (an unknown key is an error with a "did you mean" from the same list), and
// trsim::scenario_keys() lists every entry's keys by path, which the test of the scenario
// reference (docs/scenario.md) reads: MapView takes a KeySet rather than a list, so a key the
// loader accepts is necessarily in this table and cannot escape that test.
#include <span>
#include <string_view>

namespace trsim::detail {

enum class KeySet {
  top_level,
  statistics,
  workspace,
  activity,
  channel,
  task_queue,
  workflow,
  configuration,
  task_routing,
  filter,
  target,
  default_filter,
  behavior,
  outcome,
  after_timeout,
  after_reject,
  transfer_rule,
  worker_group,
  schedule_entry,
  worker_change,
  arrival_stream,
  task_update,
  rates,
  expectation,
  shift,
  shift_break,
  compare,
  distribution,
  exponential,
  uniform,
  normal,
  lognormal,
  gamma,
  weibull,
  empirical,
};

struct KeySetEntry {
  KeySet set;
  /// Where such a map sits, in the scenario reference's notation: named collections as
  /// `<name>`/`<group>`/`<stream>`, list elements as `[]`, and `<distribution>` for any key that
  /// takes a distribution. Empty for the top level.
  std::string_view path;
  /// In the order "did you mean" hints consider them.
  std::span<const std::string_view> keys;
};

/// Every key set, in KeySet order.
std::span<const KeySetEntry> key_sets();

inline std::span<const std::string_view> allowed_keys(KeySet set) {
  return key_sets()[static_cast<std::size_t>(set)].keys;
}

}  // namespace trsim::detail
