// Evaluating `expect:` lines (docs/scenario.md, expect[]).
#include "trsim/expectations.hpp"

#include <fmt/format.h>

#include <cmath>

#include "trsim/value.hpp"

namespace trsim {

namespace {

std::string number_text(double v) {
  std::string s;
  append_json_number(s, v);
  return s;
}

std::string short_number(double v) { return fmt::format("{:.4g}", v); }

// A bound's number as the tables print it: a ratio's in % (`percent`), others as written.
std::string bound_text(double v, bool percent) {
  return percent ? fmt::format("{:g}%", v * 100) : number_text(v);
}

}  // namespace

bool is_ratio_metric(std::string_view metric) {
  // By the statistic's own name, the path's last part (or the one before a service level's
  // threshold), never by a word inside a queue's or a group's name: a queue `abandon_rate_review`
  // does not make its average wait a percentage. An interval CSV column's `_ci95` is the same unit.
  constexpr std::string_view kCi = "_ci95";
  if (metric.size() > kCi.size() && metric.substr(metric.size() - kCi.size()) == kCi)
    metric.remove_suffix(kCi.size());
  const std::size_t dot = metric.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? metric : metric.substr(dot + 1);
  if (last == "abandon_rate" || last == "occupancy" || last == "service_level") return true;
  if (dot == std::string_view::npos) return false;
  const std::string_view rest = metric.substr(0, dot);
  const std::size_t before = rest.rfind('.');
  return (before == std::string_view::npos ? rest : rest.substr(before + 1)) == "service_level";
}

std::optional<ExpectationOutcome> evaluate_expectation(const Expectation& e,
                                                       const AggregateNode& statistics) {
  const AggregateNode* node = statistics.find(e.metric);
  if (node == nullptr || node->is_group) return std::nullopt;
  return evaluate_bound(e, node->value);
}

ExpectationOutcome evaluate_bound(const Expectation& e, const Aggregate& value) {
  ExpectationOutcome out;
  out.value = value;
  const Aggregate& a = out.value;
  if (std::isnan(a.mean)) {
    out.reason = "no data (no task in the metric's denominator)";
    return out;
  }
  if (e.require_ci && (a.n < 2 || std::isnan(a.ci95))) {
    out.reason = "ci: true needs at least 2 replications with a value";
    return out;
  }
  // A ratio's value and bound in %, as every table prints them.
  const bool ratio = is_ratio_metric(e.metric);
  const auto value_text = [&](double v) {
    return ratio ? fmt::format("{:.4g}%", v * 100) : short_number(v);
  };
  const auto bound = [&](double v) { return bound_text(v, ratio); };
  const double half = e.require_ci ? a.ci95 : 0.0;
  const char* what = e.require_ci ? "the ci95" : "the mean";
  if (e.min && !(a.mean - half >= *e.min)) {
    out.reason = e.require_ci
                     ? fmt::format("{} reaches down to {}, below {}", what,
                                   value_text(a.mean - half), bound(*e.min))
                     : fmt::format("{} {} is below {}", what, value_text(a.mean), bound(*e.min));
    return out;
  }
  if (e.max && !(a.mean + half <= *e.max)) {
    out.reason = e.require_ci
                     ? fmt::format("{} reaches up to {}, above {}", what, value_text(a.mean + half),
                                   bound(*e.max))
                     : fmt::format("{} {} is above {}", what, value_text(a.mean), bound(*e.max));
    return out;
  }
  out.met = true;
  return out;
}

std::string describe_bound(const Expectation& e, bool percent) {
  std::string s;
  if (e.min && e.max)
    s = fmt::format("in [{}, {}]", bound_text(*e.min, percent), bound_text(*e.max, percent));
  else if (e.min)
    s = ">= " + bound_text(*e.min, percent);
  else if (e.max)
    s = "<= " + bound_text(*e.max, percent);
  if (e.require_ci) s += " (ci95)";
  if (e.interval) s += " at " + describe_interval(*e.interval);
  return s;
}

std::string describe_interval(SimTime start) {
  const std::int64_t minutes = start / (60 * kMicrosPerSecond);
  const std::int64_t secs = start / kMicrosPerSecond % 60;
  return secs == 0 ? fmt::format("{}:{:02}", minutes / 60, minutes % 60)
                   : fmt::format("{}:{:02}:{:02}", minutes / 60, minutes % 60, secs);
}

}  // namespace trsim
