#pragma once
// The future event list: a binary heap of small, trivially copyable entries ordered by the total
// order (time, event-class rank, insertion sequence), packed into one 128-bit key so that a
// comparison is a single two-word compare. Events due at the instant of the last pop (zero delay)
// go to a short sorted buffer instead of the heap. Cancellation is lazy: a cancellable event
// holds a timer slot whose generation is bumped on cancel, and stale entries are dropped when they
// surface, or swept out in one pass when they outnumber the live ones (so a long TTL timer that is
// cancelled does not sit in the heap for a simulated day).
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
    push(Entry{make_key(time, kind), entity, aux, kNoSlot, 0});
  }

  /// Schedules a cancellable event and returns its timer.
  Timer schedule_timer(SimTime time, std::uint8_t kind, std::uint32_t entity,
                       std::uint32_t aux = 0) {
    std::uint32_t slot = free_head_;
    if (slot != kNoSlot) {
      free_head_ = slots_[slot].next_free;
    } else {
      slot = static_cast<std::uint32_t>(slots_.size());
      slots_.push_back(Slot{});
    }
    const std::uint32_t gen = slots_[slot].generation;
    push(Entry{make_key(time, kind), entity, aux, slot, gen});
    return Timer{slot, gen};
  }

  /// Cancels an armed timer and disarms it (no-op for an unarmed or already fired one).
  void cancel(Timer& timer) {
    if (!timer.armed()) return;
    if (slots_[timer.slot].generation != timer.generation) {  // already fired: nothing to cancel
      timer = Timer{};
      return;
    }
    release_slot(timer.slot);
    timer = Timer{};
    ++stale_;
    if (stale_ > 4096 && stale_ * 2 > heap_size()) sweep();
  }

  /// The event loop's one call per event: drops stale entries, then removes the next live event
  /// into `out` and returns true if it is due at or before `limit`; returns false (and leaves the
  /// event in place) if there is none or it is later. A fired timer's slot is released: the owner
  /// must disarm its Timer (the handler does so first thing).
  bool pop_until(SimTime limit, ScheduledEvent& out) {
    for (;;) {
      const bool buffered = next_in_buffer();
      if (!buffered && heap_.empty()) return false;
      const Entry& e = buffered ? now_[now_head_] : heap_.front();
      if (is_stale(e)) {
        remove_front(buffered);
        --stale_;
        continue;
      }
      const SimTime time = time_of(e.key);
      if (time > limit) return false;
      out = ScheduledEvent{time, kind_of(e.key), e.entity, e.aux};
      const std::uint32_t slot = e.slot;
      remove_front(buffered);  // invalidates e
      last_popped_ = time;
      if (slot != kNoSlot) release_slot(slot);
      return true;
    }
  }

  bool empty() {
    drop_stale_top();
    return nothing_left();
  }

  /// Time of the next live event. Precondition: !empty().
  SimTime next_time() {
    drop_stale_top();
    return time_of(front().key);
  }

  /// Removes and returns the next live event (see pop_until). Precondition: !empty().
  ScheduledEvent pop() {
    ScheduledEvent e;
    [[maybe_unused]] const bool popped = pop_until(kNever, e);
    assert(popped);
    return e;
  }

  std::size_t size() const { return heap_.size() + (now_.size() - now_head_) - stale_; }
  /// Live plus not yet swept stale entries.
  std::size_t heap_size() const { return heap_.size() + (now_.size() - now_head_); }

 private:
  static constexpr std::uint32_t kNoSlot = UINT32_MAX;

  /// (time, kind, sequence) as one signed 128-bit number: time in the high word (signed, so that
  /// the number orders like the time), kind (= rank) in the top 8 bits of the low word and the
  /// insertion sequence below it.
  __extension__ typedef __int128 Key;

  struct Entry {
    Key key;
    std::uint32_t entity;
    std::uint32_t aux;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  /// A timer slot: its current generation, and the next free slot while it is free (an intrusive
  /// free list, so arming and releasing touch one cache line and no vector bookkeeping).
  struct Slot {
    std::uint32_t generation = 0;
    std::uint32_t next_free = kNoSlot;
  };

  Key make_key(SimTime time, std::uint8_t kind) {
    const std::uint64_t order =
        (static_cast<std::uint64_t>(kind) << 56) | (sequence_++ & ((1ULL << 56) - 1));
    return (static_cast<Key>(time) << 64) | static_cast<Key>(order);
  }
  static SimTime time_of(Key key) { return static_cast<SimTime>(key >> 64); }
  static std::uint8_t kind_of(Key key) {
    return static_cast<std::uint8_t>(static_cast<std::uint64_t>(key) >> 56);
  }

  void push(const Entry& e) {
    if (time_of(e.key) == last_popped_) {  // zero delay: into the short sorted buffer
      now_.push_back(e);
      // Insertion step: entries of a higher rank scheduled earlier move up behind it.
      std::size_t i = now_.size() - 1;
      while (i > now_head_ && e.key < now_[i - 1].key) {
        now_[i] = now_[i - 1];
        --i;
      }
      now_[i] = e;
      return;
    }
    // Sift up with a hole: parents move down until e's place is found, then e is written once.
    std::size_t hole = heap_.size();
    heap_.push_back(e);
    Entry* h = heap_.data();
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 2;
      if (!(e.key < h[parent].key)) break;
      h[hole] = h[parent];
      hole = parent;
    }
    h[hole] = e;
  }
  /// The next entry is the buffer's front rather than the heap's.
  bool next_in_buffer() const {
    if (now_head_ == now_.size()) return false;
    return heap_.empty() || now_[now_head_].key < heap_.front().key;
  }
  const Entry& front() const { return next_in_buffer() ? now_[now_head_] : heap_.front(); }
  void remove_front(bool buffered) {
    if (buffered) {
      if (++now_head_ == now_.size()) {
        now_.clear();
        now_head_ = 0;
      }
      return;
    }
    pop_heap_top();
  }
  /// Removes the heap's root: the hole left at the root moves down along the smaller children to
  /// a leaf, then the last entry sifts up from there (it usually belongs near the bottom, so this
  /// takes one comparison per level instead of two).
  void pop_heap_top() {
    const std::size_t n = heap_.size() - 1;  // size after the removal
    Entry* h = heap_.data();
    const Entry last = h[n];
    std::size_t hole = 0;
    for (std::size_t child = 1; child < n; child = 2 * hole + 1) {
      if (child + 1 < n && h[child + 1].key < h[child].key) ++child;
      h[hole] = h[child];
      hole = child;
    }
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / 2;
      if (!(last.key < h[parent].key)) break;
      h[hole] = h[parent];
      hole = parent;
    }
    h[hole] = last;
    heap_.pop_back();
  }
  bool nothing_left() const { return heap_.empty() && now_head_ == now_.size(); }
  bool is_stale(const Entry& e) const {
    return e.slot != kNoSlot && slots_[e.slot].generation != e.generation;
  }
  void release_slot(std::uint32_t slot) {
    Slot& s = slots_[slot];
    ++s.generation;
    s.next_free = free_head_;
    free_head_ = slot;
  }
  void drop_stale_top() {
    while (!nothing_left()) {
      const bool buffered = next_in_buffer();
      if (!is_stale(buffered ? now_[now_head_] : heap_.front())) return;
      remove_front(buffered);
      --stale_;
    }
  }
  void sweep() {
    std::erase_if(heap_, [this](const Entry& e) { return is_stale(e); });
    // Rebuild the heap bottom-up: each parent sifts down over its (already ordered) subtrees.
    const std::size_t n = heap_.size();
    Entry* h = heap_.data();
    for (std::size_t start = n / 2; start-- > 0;) {
      const Entry e = h[start];
      std::size_t hole = start;
      for (std::size_t child = 2 * hole + 1; child < n; child = 2 * hole + 1) {
        if (child + 1 < n && h[child + 1].key < h[child].key) ++child;
        if (!(h[child].key < e.key)) break;
        h[hole] = h[child];
        hole = child;
      }
      h[hole] = e;
    }
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
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = kNoSlot;
  std::uint64_t sequence_ = 0;
  std::size_t stale_ = 0;
};

}  // namespace trsim::detail
