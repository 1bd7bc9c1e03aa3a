#pragma once
// The future event list: a 4-ary heap of small, trivially copyable entries ordered by the total
// order (time, event-class rank, insertion sequence), packed into one 128-bit key so that a
// comparison is a single two-word compare. Events due at the instant of the last pop (zero delay)
// go to a short sorted buffer instead of the heap. A root popped from the heap stays in place
// until the next operation: a push then sifts down from the root instead of removing the root and
// sifting up from a leaf (the common "pop one, schedule its successor" step). Cancellation is
// lazy: a cancellable event holds a timer slot whose generation is bumped on cancel, and stale
// entries are dropped when they surface, or swept out in one pass when they outnumber the live
// ones (so a long TTL timer that is cancelled does not sit in the heap for a simulated day).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "model/assert.hpp"
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
    if (free_head_ == kNoSlot) [[unlikely]]
      add_slot();
    const std::uint32_t slot = free_head_;
    free_head_ = slots_[slot].next_free;
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
    bool buffered = false;
    const Entry* e = next_live(buffered);
    if (e == nullptr) return false;
    const SimTime time = time_of(e->key);
    if (time > limit) return false;
    out = ScheduledEvent{time, kind_of(e->key), e->entity, e->aux};
    const std::uint32_t slot = e->slot;
    if (buffered)
      remove_front(true);
    else
      root_taken_ = true;  // removed by the next push (replace_root) or settle_root()
    last_popped_ = time;
    if (slot != kNoSlot) release_slot(slot);
    return true;
  }

  bool empty() {
    bool buffered = false;
    return next_live(buffered) == nullptr;
  }

  /// Removes and returns the next live event (see pop_until). Precondition: !empty().
  ScheduledEvent pop() {
    ScheduledEvent e;
    const bool popped = pop_until(kNever, e);
    TRSIM_ASSERT(popped, "pop() from an event list with no live event");
    return e;
  }

  std::size_t size() const { return heap_size() - stale_; }
  /// Live plus not yet swept stale entries.
  std::size_t heap_size() const { return heap_n_ - root_taken_ + (now_tail_ - now_head_); }

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
      if (now_tail_ == now_.size()) [[unlikely]]
        grow(now_);
      // Insertion step: entries of a higher rank scheduled earlier move back behind it.
      Entry* b = now_.data();
      std::size_t i = now_tail_++;
      while (i > now_head_ && e.key < b[i - 1].key) {
        b[i] = b[i - 1];
        --i;
      }
      b[i] = e;
      return;
    }
    if (root_taken_) {  // the popped root's place: one sift-down instead of a removal and a push
      root_taken_ = false;
      replace_root(e);
      return;
    }
    if (heap_n_ == heap_.size()) [[unlikely]]
      grow(heap_);
    sift_up(heap_n_++, e);
  }
  /// Sift up with a hole: parents move down from `hole` until e's place is found, then e is
  /// written once.
  void sift_up(std::size_t hole, const Entry& e) {
    Entry* h = heap_.data();
    while (hole > 0) {
      const std::size_t parent = (hole - 1) / kArity;
      if (!(e.key < h[parent].key)) break;
      h[hole] = h[parent];
      hole = parent;
    }
    h[hole] = e;
  }
  /// Storage grows out of line, so that the push above stays small enough to inline.
  [[gnu::noinline]] static void grow(std::vector<Entry>& v) {
    v.resize(v.empty() ? 64 : 2 * v.size());
  }

  /// The next entry is the buffer's front rather than the heap's.
  bool next_in_buffer() const {
    if (now_head_ == now_tail_) return false;
    return heap_n_ == 0 || now_[now_head_].key < heap_[0].key;
  }
  /// The next live entry, stale ones at the front dropped on the way; null when none is left.
  /// `buffered` tells whether it is the buffer's front (else the heap's root).
  const Entry* next_live(bool& buffered) {
    settle_root();
    while (!nothing_left()) {
      buffered = next_in_buffer();
      const Entry& e = buffered ? now_[now_head_] : heap_[0];
      if (!is_stale(e)) return &e;
      remove_front(buffered);
      --stale_;
    }
    return nullptr;
  }
  void remove_front(bool buffered) {
    if (buffered) {
      if (++now_head_ == now_tail_) now_head_ = now_tail_ = 0;
      return;
    }
    pop_heap_top();
  }
  /// Index of the smallest of the children first .. first + count - 1 (count >= 1).
  static std::size_t smallest_child(const Entry* h, std::size_t first, std::size_t count) {
    std::size_t best = first;
    for (std::size_t c = first + 1; c < first + count; ++c)
      if (h[c].key < h[best].key) best = c;
    return best;
  }
  /// Index of the smallest of the kArity children first .. first + kArity - 1, as a tournament
  /// of independent comparisons rather than a dependent chain.
  static std::size_t smallest_of_all(const Entry* h, std::size_t first) {
    if constexpr (kArity == 4) {
      const std::size_t a = first + (h[first + 1].key < h[first].key);
      const std::size_t b = first + 2 + (h[first + 3].key < h[first + 2].key);
      return h[b].key < h[a].key ? b : a;
    } else {
      return first + (h[first + 1].key < h[first].key);
    }
  }
  /// Removes the heap's root: the hole left at the root moves down along the smallest children
  /// to a leaf, then the last entry sifts up from there (it usually belongs near the bottom, so
  /// this saves the comparison with it at every level on the way down).
  void pop_heap_top() {
    const std::size_t n = --heap_n_;  // the last entry, at index n, is re-placed
    Entry* h = heap_.data();
    const Entry last = h[n];
    std::size_t hole = 0;
    std::size_t first = 1;
    for (; first + kArity <= n; first = kArity * hole + 1) {  // all children present
      const std::size_t child = smallest_of_all(h, first);
      h[hole] = h[child];
      hole = child;
    }
    if (first < n) {  // the one node with fewer children
      const std::size_t child = smallest_child(h, first, n - first);
      h[hole] = h[child];
      hole = child;
    }
    sift_up(hole, last);
  }
  /// Puts e at the root, whose entry has been popped, and sifts it down (with a hole: children
  /// move up until e's place is found). A handler often schedules one event into the heap right
  /// after its own was popped from it (the next arrival, say), and that event is usually due
  /// soon, so it settles near the root.
  void replace_root(const Entry& e) { sift_down(0, e); }
  /// Sift down with a hole: children move up from `hole` until e's place is found, then e is
  /// written once.
  void sift_down(std::size_t hole, const Entry& e) {
    Entry* h = heap_.data();
    const std::size_t n = heap_n_;
    std::size_t first = kArity * hole + 1;
    for (; first + kArity <= n; first = kArity * hole + 1) {  // all children present
      const std::size_t child = smallest_of_all(h, first);
      if (!(h[child].key < e.key)) break;
      h[hole] = h[child];
      hole = child;
    }
    if (first + kArity > n && first < n) {  // the one node with fewer children
      const std::size_t child = smallest_child(h, first, n - first);
      if (h[child].key < e.key) {
        h[hole] = h[child];
        hole = child;
      }
    }
    h[hole] = e;
  }
  /// Removes the root popped last if no push has taken its place yet.
  void settle_root() {
    if (root_taken_) {
      root_taken_ = false;
      pop_heap_top();
    }
  }
  bool nothing_left() const { return heap_n_ == 0 && now_head_ == now_tail_; }
  bool is_stale(const Entry& e) const {
    return e.slot != kNoSlot && slots_[e.slot].generation != e.generation;
  }
  /// A new free slot (out of line: the table only grows to the most timers ever armed at once).
  [[gnu::noinline]] void add_slot() {
    free_head_ = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(Slot{});
  }
  void release_slot(std::uint32_t slot) {
    Slot& s = slots_[slot];
    ++s.generation;
    s.next_free = free_head_;
    free_head_ = slot;
  }
  /// Rare (once stale entries outnumber live ones): out of line, so that cancel() inlines.
  [[gnu::noinline]] void sweep() {
    settle_root();
    const auto stale = [this](const Entry& e) { return is_stale(e); };
    heap_n_ = static_cast<std::size_t>(std::remove_if(heap_.data(), heap_.data() + heap_n_, stale) -
                                       heap_.data());
    // Rebuild the heap bottom-up: each parent sifts down over its (already ordered) subtrees.
    const std::size_t n = heap_n_;
    for (std::size_t start = n > 1 ? (n - 2) / kArity + 1 : 0; start-- > 0;)
      sift_down(start, Entry(heap_[start]));  // a copy: the entry's own place is the first hole
    Entry* b = now_.data();
    now_tail_ = static_cast<std::size_t>(std::remove_if(b + now_head_, b + now_tail_, stale) - b);
    if (now_head_ == now_tail_) now_head_ = now_tail_ = 0;
    stale_ = 0;
  }

  /// Arity of the heap: wider nodes mean fewer levels (and entry moves) per pop.
  static constexpr std::size_t kArity = 4;
  /// The heap is heap_[0, heap_n_); the vectors are storage, grown by grow() only.
  std::vector<Entry> heap_;
  std::size_t heap_n_ = 0;
  /// Entries due at the time of the last pop (zero-delay events), sorted, in now_[now_head_,
  /// now_tail_): they come out before time moves on, so the buffer stays short and spares them
  /// the heap.
  std::vector<Entry> now_;
  std::size_t now_head_ = 0;
  std::size_t now_tail_ = 0;
  /// heap_[0] has been popped and is dead: the next heap push replaces it, anything else removes
  /// it first (settle_root).
  bool root_taken_ = false;
  SimTime last_popped_ = -1;
  std::vector<Slot> slots_;
  std::uint32_t free_head_ = kNoSlot;
  std::uint64_t sequence_ = 0;
  std::size_t stale_ = 0;
};

}  // namespace trsim::detail
