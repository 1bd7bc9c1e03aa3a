// `trsim tune` (include/trsim/tune.hpp).
#include "trsim/tune.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "model/units.hpp"

namespace trsim {

namespace {

// A range end: a plain number (whole when written without '.', 'e' or 'E') or a duration.
struct RangeEnd {
  double value = 0;
  bool whole = false;
};

std::optional<RangeEnd> parse_range_end(std::string_view text, std::string* error) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size() && std::isfinite(v))
    return RangeEnd{v, text.find_first_of(".eE") == std::string_view::npos};
  std::string why;
  if (const auto d = detail::parse_duration(text, &why)) return RangeEnd{to_seconds(*d), false};
  if (error) *error = fmt::format("'{}' is neither a number nor a duration ({})", text, why);
  return std::nullopt;
}

}  // namespace

std::optional<TuneRange> parse_tune_range(std::string_view text, std::string* error) {
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    if (error) *error = fmt::format("expected LO..HI (e.g. 5s..300s or 4..20), got '{}'", text);
    return std::nullopt;
  }
  const auto lo = parse_range_end(text.substr(0, dots), error);
  if (!lo) return std::nullopt;
  const auto hi = parse_range_end(text.substr(dots + 2), error);
  if (!hi) return std::nullopt;
  if (!(lo->value < hi->value)) {
    if (error) *error = fmt::format("the range '{}' must go from a lower to a higher value", text);
    return std::nullopt;
  }
  return TuneRange{lo->value, hi->value, lo->whole && hi->whole};
}

std::optional<Expectation> parse_constraint(std::string_view text, std::string* error) {
  Expectation e;
  std::size_t at = text.find("<=");
  const bool is_max = at != std::string_view::npos;
  if (!is_max) at = text.find(">=");
  if (at == std::string_view::npos || at == 0) {
    if (error) *error = fmt::format("expected METRIC<=VALUE or METRIC>=VALUE, got '{}'", text);
    return std::nullopt;
  }
  std::string_view metric = text.substr(0, at);
  while (!metric.empty() && metric.back() == ' ') metric.remove_suffix(1);
  std::string_view number = text.substr(at + 2);
  while (!number.empty() && number.front() == ' ') number.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
  if (number.empty() || ec != std::errc() || end != number.data() + number.size() ||
      !std::isfinite(v)) {
    if (error) *error = fmt::format("'{}' in '{}' is not a number", number, text);
    return std::nullopt;
  }
  e.metric = std::string(metric);
  (is_max ? e.max : e.min) = v;
  return e;
}

std::vector<double> tune_grid(double lo, double hi, std::size_t steps, bool integer) {
  std::vector<double> out;
  const std::size_t n = std::max<std::size_t>(steps, 2);
  for (std::size_t k = 0; k < n; ++k) {
    const double v = lo + (hi - lo) * static_cast<double>(k) / static_cast<double>(n - 1);
    out.push_back(integer ? std::round(v) : std::round(v * 1000.0) / 1000.0);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<double> replication_values(const RunSummary& summary, std::string_view metric) {
  std::vector<double> out;
  for (const ReplicationResult& r : summary.runs) {
    const MetricNode* node = r.statistics.find(metric);
    if (node == nullptr || node->is_group) return {};
    out.push_back(node->value);
  }
  return out;
}

Aggregate paired_difference(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    if (!std::isnan(a[i]) && !std::isnan(b[i])) d.push_back(a[i] - b[i]);
  return aggregate(d);
}

namespace {

TunePoint evaluate_point(const TuneSettings& s, double value, bool refined,
                         const std::function<RunSummary(double)>& evaluate) {
  const RunSummary summary = evaluate(value);
  TunePoint p;
  p.value = value;
  p.refined = refined;
  if (const AggregateNode* node = summary.statistics.find(s.objective); node && !node->is_group)
    p.objective = node->value;
  p.objective_runs = replication_values(summary, s.objective);
  p.feasible = !std::isnan(p.objective.mean);
  for (const Expectation& c : s.constraints) {
    ExpectationOutcome o =
        evaluate_expectation(c, summary.statistics).value_or(ExpectationOutcome{});
    p.feasible = p.feasible && o.met;
    p.constraints.push_back(std::move(o));
  }
  return p;
}

std::optional<std::size_t> best_feasible(const std::vector<TunePoint>& points, bool maximise) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].feasible) continue;
    if (!best) {
      best = i;
      continue;
    }
    const double a = points[i].objective.mean;
    const double b = points[*best].objective.mean;
    if (maximise ? a > b : a < b) best = i;  // strict: the smaller value wins ties
  }
  return best;
}

void sort_by_value(std::vector<TunePoint>& points) {
  std::sort(points.begin(), points.end(),
            [](const TunePoint& a, const TunePoint& b) { return a.value < b.value; });
}

}  // namespace

TuneResult tune(const TuneSettings& settings, const std::function<RunSummary(double)>& evaluate,
                const std::function<void(std::size_t, double)>& on_point) {
  TuneResult result;
  std::size_t evaluated = 0;
  const auto run = [&](double value, bool refined) {
    if (on_point) on_point(evaluated, value);
    ++evaluated;
    result.points.push_back(evaluate_point(settings, value, refined, evaluate));
  };
  const TuneRange& r = settings.range;
  for (double v : tune_grid(r.lo, r.hi, settings.steps, r.integer)) run(v, false);

  if (const auto coarse_best = best_feasible(result.points, settings.maximise)) {
    const double step =
        (r.hi - r.lo) / static_cast<double>(std::max<std::size_t>(settings.steps, 2) - 1);
    const double centre = result.points[*coarse_best].value;
    const double lo = std::max(r.lo, centre - step);
    const double hi = std::min(r.hi, centre + step);
    // An integer neighbourhood small enough is covered whole.
    const std::size_t n = r.integer ? std::min<std::size_t>(settings.refine_steps + 2,
                                                            static_cast<std::size_t>(hi - lo) + 1)
                                    : settings.refine_steps + 2;
    for (double v : tune_grid(lo, hi, n, r.integer)) {
      const bool seen = std::any_of(result.points.begin(), result.points.end(),
                                    [&](const TunePoint& p) { return p.value == v; });
      if (!seen) run(v, true);
    }
  }
  sort_by_value(result.points);
  result.best = best_feasible(result.points, settings.maximise);
  if (result.best) {
    const TunePoint& best = result.points[*result.best];
    for (TunePoint& p : result.points) {
      p.difference = paired_difference(p.objective_runs, best.objective_runs);
      p.indistinguishable = p.feasible && !std::isnan(p.difference.ci95) &&
                            std::abs(p.difference.mean) <= p.difference.ci95;
    }
    result.points[*result.best].indistinguishable = true;
  }
  return result;
}

}  // namespace trsim
