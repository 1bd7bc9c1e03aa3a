#pragma once
// `trsim roster`: choose how many agents work each shift variant (a shift template's start time
// and break placement) so that every interval's requirement is covered at the least cost of paid
// hours: an integer program solved with GLPK (docs/experiments.md, "From a forecast to a roster").
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "trsim/interval_staffing.hpp"
#include "trsim/scenario.hpp"

namespace trsim {

/// One way to work a shift template: a start, and a start for each of its breaks.
struct ShiftVariant {
  std::size_t shift = 0;  ///< index in Scenario::shifts
  GroupId group = kNoId;
  SimTime start = 0;
  std::vector<SimTime> break_starts;  ///< absolute times, one per break of the template
  double paid_hours = 0;              ///< length minus unpaid breaks
  double cost = 0;                    ///< paid_hours × the template's cost
  std::vector<double> cover;          ///< per interval: the fraction of it worked (0..1)
  std::string label;                  ///< "early@06:30 break 09:30 lunch 12:00"
};

/// Every variant of every template (starts on each template's step over its days, breaks on the
/// same step inside their windows). Throws std::invalid_argument when a template has more than
/// `limit` variants, naming it.
std::vector<ShiftVariant> shift_variants(const Scenario& scenario, std::size_t limit = 200000);

struct RosterProblem {
  std::vector<GroupId> groups;                   ///< the groups with requirements
  std::vector<std::vector<double>> requirement;  ///< [group][interval]
  std::vector<ShiftVariant> variants;
};

struct RosterSolution {
  std::vector<std::int64_t> agents;  ///< per variant
  double cost = 0;
  bool solved = false;
  /// When no variant covers some interval that needs agents: those (group index, interval).
  std::vector<std::pair<std::size_t, std::size_t>> uncovered;
  std::string error;  ///< the solver's complaint, if any
};

/// The integer program: minimise Σ cost_v x_v subject to Σ_v cover_{v,k} x_v >= requirement_{g,k}
/// for every group g and interval k (v over g's variants), x_v whole and >= 0. GLPK's branch and
/// cut with presolve, no time limit (the answer is the proven optimum, the same on every machine).
RosterSolution solve_roster(const RosterProblem& problem);

/// Gives the workers of group `g` the schedules of `shifts` (one variant per worker, in order;
/// workers beyond them stay logged out all day). The log-in and log-out activities are those of
/// set_interval_logins(); a break goes to its own activity or the log-out one.
std::string set_shift_logins(Scenario& scenario, GroupId g,
                             const std::vector<const ShiftVariant*>& shifts);

}  // namespace trsim
