// `trsim tune` (include/trsim/tune.hpp): search, Kim & Nelson selection, near-ties.
#include "trsim/tune.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <charconv>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

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

bool whole_number_setting(std::string_view path) {
  const std::size_t dot = path.rfind('.');
  const std::string_view key = dot == std::string_view::npos ? path : path.substr(dot + 1);
  return key == "task_reservation_timeout" || key == "timeout" || key == "count" ||
         key == "max_reserved_workers";
}

std::optional<TuneRange> snap_range(const TuneRange& range, std::string* error) {
  TuneRange out{std::ceil(range.lo - 1e-9), std::floor(range.hi + 1e-9), true};
  if (out.lo > out.hi) {
    if (error)
      *error = fmt::format(
          "no whole number between {} and {}: the setting takes whole numbers (whole seconds for "
          "a timeout)",
          range.lo, range.hi);
    return std::nullopt;
  }
  return out;
}

std::optional<Expectation> parse_constraint(std::string_view text, std::string* error) {
  Expectation e;
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.size() > 3 && text.substr(text.size() - 3) == " ci") {
    e.require_ci = true;
    text.remove_suffix(3);
  }
  std::size_t at = text.find("<=");
  const bool is_max = at != std::string_view::npos;
  if (!is_max) at = text.find(">=");
  if (at == std::string_view::npos || at == 0) {
    if (error)
      *error = fmt::format(
          "expected METRIC<=VALUE or METRIC>=VALUE (then ' ci' for the whole ci95), got '{}'",
          text);
    return std::nullopt;
  }
  std::string_view metric = text.substr(0, at);
  while (!metric.empty() && metric.back() == ' ') metric.remove_suffix(1);
  std::string_view number = text.substr(at + 2);
  while (!number.empty() && number.front() == ' ') number.remove_prefix(1);
  while (!number.empty() && number.back() == ' ') number.remove_suffix(1);
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

double student_t_quantile(double p, std::size_t df) {
  const boost::math::students_t dist(static_cast<double>(std::max<std::size_t>(df, 1)));
  return boost::math::quantile(dist, p);
}

double kim_nelson_h2(std::size_t k, std::size_t n0, double alpha) {
  // Kim & Nelson (2001), eq. for η: η = ½[(2α/(k − 1))^(−2/(n0 − 1)) − 1], h² = 2η(n0 − 1).
  const double others = static_cast<double>(std::max<std::size_t>(k, 2) - 1);
  const double df = static_cast<double>(std::max<std::size_t>(n0, 2) - 1);
  const double eta = 0.5 * (std::pow(2.0 * alpha / others, -2.0 / df) - 1.0);
  return 2.0 * eta * df;
}

double default_delta(std::string_view metric, double scale) {
  for (const char* ratio : {"service_level", "abandon_rate", "occupancy", "utilization"})
    if (metric.find(ratio) != std::string_view::npos) return 0.01;
  for (const char* timed : {"time", "wait", "duration", "age"})
    if (metric.find(timed) != std::string_view::npos) return 1.0;
  return scale > 0 ? 0.01 * scale : 1.0;
}

namespace {

double snap(double v, const TuneRange& r) {
  v = std::clamp(v, r.lo, r.hi);
  return r.integer ? std::round(v) : std::round(v * 1000.0) / 1000.0;
}

bool all_finite(const std::vector<double>& v) {
  return !v.empty() && std::none_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
}

// Every point evaluated, its replications per scenario, and the combined values.
class Evaluations {
 public:
  Evaluations(const TuneSettings& s, const TuneEvaluate& evaluate,
              const std::function<void(std::size_t, const TuneConfig&)>& on_point)
      : s_(s), evaluate_(evaluate), on_point_(on_point) {}

  std::vector<TunePoint>& points() { return points_; }
  std::uint64_t total() const { return total_; }

  // The point at `values`, evaluated on the first stage when new.
  std::size_t add(const TuneConfig& values, bool searched) {
    if (const auto it = index_.find(values); it != index_.end()) return it->second;
    if (on_point_) on_point_(points_.size(), values);
    const std::size_t i = points_.size();
    index_.emplace(values, i);
    TunePoint p;
    p.values = values;
    p.searched = searched;
    points_.push_back(std::move(p));
    runs_.emplace_back(s_.scenarios,
                       Runs{{}, std::vector<std::vector<double>>(s_.constraints.size())});
    extend(i, s_.first_stage);
    return i;
  }

  // Runs point i's replications up to `n` (in every scenario).
  void extend(std::size_t i, std::uint32_t n) {
    const std::uint32_t have = points_[i].replications;
    if (n <= have) return;
    for (std::size_t sc = 0; sc < s_.scenarios; ++sc) {
      const RunSummary summary = evaluate_(points_[i].values, sc, have, n - have);
      Runs& runs = runs_[i][sc];
      const std::vector<double> obj = replication_values(summary, s_.objective);
      for (std::uint32_t r = 0; r < n - have; ++r)
        runs.objective.push_back(r < obj.size() ? obj[r] : kNull);
      for (std::size_t c = 0; c < s_.constraints.size(); ++c) {
        const std::vector<double> v = replication_values(summary, s_.constraints[c].metric);
        for (std::uint32_t r = 0; r < n - have; ++r)
          runs.constraints[c].push_back(r < v.size() ? v[r] : kNull);
      }
      total_ += n - have;
    }
    points_[i].replications = n;
    combine(i);
  }

 private:
  struct Runs {
    std::vector<double> objective;
    std::vector<std::vector<double>> constraints;
  };

  // Per replication over the scenarios: the mean, or the worst (in the objective's direction, or
  // the constraint's).
  double over_scenarios(std::size_t i, const std::function<double(const Runs&)>& get,
                        bool higher_is_worse) const {
    double acc = 0;
    for (std::size_t sc = 0; sc < s_.scenarios; ++sc) {
      const double v = get(runs_[i][sc]);
      if (std::isnan(v)) return kNull;
      if (s_.aggregate == TuneAggregate::mean)
        acc += v / static_cast<double>(s_.scenarios);
      else
        acc = sc == 0 ? v : (higher_is_worse ? std::max(acc, v) : std::min(acc, v));
    }
    return acc;
  }

  void combine(std::size_t i) {
    TunePoint& p = points_[i];
    const std::uint32_t n = p.replications;
    p.objective_runs.assign(n, kNull);
    for (std::uint32_t r = 0; r < n; ++r)
      p.objective_runs[r] = over_scenarios(
          i, [r](const Runs& x) { return x.objective[r]; }, !s_.maximise);
    p.objective = aggregate(p.objective_runs);
    p.feasible = all_finite(p.objective_runs);
    p.constraint_runs.assign(s_.constraints.size(), {});
    p.constraints.clear();
    for (std::size_t c = 0; c < s_.constraints.size(); ++c) {
      const Expectation& e = s_.constraints[c];
      std::vector<double>& v = p.constraint_runs[c];
      v.assign(n, kNull);
      for (std::uint32_t r = 0; r < n; ++r)
        v[r] = over_scenarios(
            i, [c, r](const Runs& x) { return x.constraints[c][r]; }, e.max.has_value());
      ExpectationOutcome o;
      o.value = aggregate(v);
      const double half = e.require_ci ? o.value.ci95 : 0.0;
      o.met = !std::isnan(o.value.mean) && !std::isnan(half) &&
              (!e.min || o.value.mean - half >= *e.min) &&
              (!e.max || o.value.mean + half <= *e.max);
      p.feasible = p.feasible && o.met;
      p.constraints.push_back(std::move(o));
    }
  }

  const TuneSettings& s_;
  const TuneEvaluate& evaluate_;
  const std::function<void(std::size_t, const TuneConfig&)>& on_point_;
  std::vector<TunePoint> points_;
  std::vector<std::vector<Runs>> runs_;  // point, scenario
  std::map<TuneConfig, std::size_t> index_;
  std::uint64_t total_ = 0;
};

// Whether point a is better than point b on the replications both have (a feasible point beats
// an infeasible one; a tie is not better).
bool better(const TuneSettings& s, const TunePoint& a, const TunePoint& b) {
  if (!a.feasible) return false;
  if (!b.feasible) return true;
  const std::size_t n = std::min(a.objective_runs.size(), b.objective_runs.size());
  double sa = 0, sb = 0;
  for (std::size_t r = 0; r < n; ++r) {
    sa += a.objective_runs[r];
    sb += b.objective_runs[r];
  }
  return s.maximise ? sa > sb : sa < sb;
}

// Phase 1: each parameter's grid in turn through the current point (until a sweep moves
// nothing), then a compass search with halving steps down to each parameter's resolution.
std::size_t search(const TuneSettings& s, Evaluations& ev) {
  const std::size_t dims = s.parameters.size();
  std::vector<std::vector<double>> grids(dims);
  TuneConfig current(dims);
  for (std::size_t j = 0; j < dims; ++j) {
    const TuneRange& r = s.parameters[j].range;
    grids[j] = tune_grid(r.lo, r.hi, s.steps, r.integer);
    current[j] = grids[j][grids[j].size() / 2];  // start in the middle
  }
  std::size_t at = ev.add(current, false);
  for (int sweep = 0; sweep < 10; ++sweep) {
    bool moved = false;
    for (std::size_t j = 0; j < dims; ++j) {
      std::size_t line_best = at;
      for (double g : grids[j]) {
        TuneConfig c = ev.points()[at].values;
        c[j] = g;
        const std::size_t i = ev.add(c, false);
        if (better(s, ev.points()[i], ev.points()[line_best])) line_best = i;
      }
      if (line_best != at) {
        at = line_best;
        moved = true;
      }
    }
    if (!moved || dims == 1) break;
  }
  std::vector<double> step(dims), resolution(dims);
  for (std::size_t j = 0; j < dims; ++j) {
    const TuneRange& r = s.parameters[j].range;
    const double grid_step =
        (r.hi - r.lo) / static_cast<double>(std::max<std::size_t>(s.steps, 2) - 1);
    resolution[j] =
        r.integer ? 1.0 : std::max(0.001, grid_step / static_cast<double>(s.refine_steps + 1));
    step[j] = std::max(resolution[j], r.integer ? std::floor(grid_step / 2) : grid_step / 2);
  }
  for (int iteration = 0; iteration < 1000; ++iteration) {
    std::size_t poll_best = at;
    for (std::size_t j = 0; j < dims; ++j)
      for (double sign : {-1.0, 1.0}) {
        TuneConfig c = ev.points()[at].values;
        c[j] = snap(c[j] + sign * step[j], s.parameters[j].range);
        if (c == ev.points()[at].values) continue;
        const std::size_t i = ev.add(c, true);
        if (better(s, ev.points()[i], ev.points()[poll_best])) poll_best = i;
      }
    if (poll_best != at) {
      at = poll_best;
      continue;
    }
    bool finer = false;
    for (std::size_t j = 0; j < dims; ++j) {
      if (step[j] <= resolution[j]) continue;
      const TuneRange& r = s.parameters[j].range;
      step[j] = std::max(resolution[j], r.integer ? std::floor(step[j] / 2) : step[j] / 2);
      finer = true;
    }
    if (!finer) break;
  }
  return at;
}

// Phase 2: Kim & Nelson's fully sequential procedure among the feasible points (KN, 2001,
// §3): after the first stage of n0 replications, point i is eliminated at stage r when, for some
// surviving l, Ȳ_i(r) < Ȳ_l(r) − W_il(r), W_il(r) = max(0, δ/(2r)·(h²S²_il/δ² − r)), S²_il the
// first-stage variance of the paired differences; one replication more for every survivor until
// one is left (or every W has reached 0: the means decide).
std::optional<std::size_t> select(const TuneSettings& s, Evaluations& ev, TuneResult& result) {
  std::vector<TunePoint>& pts = ev.points();
  std::vector<std::size_t> alive;
  for (std::size_t i = 0; i < pts.size(); ++i)
    if (pts[i].feasible) alive.push_back(i);
  result.finalists = alive.size();
  for (std::size_t i : alive) pts[i].finalist = true;
  if (alive.empty()) return std::nullopt;
  const std::uint32_t n0 = s.first_stage;
  const double sign = s.maximise ? 1.0 : -1.0;
  const double alpha = 1.0 - s.confidence;
  const double delta = result.delta;
  result.h2 = kim_nelson_h2(alive.size(), n0, alpha);
  const std::size_t k = pts.size();
  std::vector<double> s2(k * k, 0.0), sums(k, 0.0);
  for (std::size_t a : alive) {
    for (std::uint32_t r = 0; r < n0; ++r) sums[a] += sign * pts[a].objective_runs[r];
    for (std::size_t b : alive) {
      if (b <= a) continue;
      std::vector<double> d(n0);
      for (std::uint32_t r = 0; r < n0; ++r)
        d[r] = pts[a].objective_runs[r] - pts[b].objective_runs[r];
      double mean = 0;
      for (double x : d) mean += x / n0;
      double ss = 0;
      for (double x : d) ss += (x - mean) * (x - mean);
      s2[a * k + b] = s2[b * k + a] = ss / (n0 - 1);
    }
  }
  std::uint32_t r = n0;
  while (alive.size() > 1) {
    std::vector<std::size_t> out;
    bool decided = true;  // every W_il has reached 0
    for (std::size_t i : alive)
      for (std::size_t l : alive) {
        if (i == l) continue;
        const double n_il = result.h2 * s2[i * k + l] / (delta * delta);
        const double w = std::max(0.0, delta / (2.0 * r) * (n_il - r));
        if (w > 0) decided = false;
        if (sums[i] / r < sums[l] / r - w) {
          out.push_back(i);
          break;
        }
      }
    for (std::size_t i : out) pts[i].eliminated_at = r;
    std::erase_if(alive, [&](std::size_t i) { return pts[i].eliminated_at != 0; });
    if (alive.size() <= 1 || decided) break;
    if (r >= s.max_replications) {
      result.capped = true;
      break;
    }
    ++r;
    for (std::size_t i : alive) {
      ev.extend(i, r);
      sums[i] += sign * pts[i].objective_runs[r - 1];
    }
  }
  // The best mean among the survivors (exact ties: the first, the lowest values).
  std::size_t best = alive.front();
  for (std::size_t i : alive)
    if (sums[i] > sums[best]) best = i;
  return best;
}

// Where a point lies in the ranges, 0 (every parameter at LO) to 1 per parameter.
double position(const TuneSettings& s, const TuneConfig& v) {
  double sum = 0;
  for (std::size_t j = 0; j < v.size(); ++j) {
    const TuneRange& r = s.parameters[j].range;
    sum += r.hi > r.lo ? (v[j] - r.lo) / (r.hi - r.lo) : 0.0;
  }
  return sum;
}

// Whether a is preferred to b (both within δ of the best).
bool preferred(const TuneSettings& s, const TuneConfig& a, const TuneConfig& b) {
  const double pa = position(s, a), pb = position(s, b);
  switch (s.prefer) {
    case TunePrefer::low:
      return pa < pb || (pa == pb && a < b);
    case TunePrefer::high:
      return pa > pb || (pa == pb && a > b);
    case TunePrefer::best:
      break;
  }
  return false;
}

// How many points the preference may probe (per parameter), counted in advance in the
// Bonferroni split of the near-tie bounds.
constexpr std::size_t kProbesPerParameter = 8;

// Phase 3: the shortfall of each feasible point to the best, d_r = ±(X_best,r − X_i,r), with a
// two-sided interval at 1 − α/(m − 1) (Bonferroni over the comparisons with the best, m counting
// the finalists and the probes the preference may add). A point is within δ when the upper end
// is below δ; one the interval cannot place (upper end ≥ δ > lower end) gets more replications
// (and so does the best) until it can, or until max_replications. With a preference, the edge of
// the within-δ set on the preferred side is then sought by bisection between the preferred point
// and the nearest point not within δ.
std::size_t near_ties(const TuneSettings& s, Evaluations& ev, TuneResult& result,
                      std::size_t best) {
  std::vector<TunePoint>& pts = ev.points();
  const double sign = s.maximise ? 1.0 : -1.0;
  const double alpha = 1.0 - s.confidence;
  const std::size_t probes =
      s.prefer == TunePrefer::best ? 0 : kProbesPerParameter * s.parameters.size();
  const std::size_t comparisons = std::max<std::size_t>(result.finalists + probes, 2) - 1;
  const double level = 1.0 - alpha / (2.0 * static_cast<double>(comparisons));
  struct Interval {
    double mean = kNull, half = kNull;
    std::size_t n = 0;
  };
  const auto shortfall = [&](std::size_t i) {
    std::vector<double> d;
    const std::size_t n = std::min(pts[i].objective_runs.size(), pts[best].objective_runs.size());
    for (std::size_t r = 0; r < n; ++r)
      d.push_back(sign * (pts[best].objective_runs[r] - pts[i].objective_runs[r]));
    const Aggregate a = aggregate(d);
    if (a.n < 2) return Interval{};
    double var = 0;
    for (double x : d) var += (x - a.mean) * (x - a.mean);
    const double sd = std::sqrt(var / static_cast<double>(a.n - 1));
    return Interval{
        a.mean, student_t_quantile(level, a.n - 1) * sd / std::sqrt(static_cast<double>(a.n)), a.n};
  };
  // Replications are added to the point and the best until the interval places the point (or
  // the cap): each time as many as the current spread says are needed, at least half again.
  const double delta = result.delta;
  const auto classify = [&](std::size_t i) {
    if (i == best) {
      pts[i].shortfall_bound = 0;
      pts[i].within_delta = true;
      return;
    }
    Interval x = shortfall(i);
    for (int round = 0; round < 30 && x.n >= 2; ++round) {
      if (x.mean + x.half < delta || x.mean - x.half >= delta) break;
      if (x.n >= s.max_replications) break;
      const double margin = std::abs(delta - x.mean);
      const double needed =
          margin > 0 ? std::pow(x.half / margin, 2.0) * static_cast<double>(x.n) : 1e18;
      const auto target = static_cast<std::uint32_t>(std::min<double>(
          s.max_replications,
          std::max(std::ceil(needed * 1.1), std::ceil(static_cast<double>(x.n) * 1.5))));
      ev.extend(i, target);
      ev.extend(best, target);
      x = shortfall(i);
    }
    pts[i].shortfall_bound = x.mean + x.half;
    pts[i].within_delta = pts[i].finalist && pts[i].feasible && x.mean + x.half < delta;
  };
  for (std::size_t i = 0; i < pts.size(); ++i)
    if (pts[i].finalist) classify(i);
  const auto pick = [&] {
    std::size_t at = best;
    for (std::size_t i = 0; i < pts.size(); ++i)
      if (pts[i].within_delta && preferred(s, pts[i].values, pts[at].values)) at = i;
    return at;
  };
  std::size_t at = pick();
  if (s.prefer != TunePrefer::best) {
    const double towards = s.prefer == TunePrefer::low ? -1.0 : 1.0;
    for (std::size_t j = 0; j < s.parameters.size(); ++j) {
      const TuneRange& range = s.parameters[j].range;
      const double resolution = range.integer ? 1.0 : 0.001;
      for (std::size_t probe = 0; probe < kProbesPerParameter; ++probe) {
        const TuneConfig here = pts[at].values;
        // The nearest point tried beyond `here` on this parameter's line (the others as
        // `here`), or just past the end of the range.
        double beyond = towards < 0 ? range.lo - resolution : range.hi + resolution;
        for (const TunePoint& p : pts) {
          bool on_line = true;
          for (std::size_t q = 0; q < here.size(); ++q)
            on_line = on_line && (q == j || p.values[q] == here[q]);
          const double v = p.values[j];
          if (on_line && (v - here[j]) * towards > 0 && (v - beyond) * towards < 0) beyond = v;
        }
        TuneConfig mid = here;
        mid[j] = snap((here[j] + beyond) / 2, range);
        if (mid[j] == here[j] || (mid[j] - beyond) * towards >= 0) break;
        const std::size_t i = ev.add(mid, true);
        if (pts[i].feasible && !pts[i].finalist) pts[i].finalist = true;
        if (pts[i].finalist) classify(i);
        if (pts[i].within_delta) at = i;
      }
    }
    at = pick();
  }
  for (TunePoint& p : pts)
    p.difference = paired_difference(p.objective_runs, pts[best].objective_runs);
  return at;
}

}  // namespace

TuneResult tune(const TuneSettings& settings, const TuneEvaluate& evaluate,
                const std::function<void(std::size_t, const TuneConfig&)>& on_point) {
  TuneResult result;
  Evaluations ev(settings, evaluate, on_point);
  search(settings, ev);
  std::vector<TunePoint>& pts = ev.points();
  result.delta = settings.delta;
  if (!(result.delta > 0)) {
    double scale = 0;
    for (const TunePoint& p : pts)
      if (p.feasible) scale = std::max(scale, std::abs(p.objective.mean));
    result.delta = default_delta(settings.objective, scale);
  }
  const std::optional<std::size_t> best = select(settings, ev, result);
  std::optional<std::size_t> recommended;
  if (best) {
    recommended = near_ties(settings, ev, result, *best);
  }
  result.total_replications = ev.total();
  // Ordered by values; the indexes follow.
  std::vector<std::size_t> order(pts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return pts[a].values < pts[b].values; });
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (best && order[k] == *best) result.best = k;
    if (recommended && order[k] == *recommended) result.recommended = k;
    result.points.push_back(std::move(pts[order[k]]));
  }
  return result;
}

}  // namespace trsim
