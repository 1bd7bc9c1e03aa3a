// Runs the replications of a scenario (§5); io/summary_json.cpp writes their summary JSON (§4).
//
// Determinism across --threads: each replication is a pure function of (scenario, seed,
// replication); results are stored by replication index; the event log of each replication is
// written to its own temporary file and appended to the output strictly in replication order, so
// the bytes are those of a single-threaded run. The log is never held whole in memory.
#include "trsim/runner.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <streambuf>
#include <vector>

#include "experiment/parallel.hpp"
#include "stats/statistics_collector.hpp"
#include "trsim/sink.hpp"
#include "trsim/value.hpp"

namespace trsim {

namespace {

// A std::streambuf writing to a C FILE, so that a std::tmpfile() (deleted by the system when
// closed, even on a crash) can back a std::ostream.
class FileBuf final : public std::streambuf {
 public:
  explicit FileBuf(std::FILE* file) : file_(file) {}
  /// errno of the first failed write (a full /tmp, `ulimit -f`), 0 when none failed.
  int error() const { return error_; }

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    const std::size_t w = std::fwrite(s, 1, static_cast<std::size_t>(n), file_);
    if (w < static_cast<std::size_t>(n)) note_error();
    return static_cast<std::streamsize>(w);
  }
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    if (std::fputc(c, file_) != EOF) return c;
    note_error();
    return traits_type::eof();
  }
  int sync() override {
    if (std::fflush(file_) == 0) return 0;
    note_error();
    return -1;
  }

 private:
  void note_error() {
    if (error_ == 0) error_ = errno != 0 ? errno : EIO;
  }
  std::FILE* file_;
  int error_ = 0;
};

// One replication's event log, parked in a temporary file until its turn to be written.
class TempLog {
 public:
  TempLog() : file_(std::tmpfile()), buf_(file_), stream_(&buf_) {
    if (file_ == nullptr)
      throw OutputFailure(std::string("cannot create a temporary file for the event log: ") +
                          std::strerror(errno));
  }
  ~TempLog() {
    if (file_ != nullptr) std::fclose(file_);
  }
  TempLog(const TempLog&) = delete;
  TempLog& operator=(const TempLog&) = delete;

  std::ostream& stream() { return stream_; }

  /// Appends the whole file to `out`, in chunks.
  void copy_to(std::ostream& out) {
    stream_.flush();
    if (!stream_ || std::fflush(file_) != 0 || std::ferror(file_) != 0) {
      const int error = buf_.error() != 0 ? buf_.error() : errno;
      throw OutputFailure(std::string("cannot write the event log to a temporary file in ") +
                          "the temporary folder (TMPDIR): " + std::strerror(error));
    }
    std::rewind(file_);
    std::vector<char> chunk(std::size_t{1} << 20);
    for (;;) {
      const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), file_);
      if (n > 0) out.write(chunk.data(), static_cast<std::streamsize>(n));
      if (n < chunk.size()) break;
    }
    if (std::ferror(file_) != 0)
      throw OutputFailure(std::string("cannot read back the temporary event log: ") +
                          std::strerror(errno));
  }

 private:
  std::FILE* file_;
  FileBuf buf_;
  std::ostream stream_;
};

ReplicationResult run_replication(const Scenario& scenario,
                                  const std::shared_ptr<const RoutingFacts>& facts,
                                  std::uint32_t replication, bool check_invariants,
                                  EventSink* sink) {
  // The engine announces begin_replication/end_replication to the sink itself.
  Engine engine(scenario, facts, EngineOptions{scenario.seed, replication, check_invariants}, sink);
  return engine.run();
}

RunSummary summarise(std::vector<ReplicationResult> runs) {
  RunSummary summary;
  summary.runs = std::move(runs);
  std::vector<const MetricNode*> trees;
  trees.reserve(summary.runs.size());
  for (const ReplicationResult& r : summary.runs) trees.push_back(&r.statistics);
  summary.statistics = aggregate_trees(trees);
  summary.intervals = aggregate_intervals(summary.runs);
  return summary;
}

}  // namespace

// Cell by cell over the replications, in replication order. Tables of another shape (not expected:
// every replication of a scenario has the same one) are left out.
IntervalSummary aggregate_intervals(const std::vector<ReplicationResult>& runs) {
  IntervalSummary out;
  if (runs.empty()) return out;
  out.mean = runs.front().intervals;
  out.ci95.assign(out.mean.values.size(), kNull);
  std::vector<double> cell;
  cell.reserve(runs.size());
  for (std::size_t i = 0; i < out.mean.values.size(); ++i) {
    cell.clear();
    for (const ReplicationResult& r : runs)
      if (r.intervals.values.size() == out.mean.values.size())
        cell.push_back(r.intervals.values[i]);
    const Aggregate a = aggregate(cell);
    out.mean.values[i] = a.mean;
    out.ci95[i] = a.ci95;
  }
  return out;
}

namespace {

RunSummary run_replications(const Scenario& scenario, const RunSettings& settings) {
  const std::uint32_t total = scenario.replications;
  // Every line names its replication, with one replication too: a reader never needs to know how
  // many there were to group the lines.
  const bool rep_field = true;
  std::vector<ReplicationResult> runs(total);
  const std::uint32_t threads =
      std::clamp<std::uint32_t>(settings.threads, 1, std::max<std::uint32_t>(total, 1));
  // Built once, read by every replication (on every thread).
  const std::shared_ptr<const RoutingFacts> facts = build_routing_facts(scenario);

  if (threads == 1) {
    std::unique_ptr<EventSink> sink;
    if (settings.events != nullptr)
      sink = make_event_sink(settings.events_format, scenario, *settings.events, rep_field,
                             settings.events_separator);
    for (std::uint32_t rep = 0; rep < total; ++rep) {
      runs[rep] = run_replication(scenario, facts, settings.first_replication + rep,
                                  settings.check_invariants, sink.get());
      if (settings.on_progress) settings.on_progress(rep + 1, total);
    }
    return summarise(std::move(runs));
  }

  std::mutex mutex;  // guards the logs below, the output stream and on_progress
  std::uint32_t done = 0;
  std::uint32_t next_to_write = 0;
  std::vector<std::unique_ptr<TempLog>> logs(total);  // finished, waiting for their turn
  detail::parallel_for(total, threads, [&](std::size_t i) {
    const auto rep = static_cast<std::uint32_t>(i);
    std::unique_ptr<TempLog> log;
    if (settings.events != nullptr) {
      log = std::make_unique<TempLog>();
      const std::unique_ptr<EventSink> sink = make_event_sink(
          settings.events_format, scenario, log->stream(), rep_field, settings.events_separator);
      runs[rep] = run_replication(scenario, facts, settings.first_replication + rep,
                                  settings.check_invariants, sink.get());
    } else {
      runs[rep] = run_replication(scenario, facts, settings.first_replication + rep,
                                  settings.check_invariants, nullptr);
    }
    std::lock_guard lock(mutex);
    if (log) {
      logs[rep] = std::move(log);
      // Write every log whose predecessors are all written; the others wait their turn.
      while (next_to_write < total && logs[next_to_write]) {
        logs[next_to_write]->copy_to(*settings.events);
        logs[next_to_write].reset();
        ++next_to_write;
      }
    }
    ++done;
    if (settings.on_progress) settings.on_progress(done, total);
  });
  return summarise(std::move(runs));
}

}  // namespace

RunSummary run_scenario(const Scenario& scenario, const RunSettings& settings) {
  if (!scenario.warmup_auto) return run_replications(scenario, settings);
  const AutoWarmup chosen = pilot_warmup(scenario, settings.threads, settings.check_invariants);
  Scenario fixed = scenario;
  fixed.warmup_auto = false;
  fixed.warmup = chosen.warmup;
  RunSummary summary = run_replications(fixed, settings);
  summary.auto_warmup = chosen;
  return summary;
}

MetricNode statistics_shape(const Scenario& scenario) {
  return detail::StatisticsCollector(scenario).finish(0, {});
}

}  // namespace trsim
