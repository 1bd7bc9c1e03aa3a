#pragma once
// The idle workers of one (queue, channel), longest idle first, then scenario order.
//
// A worker's idle clock only ever moves to "now", and now only grows, so a worker re-entering a
// pool almost always belongs at the back: insertion walks back from the end (a few steps at most,
// when offers end unaccepted). Leaving a pool is lazy: the worker's generation for the channel is
// bumped, which invalidates every entry it has in every queue's pool at once (O(1) instead of one
// tree erase per queue the worker belongs to); invalid entries are dropped when they reach the
// front and swept out when they outnumber the valid ones.
#include <cstdint>
#include <deque>
#include <vector>

#include "trsim/scenario.hpp"
#include "trsim/time.hpp"

namespace trsim::detail {

class IdlePool {
 public:
  struct Entry {
    SimTime idle_since;
    WorkerId worker;
    std::uint32_t generation;
  };

  /// `generations[w]` is worker w's current generation for this pool's channel.
  explicit IdlePool(const std::vector<std::uint32_t>* generations = nullptr)
      : generations_(generations) {}

  void insert(const Entry& e) {
    auto it = entries_.end();
    while (it != entries_.begin()) {
      const Entry& prev = *(it - 1);
      if (prev.idle_since < e.idle_since ||
          (prev.idle_since == e.idle_since && prev.worker < e.worker))
        break;
      --it;
    }
    entries_.insert(it, e);
    ++valid_;
  }

  /// One of this pool's entries was invalidated (its worker's generation moved on).
  void invalidated() {
    --valid_;
    if (entries_.size() > 64 && entries_.size() > 2 * static_cast<std::size_t>(valid_)) sweep();
  }

  bool valid(const Entry& e) const { return (*generations_)[e.worker] == e.generation; }

  /// Calls visit(worker) for each valid entry in order until it returns false.
  template <class Visit>
  void for_each(Visit&& visit) {
    while (!entries_.empty() && !valid(entries_.front())) entries_.pop_front();
    for (const Entry& e : entries_) {
      if (!valid(e)) continue;
      if (!visit(e.worker)) return;
    }
  }

  std::size_t size() const { return static_cast<std::size_t>(valid_); }

 private:
  void sweep() {
    std::deque<Entry> kept;
    for (const Entry& e : entries_)
      if (valid(e)) kept.push_back(e);
    entries_.swap(kept);
  }

  const std::vector<std::uint32_t>* generations_;
  std::deque<Entry> entries_;
  std::int64_t valid_ = 0;
};

}  // namespace trsim::detail
