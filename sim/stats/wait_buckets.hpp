#pragma once
// The service-level thresholds as wait buckets, shared by the statistics and interval collectors.
//
// A wait goes in one bucket: b = how many thresholds it exceeds (thresholds sorted ascending). It
// is at or under threshold k ("accepted within k seconds" means wait <= k) exactly when it exceeds
// no more thresholds than k itself does, so the waits at or under k are the sum of buckets
// 0..rank(k), rank(k) = how many thresholds are below k. A wait then costs one increment, whatever
// the number of thresholds. Any order and repeats work: the loader wants the thresholds ascending,
// a scenario built in code need not have them so, and two distinct ones may round to the same
// microsecond.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "trsim/time.hpp"

namespace trsim::detail {

class WaitBuckets {
 public:
  WaitBuckets() = default;
  /// `thresholds` in µs, in the order the results are reported.
  explicit WaitBuckets(std::vector<SimTime> thresholds) : sorted_(std::move(thresholds)) {
    const std::vector<SimTime> given = sorted_;
    std::sort(sorted_.begin(), sorted_.end());
    for (SimTime t : given)
      rank_.push_back(static_cast<std::size_t>(std::lower_bound(sorted_.begin(), sorted_.end(), t) -
                                               sorted_.begin()));
  }

  /// Buckets per counter set: the thresholds + 1.
  std::size_t count() const { return sorted_.size() + 1; }

  /// The bucket of a wait (µs): how many thresholds it exceeds.
  std::size_t bucket(std::int64_t wait) const {
    std::size_t b = 0;
    while (b < sorted_.size() && sorted_[b] < wait) ++b;
    return b;
  }

  /// The waits at or under threshold k (in the given order) among `buckets` (count() counters).
  std::int64_t at_or_under(const std::int64_t* buckets, std::size_t k) const {
    std::int64_t sum = 0;
    for (std::size_t b = 0; b <= rank_[k]; ++b) sum += buckets[b];
    return sum;
  }

 private:
  std::vector<SimTime> sorted_;
  std::vector<std::size_t> rank_;  ///< [k]: how many thresholds are below threshold k
};

}  // namespace trsim::detail
