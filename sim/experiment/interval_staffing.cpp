// `trsim staff --per-interval` (include/trsim/interval_staffing.hpp).
#include "trsim/interval_staffing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "trsim/erlang.hpp"
#include "trsim/expectations.hpp"

namespace trsim {

namespace {

constexpr const char* kPerIntervalColumns[] = {"abandon_rate", "avg_task_acceptance_time",
                                               "occupancy"};

bool per_interval_column(std::string_view column) {
  if (column.rfind("service_level.", 0) == 0) return true;
  return std::find(std::begin(kPerIntervalColumns), std::end(kPerIntervalColumns), column) !=
         std::end(kPerIntervalColumns);
}

/// Mean arrival rate (per second) of stream `s` over [from, to).
double mean_rate(const ArrivalStream& s, SimTime from, SimTime to) {
  const double len = to_seconds(to - from);
  if (len <= 0) return 0;
  switch (s.kind) {
    case ArrivalStream::Kind::poisson:
      return s.rate_per_second;
    case ArrivalStream::Kind::piecewise: {
      if (s.rates_per_second.empty() || s.rate_interval <= 0) return 0;
      double tasks = 0;
      for (SimTime t = from; t < to;) {
        const SimTime piece = t / s.rate_interval;
        const SimTime piece_end = std::min(to, (piece + 1) * s.rate_interval);
        const auto i = static_cast<std::size_t>(piece) % s.rates_per_second.size();
        tasks += s.rates_per_second[i] * to_seconds(piece_end - t);
        t = piece_end;
      }
      return tasks / len;
    }
    case ArrivalStream::Kind::trace: {
      const auto lo = std::lower_bound(s.trace.begin(), s.trace.end(), from,
                                       [](const TraceRow& r, SimTime t) { return r.time < t; });
      const auto hi = std::lower_bound(s.trace.begin(), s.trace.end(), to,
                                       [](const TraceRow& r, SimTime t) { return r.time < t; });
      return static_cast<double>(hi - lo) / len;
    }
  }
  return 0;
}

std::string clock(SimTime t) {
  const std::int64_t minutes = t / (60 * kMicrosPerSecond);
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

std::string interval_name(const Scenario& s, std::size_t k) {
  const SimTime len = s.statistics.interval;
  const SimTime a = static_cast<SimTime>(k) * len, b = std::min(a + len, s.horizon);
  return fmt::format("interval {}-{} ({} s)", clock(a), clock(b), a / kMicrosPerSecond);
}

}  // namespace

std::vector<IntervalTarget> interval_targets(const Scenario& scenario,
                                             std::vector<std::size_t>* skipped) {
  std::vector<IntervalTarget> out;
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    const std::string& m = scenario.expectations[i].metric;
    IntervalTarget t;
    t.expectation = i;
    const auto scoped = [&](std::string_view prefix, const std::string& name, const char* kind) {
      const std::string head = std::string(prefix) + name + ".";
      if (m.rfind(head, 0) != 0) return false;
      t.scope = std::string(kind) + name;
      t.column = m.substr(head.size());
      return true;
    };
    bool found = false;
    if (m.rfind("workspace.", 0) == 0) {
      t.scope = "workspace";
      t.column = m.substr(10);
      found = true;
    }
    for (const TaskQueue& q : scenario.task_queues)
      found = found || scoped("task_queues.", q.name, "queue:");
    for (const WorkerGroup& g : scenario.worker_groups)
      found = found || scoped("workers.", g.name, "group:");
    const bool applies = found && per_interval_column(t.column) &&
                         (t.column == "occupancy" ? t.scope.rfind("queue:", 0) != 0
                                                  : t.scope.rfind("group:", 0) != 0);
    if (applies)
      out.push_back(std::move(t));
    else if (skipped)
      skipped->push_back(i);
  }
  return out;
}

std::vector<AnalyticInterval> analytic_requirements(const Scenario& scenario,
                                                    const std::vector<IntervalTarget>& targets) {
  const SimTime len = scenario.statistics.interval;
  const auto count = static_cast<std::size_t>((scenario.horizon + len - 1) / len);
  bool patience = !scenario.arrivals.empty();
  double patience_sum = 0, patience_weight = 0;
  std::vector<AnalyticInterval> out(count);
  for (std::size_t k = 0; k < count; ++k) {
    const SimTime from = static_cast<SimTime>(k) * len, to = std::min(from + len, scenario.horizon);
    AnalyticInterval& a = out[k];
    double work = 0;
    for (const ArrivalStream& s : scenario.arrivals) {
      const double r = mean_rate(s, from, to);
      a.arrival_rate += r;
      work += r * s.handle_time.mean();
      if (!s.patience) patience = false;
      if (s.patience && k == 0) {
        patience_sum += s.patience->mean();
        patience_weight += 1;
      }
    }
    a.handle = a.arrival_rate > 0 ? work / a.arrival_rate : 0;
    a.load = work;
  }
  const double mean_patience = patience && patience_weight > 0 ? patience_sum / patience_weight : 0;
  for (AnalyticInterval& a : out) {
    if (a.load <= 0 || a.handle <= 0) continue;
    a.erlang_a = mean_patience > 0;
    // The fewest agents meeting one target: the smallest n above the load (Erlang C needs n > a)
    // for which `ok` holds, searched upwards (the metrics are monotone in n).
    std::int64_t n = static_cast<std::int64_t>(std::floor(a.load)) + 1;
    const auto raise_until = [&](const auto& ok) {
      for (std::int64_t limit = n + 100000; n < limit && !ok(n);) ++n;
    };
    for (const IntervalTarget& t : targets) {
      const Expectation& x = scenario.expectations[t.expectation];
      if (t.column.rfind("service_level.", 0) == 0 && x.min) {
        if (*x.min > 1) continue;  // no staffing meets it; the simulation says where
        const double threshold = std::strtod(t.column.c_str() + 14, nullptr);
        raise_until([&](std::int64_t c) {
          return erlang::service_level(c, a.load, a.handle, threshold) >= *x.min - 1e-12;
        });
      } else if (t.column == "avg_task_acceptance_time" && x.max) {
        raise_until([&](std::int64_t c) {
          return (a.erlang_a ? erlang::erlang_a(c, a.load, a.handle, mean_patience).mean_wait
                             : erlang::average_speed_of_answer(c, a.load, a.handle)) <= *x.max;
        });
      } else if (t.column == "abandon_rate" && x.max && a.erlang_a) {
        raise_until([&](std::int64_t c) {
          return erlang::erlang_a(c, a.load, a.handle, mean_patience).p_abandon <= *x.max;
        });
      } else if (t.column == "occupancy" && x.max && *x.max > 0) {
        n = std::max(n, static_cast<std::int64_t>(std::ceil(a.load / *x.max - 1e-9)));
      }
    }
    a.agents = n;
  }
  return out;
}

std::string set_interval_logins(Scenario& scenario, GroupId g,
                                const std::vector<std::int64_t>& counts) {
  ActivityId first_available = kNoId, out = kNoId;
  for (ActivityId a = 0; a < scenario.activities.size(); ++a) {
    const Activity& act = scenario.activities[a];
    if (act.available && first_available == kNoId) first_available = a;
    if (!act.available && (out == kNoId || act.name == "Offline")) out = a;
  }
  if (first_available == kNoId)
    return "the scenario has no available activity to log workers in to";
  if (out == kNoId) return "the scenario has no unavailable activity to log workers out to";
  const WorkerGroup& group = scenario.worker_groups[g];
  const SimTime len = scenario.statistics.interval;
  for (std::uint32_t j = 0; j < group.count; ++j) {
    Worker& w = scenario.workers[group.first_worker + j];
    const ActivityId in =
        w.initial_activity != kNoId && scenario.activities[w.initial_activity].available
            ? w.initial_activity
            : first_available;
    w.schedule.clear();
    for (std::size_t k = 0; k < counts.size(); ++k) {
      const bool logged_in = static_cast<std::int64_t>(j) < counts[k];
      const ActivityId to = logged_in ? in : out;
      if (!w.schedule.empty() && w.schedule.back().activity == to) continue;
      w.schedule.push_back({static_cast<SimTime>(k) * len, to, !logged_in});
    }
  }
  return {};
}

std::vector<IntervalOutcome> interval_outcomes(const Scenario& scenario,
                                               const std::vector<IntervalTarget>& targets,
                                               const IntervalSummary& table, std::size_t k) {
  std::vector<IntervalOutcome> out;
  const IntervalTable& t = table.mean;
  for (const IntervalTarget& target : targets) {
    const Expectation& x = scenario.expectations[target.expectation];
    IntervalOutcome o;
    const std::size_t s = t.scope_index(target.scope), c = t.column_index(target.column);
    if (s == SIZE_MAX || c == SIZE_MAX || k >= t.count) {
      o.mean = o.ci95 = kNull;
      out.push_back(o);
      continue;
    }
    o.mean = t.at(k, s, c);
    o.ci95 = table.ci95[t.cell(k, s, c)];
    if (std::isnan(o.mean)) {
      // No data: met when no task waited in the scope at all (a quiet interval, or a group
      // scope), not when tasks waited and none stopped waiting (nobody logged in).
      const std::size_t w = t.column_index("tasks_waiting");
      const double waiting = w == SIZE_MAX ? kNull : t.at(k, s, w);
      o.met = std::isnan(waiting) || waiting == 0;
    } else {
      const double half = x.require_ci && !std::isnan(o.ci95) ? o.ci95 : 0;
      o.met = (!x.min || o.mean - half >= *x.min) && (!x.max || o.mean + half <= *x.max);
    }
    out.push_back(o);
  }
  return out;
}

IntervalStaffingResult staff_per_interval(
    const Scenario& scenario, const IntervalStaffingSettings& settings,
    const std::function<RunSummary(const Scenario&)>& evaluate) {
  IntervalStaffingResult r;
  r.targets = interval_targets(scenario, nullptr);
  r.analytic = analytic_requirements(scenario, r.targets);
  const std::size_t intervals = r.analytic.size(), groups = settings.groups.size();
  const SimTime len = scenario.statistics.interval;

  // The analytic total split between the groups in proportion to their counts in the scenario.
  double base_total = 0;
  for (std::int64_t b : settings.base)
    base_total += static_cast<double>(std::max<std::int64_t>(b, 0));
  std::int64_t cap_total = 0;
  for (std::int64_t c : settings.cap) cap_total += c;
  const auto split = [&](std::int64_t total, const std::vector<double>& weight) {
    std::vector<std::int64_t> c(groups);
    double w_total = 0;
    for (double w : weight) w_total += w;
    for (std::size_t g = 0; g < groups; ++g) {
      const double share = w_total > 0 ? weight[g] / w_total : 1.0 / static_cast<double>(groups);
      c[g] = std::clamp<std::int64_t>(
          static_cast<std::int64_t>(std::ceil(static_cast<double>(total) * share - 1e-9)), 0,
          settings.cap[g]);
    }
    return c;
  };
  std::vector<double> base_weight(groups);
  for (std::size_t g = 0; g < groups; ++g)
    base_weight[g] =
        base_total > 0 ? static_cast<double>(std::max<std::int64_t>(settings.base[g], 0)) : 1;
  for (const AnalyticInterval& a : r.analytic)
    r.analytic_by_group.push_back(split(a.agents, base_weight));

  Scenario sc = scenario;
  sc.warmup_auto = false;
  sc.warmup = 0;
  std::vector<std::vector<std::int64_t>> counts = r.analytic_by_group;
  const auto apply = [&](std::size_t upto) {
    for (std::size_t g = 0; g < groups; ++g) {
      std::vector<std::int64_t> column;
      for (std::size_t k = 0; k <= upto && k < intervals; ++k) column.push_back(counts[k][g]);
      const std::string why = set_interval_logins(sc, settings.groups[g], column);
      if (!why.empty()) throw std::invalid_argument(why);
    }
  };

  for (std::size_t k = 0; k < intervals; ++k) {
    const bool last = k + 1 == intervals;
    // Cut just before the interval's end: an event at the very end belongs to the next interval.
    sc.horizon = last ? scenario.horizon : static_cast<SimTime>(k + 1) * len - 1;
    sc.drain = last ? scenario.drain : false;
    std::map<std::vector<std::int64_t>, std::vector<IntervalOutcome>> memo;
    const auto outcomes =
        [&](const std::vector<std::int64_t>& c) -> const std::vector<IntervalOutcome>& {
      const auto it = memo.find(c);
      if (it != memo.end()) return it->second;
      counts[k] = c;
      apply(k);
      const RunSummary summary = evaluate(sc);
      ++r.runs;
      r.simulated_days += to_seconds(sc.horizon) / to_seconds(scenario.horizon);
      return memo.emplace(c, interval_outcomes(sc, r.targets, summary.intervals, k)).first->second;
    };
    const auto meets = [&](const std::vector<std::int64_t>& c) {
      for (const IntervalOutcome& o : outcomes(c))
        if (!o.met) return false;
      return true;
    };
    // A common scale first: m agents in all, split like the analytic estimate (or the scenario's
    // mix), searched from the analytic total down or up (exponential steps, then bisection).
    std::vector<double> weight(groups);
    std::int64_t start = 0;
    for (std::size_t g = 0; g < groups; ++g) start += r.analytic_by_group[k][g];
    for (std::size_t g = 0; g < groups; ++g)
      weight[g] = start > 0 ? static_cast<double>(r.analytic_by_group[k][g]) : base_weight[g];
    const auto ok = [&](std::int64_t m) { return meets(split(m, weight)); };
    std::int64_t meeting = -1, failing = -1;
    if (ok(start)) {
      meeting = start;
      for (std::int64_t step = 1; meeting > 0;) {
        const std::int64_t next = std::max<std::int64_t>(0, meeting - step);
        if (!ok(next)) {
          failing = next;
          break;
        }
        meeting = next;
        step *= 2;
      }
    } else {
      failing = start;
      for (std::int64_t step = 1;;) {
        const std::int64_t next = std::min(cap_total, failing + step);
        if (ok(next)) {
          meeting = next;
          break;
        }
        if (next == cap_total) break;
        failing = next;
        step *= 2;
      }
    }
    if (meeting < 0) {
      const std::vector<std::int64_t> at_cap = split(cap_total, weight);
      const std::vector<IntervalOutcome>& o = outcomes(at_cap);
      std::string why;
      for (std::size_t i = 0; i < o.size(); ++i) {
        if (o[i].met) continue;
        const Expectation& x = scenario.expectations[r.targets[i].expectation];
        why += fmt::format(
            "{}{} {} (achieved {})", why.empty() ? "" : "; ", x.metric, describe_bound(x),
            std::isnan(o[i].mean) ? std::string("no data")
                                  : fmt::format("{:.4g} ± {:.2g}", o[i].mean, o[i].ci95));
      }
      std::int64_t all = 0;
      for (std::int64_t c : at_cap) all += c;
      r.unmeetable = fmt::format("{}: not met even with {} workers logged in: {}",
                                 interval_name(scenario, k), all, why);
      r.unmeetable_interval = k;
      r.required.resize(k);
      return r;
    }
    while (failing >= 0 && meeting - failing > 1) {
      const std::int64_t mid = failing + (meeting - failing) / 2;
      (ok(mid) ? meeting : failing) = mid;
    }
    std::vector<std::int64_t> best = split(meeting, weight);
    if (groups > 1) {
      // Then the dearest group first, each group down by bisection with the others fixed; then
      // single moves of one agent from a dearer group to a cheaper one while they still meet.
      std::vector<std::size_t> order(groups);
      for (std::size_t g = 0; g < groups; ++g) order[g] = g;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return settings.cost[a] > settings.cost[b];
      });
      for (const std::size_t g : order) {
        std::int64_t lo = -1, hi = best[g];
        while (hi - lo > 1) {
          std::vector<std::int64_t> trial = best;
          trial[g] = lo + (hi - lo) / 2;
          (meets(trial) ? hi : lo) = trial[g];
        }
        best[g] = hi;
      }
      for (bool moved = true; moved;) {
        moved = false;
        for (const std::size_t dear : order) {
          for (std::size_t cheap = 0; cheap < groups && !moved; ++cheap) {
            if (settings.cost[cheap] >= settings.cost[dear] || best[dear] == 0 ||
                best[cheap] >= settings.cap[cheap])
              continue;
            std::vector<std::int64_t> trial = best;
            --trial[dear];
            ++trial[cheap];
            if (meets(trial)) {
              best = trial;
              moved = true;
            }
          }
          if (moved) break;
        }
      }
    }
    counts[k] = best;
  }
  r.required = counts;

  // The verifying run: the whole day as the scenario has it, at the requirement.
  sc.horizon = scenario.horizon;
  sc.drain = scenario.drain;
  sc.warmup = scenario.warmup;
  sc.warmup_auto = scenario.warmup_auto;
  apply(intervals);
  r.verification = evaluate(sc);
  ++r.runs;
  r.simulated_days += 1;
  for (std::size_t k = 0; k < intervals; ++k)
    r.achieved.push_back(interval_outcomes(sc, r.targets, r.verification.intervals, k));
  return r;
}

}  // namespace trsim
