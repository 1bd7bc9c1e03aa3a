// Base against change under common random numbers: pairing, paired differences (through the
// sweep's summary, the base as its baseline point) and the rules on them.
#include "trsim/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string_view>

#include "trsim/expectations.hpp"
#include "trsim/sweep.hpp"
#include "trsim/value.hpp"

namespace trsim {

namespace {

// Names on one side only, sorted, for a note ("helpdesk-10, helpdesk-11 and 1 more").
std::string listed(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > kShown) out += fmt::format(" and {} more", names.size() - kShown);
  return out;
}

// The names of `a` that `b` lacks, in `a`'s order (agent-9 before agent-10).
template <class Items>
std::vector<std::string> missing_names(const Items& a, const Items& b) {
  std::set<std::string_view> in_b;
  for (const auto& x : b) in_b.insert(x.name);
  std::vector<std::string> out;
  for (const auto& x : a)
    if (in_b.count(x.name) == 0) out.push_back(x.name);
  return out;
}

template <class Items>
void compare_names(const Items& base, const Items& change, const std::string& what,
                   Pairing& pairing) {
  const std::vector<std::string> only_base = missing_names(base, change);
  const std::vector<std::string> only_change = missing_names(change, base);
  if (!only_base.empty())
    pairing.notes.push_back(fmt::format("{} only in the base: {}", what, listed(only_base)));
  if (!only_change.empty())
    pairing.notes.push_back(fmt::format("{} only in the change: {}", what, listed(only_change)));
  if (!only_base.empty() || !only_change.empty()) pairing.complete = false;
}

// Welch's half-width for the difference of two independent means.
double unpaired_half_width(const Aggregate& a, const Aggregate& b) {
  if (a.n < 2 || b.n < 2 || std::isnan(a.ci95) || std::isnan(b.ci95)) return kNull;
  const double se_a = a.ci95 / student_t_975(a.n - 1);
  const double se_b = b.ci95 / student_t_975(b.n - 1);
  const double var = se_a * se_a + se_b * se_b;
  if (var == 0) return 0;
  const double df = var * var /
                    (std::pow(se_a, 4) / static_cast<double>(a.n - 1) +
                     std::pow(se_b, 4) / static_cast<double>(b.n - 1));
  return student_t_975(std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(df)))) *
         std::sqrt(var);
}

}  // namespace

Pairing compare_pairing(const Scenario& base, const Scenario& change) {
  Pairing p;
  compare_names(base.arrivals, change.arrivals, "arrival streams", p);
  compare_names(base.workers, change.workers, "workers", p);
  if (base.seed != change.seed || base.replications != change.replications) {
    p.complete = false;
    p.notes.push_back("the runs differ in seed or replications");
  }
  return p;
}

std::vector<std::string> comparison_metrics(const Scenario& base,
                                            const std::vector<std::string>& extra,
                                            const std::vector<CompareRule>& rules) {
  std::vector<std::string> out = default_sweep_metrics(base);
  const auto add = [&](const std::string& m) {
    if (std::find(out.begin(), out.end(), m) == out.end()) out.push_back(m);
  };
  for (const std::string& m : extra) add(m);
  for (const CompareRule& r : rules) add(r.metric);
  return out;
}

RuleOutcome judge_rule(const CompareRule& rule, const Aggregate& d, bool on_mean) {
  RuleOutcome o{rule, on_mean, d, false, ""};
  const char* side = rule.below ? "below" : "above";
  // A difference of two ratios in percentage points, as the tables print it ("-1.2 pp").
  const bool ratio = is_ratio_metric(rule.metric);
  const auto shown = [ratio](double v) {
    return ratio ? fmt::format("{:.4g} pp", v * 100) : fmt::format("{:.4g}", v);
  };
  if (std::isnan(d.mean)) {
    o.failed = true;
    o.reason = "no data: the metric is null on both sides";
    return o;
  }
  if (on_mean) {
    o.failed = rule.below ? d.mean < rule.threshold : d.mean > rule.threshold;
    if (o.failed)
      o.reason = fmt::format("the mean difference {} is {} {}", shown(d.mean), side,
                             shown(rule.threshold));
    return o;
  }
  if (d.n < 2 || std::isnan(d.ci95)) {
    o.failed = true;
    o.reason = "a ci95 needs at least 2 replications";
    return o;
  }
  const double edge = rule.below ? d.mean + d.ci95 : d.mean - d.ci95;
  o.failed = rule.below ? edge < rule.threshold : edge > rule.threshold;
  if (o.failed)
    o.reason = fmt::format("the whole ci95 [{}, {}] is {} {}", shown(d.mean - d.ci95),
                           shown(d.mean + d.ci95), side, shown(rule.threshold));
  return o;
}

Comparison compare_runs(const Scenario& base, const Scenario& change,
                        const std::vector<MetricNode>& base_runs,
                        const std::vector<MetricNode>& change_runs,
                        const std::vector<std::string>& metrics,
                        const std::vector<CompareRule>& rules, bool on_mean) {
  // The sweep's summary of a two-point "grid": point 0 the base (the baseline), point 1 the change.
  SweepResults results;
  results.design.scenario = base.name;
  results.design.seed = base.seed;
  results.design.replications = base.replications;
  results.design.metrics = metrics;
  results.design.baseline = 0;
  results.runs = {MetricRows(base_runs), MetricRows(change_runs)};
  const std::vector<SweepPointSummary> points = summarise_sweep(results);

  Comparison c;
  c.base_name = base.name;
  c.change_name = change.name;
  c.seed = base.seed;
  c.replications = base.replications;
  c.pairing = compare_pairing(base, change);
  if (base_runs.size() != change_runs.size()) {
    c.pairing.complete = false;
    c.pairing.notes.push_back(fmt::format("{} replications of the base against {} of the change",
                                          base_runs.size(), change_runs.size()));
  }
  for (std::size_t m = 0; m < metrics.size(); ++m) {
    MetricComparison x;
    x.metric = metrics[m];
    x.base = points[0].metrics[m];
    x.change = points[1].metrics[m];
    x.difference = points[1].differences[m];
    x.unpaired_ci95 = unpaired_half_width(x.base, x.change);
    const Aggregate& d = x.difference;
    x.significant = d.n >= 2 && !std::isnan(d.ci95) && std::abs(d.mean) > d.ci95;
    c.metrics.push_back(std::move(x));
  }
  for (const CompareRule& rule : rules) {
    const auto it = std::find(metrics.begin(), metrics.end(), rule.metric);
    const Aggregate d = it == metrics.end()
                            ? Aggregate{}
                            : c.metrics[static_cast<std::size_t>(it - metrics.begin())].difference;
    RuleOutcome o = judge_rule(rule, d, on_mean);
    if (o.failed) ++c.failures;
    c.rules.push_back(std::move(o));
  }
  return c;
}

}  // namespace trsim
