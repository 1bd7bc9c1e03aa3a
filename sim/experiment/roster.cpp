// `trsim roster` (include/trsim/roster.hpp): shift variants, the integer program (GLPK), and the
// shift schedules of the verifying run.
#include "trsim/roster.hpp"

#include <fmt/format.h>
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace trsim {

namespace {

std::string clock(SimTime t) {
  const std::int64_t minutes = t / (60 * kMicrosPerSecond);
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

// The fraction of [a, b) inside [from, to).
double overlap(SimTime a, SimTime b, SimTime from, SimTime to) {
  const SimTime lo = std::max(a, from), hi = std::min(b, to);
  return hi > lo ? static_cast<double>(hi - lo) / static_cast<double>(b - a) : 0;
}

struct Logins {
  ActivityId out = kNoId, first_available = kNoId;
};

Logins login_activities(const Scenario& s) {
  Logins l;
  for (ActivityId a = 0; a < s.activities.size(); ++a) {
    const Activity& act = s.activities[a];
    if (act.available && l.first_available == kNoId) l.first_available = a;
    if (!act.available && (l.out == kNoId || act.name == "Offline")) l.out = a;
  }
  return l;
}

constexpr long kMaxNodes = 2000;

struct NodeBudget {
  long nodes = 0;
};

void on_node(glp_tree* tree, void* info) {
  auto* budget = static_cast<NodeBudget*>(info);
  if (glp_ios_reason(tree) == GLP_ISELECT && ++budget->nodes > kMaxNodes) glp_ios_terminate(tree);
}

}  // namespace

std::vector<ShiftVariant> shift_variants(const Scenario& s, std::size_t limit) {
  const SimTime len = s.statistics.interval;
  const auto intervals = static_cast<std::size_t>((s.horizon + len - 1) / len);
  const SimTime day = 86400 * kMicrosPerSecond;
  std::vector<ShiftVariant> out;
  for (std::size_t t = 0; t < s.shifts.size(); ++t) {
    const ShiftTemplate& st = s.shifts[t];
    const SimTime step = st.step > 0 ? st.step : len;
    std::vector<std::int64_t> days = st.days;
    if (days.empty())
      for (std::int64_t d = 0; d * day < s.horizon; ++d) days.push_back(d);
    // Break offsets: the cartesian product of each break's window on the step.
    std::vector<std::vector<SimTime>> placements{{}};
    for (const ShiftBreak& b : st.breaks) {
      std::vector<std::vector<SimTime>> next;
      for (const auto& p : placements)
        for (SimTime o = b.earliest; o <= b.latest; o += step) {
          // Breaks of one shift do not overlap, in the order written.
          if (!p.empty() && o < p.back() + st.breaks[p.size() - 1].length) continue;
          next.push_back(p);
          next.back().push_back(o);
          if (next.size() > limit)
            throw std::invalid_argument(fmt::format(
                "shift '{}' has more than {} break placements; narrow its break windows", st.name,
                limit));
        }
      placements = std::move(next);
    }
    double unpaid = 0;
    for (const ShiftBreak& b : st.breaks)
      if (!b.paid) unpaid += to_seconds(b.length);
    const double paid_hours = (to_seconds(st.length) - unpaid) / 3600;
    std::size_t made = 0;
    for (const std::int64_t d : days) {
      for (SimTime o = st.earliest_start; o <= st.latest_start; o += step) {
        const SimTime start = d * day + o;
        if (start >= s.horizon) continue;
        for (const auto& p : placements) {
          if (++made > limit)
            throw std::invalid_argument(fmt::format(
                "shift '{}' has more than {} variants; narrow its start or break windows", st.name,
                limit));
          ShiftVariant v;
          v.shift = t;
          v.group = st.group;
          v.start = start;
          v.paid_hours = paid_hours;
          v.cost = paid_hours * st.cost;
          v.label = fmt::format("{}@{}", st.name, clock(start));
          for (std::size_t b = 0; b < p.size(); ++b) {
            v.break_starts.push_back(start + p[b]);
            v.label += fmt::format(" break {}", clock(start + p[b]));
          }
          v.cover.assign(intervals, 0);
          for (std::size_t k = 0; k < intervals; ++k) {
            const SimTime a = static_cast<SimTime>(k) * len, b = std::min(a + len, s.horizon);
            double c = overlap(a, b, start, start + st.length);
            for (std::size_t i = 0; i < p.size(); ++i)
              c -= overlap(a, b, start + p[i], start + p[i] + st.breaks[i].length);
            v.cover[k] = std::max(0.0, c);
          }
          out.push_back(std::move(v));
        }
      }
    }
  }
  return out;
}

RosterSolution solve_roster(const RosterProblem& problem) {
  constexpr double kRosterGap = 0.005;
  RosterSolution sol;
  const std::size_t groups = problem.groups.size();
  const std::size_t n = problem.variants.size();
  // Rows: every (group, interval) that needs agents.
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::size_t k = 0; k < problem.requirement[g].size(); ++k) {
      if (problem.requirement[g][k] <= 0) continue;
      bool covered = false;
      for (const ShiftVariant& v : problem.variants)
        covered = covered || (v.group == problem.groups[g] && k < v.cover.size() && v.cover[k] > 0);
      if (!covered)
        sol.uncovered.emplace_back(g, k);
      else
        rows.emplace_back(g, k);
    }
  }
  if (!sol.uncovered.empty()) return sol;
  sol.agents.assign(n, 0);
  if (rows.empty()) {
    sol.solved = true;
    return sol;
  }
  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);
  glp_add_rows(lp, static_cast<int>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    glp_set_row_bnds(lp, static_cast<int>(i + 1), GLP_LO,
                     problem.requirement[rows[i].first][rows[i].second], 0);
  glp_add_cols(lp, static_cast<int>(n));
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  for (std::size_t j = 0; j < n; ++j) {
    const ShiftVariant& v = problem.variants[j];
    const int col = static_cast<int>(j + 1);
    glp_set_col_kind(lp, col, GLP_IV);
    glp_set_col_bnds(lp, col, GLP_LO, 0, 0);
    glp_set_obj_coef(lp, col, v.cost);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (v.group != problem.groups[rows[i].first]) continue;
      const double c = rows[i].second < v.cover.size() ? v.cover[rows[i].second] : 0;
      if (c <= 0) continue;
      ia.push_back(static_cast<int>(i + 1));
      ja.push_back(col);
      ar.push_back(c);
    }
  }
  glp_load_matrix(lp, static_cast<int>(ia.size() - 1), ia.data(), ja.data(), ar.data());
  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.presolve = GLP_ON;
  parm.msg_lev = GLP_MSG_OFF;
  // Breaks shorter than an interval make fractional coverage, whose LP bound is weak: branch and
  // bound can run for minutes on 48 intervals × 200 variants. Cuts, the feasibility pump and a
  // 0.5% relative gap help; a budget of branch nodes (counted, not timed: the answer is the same
  // on every machine) bounds the rest, keeping the best roster found.
  parm.gmi_cuts = GLP_ON;
  parm.mir_cuts = GLP_ON;
  parm.fp_heur = GLP_ON;
  parm.mip_gap = kRosterGap;
  NodeBudget budget;
  parm.cb_func = on_node;
  parm.cb_info = &budget;
  const int rc = glp_intopt(lp, &parm);
  const int status = glp_mip_status(lp);
  sol.stopped_early = rc == GLP_ESTOP;
  // GLP_EMIPGAP: stopped because the best roster found is within kRosterGap of the bound (an
  // answer, as asked).
  if ((rc != 0 && rc != GLP_ESTOP && rc != GLP_EMIPGAP) ||
      (status != GLP_OPT && status != GLP_FEAS)) {
    sol.error =
        fmt::format("GLPK stopped without an optimum (glp_intopt {}, status {})", rc, status);
  } else {
    sol.solved = true;
    for (std::size_t j = 0; j < n; ++j) {
      sol.agents[j] = std::llround(glp_mip_col_val(lp, static_cast<int>(j + 1)));
      sol.cost += static_cast<double>(sol.agents[j]) * problem.variants[j].cost;
    }
  }
  glp_delete_prob(lp);
  return sol;
}

std::string set_shift_logins(Scenario& scenario, GroupId g,
                             const std::vector<const ShiftVariant*>& shifts) {
  const Logins l = login_activities(scenario);
  if (l.first_available == kNoId)
    return "the scenario has no available activity to log workers in to";
  if (l.out == kNoId) return "the scenario has no unavailable activity to log workers out to";
  const WorkerGroup& group = scenario.worker_groups[g];
  if (shifts.size() > group.count)
    return fmt::format("group '{}' has {} workers for {} shifts", group.name, group.count,
                       shifts.size());
  for (std::uint32_t j = 0; j < group.count; ++j) {
    Worker& w = scenario.workers[group.first_worker + j];
    const ActivityId in =
        w.initial_activity != kNoId && scenario.activities[w.initial_activity].available
            ? w.initial_activity
            : l.first_available;
    w.schedule.clear();
    if (j >= shifts.size()) {
      w.schedule.push_back({0, l.out, true});
      continue;
    }
    const ShiftVariant& v = *shifts[j];
    const ShiftTemplate& st = scenario.shifts[v.shift];
    if (v.start > 0) w.schedule.push_back({0, l.out, true});
    w.schedule.push_back({v.start, in, false});
    for (std::size_t b = 0; b < v.break_starts.size(); ++b) {
      const ActivityId away = st.breaks[b].activity != kNoId ? st.breaks[b].activity : l.out;
      w.schedule.push_back({v.break_starts[b], away, true});
      w.schedule.push_back({v.break_starts[b] + st.breaks[b].length, in, false});
    }
    w.schedule.push_back({v.start + st.length, l.out, true});
  }
  return {};
}

}  // namespace trsim
