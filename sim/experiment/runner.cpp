// Runs the replications of a scenario and writes the summary JSON (§4, §5).
//
// Determinism across --threads: each replication is a pure function of (scenario, seed,
// replication); results are stored by replication index; the event log of each replication is
// written to its own temporary file and appended to the output strictly in replication order, so
// the bytes are those of a single-threaded run. The log is never held whole in memory.
#include "trsim/runner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <streambuf>

#include "experiment/parallel.hpp"
#include "io/json_layout.hpp"
#include "model/units.hpp"
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

ReplicationResult run_replication(const Scenario& scenario, std::uint32_t replication,
                                  bool check_invariants, EventSink* sink) {
  // The engine announces begin_replication/end_replication to the sink itself.
  Engine engine(scenario, EngineOptions{scenario.seed, replication, check_invariants}, sink);
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
  const bool rep_field = total > 1;
  std::vector<ReplicationResult> runs(total);
  const std::uint32_t threads =
      std::clamp<std::uint32_t>(settings.threads, 1, std::max<std::uint32_t>(total, 1));

  if (threads == 1) {
    std::unique_ptr<JsonLinesSink> sink;
    if (settings.events != nullptr)
      sink = std::make_unique<JsonLinesSink>(scenario, *settings.events, rep_field);
    for (std::uint32_t rep = 0; rep < total; ++rep) {
      runs[rep] = run_replication(scenario, rep, settings.check_invariants, sink.get());
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
      JsonLinesSink sink(scenario, log->stream(), rep_field);
      runs[rep] = run_replication(scenario, rep, settings.check_invariants, &sink);
    } else {
      runs[rep] = run_replication(scenario, rep, settings.check_invariants, nullptr);
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

namespace {

// The summary JSON writer: 2-space indentation, one member per line, aggregated leaves on one
// line ({"mean": m, "ci95": h, "min": a, "max": b}) so the file stays readable.
class SummaryWriter {
 public:
  std::string& out() { return out_; }

  void indent(int depth) { detail::json_indent(out_, depth); }
  void key(int depth, std::string_view k) { detail::json_key(out_, depth, k); }
  void number(double v) { append_json_number(out_, v); }
  void integer(std::uint64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
  void aggregate_tree(const AggregateNode& root, int depth) {
    detail::json_aggregate_tree(out_, root, depth);
  }

  /// [a, b, c] on one line.
  template <typename Value>
  void series(std::size_t n, Value value) {
    out_ += '[';
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0) out_ += ", ";
      number(value(i));
    }
    out_ += ']';
  }

  /// The interval table by scope, in the statistics' layout: {"workspace": {...}, "task_queues":
  /// {"<queue>": {...}}, "workers": {"<group>": {...}}}, each scope holding the columns that apply
  /// to it (a dotted column name nests: service_level.20, workers.Available). `leaf(scope, column)`
  /// writes one column's series over the intervals.
  template <typename Leaf>
  void interval_scopes(const IntervalTable& t, int depth, bool first_member, Leaf leaf) {
    const auto scope_body = [&](std::size_t s, int d) {
      std::vector<std::size_t> cols;
      for (std::size_t c = 0; c < t.columns.size(); ++c)
        if (t.applies(s, c)) cols.push_back(c);
      if (cols.empty()) {
        out_ += "{}";
        return;
      }
      out_ += "{\n";
      for (std::size_t i = 0; i < cols.size();) {
        const std::string& name = t.columns[cols[i]];
        const std::size_t dot = name.find('.');
        if (dot == std::string::npos) {
          key(d + 1, name);
          leaf(s, cols[i]);
          ++i;
        } else {
          const std::string_view prefix(name.data(), dot);
          key(d + 1, prefix);
          out_ += "{\n";
          std::size_t j = i;
          for (; j < cols.size(); ++j) {
            const std::string& n = t.columns[cols[j]];
            if (n.size() <= dot || n.compare(0, dot + 1, name, 0, dot + 1) != 0) break;
            if (j > i) out_ += ",\n";
            key(d + 2, std::string_view(n).substr(dot + 1));
            leaf(s, cols[j]);
          }
          out_ += '\n';
          indent(d + 1);
          out_ += '}';
          i = j;
        }
        out_ += i < cols.size() ? ",\n" : "\n";
      }
      indent(d);
      out_ += '}';
    };
    const auto kind_block = [&](const char* name, IntervalScope::Kind kind) {
      key(depth + 1, name);
      bool any = false;
      for (std::size_t s = 0; s < t.scopes.size(); ++s) {
        if (t.scopes[s].kind != kind) continue;
        out_ += any ? ",\n" : "{\n";
        any = true;
        key(depth + 2, t.scopes[s].name);
        scope_body(s, depth + 2);
      }
      if (!any) {
        out_ += "{}";
        return;
      }
      out_ += '\n';
      indent(depth + 1);
      out_ += '}';
    };
    if (!first_member) out_ += ",\n";
    key(depth + 1, "workspace");
    scope_body(0, depth + 1);
    out_ += ",\n";
    kind_block("task_queues", IntervalScope::Kind::queue);
    out_ += ",\n";
    kind_block("workers", IntervalScope::Kind::group);
    out_ += '\n';
  }

  /// The scenario's `expect:` list, one expectation a line: {"metric", "min", "max", "ci"}, with
  /// only the bounds it states.
  void expectations(const std::vector<Expectation>& list, int depth) {
    if (list.empty()) {
      out_ += "[]";
      return;
    }
    out_ += "[\n";
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Expectation& e = list[i];
      indent(depth + 1);
      out_ += "{\"metric\": ";
      append_json_string(out_, e.metric);
      if (e.min) {
        out_ += ", \"min\": ";
        number(*e.min);
      }
      if (e.max) {
        out_ += ", \"max\": ";
        number(*e.max);
      }
      out_ += e.require_ci ? ", \"ci\": true}" : ", \"ci\": false}";
      out_ += i + 1 < list.size() ? ",\n" : "\n";
    }
    indent(depth);
    out_ += ']';
  }

  void metric_tree(const MetricNode& root, int depth) {
    detail::json_metric_tree(out_, root, depth);
  }

 private:
  std::string out_;
};

}  // namespace

MetricNode statistics_shape(const Scenario& scenario) {
  return detail::StatisticsCollector(scenario).finish(0, {});
}

std::string summary_json(const Scenario& scenario, const RunSummary& summary) {
  SummaryWriter w;
  std::string& out = w.out();
  out += "{\n";
  w.key(1, "scenario");
  append_json_string(out, scenario.name);
  out += ",\n";
  w.key(1, "seed");
  w.integer(scenario.seed);  // exact: seeds use all 64 bits, beyond a double's 53
  out += ",\n";
  w.key(1, "replications");
  w.integer(scenario.replications);
  out += ",\n";
  w.key(1, "horizon");
  w.number(to_seconds(scenario.horizon));
  out += ",\n";
  w.key(1, "warmup");
  w.number(to_seconds(summary.auto_warmup ? summary.auto_warmup->warmup : scenario.warmup));
  out += ",\n";
  if (const std::optional<AutoWarmup>& a = summary.auto_warmup) {
    w.key(1, "warmup_auto");
    out += "{\"method\": \"MSER-5\", \"tasks\": ";
    w.integer(a->tasks);
    out += ", \"batches\": ";
    w.integer(a->mser.batches);
    out += ", \"batches_truncated\": ";
    w.integer(a->mser.truncated);
    out += ", \"tasks_truncated\": ";
    w.integer(a->tasks_truncated());
    out += ", \"mser\": ";
    w.number(a->mser.statistic);
    out += "},\n";
  }
  // What `trsim report` needs besides the numbers: the wall date of time 0 (clock times on the
  // axes), the timeout activity (the cascade chart) and the expectations (targets on the charts).
  w.key(1, "start");
  append_json_string(out, detail::format_iso8601_utc(scenario.start_epoch_seconds));
  out += ",\n";
  w.key(1, "timeout_activity");
  const ActivityId timeout = scenario.workspace.timeout_activity;
  if (timeout < scenario.activities.size())
    append_json_string(out, scenario.activities[timeout].name);
  else
    out += "null";
  out += ",\n";
  w.key(1, "expect");
  w.expectations(scenario.expectations, 1);
  out += ",\n";
  w.key(1, "statistics");
  w.aggregate_tree(summary.statistics, 1);
  out += ",\n";
  {
    // The interval table: per scope and column, the series of means and ci95 over the intervals.
    const IntervalTable& t = summary.intervals.mean;
    const std::vector<double>& ci95 = summary.intervals.ci95;
    w.key(1, "intervals");
    out += "{\n";
    w.key(2, "length");
    w.number(to_seconds(t.length));
    out += ",\n";
    w.key(2, "start");
    w.series(t.count, [&](std::size_t k) { return to_seconds(t.start(k)); });
    out += ",\n";
    w.key(2, "end");
    w.series(t.count, [&](std::size_t k) { return to_seconds(t.end(k)); });
    w.interval_scopes(t, 1, false, [&](std::size_t s, std::size_t c) {
      out += "{\"mean\": ";
      w.series(t.count, [&](std::size_t k) { return t.at(k, s, c); });
      out += ", \"ci95\": ";
      w.series(t.count, [&](std::size_t k) {
        return ci95.size() == t.values.size() ? ci95[t.cell(k, s, c)] : kNull;
      });
      out += '}';
    });
    w.indent(1);
    out += "},\n";
  }
  w.key(1, "runs");
  if (summary.runs.empty()) {
    out += "[]\n";
  } else {
    out += "[\n";
    for (std::size_t i = 0; i < summary.runs.size(); ++i) {
      const ReplicationResult& r = summary.runs[i];
      w.indent(2);
      out += "{\n";
      w.key(3, "replication");
      w.integer(r.replication);
      out += ",\n";
      w.key(3, "seed");
      w.integer(r.seed);
      out += ",\n";
      w.key(3, "events");
      w.integer(r.events);
      out += ",\n";
      w.key(3, "end_time");
      w.number(to_seconds(r.end_time));
      out += ",\n";
      w.key(3, "statistics");
      w.metric_tree(r.statistics, 3);
      out += ",\n";
      w.key(3, "intervals");
      out += "{\n";
      const IntervalTable& t = r.intervals;
      w.interval_scopes(t, 3, true, [&](std::size_t s, std::size_t c) {
        w.series(t.count, [&](std::size_t k) { return t.at(k, s, c); });
      });
      w.indent(3);
      out += "}\n";
      w.indent(2);
      out += i + 1 < summary.runs.size() ? "},\n" : "}\n";
    }
    w.indent(1);
    out += "]\n";
  }
  out += "}\n";
  return std::move(out);
}

}  // namespace trsim
