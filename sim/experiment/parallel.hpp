#pragma once
// The one thread pool trsim has: replications (runner) and sweep units (sweep) are independent
// pieces of work identified by an index, whose results the caller stores by index so that the
// output does not depend on the number of threads.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace trsim::detail {

/// Runs body(i) for every i in [0, count) on up to `threads` threads (inline when one suffices),
/// handing out indices in increasing order. After a failure no new index starts, and the
/// exception of the smallest failing index is rethrown, so the error reported does not depend on
/// timing among the pieces that ran. `body` must be safe to call concurrently.
template <class Body>
void parallel_for(std::size_t count, std::size_t threads, const Body& body) {
  threads = std::clamp<std::size_t>(threads, 1, std::max<std::size_t>(count, 1));
  if (threads == 1) {
    for (std::size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  std::size_t error_index = count;
  const auto work = [&] {
    while (!failed.load(std::memory_order_relaxed)) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= count) return;
      try {
        body(i);
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (i < error_index) {
          error = std::current_exception();
          error_index = i;
        }
        failed.store(true, std::memory_order_relaxed);
        return;
      }
    }
  };
  // The calling thread works too. A thread that cannot start (the system's limit) is not an
  // error: the ones running share the work, and the results do not depend on how many there are.
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;
    }
  }
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace trsim::detail
