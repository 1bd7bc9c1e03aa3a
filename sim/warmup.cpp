// `warmup: auto` (include/trsim/warmup.hpp): a pilot run records every task's wait, MSER-5 picks
// the truncation point.
#include "trsim/warmup.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "trsim/engine.hpp"
#include "trsim/sink.hpp"

namespace trsim {

namespace {

constexpr SimTime kNotEnded = -1;

// Records when each task was created and when its wait ended (first accept, or cancel). Task ids
// are dense in creation order, so the vectors are indexed by them.
class WaitRecorder final : public EventSink {
 public:
  void on_event(const Event& e) override {
    last_ = e.time;
    switch (e.type) {
      case EventType::task_created:
        if (created_.size() <= e.task) {
          created_.resize(e.task + 1, 0);
          ended_.resize(e.task + 1, kNotEnded);
        }
        created_[e.task] = e.time;
        break;
      case EventType::reservation_accepted:
      case EventType::task_canceled:
        if (e.task < ended_.size() && ended_[e.task] == kNotEnded) ended_[e.task] = e.time;
        break;
      default:
        break;
    }
  }

  WaitSeries series() const {
    WaitSeries s;
    s.created = created_;
    s.waits.reserve(created_.size());
    for (std::size_t t = 0; t < created_.size(); ++t) {
      const SimTime end = ended_[t] == kNotEnded ? last_ : ended_[t];
      s.waits.push_back(to_seconds(end - created_[t]));
    }
    return s;
  }

 private:
  std::vector<SimTime> created_;
  std::vector<SimTime> ended_;
  SimTime last_ = 0;
};

}  // namespace

AutoWarmup choose_warmup(const std::vector<WaitSeries>& replications) {
  AutoWarmup out;
  if (replications.empty()) return out;
  std::size_t n = replications.front().waits.size();
  for (const WaitSeries& r : replications) n = std::min(n, r.waits.size());
  out.tasks = n;
  std::vector<double> mean(n, 0.0);
  for (const WaitSeries& r : replications)
    for (std::size_t k = 0; k < n; ++k) mean[k] += r.waits[k];
  for (double& m : mean) m /= static_cast<double>(replications.size());
  out.mser = mser(mean, AutoWarmup::kMserBatch);
  const std::size_t first_kept = out.tasks_truncated();
  if (first_kept == 0) return out;
  double seconds = 0;
  for (const WaitSeries& r : replications) seconds += to_seconds(r.created[first_kept]);
  seconds /= static_cast<double>(replications.size());
  out.warmup = static_cast<SimTime>(std::floor(seconds)) * kMicrosPerSecond;
  return out;
}

AutoWarmup pilot_warmup(const Scenario& scenario, std::uint32_t threads, bool check_invariants) {
  const std::uint32_t total = scenario.replications;
  std::vector<WaitSeries> series(total);
  const auto run_one = [&](std::uint32_t rep) {
    WaitRecorder recorder;
    Engine engine(scenario, EngineOptions{scenario.seed, rep, check_invariants}, &recorder);
    engine.run();
    series[rep] = recorder.series();
  };
  // Each replication writes only its own slot, so the series (and the choice) do not depend on
  // which thread ran what.
  const std::uint32_t workers = std::clamp<std::uint32_t>(threads, 1, std::max<std::uint32_t>(total, 1));
  std::atomic<std::uint32_t> next{0};
  std::mutex mutex;
  std::exception_ptr error;
  std::uint32_t error_rep = total;
  const auto work = [&] {
    for (std::uint32_t rep; (rep = next.fetch_add(1)) < total;) {
      try {
        run_one(rep);
      } catch (...) {
        std::lock_guard lock(mutex);
        if (rep < error_rep) {  // the earliest replication's error, whatever the timing
          error = std::current_exception();
          error_rep = rep;
        }
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::uint32_t i = 1; i < workers; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return choose_warmup(series);
}

}  // namespace trsim
