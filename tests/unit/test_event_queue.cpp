// The future event list: total order (time, rank, insertion), lazy cancellation, and the
// zero-delay buffer that keeps events due at the current instant out of the heap.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>
#include <tuple>
#include <vector>

#include "engine/event_queue.hpp"
#include "trsim/random.hpp"

using trsim::detail::EventQueue;
using trsim::detail::Timer;

TEST_CASE("zero-delay events keep the order time, rank, insertion", "[event_queue]") {
  EventQueue q;
  q.schedule(10, 5, 1);
  q.schedule(10, 2, 2);
  q.schedule(11, 0, 3);
  REQUIRE(q.pop().entity == 2);  // now = 10
  q.schedule(10, 1, 4);          // zero delay, lower rank than the pending rank-5 event
  q.schedule(10, 5, 5);          // zero delay, same rank: after the earlier rank-5 event
  q.schedule(10, 9, 6);
  Timer cancelled = q.schedule_timer(10, 3, 7);
  q.cancel(cancelled);
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().entity);
  CHECK(order == std::vector<std::uint32_t>{4, 1, 5, 6, 3});
}

TEST_CASE("the event queue pops what a sorted reference pops, with zero delays and cancels",
          "[event_queue]") {
  // Reference: a set ordered by (time, rank, insertion number); live timers by their number.
  using Key = std::tuple<std::int64_t, std::uint8_t, std::uint32_t>;
  std::set<Key> reference;
  std::vector<std::pair<Timer, Key>> timers;
  EventQueue q;
  trsim::Rng rng(7);
  std::uint32_t next = 0;
  std::int64_t now = 0;
  auto schedule = [&] {
    // A third of the events are due now (zero delay), the rest within 100 µs.
    const std::int64_t delay =
        rng.uniform01() < 0.33 ? 0 : 1 + static_cast<std::int64_t>(rng.uniform01() * 100);
    const auto rank = static_cast<std::uint8_t>(rng.uniform01() * 10);
    const Key key{now + delay, rank, next};
    if (rng.uniform01() < 0.5) {
      timers.emplace_back(q.schedule_timer(now + delay, rank, next), key);
    } else {
      q.schedule(now + delay, rank, next);
    }
    reference.insert(key);
    ++next;
  };
  for (int i = 0; i < 50; ++i) schedule();
  for (int step = 0; step < 20000; ++step) {
    if (!timers.empty() && rng.uniform01() < 0.2) {
      const std::size_t k =
          static_cast<std::size_t>(rng.uniform01() * static_cast<double>(timers.size()));
      auto& [timer, key] = timers[k];
      if (reference.erase(key) == 1) q.cancel(timer);
      timers.erase(timers.begin() + static_cast<std::ptrdiff_t>(k));
    }
    REQUIRE(q.size() == reference.size());
    if (reference.empty()) break;
    const auto e = q.pop();
    const Key expected = *reference.begin();
    reference.erase(reference.begin());
    REQUIRE(Key{e.time, e.kind, e.entity} == expected);
    now = e.time;
    const int children = rng.uniform01() < 0.5 ? 1 : 2;
    for (int c = 0; c < children && reference.size() < 200; ++c) schedule();
  }
}

TEST_CASE("pop_until takes events up to the limit and leaves later ones in place",
          "[event_queue]") {
  // Timeline: a at 5, b at 10 (cancelled), c at 10, d at 20. Limit 10 yields a then c; d stays.
  EventQueue q;
  q.schedule(5, 9, 1);
  Timer b = q.schedule_timer(10, 0, 2);
  q.schedule_timer(10, 1, 3);
  q.schedule(20, 0, 4);
  q.cancel(b);
  CHECK_FALSE(b.armed());
  trsim::detail::ScheduledEvent e;
  REQUIRE(q.pop_until(10, e));
  CHECK((e.time == 5 && e.entity == 1));
  REQUIRE(q.pop_until(10, e));
  CHECK((e.time == 10 && e.kind == 1 && e.entity == 3));
  CHECK_FALSE(q.pop_until(10, e));
  CHECK(q.size() == 1);
  REQUIRE(q.pop_until(20, e));
  CHECK((e.time == 20 && e.entity == 4));
  CHECK_FALSE(q.pop_until(trsim::kNever, e));
  CHECK(q.empty());
}

TEST_CASE("a sweep of many cancelled timers keeps the order of the live ones", "[event_queue]") {
  // 10,000 timers at times 0..999 (ten per instant, ranks 9..0); all but every tenth is
  // cancelled, which sweeps the heap (more than 4096 stale entries, and more stale than live).
  EventQueue q;
  std::vector<Timer> timers;
  for (std::uint32_t i = 0; i < 10000; ++i)
    timers.push_back(q.schedule_timer(static_cast<std::int64_t>(i % 1000),
                                      static_cast<std::uint8_t>(9 - i / 1000), i));
  for (std::uint32_t i = 0; i < 10000; ++i)
    if (i % 10 != 3) q.cancel(timers[i]);
  CHECK(q.size() == 1000);
  CHECK(q.heap_size() < 10000);  // swept at least once
  std::vector<std::uint32_t> expected;
  for (std::int64_t t = 0; t < 1000; ++t)
    for (std::uint32_t rank = 0; rank < 10; ++rank) {
      const std::uint32_t i = (9 - rank) * 1000 + static_cast<std::uint32_t>(t);
      if (i % 10 == 3) expected.push_back(i);
    }
  std::vector<std::uint32_t> order;
  while (!q.empty()) order.push_back(q.pop().entity);
  CHECK(order == expected);
}

TEST_CASE(
    "an event scheduled right after a pop from the heap takes the popped root's place in order",
    "[event_queue]") {
  // For heaps of 1..40 entries at times 10, 20, ..., pop the first (t = 10), then schedule one
  // event at each probe time (ties with existing times come after them: same rank, later
  // insertion) and check that everything comes out in (time, insertion) order.
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const std::int64_t last = 10 * static_cast<std::int64_t>(n);
    for (const std::int64_t probe :
         {std::int64_t{15}, std::int64_t{20}, std::int64_t{25}, last, last + 5}) {
      EventQueue q;
      for (std::uint32_t i = n; i >= 1; --i)
        q.schedule_timer(10 * static_cast<std::int64_t>(i), 3, i);
      REQUIRE(q.pop().entity == 1);
      q.schedule(probe, 3, 1000);
      std::vector<std::pair<std::int64_t, std::uint32_t>> expected;
      for (std::uint32_t i = 2; i <= n; ++i)
        expected.emplace_back(10 * static_cast<std::int64_t>(i), i);
      // Inserted last, so after an existing entry with the same time.
      auto at = std::upper_bound(expected.begin(), expected.end(),
                                 std::pair<std::int64_t, std::uint32_t>{probe, UINT32_MAX});
      expected.insert(at, {probe, 1000});
      std::vector<std::pair<std::int64_t, std::uint32_t>> order;
      while (!q.empty()) {
        const auto e = q.pop();
        order.emplace_back(e.time, e.entity);
      }
      CHECK(order == expected);
    }
  }
}
