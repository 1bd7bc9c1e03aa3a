// Sweeps: the grid, its value lists, shards, running (point, replication) units in parallel and
// precision-driven replications.
//
// Determinism across --threads: each unit is a pure function of its point's scenario and its
// replication number; results are stored by unit index; the precision rule reads only results.
#include "trsim/sweep.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "experiment/parallel.hpp"
#include "trsim/engine.hpp"
#include "trsim/value.hpp"

namespace trsim {

std::size_t SweepGrid::size() const {
  std::size_t n = 1;
  for (const SweepParameter& p : parameters) n *= p.values.size();
  return n;
}

std::vector<std::size_t> SweepGrid::coordinates(std::size_t point) const {
  std::vector<std::size_t> c(parameters.size());
  for (std::size_t i = parameters.size(); i-- > 0;) {
    const std::size_t n = parameters[i].values.size();
    c[i] = point % n;
    point /= n;
  }
  return c;
}

std::vector<std::string> SweepGrid::values(std::size_t point) const {
  const std::vector<std::size_t> c = coordinates(point);
  std::vector<std::string> out;
  out.reserve(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) out.push_back(parameters[i].values[c[i]]);
  return out;
}

std::vector<std::string> SweepGrid::overrides(std::size_t point) const {
  std::vector<std::string> out = values(point);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = parameters[i].path + "=" + out[i];
  return out;
}

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits at the commas outside quotes, brackets and braces.
std::optional<std::vector<std::string>> split_top_level(std::string_view text, std::string* error) {
  std::vector<std::string> out;
  std::vector<char> closers;
  char quote = 0;
  std::size_t start = 0;
  const auto take = [&](std::size_t end) {
    const std::string_view item = trimmed(text.substr(start, end - start));
    if (item.empty()) return false;
    out.emplace_back(item);
    start = end + 1;
    return true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      closers.push_back(c == '[' ? ']' : '}');
    } else if (c == ']' || c == '}') {
      if (closers.empty() || closers.back() != c) {
        if (error) *error = fmt::format("unbalanced '{}' at character {}", c, i + 1);
        return std::nullopt;
      }
      closers.pop_back();
    } else if (c == ',' && closers.empty() && !take(i)) {
      if (error) *error = fmt::format("empty value before the comma at character {}", i + 1);
      return std::nullopt;
    }
  }
  if (quote != 0 || !closers.empty()) {
    if (error) *error = quote != 0 ? "unterminated quote" : "unclosed bracket or brace";
    return std::nullopt;
  }
  if (!take(text.size())) {
    if (error) *error = out.empty() ? "no value" : "empty value after the last comma";
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> split_sweep_values(std::string_view text,
                                                           std::string* error) {
  const std::string_view t = trimmed(text);
  auto items = split_top_level(t, error);
  if (!items) return std::nullopt;
  // One bracketed item is a YAML flow list: its items are the values.
  if (items->size() == 1 && t.size() >= 2 && t.front() == '[' && t.back() == ']') {
    auto inner = split_top_level(t.substr(1, t.size() - 2), error);
    if (!inner) return std::nullopt;
    items = std::move(inner);
  }
  for (std::size_t i = 0; i < items->size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if ((*items)[i] == (*items)[j]) {
        if (error) *error = fmt::format("the value '{}' is listed twice", (*items)[i]);
        return std::nullopt;
      }
    }
  }
  return items;
}

std::vector<std::string> default_sweep_metrics(const Scenario& scenario) {
  std::vector<std::string> m = {"workspace.tasks_created", "workspace.tasks_completed",
                                "workspace.tasks_abandoned", "workspace.tasks_canceled"};
  std::vector<std::string> seen;
  for (const double t : scenario.statistics.service_level_thresholds) {
    std::string key;
    append_json_number(key, t);  // the statistics tree names thresholds this way
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
    seen.push_back(key);
    m.push_back("workspace.service_level." + key);
  }
  for (const char* name : {"avg_task_acceptance_time", "abandon_rate", "occupancy",
                           "reservations_created", "reservations_accepted", "reservations_rejected",
                           "reservations_timed_out", "longest_task_waiting_age"})
    m.push_back(std::string("workspace.") + name);
  return m;
}

UnitRange shard_range(std::size_t units, std::size_t k, std::size_t n) {
  if (n == 0 || k >= n) throw std::invalid_argument("shard_range: k must be below n");
  const std::size_t base = units / n;
  const std::size_t extra = units % n;
  const std::size_t begin = k * base + std::min(k, extra);
  return {begin, begin + base + (k < extra ? 1 : 0)};
}

namespace {

// The units of one point that follow each other in the unit list share one scenario, built when
// the first of them starts and released after the last ends, so memory holds only the points in
// progress.
struct PointSlot {
  std::size_t point = 0;
  std::size_t remaining = 0;
  std::mutex mutex;
  std::shared_ptr<const Scenario> scenario;
  std::shared_ptr<const RoutingFacts> facts;  ///< the scenario's, shared by its replications
};

}  // namespace

std::vector<MetricNode> run_sweep_units(const std::vector<SweepUnit>& units,
                                        const ScenarioBuilder& build,
                                        const SweepSettings& settings) {
  const std::size_t total = units.size();
  std::vector<MetricNode> out(total);
  if (total == 0) return out;
  std::deque<PointSlot> slots;
  std::vector<std::size_t> slot_of(total);
  for (std::size_t u = 0; u < total; ++u) {
    if (slots.empty() || slots.back().point != units[u].point)
      slots.emplace_back().point = units[u].point;
    ++slots.back().remaining;
    slot_of[u] = slots.size() - 1;
  }

  std::mutex progress_mutex;  // guards `progress` and on_progress
  SweepProgress progress{0, total, 0, slots.size()};
  const auto run_unit = [&](std::size_t u) {
    PointSlot& slot = slots[slot_of[u]];
    std::shared_ptr<const Scenario> scenario;
    std::shared_ptr<const RoutingFacts> facts;  // after `scenario`: it points into it
    {
      std::lock_guard lock(slot.mutex);
      if (!slot.scenario) {
        slot.scenario = std::make_shared<const Scenario>(build(slot.point));
        slot.facts = build_routing_facts(*slot.scenario);
      }
      scenario = slot.scenario;
      facts = slot.facts;
    }
    Engine engine(*scenario, facts,
                  EngineOptions{scenario->seed, units[u].replication, settings.check_invariants});
    out[u] = engine.run().statistics;
    bool point_done = false;
    {
      std::lock_guard lock(slot.mutex);
      point_done = --slot.remaining == 0;
      if (point_done) {
        slot.facts.reset();
        slot.scenario.reset();
      }
    }
    std::lock_guard lock(progress_mutex);
    ++progress.units_done;
    if (point_done) ++progress.points_done;
    if (settings.on_progress) settings.on_progress(progress);
  };

  detail::parallel_for(total, settings.threads, run_unit);
  return out;
}

namespace {

// True when every point's ci95 half-width of every target metric is at most its target. A point
// whose metric has fewer than two non-null values has no half-width yet: not met.
bool precision_met(const SweepResults& results, const std::vector<PrecisionTarget>& targets) {
  std::vector<double> values;
  for (const MetricRows& runs : results.runs) {
    for (const PrecisionTarget& t : targets) {
      values.clear();
      for (std::size_t r = 0; r < runs.size(); ++r) values.push_back(runs.leaf(r, t.metric));
      const Aggregate a = aggregate(values);
      if (a.n < 2 || !(a.ci95 <= t.half_width)) return false;
    }
  }
  return true;
}

// Runs replications [first, first + count) of every point and appends them.
void add_replications(SweepResults& results, std::uint32_t first, std::uint32_t count,
                      const ScenarioBuilder& build, const SweepSettings& settings) {
  const std::size_t points = results.runs.size();
  std::vector<SweepUnit> units;
  units.reserve(points * count);
  for (std::size_t p = 0; p < points; ++p)
    for (std::uint32_t r = first; r < first + count; ++r) units.push_back({p, r});
  std::vector<MetricNode> stats = run_sweep_units(units, build, settings);
  for (std::size_t u = 0; u < units.size(); ++u) results.runs[units[u].point].push_back(stats[u]);
}

}  // namespace

SweepResults run_sweep(SweepDesign design, const ScenarioBuilder& build,
                       const SweepSettings& settings, const std::vector<PrecisionTarget>& precision,
                       std::uint32_t max_replications) {
  SweepResults results;
  results.runs.resize(design.grid.size());
  const std::uint32_t initial = design.replications;
  results.design = std::move(design);
  add_replications(results, 0, initial, build, settings);
  if (precision.empty()) return results;

  // Rounds of a fixed size: the initial count (at least 2), never past the cap.
  PrecisionReport report{precision, std::max<std::uint32_t>(initial, 2), max_replications, false};
  std::uint32_t have = initial;
  for (;;) {
    report.met = precision_met(results, precision);
    if (report.met || have >= max_replications) break;
    const std::uint32_t add = std::min(report.batch, max_replications - have);
    add_replications(results, have, add, build, settings);
    have += add;
  }
  results.design.replications = have;
  results.precision = std::move(report);
  return results;
}

std::vector<SweepPointSummary> summarise_sweep(const SweepResults& results) {
  const SweepDesign& d = results.design;
  std::vector<SweepPointSummary> out;
  out.reserve(results.runs.size());
  // Each metric's value per point and replication, null when absent from a point's tree.
  const auto series = [&](std::size_t point, const std::string& metric) {
    std::vector<double> v;
    const MetricRows& runs = results.runs[point];
    v.reserve(runs.size());
    for (std::size_t r = 0; r < runs.size(); ++r) v.push_back(runs.leaf(r, metric));
    return v;
  };
  for (std::size_t p = 0; p < results.runs.size(); ++p) {
    SweepPointSummary s;
    s.index = p;
    s.values = d.grid.values(p);
    s.replications = static_cast<std::uint32_t>(results.runs[p].size());
    s.statistics = results.runs[p].aggregate();
    for (const std::string& m : d.metrics) {
      const std::vector<double> mine = series(p, m);
      s.metrics.push_back(aggregate(mine));
      if (p == d.baseline) continue;
      // Paired across common random numbers: replication r of this point minus replication r of
      // the baseline (the same arrivals and behaviours). Counts are equal by construction.
      const std::vector<double> base = series(d.baseline, m);
      std::vector<double> diff(mine.size(), kNull);
      for (std::size_t r = 0; r < mine.size() && r < base.size(); ++r) diff[r] = mine[r] - base[r];
      s.differences.push_back(aggregate(diff));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace trsim
