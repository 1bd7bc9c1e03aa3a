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
  static constexpr std::size_t kMserBatch = 5;
  SimTime warmup = 0;
  std::size_t tasks = 0;  ///< length of the series: the fewest tasks any replication created
  MserResult mser;        ///< on the series in batches of kMserBatch tasks
  std::size_t tasks_truncated() const { return mser.truncated * kMserBatch; }
};

/// Each task's waiting time (creation → accepted or canceled, seconds) in creation order, and its
/// creation time, for one replication. A task still waiting when the run ends (`drain: false`)
/// counts its age at the end.
struct WaitSeries {
  std::vector<double> waits;
  std::vector<SimTime> created;
};

/// Folds the replications' series, in replication order, into what MSER-5 needs: per batch of 5
/// tasks, the sum over the replications of the batch's mean wait and of its first task's creation
/// time. Memory is one batch of each per 5 tasks, whatever the number of replications.
class WarmupSeries {
 public:
  void add(const WaitSeries& replication);
  /// The across-replication mean wait of the k-th task (k below the fewest tasks of any
  /// replication) cut by MSER-5 after d batches; the warm-up is the mean over the replications of
  /// the creation time of task 5·d (the first task kept), rounded down to a whole second; 0 when
  /// d = 0 or no replication was added.
  AutoWarmup choose() const;

 private:
  std::size_t replications_ = 0;
  std::size_t tasks_ = 0;           ///< the fewest tasks of any replication so far
  std::vector<double> wait_sums_;   ///< per batch: Σ over replications of the batch mean
  std::vector<double> start_sums_;  ///< per batch: Σ of the first task's creation time (s)
};

/// Runs the scenario's replications with warm-up 0 (the pilot), recording the waiting times, on
/// `threads` threads (the result is the same for any number), and chooses the warm-up.
AutoWarmup pilot_warmup(const Scenario& scenario, std::uint32_t threads, bool check_invariants);

}  // namespace trsim
