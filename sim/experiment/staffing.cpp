// `trsim staff` (include/trsim/staffing.hpp).
#include "trsim/staffing.hpp"

#include <algorithm>

namespace trsim {

namespace {

class Search {
 public:
  Search(const std::vector<Expectation>& expectations,
         const std::function<RunSummary(const Staffing&)>& evaluate)
      : expectations_(expectations), evaluate_(evaluate) {}

  const StaffingEvaluation& at(const Staffing& counts) {
    const auto it = memo_.find(counts);
    if (it != memo_.end()) return it->second;
    const RunSummary summary = evaluate_(counts);
    StaffingEvaluation e;
    e.counts = counts;
    e.met = true;
    for (const Expectation& x : expectations_) {
      ExpectationOutcome o =
          evaluate_expectation(x, summary.statistics).value_or(ExpectationOutcome{});
      e.met = e.met && o.met;
      e.outcomes.push_back(std::move(o));
    }
    return memo_.emplace(counts, std::move(e)).first->second;
  }
  bool meets(const Staffing& counts) { return at(counts).met; }
  std::size_t evaluations() const { return memo_.size(); }

 private:
  const std::vector<Expectation>& expectations_;
  const std::function<RunSummary(const Staffing&)>& evaluate_;
  std::map<Staffing, StaffingEvaluation> memo_;
};

// The smallest n in [lo, hi] with ok(n), assuming ok is monotone; nullopt when not even ok(hi).
// Exponential steps up from lo, then bisection.
std::optional<std::int64_t> smallest(std::int64_t lo, std::int64_t hi,
                                     const std::function<bool(std::int64_t)>& ok) {
  if (ok(lo)) return lo;
  std::int64_t failing = lo;
  std::int64_t next = std::min(hi, std::max(lo * 2, lo + 1));
  while (!ok(next)) {
    if (next == hi) return std::nullopt;
    failing = next;
    next = std::min(hi, next * 2);
  }
  std::int64_t meeting = next;
  while (meeting - failing > 1) {
    const std::int64_t mid = failing + (meeting - failing) / 2;
    (ok(mid) ? meeting : failing) = mid;
  }
  return meeting;
}

}  // namespace

StaffingResult find_staffing(const StaffingSettings& settings,
                             const std::vector<Expectation>& expectations,
                             const std::function<RunSummary(const Staffing&)>& evaluate) {
  StaffingResult result;
  Search search(expectations, evaluate);
  const std::size_t groups = settings.base.size();
  Staffing counts(groups, settings.min);
  if (groups == 1) {
    const auto n = smallest(settings.min, settings.max,
                            [&](std::int64_t c) { return search.meets(Staffing{c}); });
    if (n) counts[0] = *n;
    if (!n) counts.clear();
  } else {
    std::int64_t largest = 1;
    for (std::int64_t b : settings.base) largest = std::max(largest, b);
    const auto scaled = [&](std::int64_t k) {
      Staffing s(groups);
      for (std::size_t g = 0; g < groups; ++g) {
        const std::int64_t b = std::max<std::int64_t>(settings.base[g], 1);
        s[g] = std::clamp((k * b + largest - 1) / largest, settings.min, settings.max);
      }
      return s;
    };
    // k beyond max · largest / min(base) puts every group at max.
    const auto k = smallest(1, settings.max * largest,
                            [&](std::int64_t scale) { return search.meets(scaled(scale)); });
    if (k) {
      counts = scaled(*k);
      for (std::size_t g = 0; g < groups; ++g) {
        Staffing trial = counts;
        const auto n = smallest(settings.min, counts[g], [&](std::int64_t c) {
          trial[g] = c;
          return search.meets(trial);
        });
        counts[g] = n.value_or(counts[g]);
      }
    } else {
      counts.clear();
    }
  }
  if (!counts.empty()) {
    result.found = search.at(counts);
    for (std::size_t g = 0; g < groups; ++g) {
      if (counts[g] <= settings.min) continue;
      Staffing fewer = counts;
      --fewer[g];
      result.one_fewer.push_back(search.at(fewer));
    }
  }
  result.evaluations = search.evaluations();
  return result;
}

}  // namespace trsim
