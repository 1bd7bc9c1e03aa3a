#pragma once
// The idle workers of one (queue, channel) in the order an `order_by` target offers them: by the
// target's rank, then longest idle, then scenario order (what a stable sort by rank of the
// longest-idle pool gives). Worker attributes only change by explicit events, so a worker's rank
// is a class number computed once; the pool is then an ordered set, and an offer visits workers
// from the best one on instead of ranking the whole idle pool (O(log n) per change, not O(n) per
// offer). Unlike IdlePool, leaving is an explicit erase: the key it was inserted with is known.
#include <cstdint>
#include <set>

#include "trsim/scenario.hpp"
#include "trsim/time.hpp"

namespace trsim::detail {

class RankedIdlePool {
 public:
  void insert(std::uint32_t rank, SimTime idle_since, WorkerId w) {
    entries_.insert({rank, idle_since, w});
  }
  void erase(std::uint32_t rank, SimTime idle_since, WorkerId w) {
    entries_.erase({rank, idle_since, w});
  }

  /// Calls visit(worker) for each worker in order until it returns false.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (const Key& k : entries_)
      if (!visit(k.worker)) return;
  }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Key {
    std::uint32_t rank;
    SimTime idle_since;
    WorkerId worker;
    friend bool operator<(const Key& a, const Key& b) {
      if (a.rank != b.rank) return a.rank < b.rank;
      if (a.idle_since != b.idle_since) return a.idle_since < b.idle_since;
      return a.worker < b.worker;
    }
  };
  std::set<Key> entries_;
};

}  // namespace trsim::detail
