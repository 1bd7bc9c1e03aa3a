#pragma once
// The idle workers of one (queue, channel), longest idle first, then scenario order.
//
// A worker's idle clock only ever moves to "now", and now only grows, so a worker re-entering a
// pool almost always belongs at the back: insertion walks back from the end (a few steps at most,
// when offers end unaccepted). Leaving a pool is lazy: the worker's generation for the channel is
// bumped, which invalidates every entry it has in every queue's pool at once (O(1) instead of one
// tree erase per queue the worker belongs to); invalid entries are dropped when they reach the
// front and swept out when they outnumber the valid ones. The entries are a vector read from a
// moving head (no per-block allocation as a deque has when the pool rotates).
#include <cstddef>
#include <cstdint>
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
    const auto first = entries_.begin() + static_cast<std::ptrdiff_t>(head_);
    while (it != first) {
      const Entry& prev = *(it - 1);
      if (prev.idle_since < e.idle_since ||
          (prev.idle_since == e.idle_since && prev.worker < e.worker))
        break;
      --it;
    }
    if (it == entries_.end())
      entries_.push_back(e);  // the usual case
    else
      entries_.insert(it, e);
    ++valid_;
  }

  /// One of this pool's entries was invalidated (its worker's generation moved on).
  void invalidated() {
    --valid_;
    const std::size_t held = entries_.size() - head_;
    if (held > 64 && held > 2 * static_cast<std::size_t>(valid_)) sweep();
  }

  bool valid(const Entry& e) const { return (*generations_)[e.worker] == e.generation; }

  /// Calls visit(worker) for each valid entry in order until it returns false.
  template <class Visit>
  void for_each(Visit&& visit) {
    while (head_ < entries_.size() && !valid(entries_[head_])) ++head_;
    // The dropped front is given back once it is half the vector (amortised O(1) per entry).
    if (head_ > 64 && 2 * head_ > entries_.size()) {
      entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    for (std::size_t i = head_; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      if (!valid(e)) continue;
      if (!visit(e.worker)) return;
    }
  }

  std::size_t size() const { return static_cast<std::size_t>(valid_); }

 private:
  void sweep() {
    std::size_t kept = 0;
    for (std::size_t i = head_; i < entries_.size(); ++i)
      if (valid(entries_[i])) entries_[kept++] = entries_[i];
    entries_.resize(kept);
    head_ = 0;
  }

  const std::vector<std::uint32_t>* generations_;
  /// Entries from head_ on, in order; those before head_ were dropped from the front.
  std::vector<Entry> entries_;
  std::size_t head_ = 0;
  std::int64_t valid_ = 0;
};

}  // namespace trsim::detail
