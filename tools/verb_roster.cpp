// `trsim roster`: the per-interval requirement (as `staff --per-interval`), the cheapest choice of
// shift variants that covers it (GLPK), a verifying simulation of that roster with its breaks
// (adding the cheapest shift where an interval misses, and again), and the roster written as
// worker groups with `schedule:` blocks.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "cli_output.hpp"
#include "staff_intervals.hpp"
#include "trsim/expectations.hpp"
#include "trsim/roster.hpp"
#include "trsim/value.hpp"
#include "verbs.hpp"

namespace po = boost::program_options;

namespace trsim::cli {

namespace {

std::string clock(SimTime t) {
  const std::int64_t minutes = t / (60 * kMicrosPerSecond);
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

std::string duration_text(SimTime t) {
  const std::int64_t s = t / kMicrosPerSecond;
  if (s % 60 != 0) return fmt::format("{}", s);
  const std::int64_t m = s / 60;
  if (m % 60 == 0) return fmt::format("{}h", m / 60);
  return m >= 60 ? fmt::format("{}h{}m", m / 60, m % 60) : fmt::format("{}m", m);
}

/// The roster as a `workers:` block: one group per shift variant worked, with the staffed group's
/// channels, behaviour and handle-time factor, and the attributes of the verifying run's workers
/// (`s` is the scenario it ran): worker j of a group works the j-th shift in variant order there,
/// and a run of consecutive workers of one variant with the same attributes and capacities
/// becomes one group (a variant whose workers differ, by `{pick: ...}` attributes, is written as
/// several: `-2`, `-3`, ...), so the written scenario has the same workers in the same order.
std::string roster_yaml(const Scenario& s, const std::vector<ShiftVariant>& variants,
                        const std::vector<std::int64_t>& agents, ActivityId out) {
  std::string y =
      fmt::format("# trsim roster of {}: paste in place of the staffed groups\nworkers:\n", s.name);
  std::vector<std::uint32_t> next(s.worker_groups.size(), 0);  // the group's next worker
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (agents[v] <= 0) continue;
    const ShiftVariant& sv = variants[v];
    const WorkerGroup& g = s.worker_groups[sv.group];
    const ShiftTemplate& st = s.shifts[sv.shift];
    const auto worker = [&](std::int64_t i) -> const Worker& {
      const std::uint32_t j = next[sv.group] + static_cast<std::uint32_t>(i);
      return s.workers[g.first_worker + std::min(j, g.count - 1)];
    };
    const Worker& first = worker(0);
    // Unique: the template, the start and every break's start (HHMM).
    std::string base = fmt::format("{}-{}-{}", g.name, st.name, clock(sv.start).replace(2, 1, ""));
    for (const SimTime b : sv.break_starts) base += "-" + clock(b).replace(2, 1, "");
    ActivityId in = first.initial_activity;
    if (in == kNoId || !s.activities[in].available)
      for (ActivityId a = 0;
           a < s.activities.size() && (in == kNoId || !s.activities[in].available); ++a)
        in = a;
    std::string schedule =
        fmt::format("    activity: {}\n    schedule:\n",
                    sv.start > 0 ? s.activities[out].name : s.activities[in].name);
    schedule += fmt::format("      - {{at: {}, activity: {}}}\n", duration_text(sv.start),
                            s.activities[in].name);
    for (std::size_t b = 0; b < sv.break_starts.size(); ++b) {
      const ActivityId away = st.breaks[b].activity != kNoId ? st.breaks[b].activity : out;
      schedule +=
          fmt::format("      - {{at: {}, activity: {}, reject_pending_reservations: true}}\n",
                      duration_text(sv.break_starts[b]), s.activities[away].name);
      schedule += fmt::format("      - {{at: {}, activity: {}}}\n",
                              duration_text(sv.break_starts[b] + st.breaks[b].length),
                              s.activities[in].name);
    }
    schedule += fmt::format("      - {{at: {}, activity: {}, reject_pending_reservations: true}}\n",
                            duration_text(sv.start + st.length), s.activities[out].name);
    std::size_t part = 0;
    for (std::int64_t i = 0; i < agents[v];) {
      const Worker& w = worker(i);
      const std::string attributes = to_json(w.attributes);
      std::int64_t j = i + 1;
      while (j < agents[v] && to_json(worker(j).attributes) == attributes &&
             worker(j).capacity == w.capacity)
        ++j;
      ++part;
      const std::string name =
          part == 1 && j == agents[v] ? base : fmt::format("{}-{}", base, part);
      y += fmt::format("  {}:\n    count: {}\n    name: \"{}-{{i}}\"\n", name, j - i, name);
      y += "    attributes: " + attributes + "\n";
      std::string channels;  // the capacities other than the default 1
      for (std::size_t c = 0; c < s.channels.size(); ++c) {
        const int cap = c < w.capacity.size() ? w.capacity[c] : 1;
        if (cap != 1)
          channels +=
              fmt::format("{}{}: {}", channels.empty() ? "" : ", ", s.channels[c].name, cap);
      }
      if (!channels.empty()) y += "    channels: {" + channels + "}\n";
      // "default" is the built-in behaviour the loader adds for groups that name none.
      if (g.behavior != kNoId && s.behaviors[g.behavior].name != "default")
        y += fmt::format("    behavior: {}\n", s.behaviors[g.behavior].name);
      if (g.handle_time_factor != 1.0)
        y += fmt::format("    handle_time_factor: {}\n", g.handle_time_factor);
      y += schedule;
      i = j;
    }
    next[sv.group] += static_cast<std::uint32_t>(agents[v]);
  }
  return y;
}

}  // namespace

int verb_roster(int argc, char** argv) {
  const VerbHelp help{
      "roster",
      "SCENARIO.yaml [--group NAME ...] [--method isa|search] [--max N] [--rounds N] "
      "[--out FILE] "
      "[--csv FILE] [options]",
      "  trsim roster scenarios/roster-day.yaml --csv roster.csv --threads 2\n"};
  CommonOptions common;
  std::vector<std::string> groups;
  std::string max_text, rounds_text = "10", out_path, csv_path, method_text;
  po::options_description specific("roster options");
  specific.add_options()  //
      ("group", po::value(&groups)->composing()->value_name("NAME"),
       "a group to roster (repeatable; default: every group a shift template names)")  //
      ("max", po::value(&max_text)->value_name("N"),
       "the most workers of a group logged in at once while finding the requirement")  //
      ("method", po::value(&method_text)->value_name("isa|search"),
       "how the requirement is found: isa (default) or search, as for staff --per-interval")  //
      ("rounds", po::value(&rounds_text)->value_name("N")->default_value("10"),
       "verifying runs that may add shifts where an interval misses")  //
      ("out", po::value(&out_path)->value_name("FILE"),
       "write the roster as worker groups with schedule: blocks (YAML; - = stdout)")  //
      ("csv", po::value(&csv_path)->value_name("FILE"),
       "write per interval and group the requirement, the roster's coverage and the targets");
  po::variables_map vm;
  if (auto code = parse_command_line(argc, argv, help, common, specific, vm)) return *code;
  const auto usage = [](const std::string& message) {
    std::cerr << "trsim roster: " << message << "\n";
    return kExitUsage;
  };
  const auto rounds = parse_unsigned<std::uint32_t>(rounds_text);
  if (!rounds || *rounds > 1000) return usage("--rounds must be a whole number from 0 to 1000");
  PerIntervalRequest request;
  request.verb = "roster";
  if (!parse_staffing_method("roster", method_text, request.method)) return kExitUsage;
  if (!max_text.empty()) {
    const auto max = parse_unsigned<std::int64_t>(max_text);
    if (!max || *max < 1 || *max > 1'000'000)
      return usage("--max must be a whole number from 1 to 1000000 (got '" + max_text + "')");
    request.max = *max;
  }
  std::vector<std::string> inputs;
  {
    const auto scenario = load(common, false, {}, &inputs);
    if (!scenario) return kExitUsage;
    if (scenario->shifts.empty())
      return usage(common.scenario + ": the scenario has no `shifts:` templates to roster with");
    if (groups.empty()) {
      for (const ShiftTemplate& t : scenario->shifts) {
        const std::string& name = scenario->worker_groups[t.group].name;
        if (std::find(groups.begin(), groups.end(), name) == groups.end()) groups.push_back(name);
      }
    }
  }
  request.groups = groups;
  // Outputs are checked (writable, naming no input and no other output) before the search, and
  // replaced together after it.
  OutputSet outputs("roster");
  outputs.add_inputs(inputs);
  outputs.add("--out", out_path);
  outputs.add("--csv", csv_path);
  if (!outputs.open()) return kExitUsage;

  int code = kExitOk;
  const std::optional<RequirementsRun> req = compute_requirements(common, request, code);
  if (!req) return code;
  if (req->result.unmeetable) {
    std::cerr << "trsim roster: " << *req->result.unmeetable << "\n";
    return kExitExpectations;
  }
  const Scenario& s = req->at_cap;
  const std::size_t ng = req->groups.size();
  const std::size_t intervals = req->result.required.size();
  const SimTime len = s.statistics.interval;

  RosterProblem problem;
  problem.groups = req->settings.groups;
  problem.requirement.assign(ng, std::vector<double>(intervals, 0));
  for (std::size_t k = 0; k < intervals; ++k)
    for (std::size_t g = 0; g < ng; ++g)
      problem.requirement[g][k] = static_cast<double>(req->result.required[k][g]);
  try {
    for (ShiftVariant& v : shift_variants(s))
      if (std::find(problem.groups.begin(), problem.groups.end(), v.group) != problem.groups.end())
        problem.variants.push_back(std::move(v));
  } catch (const std::invalid_argument& e) {
    return usage(e.what());
  }
  const RosterSolution sol = solve_roster(problem);
  if (!sol.uncovered.empty()) {
    std::string list;
    for (const auto& [g, k] : sol.uncovered) {
      const SimTime a = static_cast<SimTime>(k) * len;
      list += fmt::format("{}{} {}-{} (needs {})", list.empty() ? "" : ", ", req->groups[g],
                          clock(a), clock(std::min(a + len, s.horizon)), problem.requirement[g][k]);
    }
    return usage("the shift templates cover no shift in " + std::to_string(sol.uncovered.size()) +
                 " interval(s) that need agents: " + list);
  }
  if (!sol.solved) return usage(sol.error);
  std::vector<std::int64_t> agents = sol.agents;
  const double optimum = sol.cost;

  // Verify by simulation: every group with as many workers as its shifts (plus room for the
  // shifts the rounds may add), each worker on one shift.
  std::vector<std::string> overrides;
  std::vector<std::int64_t> room(ng, 0);
  for (std::size_t v = 0; v < problem.variants.size(); ++v)
    for (std::size_t g = 0; g < ng; ++g)
      if (problem.variants[v].group == problem.groups[g]) room[g] += agents[v];
  for (std::size_t g = 0; g < ng; ++g)
    overrides.push_back(fmt::format("workers.{}.count={}", req->groups[g],
                                    std::max<std::int64_t>(1, room[g] + 4 * *rounds)));
  auto sc = load(common, false, overrides);
  if (!sc) return usage("the scenario does not load with the roster's workers");
  const std::vector<IntervalTarget>& targets = req->result.targets;
  RunSummary verified;
  std::vector<std::vector<IntervalOutcome>> achieved;
  std::size_t added = 0;
  SearchProgress progress(common, "roster");
  for (std::uint32_t round = 0;; ++round) {
    for (std::size_t g = 0; g < ng; ++g) {
      std::vector<const ShiftVariant*> shifts;
      for (std::size_t v = 0; v < problem.variants.size(); ++v)
        if (problem.variants[v].group == problem.groups[g])
          for (std::int64_t i = 0; i < agents[v]; ++i) shifts.push_back(&problem.variants[v]);
      const std::string why = set_shift_logins(*sc, problem.groups[g], shifts);
      if (!why.empty()) return usage(why);
    }
    progress.show(fmt::format("verifying run {}", round + 1));
    verified = simulate(*sc, progress.run_options(), nullptr);
    achieved.clear();
    std::vector<std::size_t> missed;
    for (std::size_t k = 0; k < intervals; ++k) {
      achieved.push_back(interval_outcomes(*sc, targets, verified.intervals, k));
      for (const IntervalOutcome& o : achieved.back())
        if (!o.met) {
          missed.push_back(k);
          break;
        }
    }
    if (missed.empty() || round == *rounds) break;
    // The cheapest shift covering each missed interval (per unit of coverage there).
    for (const std::size_t k : missed) {
      std::size_t best = SIZE_MAX;
      for (std::size_t v = 0; v < problem.variants.size(); ++v) {
        const ShiftVariant& sv = problem.variants[v];
        if (sv.cover[k] <= 0) continue;
        if (best == SIZE_MAX ||
            sv.cost / sv.cover[k] < problem.variants[best].cost / problem.variants[best].cover[k])
          best = v;
      }
      if (best != SIZE_MAX) {
        ++agents[best];
        ++added;
      }
    }
  }
  progress.clear();

  // Coverage: Σ cover × agents per interval and group.
  std::vector<std::vector<double>> rostered(ng, std::vector<double>(intervals, 0));
  double paid = 0, cost = 0;
  std::int64_t people = 0;
  std::size_t used = 0;
  for (std::size_t v = 0; v < problem.variants.size(); ++v) {
    const ShiftVariant& sv = problem.variants[v];
    if (agents[v] == 0) continue;
    ++used;
    people += agents[v];
    paid += sv.paid_hours * static_cast<double>(agents[v]);
    cost += sv.cost * static_cast<double>(agents[v]);
    const std::size_t g = static_cast<std::size_t>(
        std::find(problem.groups.begin(), problem.groups.end(), sv.group) - problem.groups.begin());
    for (std::size_t k = 0; k < intervals; ++k)
      rostered[g][k] += sv.cover[k] * static_cast<double>(agents[v]);
  }
  double over = 0, required_hours = 0;
  bool all_met = true;
  for (std::size_t g = 0; g < ng; ++g)
    for (std::size_t k = 0; k < intervals; ++k) {
      over += std::max(0.0, rostered[g][k] - problem.requirement[g][k]) * to_seconds(len) / 3600;
      required_hours += problem.requirement[g][k] * to_seconds(len) / 3600;
    }
  for (const auto& row : achieved)
    for (const IntervalOutcome& o : row) all_met = all_met && o.met;

  std::string text = fmt::format(
      "roster: {} agents on {} shift variants (of {}), {:.1f} paid hours, cost {:.2f}\n"
      "  integer program {} {:.2f} (GLPK); {} shift(s) added by the verifying runs\n"
      "  required {:.1f} agent-hours; rostered beyond the requirement {:.1f} agent-hours "
      "(over-staffing {:.1f}%)\n  verifying run: {}\n\n",
      people, used, problem.variants.size(), paid, cost,
      sol.stopped_early ? "best found in its node budget" : "optimum (within 0.5%)", optimum, added,
      required_hours, over, required_hours > 0 ? 100 * over / required_hours : 0.0,
      all_met ? "every interval meets every target" : "SOME INTERVALS MISS A TARGET (see below)");
  text += fmt::format("{:<48} {:<14} {:>6} {:>8}\n", "shift", "group", "agents", "paid h");
  for (std::size_t v = 0; v < problem.variants.size(); ++v) {
    if (agents[v] == 0) continue;
    const ShiftVariant& sv = problem.variants[v];
    text += fmt::format("{:<48} {:<14} {:>6} {:>8.2f}\n", sv.label, s.worker_groups[sv.group].name,
                        agents[v], sv.paid_hours);
  }
  text += fmt::format("\n{:<13} {:<14} {:>8} {:>8} {:>6}", "interval", "group", "required",
                      "rostered", "over");
  for (const IntervalTarget& t : targets) {
    const Expectation& x = s.expectations[t.expectation];
    text += fmt::format("  {:>{}}", x.metric, target_column_width(x));
  }
  text += "\n";
  std::string csv = "interval_start,interval_end,group,required,rostered,over";
  for (const IntervalTarget& t : targets) {
    const std::string& m = s.expectations[t.expectation].metric;
    csv += "," + m + "," + m + ".ci95," + m + ".met";
  }
  csv += "\n";
  for (std::size_t k = 0; k < intervals; ++k) {
    const SimTime a = static_cast<SimTime>(k) * len, b = std::min(a + len, s.horizon);
    for (std::size_t g = 0; g < ng; ++g) {
      const double gap = rostered[g][k] - problem.requirement[g][k];
      text += fmt::format("{:<13} {:<14} {:>8} {:>8.2f} {:>6.2f}", clock(a) + "-" + clock(b),
                          req->groups[g], problem.requirement[g][k], rostered[g][k], gap);
      csv += fmt::format("{},{},{},{},{},{}", a / kMicrosPerSecond, b / kMicrosPerSecond,
                         req->groups[g], problem.requirement[g][k], rostered[g][k], gap);
      for (std::size_t i = 0; i < achieved[k].size(); ++i) {
        const IntervalOutcome& o = achieved[k][i];
        const Expectation& x = s.expectations[targets[i].expectation];
        text += fmt::format("  {:>{}}",
                            interval_outcome_text(o, x.metric) + (o.met ? " ok" : " FAILED"),
                            target_column_width(x));
        csv += std::isnan(o.mean) ? std::string(",,") : fmt::format(",{},", o.mean);
        csv += std::isnan(o.ci95) ? std::string() : fmt::format("{}", o.ci95);
        csv += o.met ? ",true" : ",false";
      }
      text += "\n";
      csv += "\n";
    }
  }
  ActivityId out = kNoId;
  for (ActivityId a = 0; a < s.activities.size(); ++a)
    if (!s.activities[a].available && (out == kNoId || s.activities[a].name == "Offline")) out = a;
  if (std::ostream* o = outputs.stream("--out"))
    *o << roster_yaml(*sc, problem.variants, agents, out);
  if (std::ostream* o = outputs.stream("--csv")) *o << csv;
  if (!outputs.commit()) return kExitUsage;
  if (!common.quiet && out_path != "-" && csv_path != "-") std::cout << text;
  return all_met ? kExitOk : kExitExpectations;
}

}  // namespace trsim::cli
