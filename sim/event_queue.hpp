#pragma once
// The future event list: a binary heap of small, trivially copyable entries ordered by the total
// order (time, event-class rank, insertion sequence). Cancellation is lazy: a cancellable event
// holds a timer slot whose generation is bumped on cancel, and stale entries are dropped when they
// surface, or swept out in one pass when they outnumber the live ones (so a long TTL timer that is
// cancelled does not sit in the heap for a simulated day).
#include <algorithm>
#include <cassert>
#include <cstdint>
#include <vector>

#include "trsim/time.hpp"

namespace trsim::detail {

/// A cancellable timer: the slot and the generation it was armed with. Default = not armed.
struct Timer {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  bool armed() const { return slot != UINT32_MAX; }
};

/// What a handler gets back from pop(): the kind (which is also the rank), two payload words.
struct ScheduledEvent {
  SimTime time = 0;
  std::uint8_t kind = 0;
  std::uint32_t entity = 0;
  std::uint32_t aux = 0;
};

class EventQueue {
 public:
  /// Schedules an event that will not be cancelled.
  void schedule(SimTime time, std::uint8_t kind, std::uint32_t entity, std::uint32_t aux = 0) {
    push(Entry{time, order_word(kind), entity, aux, kNoSlot, 0});
  }

  /// Schedules a cancellable event and returns its timer.
  Timer schedule_timer(SimTime time, std::uint8_t kind, std::uint32_t entity,
                       std::uint32_t aux = 0) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(generations_.size());
      generations_.push_back(0);
    }
    const std::uint32_t gen = generations_[slot];
    push(Entry{time, order_word(kind), entity, aux, slot, gen});
    return Timer{slot, gen};
  }

  /// Cancels an armed timer and disarms it (no-op for an unarmed or already fired one).
  void cancel(Timer& timer) {
    if (!timer.armed()) return;
    if (generations_[timer.slot] != timer.generation) {  // already fired: nothing to cancel
      timer = Timer{};
      return;
    }
    release_slot(timer.slot);
    timer = Timer{};
    ++stale_;
    if (stale_ > 4096 && stale_ * 2 > heap_size()) sweep();
  }

  bool empty() {
    drop_stale_top();
    return nothing_left();
  }

  /// Time of the next live event. Precondition: !empty().
  SimTime next_time() {
    drop_stale_top();
    return front().time;
  }

  /// Removes and returns the next live event. A fired timer's slot is released: the owner must
  /// disarm its Timer (the handler does so first thing). Precondition: !empty().
  ScheduledEvent pop() {
    drop_stale_top();
    const Entry e = front();
    remove_front();
    last_popped_ = e.time;
    if (e.slot != kNoSlot) release_slot(e.slot);
    return ScheduledEvent{e.time, static_cast<std::uint8_t>(e.order >> 56), e.entity, e.aux};
  }

  std::size_t size() const { return heap_.size() + (now_.size() - now_head_) - stale_; }
  /// Live plus not yet swept stale entries.
  std::size_t heap_size() const { return heap_.size() + (now_.size() - now_head_); }

 private:
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;

  struct Entry {
    SimTime time;
    std::uint64_t order;  // kind (= rank) in the top 8 bits, insertion sequence below
    std::uint32_t entity;
    std::uint32_t aux;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.time != b.time ? a.time > b.time : a.order > b.order;
    }
  };

  std::uint64_t order_word(std::uint8_t kind) {
    return (static_cast<std::uint64_t>(kind) << 56) | (sequence_++ & ((1ULL << 56) - 1));
  }
  void push(const Entry& e) {
    if (e.time == last_popped_) {  // zero delay: into the short sorted buffer, not the heap
      auto it = now_.end();
      const auto first = now_.begin() + static_cast<std::ptrdiff_t>(now_head_);
      while (it != first && Later{}(*(it - 1), e)) --it;
      now_.insert(it, e);
      return;
    }
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  /// The next entry is the buffer's front rather than the heap's.
  bool next_in_buffer() const {
    if (now_head_ == now_.size()) return false;
    return heap_.empty() || Later{}(heap_.front(), now_[now_head_]);
  }
  const Entry& front() const { return next_in_buffer() ? now_[now_head_] : heap_.front(); }
  void remove_front() {
    if (next_in_buffer()) {
      if (++now_head_ == now_.size()) {
        now_.clear();
        now_head_ = 0;
      }
      return;
    }
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    heap_.pop_back();
  }
  bool nothing_left() const { return heap_.empty() && now_head_ == now_.size(); }
  bool is_stale(const Entry& e) const {
    return e.slot != kNoSlot && generations_[e.slot] != e.generation;
  }
  void release_slot(std::uint32_t slot) {
    ++generations_[slot];
    free_slots_.push_back(slot);
  }
  void drop_stale_top() {
    while (!nothing_left() && is_stale(front())) {
      remove_front();
      --stale_;
    }
  }
  void sweep() {
    std::erase_if(heap_, [this](const Entry& e) { return is_stale(e); });
    std::make_heap(heap_.begin(), heap_.end(), Later{});
    now_.erase(now_.begin(), now_.begin() + static_cast<std::ptrdiff_t>(now_head_));
    now_head_ = 0;
    std::erase_if(now_, [this](const Entry& e) { return is_stale(e); });
    stale_ = 0;
  }

  std::vector<Entry> heap_;
  /// Entries due at the time of the last pop (zero-delay events), sorted, read from now_head_:
  /// they come out before time moves on, so the buffer stays short and spares them the heap.
  std::vector<Entry> now_;
  std::size_t now_head_ = 0;
  SimTime last_popped_ = -1;
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t sequence_ = 0;
  std::size_t stale_ = 0;
};

}  // namespace trsim::detail
