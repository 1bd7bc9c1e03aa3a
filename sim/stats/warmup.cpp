// `warmup: auto` (include/trsim/warmup.hpp): a pilot run records every task's wait, MSER-5 picks
// the truncation point.
#include "trsim/warmup.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
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

void WarmupSeries::add(const WaitSeries& replication) {
  const std::size_t n = std::min(replication.waits.size(), replication.created.size());
  tasks_ = replications_ == 0 ? n : std::min(tasks_, n);
  ++replications_;
  const std::size_t batches = tasks_ / AutoWarmup::kMserBatch;
  wait_sums_.resize(batches, 0.0);  // never grows: the first replication set the most
  start_sums_.resize(batches, 0.0);
  for (std::size_t j = 0; j < batches; ++j) {
    double sum = 0;
    for (std::size_t k = 0; k < AutoWarmup::kMserBatch; ++k)
      sum += replication.waits[j * AutoWarmup::kMserBatch + k];
    wait_sums_[j] += sum / static_cast<double>(AutoWarmup::kMserBatch);
    start_sums_[j] += to_seconds(replication.created[j * AutoWarmup::kMserBatch]);
  }
}

AutoWarmup WarmupSeries::choose() const {
  AutoWarmup out;
  if (replications_ == 0) return out;
  out.tasks = tasks_;
  // The mean of the batch means is the batch mean of the across-replication means, so MSER runs
  // on batches of one here.
  const std::size_t m = tasks_ / AutoWarmup::kMserBatch;
  std::vector<double> means(m);
  for (std::size_t j = 0; j < m; ++j) means[j] = wait_sums_[j] / static_cast<double>(replications_);
  const MserResult r = mser(means, 1);
  out.mser = r;
  if (r.truncated == 0) return out;
  const double seconds = start_sums_[r.truncated] / static_cast<double>(replications_);
  out.warmup = static_cast<SimTime>(std::floor(seconds)) * kMicrosPerSecond;
  return out;
}

AutoWarmup pilot_warmup(const Scenario& scenario, std::uint32_t threads, bool check_invariants) {
  const std::uint32_t total = scenario.replications;
  WarmupSeries folded;
  // Series wait here until every earlier replication is folded, so the sums are added in
  // replication order (the same floating-point result) whichever thread finishes first.
  std::vector<std::optional<WaitSeries>> pending(total);
  std::uint32_t next_to_fold = 0;
  std::mutex mutex;
  std::exception_ptr error;
  std::uint32_t error_rep = total;
  std::atomic<std::uint32_t> next{0};
  const std::shared_ptr<const RoutingFacts> facts =
      build_routing_facts(scenario);  // shared, read-only
  const auto work = [&] {
    for (std::uint32_t rep; (rep = next.fetch_add(1)) < total;) {
      try {
        WaitRecorder recorder;
        Engine engine(scenario, facts, EngineOptions{scenario.seed, rep, check_invariants},
                      &recorder);
        engine.run();
        WaitSeries series = recorder.series();
        std::lock_guard lock(mutex);
        pending[rep] = std::move(series);
        while (next_to_fold < total && pending[next_to_fold]) {
          folded.add(*pending[next_to_fold]);
          pending[next_to_fold].reset();
          ++next_to_fold;
        }
      } catch (...) {
        std::lock_guard lock(mutex);
        if (rep < error_rep) {  // the earliest replication's error, whatever the timing
          error = std::current_exception();
          error_rep = rep;
        }
      }
    }
  };
  const std::uint32_t workers =
      std::clamp<std::uint32_t>(threads, 1, std::max<std::uint32_t>(total, 1));
  std::vector<std::thread> pool;
  for (std::uint32_t i = 1; i < workers; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  return folded.choose();
}

}  // namespace trsim
