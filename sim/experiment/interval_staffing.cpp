// `trsim staff --per-interval` (include/trsim/interval_staffing.hpp).
#include "trsim/interval_staffing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
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

// "METRIC BOUND (achieved MEAN ± CI)" for each target an interval's outcomes miss, joined by "; ".
std::string unmet_targets(const Scenario& scenario, const std::vector<IntervalTarget>& targets,
                          const std::vector<IntervalOutcome>& outcomes) {
  std::string why;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].met) continue;
    const Expectation& x = scenario.expectations[targets[i].expectation];
    why +=
        fmt::format("{}{} {} (achieved {})", why.empty() ? "" : "; ", x.metric, describe_bound(x),
                    std::isnan(outcomes[i].mean)
                        ? std::string("no data")
                        : fmt::format("{:.4g} ± {:.2g}", outcomes[i].mean, outcomes[i].ci95));
  }
  return why;
}

// Whether interval k has a target of its own: an expect line with no `interval:`, or with k's.
// One without is never staffed below its analytic estimate (docs/experiments.md): met whatever
// its count, a search would staff it to nothing and hand its calls to the next interval.
bool has_own_target(const Scenario& scenario, const std::vector<IntervalTarget>& targets,
                    std::size_t k) {
  const SimTime start = static_cast<SimTime>(k) * scenario.statistics.interval;
  for (const IntervalTarget& t : targets) {
    const Expectation& x = scenario.expectations[t.expectation];
    if (!x.interval || *x.interval == start) return true;
  }
  return false;
}

/// The analytic total split between the groups in proportion to `weight`, each clamped to its cap.
std::vector<std::int64_t> split_total(std::int64_t total, const std::vector<double>& weight,
                                      const std::vector<std::int64_t>& cap) {
  const std::size_t groups = weight.size();
  std::vector<std::int64_t> c(groups);
  double w_total = 0;
  for (double w : weight) w_total += w;
  for (std::size_t g = 0; g < groups; ++g) {
    const double share = w_total > 0 ? weight[g] / w_total : 1.0 / static_cast<double>(groups);
    c[g] = std::clamp<std::int64_t>(
        static_cast<std::int64_t>(std::ceil(static_cast<double>(total) * share - 1e-9)), 0, cap[g]);
  }
  return c;
}

/// `total` split between the groups in proportion to `weight` exactly (largest remainders, ties
/// to the earlier group), each at most its cap (what a capped group cannot take goes to the
/// others).
std::vector<std::int64_t> apportion(std::int64_t total, const std::vector<double>& weight,
                                    const std::vector<std::int64_t>& cap) {
  const std::size_t groups = weight.size();
  std::vector<std::int64_t> c(groups, 0);
  std::vector<bool> open(groups, true);
  for (std::int64_t left = total; left > 0;) {
    double w_total = 0;
    std::size_t open_count = 0;
    for (std::size_t g = 0; g < groups; ++g) {
      if (c[g] >= cap[g]) open[g] = false;
      if (open[g]) {
        w_total += weight[g];
        ++open_count;
      }
    }
    if (open_count == 0) break;
    std::vector<double> share(groups, 0);
    for (std::size_t g = 0; g < groups; ++g)
      if (open[g])
        share[g] = static_cast<double>(left) *
                   (w_total > 0 ? weight[g] / w_total : 1.0 / static_cast<double>(open_count));
    std::int64_t given = 0;
    for (std::size_t g = 0; g < groups; ++g) {
      if (!open[g]) continue;
      const std::int64_t whole =
          std::min(cap[g] - c[g], static_cast<std::int64_t>(std::floor(share[g] + 1e-9)));
      c[g] += whole;
      given += whole;
    }
    // The remainder, one agent each, to the largest fractional shares.
    std::vector<std::size_t> order;
    for (std::size_t g = 0; g < groups; ++g)
      if (open[g] && c[g] < cap[g]) order.push_back(g);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return share[a] - std::floor(share[a] + 1e-9) > share[b] - std::floor(share[b] + 1e-9);
    });
    for (std::size_t i = 0; i < order.size() && given < left; ++i) {
      ++c[order[i]];
      ++given;
    }
    if (given == 0) break;
    left -= given;
  }
  return c;
}

/// Whether a worker of group `g` is in an available activity at time t by the group's schedule.
bool scheduled_available(const Scenario& scenario, const WorkerGroup& g, ActivityId initial,
                         SimTime t) {
  ActivityId a = initial;
  const SimTime period = g.schedule_period.value_or(0);
  const SimTime offset = period > 0 ? t % period : t;
  bool found = false;
  for (const ScheduleEntry& e : g.schedule) {
    if (e.at > offset) break;
    a = e.activity;
    found = true;
  }
  if (!found && period > 0 && t >= period && !g.schedule.empty()) a = g.schedule.back().activity;
  return a != kNoId && scenario.activities[a].available;
}

/// Per interval, the weights the staffed groups share a total by: each group's count in the
/// scenario times the fraction of the interval its schedule has it logged in (sampled at six
/// instants), or the counts alone when the scenario has none of them logged in then.
std::vector<std::vector<double>> scheduled_mix(const Scenario& scenario,
                                               const IntervalStaffingSettings& settings,
                                               const std::vector<double>& base_weight,
                                               std::size_t intervals) {
  const SimTime len = scenario.statistics.interval;
  std::vector<std::vector<double>> mix(intervals, base_weight);
  for (std::size_t k = 0; k < intervals; ++k) {
    double total = 0;
    std::vector<double> w(settings.groups.size(), 0);
    for (std::size_t g = 0; g < settings.groups.size(); ++g) {
      const WorkerGroup& group = scenario.worker_groups[settings.groups[g]];
      if (group.count == 0) continue;
      const ActivityId initial = scenario.workers[group.first_worker].initial_activity;
      int in = 0;
      for (int i = 0; i < 6; ++i) {
        const SimTime t = static_cast<SimTime>(k) * len + len * (2 * i + 1) / 12;
        in += scheduled_available(scenario, group, initial, t) ? 1 : 0;
      }
      w[g] = base_weight[g] * in / 6.0;
      total += w[g];
    }
    if (total > 0) mix[k] = w;
  }
  return mix;
}

/// The mean patience the analytic estimate uses: the streams' mean, 0 when some stream has none.
double mean_patience(const Scenario& scenario) {
  double sum = 0;
  for (const ArrivalStream& s : scenario.arrivals) {
    if (!s.patience) return 0;
    sum += s.patience->mean();
  }
  return scenario.arrivals.empty() ? 0 : sum / static_cast<double>(scenario.arrivals.size());
}

/// The offered load of interval k as a run saw it, in Erlangs: the time-average number of busy
/// workers (occupancy × the workers it is measured over) plus the work of the tasks canceled in
/// the interval (callers who hung up would have needed `handle` seconds each). With every worker
/// logged in nobody waits, and this is the infinite-server load of Feldman et al., lags of long
/// calls and acceptance delays included; with fewer it stays close (carried plus lost work).
double offered_load(const Scenario& scenario, const IntervalTable& t, std::size_t k,
                    double handle) {
  const std::size_t ws = t.scope_index("workspace");
  const std::size_t occ = t.column_index("occupancy"), canceled = t.column_index("canceled");
  if (ws == SIZE_MAX || occ == SIZE_MAX || canceled == SIZE_MAX || k >= t.count) return 0;
  // Occupancy is busy ÷ (busy + idle-available) worker time. Busy workers stay in their available
  // activity, except in a single-tasking workspace whose queues move them to a reservation or
  // assignment activity: those activities count too.
  std::vector<bool> counted(scenario.activities.size(), false);
  for (ActivityId a = 0; a < scenario.activities.size(); ++a)
    counted[a] = scenario.activities[a].available;
  if (!scenario.workspace.multi_task) {
    for (const TaskQueue& q : scenario.task_queues) {
      if (q.reservation_activity != kNoId) counted[q.reservation_activity] = true;
      if (q.assignment_activity != kNoId) counted[q.assignment_activity] = true;
    }
  }
  double workers = 0;
  for (ActivityId a = 0; a < scenario.activities.size(); ++a) {
    if (!counted[a]) continue;
    const std::size_t c = t.column_index("workers." + scenario.activities[a].name);
    if (c != SIZE_MAX && !std::isnan(t.at(k, ws, c))) workers += t.at(k, ws, c);
  }
  const double o = t.at(k, ws, occ), lost = t.at(k, ws, canceled);
  const double len = to_seconds(t.end(k) - t.start(k));
  double load = std::isnan(o) ? 0 : o * workers;
  if (!std::isnan(lost) && len > 0) load += lost * handle / len;
  return load;
}

/// What the analytic formulas say each target reaches with the required agents (all groups
/// together) on the interval's forecast load: `predicted`, beside the simulation's `achieved`.
void predict(const Scenario& scenario, IntervalStaffingResult& r) {
  const double patience = mean_patience(scenario);
  for (std::size_t k = 0; k < r.required.size(); ++k) {
    std::int64_t n = 0;
    for (const std::int64_t c : r.required[k]) n += c;
    const AnalyticInterval& a = r.analytic[k];
    std::vector<double> row;
    for (const IntervalTarget& t : r.targets) {
      double v = kNull;
      if (a.load > 0 && a.handle > 0 && n > 0) {
        if (t.column.rfind("service_level.", 0) == 0) {
          const double threshold = std::strtod(t.column.c_str() + 14, nullptr);
          v = patience > 0
                  ? erlang::erlang_a_service_level(n, a.load, a.handle, patience, threshold)
                  : erlang::service_level(n, a.load, a.handle, threshold);
        } else if (t.column == "avg_task_acceptance_time") {
          v = patience > 0 ? erlang::erlang_a(n, a.load, a.handle, patience).mean_wait
                           : erlang::average_speed_of_answer(n, a.load, a.handle);
          if (!std::isfinite(v)) v = kNull;
        } else if (t.column == "abandon_rate") {
          v = patience > 0 ? erlang::erlang_a(n, a.load, a.handle, patience).p_abandon : 0;
        } else if (t.column == "occupancy") {
          v = std::min(1.0, a.load / static_cast<double>(n));
        }
      }
      row.push_back(v);
    }
    r.predicted.push_back(std::move(row));
  }
}

/// `staff_per_interval` by the iterative staffing algorithm (StaffingMethod::isa).
void staff_isa(const Scenario& scenario, const IntervalStaffingSettings& settings,
               const std::function<RunSummary(const Scenario&)>& evaluate,
               const std::vector<std::vector<double>>& mix, IntervalStaffingResult& r) {
  using Counts = std::vector<std::vector<std::int64_t>>;  // [interval][group]
  const std::size_t intervals = r.analytic.size(), groups = settings.groups.size();
  std::int64_t cap_total = 0;
  for (std::int64_t c : settings.cap) cap_total += c;
  const double patience = mean_patience(scenario);
  // The handle time the load is staffed with: the interval's own, else the day's.
  double day_work = 0, day_rate = 0;
  for (const AnalyticInterval& a : r.analytic) {
    day_work += a.load;
    day_rate += a.arrival_rate;
  }
  const double day_handle = day_rate > 0 ? day_work / day_rate : 0;
  const auto handle = [&](std::size_t k) {
    return r.analytic[k].handle > 0 ? r.analytic[k].handle : day_handle;
  };

  // Every run is a whole day as the scenario has it (horizon, drain, warm-up): the run that ends
  // the search is the verifying run.
  Scenario sc = scenario;
  std::vector<bool> own_target(intervals);
  for (std::size_t k = 0; k < intervals; ++k)
    own_target[k] = has_own_target(scenario, r.targets, k);
  struct Eval {
    std::vector<std::vector<IntervalOutcome>> outcomes;  // [interval][target]
    std::vector<bool> met;
    std::vector<double> load;
  };
  std::map<Counts, Eval> memo;
  Counts last_counts;
  RunSummary last_summary;
  const auto run = [&](const Counts& c) -> const Eval& {
    const auto it = memo.find(c);
    if (it != memo.end()) return it->second;
    for (std::size_t g = 0; g < groups; ++g) {
      std::vector<std::int64_t> column(intervals);
      for (std::size_t k = 0; k < intervals; ++k) column[k] = c[k][g];
      const std::string why = set_interval_logins(sc, settings.groups[g], column);
      if (!why.empty()) throw std::invalid_argument(why);
    }
    last_summary = evaluate(sc);
    last_counts = c;
    ++r.runs;
    r.simulated_days += 1;
    Eval e;
    for (std::size_t k = 0; k < intervals; ++k) {
      e.outcomes.push_back(interval_outcomes(sc, r.targets, last_summary.intervals, k));
      bool met = true;
      for (const IntervalOutcome& o : e.outcomes.back()) met = met && o.met;
      e.met.push_back(met);
      e.load.push_back(offered_load(sc, last_summary.intervals.mean, k, handle(k)));
    }
    // An interval without a target of its own meets when the targets after it are met: the
    // backlog it leaves is all that its count decides (it never goes below its floor, below).
    for (std::size_t k = intervals; k-- > 1;)
      if (!own_target[k - 1]) e.met[k - 1] = e.met[k];
    return memo.emplace(c, std::move(e)).first->second;
  };
  const auto by_total = [&](const std::vector<std::int64_t>& total) {
    Counts c(intervals);
    for (std::size_t k = 0; k < intervals; ++k) c[k] = apportion(total[k], mix[k], settings.cap);
    return c;
  };

  // 1. The ISA proper: from every worker logged in (the infinite-server start), estimate the
  //    offered load per interval from the run, staff it by Erlang C/A, run again, until the
  //    staffing function moves by at most one agent in every interval (their stopping rule).
  constexpr std::size_t kIsaIterations = 8;
  std::vector<std::int64_t> total(intervals, 0), next(intervals, 0);
  const Eval* e = &run(Counts(intervals, settings.cap));
  for (std::size_t it = 1; it <= kIsaIterations; ++it) {
    std::int64_t moved = 0;
    for (std::size_t k = 0; k < intervals; ++k) {
      next[k] = std::min(cap_total,
                         analytic_agents(scenario, r.targets, e->load[k], handle(k), patience));
      moved = std::max(moved, std::abs(next[k] - total[k]));
    }
    r.isa_iterations = it;
    r.simulated_load = e->load;
    total = next;
    if (it > 1 && moved <= 1) break;
    e = &run(by_total(total));
  }

  // 2. The targets by simulation: every interval's count bracketed in parallel on whole-day runs
  //    (exponential steps from the ISA staffing, then bisection), the best known count of each
  //    interval carried along. Staffing one interval moves the next one's backlog, so an interval
  //    settled at a count that later fails is reopened; the search ends on a run in which every
  //    interval is settled and meets its targets. `map` turns the bracketed numbers into counts;
  //    `hi` is the least known to meet and `lo` the most known to fail (−1: none), `top` the most
  //    each may be.
  bool out_of_rounds = false;
  const std::size_t max_rounds = settings.max_rounds > 0 ? settings.max_rounds : 30 + 10 * groups;
  // An interval without a target of its own is never lowered below its analytic estimate: the
  // ISA's staffing for a total, the analytic split for one group's count (at most `at`, the count
  // the phase starts from). See has_own_target.
  const auto floor_of = [&](const std::vector<std::int64_t>& at, std::optional<std::size_t> g) {
    std::vector<std::int64_t> f(intervals, 0);
    for (std::size_t k = 0; k < intervals; ++k)
      if (!own_target[k]) f[k] = g ? std::min(at[k], r.analytic_by_group[k][*g]) : at[k];
    return f;
  };
  const auto bracket = [&](std::vector<std::int64_t> x, std::vector<std::int64_t> hi,
                           std::vector<std::int64_t> lo, const std::vector<std::int64_t>& top,
                           const std::vector<std::int64_t>& floor,
                           const std::function<Counts(const std::vector<std::int64_t>&)>& map)
      -> std::optional<std::vector<std::int64_t>> {
    std::vector<std::int64_t> step(intervals, 1);
    for (std::size_t k = 0; k < intervals; ++k) x[k] = std::max(x[k], floor[k]);
    // Steps that revisit a staffing already run cost no run; the second bound stops a cycle of
    // them (intervals reopening each other through their backlogs).
    for (std::size_t steps = 0;; ++steps) {
      if (r.runs >= max_rounds || steps >= 4 * max_rounds) {
        out_of_rounds = true;
        for (std::size_t k = 0; k < intervals; ++k) x[k] = hi[k] >= 0 ? hi[k] : top[k];
        return x;
      }
      const Eval& now = run(map(x));
      bool done = true;
      std::vector<std::int64_t> nx(intervals);
      for (std::size_t k = 0; k < intervals; ++k) {
        if (now.met[k]) {
          hi[k] = x[k];
          lo[k] = std::min(lo[k], x[k] - 1);
        } else {
          lo[k] = x[k];
          if (hi[k] >= 0 && hi[k] <= x[k]) {  // met before, fails now: reopen upwards
            hi[k] = -1;
            step[k] = 1;
          }
        }
        if (hi[k] >= 0 && (hi[k] == 0 || hi[k] - lo[k] <= 1)) {
          nx[k] = hi[k];
        } else if (hi[k] >= 0 && lo[k] >= 0) {
          nx[k] = lo[k] + (hi[k] - lo[k]) / 2;
        } else if (hi[k] >= 0) {
          nx[k] = std::max<std::int64_t>({0, lo[k] + 1, hi[k] - step[k]});
          step[k] *= 2;
        } else {
          if (lo[k] >= top[k]) {
            r.unmeetable_interval = k;
            return std::nullopt;
          }
          nx[k] = std::min(top[k], lo[k] + step[k]);
          step[k] *= 2;
        }
        nx[k] = std::max(nx[k], floor[k]);
        done = done && now.met[k] && nx[k] == x[k];
      }
      if (done) return x;
      x = std::move(nx);
    }
  };

  const std::optional<std::vector<std::int64_t>> settled = bracket(
      total, std::vector<std::int64_t>(intervals, -1), std::vector<std::int64_t>(intervals, -1),
      std::vector<std::int64_t>(intervals, cap_total), floor_of(total, std::nullopt), by_total);
  if (!settled) {
    // Some interval fails with every worker logged in: name the first that does.
    const Counts at_cap = by_total(std::vector<std::int64_t>(intervals, cap_total));
    const Eval& o = run(at_cap);
    const auto first = std::find(o.met.begin(), o.met.end(), false);
    const std::size_t k = first != o.met.end() ? static_cast<std::size_t>(first - o.met.begin())
                                               : r.unmeetable_interval;
    r.unmeetable_interval = k;
    // The bracketing may have failed it at the cap under an earlier interval's backlog while
    // the run with every interval at the cap meets it: say so rather than name no target.
    const std::string why =
        first != o.met.end()
            ? unmet_targets(scenario, r.targets, o.outcomes[k])
            : "it fell short at the cap under the backlog of earlier intervals staffed below "
              "it (a target of their own would staff them)";
    std::int64_t all = 0;
    for (std::int64_t c : at_cap[k]) all += c;
    r.unmeetable = fmt::format("{}: not met even with {} workers logged in: {}",
                               interval_name(scenario, k), all, why);
    r.converged = false;
    r.required.clear();
    return;
  }
  Counts best = by_total(*settled);

  // 3. Several groups: each group, dearest first, lowered interval by interval in parallel with
  //    the others fixed, the same way (its count at `best` is known to meet).
  if (groups > 1) {
    std::vector<std::size_t> order(groups);
    for (std::size_t g = 0; g < groups; ++g) order[g] = g;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return settings.cost[a] > settings.cost[b];
    });
    for (const std::size_t g : order) {
      if (out_of_rounds) break;
      std::vector<std::int64_t> x(intervals), hi(intervals), top(intervals, settings.cap[g]);
      for (std::size_t k = 0; k < intervals; ++k) {
        hi[k] = best[k][g];
        x[k] = std::max<std::int64_t>(0, hi[k] - 1);
      }
      const auto with_g = [&](const std::vector<std::int64_t>& n) {
        Counts c = best;
        for (std::size_t k = 0; k < intervals; ++k) c[k][g] = n[k];
        return c;
      };
      // An interval that fails even with the whole group (a neighbour's lowering left it a
      // backlog it cannot clear) keeps the group where it was.
      const std::optional<std::vector<std::int64_t>> lowered =
          bracket(x, hi, std::vector<std::int64_t>(intervals, -1), top, floor_of(hi, g), with_g);
      if (lowered) best = with_g(*lowered);
      r.unmeetable_interval = 0;
    }
    // 4. Then, as the search does, agents move one for one from a dearer group to a cheaper one
    //    while the targets hold, interval by interval in parallel: the dearer group's count is
    //    bracketed down from where it is, each agent it loses going to the cheaper group.
    for (const std::size_t d : order) {
      for (auto c_it = order.rbegin(); c_it != order.rend(); ++c_it) {
        const std::size_t c = *c_it;
        if (out_of_rounds || !(settings.cost[c] < settings.cost[d])) continue;
        std::vector<std::int64_t> x(intervals), hi(intervals), lo(intervals);
        bool room = false;
        for (std::size_t k = 0; k < intervals; ++k) {
          hi[k] = best[k][d];
          lo[k] = std::max<std::int64_t>(-1, best[k][d] - (settings.cap[c] - best[k][c]) - 1);
          x[k] = std::max(lo[k] + 1, hi[k] - 1);
          room = room || x[k] < hi[k];
        }
        if (!room) continue;
        const Counts from = best;
        const auto moved = [&](const std::vector<std::int64_t>& n) {
          Counts m = from;
          for (std::size_t k = 0; k < intervals; ++k) {
            m[k][c] = from[k][c] + from[k][d] - n[k];
            m[k][d] = n[k];
          }
          return m;
        };
        const std::optional<std::vector<std::int64_t>> cheaper =
            bracket(x, hi, lo, hi, floor_of(hi, d), moved);
        if (cheaper) best = moved(*cheaper);
        r.unmeetable_interval = 0;
      }
    }
  }

  // The verifying run: the whole day at the requirement (the last run, unless the rounds ran out
  // before a run at `best`).
  r.converged = !out_of_rounds;
  if (last_counts != best) {
    memo.erase(best);
    run(best);
  }
  r.required = best;
  r.verification = std::move(last_summary);
  for (std::size_t k = 0; k < intervals; ++k)
    r.achieved.push_back(interval_outcomes(sc, r.targets, r.verification.intervals, k));
}
}  // namespace

std::optional<IntervalTarget> interval_target(const Scenario& scenario, std::size_t i) {
  const std::string& m = scenario.expectations[i].metric;
  IntervalTarget t;
  t.expectation = i;
  // A name may hold dots ("Sales" and "Sales.EU"): a scope matches only when what follows it is an
  // interval column, so "task_queues.Sales.EU.service_level.20" is Sales.EU's, not Sales's.
  const auto scoped = [&](std::string_view prefix, const std::string& name, const char* kind) {
    const std::string head = std::string(prefix) + name + ".";
    if (m.rfind(head, 0) != 0 || !per_interval_column(m.substr(head.size()))) return false;
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
  const bool applies =
      found && per_interval_column(t.column) &&
      (t.column == "occupancy" ? t.scope.rfind("queue:", 0) != 0 : t.scope.rfind("group:", 0) != 0);
  if (!applies) return std::nullopt;
  return t;
}

std::vector<IntervalTarget> interval_targets(const Scenario& scenario,
                                             std::vector<std::size_t>* skipped) {
  std::vector<IntervalTarget> out;
  for (std::size_t i = 0; i < scenario.expectations.size(); ++i) {
    if (auto t = interval_target(scenario, i))
      out.push_back(std::move(*t));
    else if (skipped)
      skipped->push_back(i);
  }
  return out;
}

namespace {

// The row of the interval starting at `start` (an expect line's `interval:`, a multiple of the
// table's length: the loader checks it); SIZE_MAX when the table has no such row.
std::size_t interval_row(const IntervalTable& t, SimTime start) {
  if (t.length <= 0 || start < 0 || start % t.length != 0) return SIZE_MAX;
  const auto k = static_cast<std::size_t>(start / t.length);
  return k < t.count ? k : SIZE_MAX;
}

// Whether no task waited in `scope` in interval k: a group scope has no tasks_waiting column.
bool quiet_interval(const IntervalTable& t, std::size_t k, std::size_t scope) {
  const std::size_t w = t.column_index("tasks_waiting");
  const double waiting = w == SIZE_MAX ? kNull : t.at(k, scope, w);
  return std::isnan(waiting) || waiting == 0;
}

// evaluate_bound() for a line read on one interval, with the one exception to it (docs/scenario.md
// #expect, docs/experiments.md "staff --per-interval"): an interval with no data (a null mean) in
// which no task waited in the scope (`quiet`) meets the line, for there was nothing to serve; one
// in which tasks waited but none stopped waiting (nobody logged in) falls short, as a whole-run
// metric without data does. `trsim check` (evaluate_any_expectation) and `trsim staff
// --per-interval` and `roster` (interval_outcomes) both judge through it.
ExpectationOutcome evaluate_interval_bound(const Expectation& e, const Aggregate& value,
                                           bool quiet) {
  if (std::isnan(value.mean) && quiet) {
    ExpectationOutcome out;
    out.value = value;
    out.met = true;
    return out;
  }
  return evaluate_bound(e, value);
}

}  // namespace

std::optional<ExpectationOutcome> evaluate_any_expectation(const Scenario& scenario, std::size_t i,
                                                           const RunSummary& summary) {
  const Expectation& e = scenario.expectations[i];
  if (!e.interval) return evaluate_expectation(e, summary.statistics);
  const std::optional<IntervalTarget> target = interval_target(scenario, i);
  if (!target || summary.runs.empty()) return std::nullopt;
  std::vector<double> values;
  bool quiet = true;  // in every replication
  for (const ReplicationResult& run : summary.runs) {
    const IntervalTable& t = run.intervals;
    const std::size_t s = t.scope_index(target->scope), c = t.column_index(target->column);
    const std::size_t k = interval_row(t, *e.interval);
    if (s == SIZE_MAX || c == SIZE_MAX || k == SIZE_MAX) return std::nullopt;
    if (const double v = t.at(k, s, c); !std::isnan(v)) values.push_back(v);
    quiet = quiet && quiet_interval(t, k, s);
  }
  return evaluate_interval_bound(e, aggregate(values), quiet);
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
    a.agents = analytic_agents(scenario, targets, a.load, a.handle, mean_patience);
  }
  return out;
}

std::int64_t analytic_agents(const Scenario& scenario, const std::vector<IntervalTarget>& targets,
                             double load, double handle, double patience) {
  if (!(load > 0) || !(handle > 0)) return 0;
  const bool erlang_a = patience > 0;
  // The fewest agents meeting one target: the smallest n above the load (Erlang C needs n > a)
  // for which `ok` holds, searched upwards (the metrics are monotone in n).
  std::int64_t n = static_cast<std::int64_t>(std::floor(load)) + 1;
  const auto raise_until = [&](const auto& ok) {
    for (std::int64_t limit = n + 100000; n < limit && !ok(n);) ++n;
  };
  for (const IntervalTarget& t : targets) {
    const Expectation& x = scenario.expectations[t.expectation];
    if (t.column.rfind("service_level.", 0) == 0 && x.min) {
      if (*x.min > 1) continue;  // no staffing meets it; the simulation says where
      const double threshold = std::strtod(t.column.c_str() + 14, nullptr);
      raise_until([&](std::int64_t c) {
        return (erlang_a ? erlang::erlang_a_service_level(c, load, handle, patience, threshold)
                         : erlang::service_level(c, load, handle, threshold)) >= *x.min - 1e-12;
      });
    } else if (t.column == "avg_task_acceptance_time" && x.max) {
      raise_until([&](std::int64_t c) {
        return (erlang_a ? erlang::erlang_a(c, load, handle, patience).mean_wait
                         : erlang::average_speed_of_answer(c, load, handle)) <= *x.max;
      });
    } else if (t.column == "abandon_rate" && x.max && erlang_a) {
      raise_until([&](std::int64_t c) {
        return erlang::erlang_a(c, load, handle, patience).p_abandon <= *x.max;
      });
    } else if (t.column == "occupancy" && x.max && *x.max > 0) {
      n = std::max(n, static_cast<std::int64_t>(std::ceil(load / *x.max - 1e-9)));
    }
  }
  return n;
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
    if (x.interval && interval_row(t, *x.interval) != k) {  // a line on another interval
      o.mean = o.ci95 = kNull;
      o.met = true;
      out.push_back(o);
      continue;
    }
    Aggregate value;
    value.mean = o.mean = t.at(k, s, c);
    value.ci95 = o.ci95 = table.ci95[t.cell(k, s, c)];
    // The table keeps no count of values: a ci95 means at least two (so `ci: true` with fewer
    // falls short, as in `trsim check`).
    value.n = !std::isnan(value.ci95) ? 2 : std::isnan(value.mean) ? 0 : 1;
    o.met = evaluate_interval_bound(x, value, quiet_interval(t, k, s)).met;
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
    return split_total(total, weight, settings.cap);
  };
  std::vector<double> base_weight(groups);
  for (std::size_t g = 0; g < groups; ++g)
    base_weight[g] =
        base_total > 0 ? static_cast<double>(std::max<std::int64_t>(settings.base[g], 0)) : 1;
  const std::vector<std::vector<double>> mix =
      scheduled_mix(scenario, settings, base_weight, intervals);
  for (std::size_t k = 0; k < intervals; ++k)
    r.analytic_by_group.push_back(split(r.analytic[k].agents, mix[k]));

  r.method = settings.method;
  if (settings.method == StaffingMethod::isa) {
    staff_isa(scenario, settings, evaluate, mix, r);
    predict(scenario, r);
    return r;
  }

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
      weight[g] = start > 0 ? static_cast<double>(r.analytic_by_group[k][g]) : mix[k][g];
    if (!has_own_target(scenario, r.targets, k)) {
      counts[k] = split(start, weight);  // no target of its own: the analytic estimate, unsearched
      continue;
    }
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
      const std::string why = unmet_targets(scenario, r.targets, outcomes(at_cap));
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
  predict(scenario, r);
  return r;
}

}  // namespace trsim
