#pragma once
// `warmup: auto`: choosing the warm-up by MSER-5 on the tasks' waiting times in a pilot run
// (docs/statistics.md, "Automatic warm-up").
#include <cstddef>
#include <cstdint>
#include <vector>

#include "trsim/mser.hpp"
#include "trsim/scenario.hpp"

namespace trsim {

/// The warm-up `warmup: auto` chose, and how.
struct AutoWarmup {
  SimTime warmup = 0;
  std::size_t tasks = 0;  ///< length of the series: the fewest tasks any replication created
  MserResult mser;        ///< on the series in batches of 5 tasks
  std::size_t tasks_truncated() const { return mser.truncated * kMserBatch; }
  static constexpr std::size_t kMserBatch = 5;
};

/// Each task's waiting time (creation → accepted or canceled, seconds) in creation order, and its
/// creation time, for one replication. A task still waiting when the run ends (`drain: false`)
/// counts its age at the end.
struct WaitSeries {
  std::vector<double> waits;
  std::vector<SimTime> created;
};

/// Chooses the warm-up from the pilot series of every replication (in replication order): the
/// across-replication mean wait of the k-th task, k < the fewest tasks of any replication, is cut
/// by MSER-5 after d batches; the warm-up is the mean over the replications of the creation time
/// of task 5·d (the first task kept), rounded down to a whole second; 0 when d = 0.
AutoWarmup choose_warmup(const std::vector<WaitSeries>& replications);

/// Runs the scenario's replications with warm-up 0 (the pilot), recording the waiting times, on
/// `threads` threads (the result is the same for any number), and chooses the warm-up.
AutoWarmup pilot_warmup(const Scenario& scenario, std::uint32_t threads, bool check_invariants);

}  // namespace trsim
