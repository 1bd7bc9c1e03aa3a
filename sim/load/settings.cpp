// Run settings: name, seed, start, horizon, warmup, drain, replications, statistics; and the
// expectations `trsim check` evaluates.
#include <fmt/format.h>

#include <array>
#include <string_view>

#include "load/sections.hpp"
#include "model/units.hpp"

namespace trsim::detail {

namespace {

constexpr std::int64_t kMaxReplications = 100'000;
// The interval table has one row per interval: keep it to a size a report can hold.
constexpr SimTime kMaxIntervals = 100'000;
constexpr std::size_t kMaxThresholds = 100;

void read_statistics(LoadContext& ctx, const Reader& r, const Item& item) {
  MapView stats(r, item, KeySet::statistics);
  if (const Item* t = stats.find("service_level_thresholds")) {
    if (const auto list = r.list(*t)) {
      std::vector<double> thresholds;
      bool ok = true;
      for (const Item& e : *list) {
        const std::optional<SimTime> d = r.duration(e);
        if (!d) {
          ok = false;
          continue;
        }
        const double s = to_seconds(*d);
        if (!thresholds.empty() && s <= thresholds.back()) {
          r.error(e,
                  fmt::format("service_level_thresholds must be in ascending order ({}s after {}s)",
                              describe_number(s), describe_number(thresholds.back())));
          ok = false;
        }
        thresholds.push_back(s);
      }
      if (thresholds.size() > kMaxThresholds) {
        r.error(*t, fmt::format("too many service_level_thresholds ({}; the limit is {})",
                                thresholds.size(), kMaxThresholds));
        ok = false;
      }
      if (ok) ctx.sc.statistics.service_level_thresholds = std::move(thresholds);
    }
  }
  if (const Item* i = stats.find("interval")) {
    if (const auto d = r.duration(*i, 1)) {
      ctx.sc.statistics.interval = *d;
      if (ctx.horizon_ok && ctx.sc.horizon / *d > kMaxIntervals)
        r.error(*i,
                fmt::format("statistics.interval {} splits the horizon into more than {} intervals",
                            describe_duration(*d), kMaxIntervals));
    }
  }
  if (const Item* i = stats.find("per_worker")) {
    if (const auto b = r.boolean(*i)) ctx.sc.statistics.per_worker = *b;
  }
  if (const Item* i = stats.find("snapshots")) {
    if (const auto b = r.boolean(*i)) ctx.sc.statistics.snapshots = *b;
  }
}

}  // namespace

void build_settings(LoadContext& ctx, const MapView& top) {
  const Reader r = ctx.reader();
  Scenario& sc = ctx.sc;
  if (const Item* i = top.find("name")) {
    if (auto name = r.string(*i)) {
      if (name->empty())
        r.error(*i, "'name' must not be empty");
      else
        sc.name = std::move(*name);
    }
  }
  if (const Item* i = top.find("seed")) {
    if (const auto seed = r.unsigned_integer(*i)) sc.seed = *seed;
  }
  if (const Item* i = top.find("start")) {
    if (const auto text = r.string(*i)) {
      std::string why;
      if (const auto epoch = parse_iso8601_utc(*text, &why))
        sc.start_epoch_seconds = *epoch;
      else
        r.error(*i, fmt::format("'start': {}", why));
    }
  }
  if (const Item* i = top.find("horizon")) {
    const SimTime max = std::min(ctx.limits.max_horizon, kMaxDuration);
    if (const auto d = r.duration(*i, kMicrosPerSecond, max,
                                  "; raise the limit with --max-horizon (up to 100 years)"))
      sc.horizon = *d;
    else
      ctx.horizon_ok = false;
  }
  if (const Item* i = top.find("warmup")) {
    if (i->node.IsScalar() && i->node.Scalar() == "auto") {
      sc.warmup_auto = true;
    } else if (const auto d = r.duration(*i)) {
      sc.warmup = *d;
      if (ctx.horizon_ok && *d >= sc.horizon)
        r.error(*i, fmt::format("warmup ({}) must be shorter than the horizon ({})",
                                describe_duration(*d), describe_duration(sc.horizon)));
    }
  }
  if (const Item* i = top.find("drain")) {
    if (const auto b = r.boolean(*i)) sc.drain = *b;
  }
  if (const Item* i = top.find("replications")) {
    if (const auto n = r.integer(*i, 1, kMaxReplications))
      sc.replications = static_cast<std::uint32_t>(*n);
  }
  if (const Item* i = top.find("statistics")) read_statistics(ctx, r, *i);
}

void build_expectations(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("expect");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  const auto list = r.list(*section);
  if (!list) return;
  for (const Item& e : *list) {
    MapView fields(r, e, KeySet::expectation);
    if (!fields.ok()) continue;
    Expectation x;
    x.where = r.at(e);
    if (const Item* m = fields.find("metric")) {
      if (auto metric = r.string(*m)) {
        if (metric->empty()) r.error(*m, "'metric' must not be empty");
        x.metric = std::move(*metric);
      }
    } else if (fields.complete()) {
      r.error(e, fmt::format("'{}' needs a 'metric'", e.name));
    }
    if (const Item* m = fields.find("min")) x.min = r.number(*m);
    if (const Item* m = fields.find("max")) x.max = r.number(*m);
    if (const Item* m = fields.find("ci")) x.require_ci = r.boolean(*m).value_or(false);
    if (const Item* m = fields.find("interval")) {
      const SimTime length = ctx.sc.statistics.interval;
      if (const auto at = r.duration(*m)) {
        if (length > 0 && *at % length != 0)
          r.error(*m, fmt::format("'interval' ({}) must be the start of an interval: a multiple "
                                  "of statistics.interval ({})",
                                  describe_duration(*at), describe_duration(length)));
        else if (ctx.horizon_ok && *at >= ctx.sc.horizon)
          r.error(*m, fmt::format("'interval' ({}) must start before the horizon ({})",
                                  describe_duration(*at), describe_duration(ctx.sc.horizon)));
        else
          x.interval = *at;
      }
    }
    if (!fields.has("min") && !fields.has("max") && fields.complete())
      r.error(e, fmt::format("'{}' needs 'min' or 'max' (or both)", e.name));
    if (x.min && x.max && *x.min > *x.max)
      r.error(*fields.find("max"), fmt::format("'max' ({}) is below 'min' ({})",
                                               describe_number(*x.max), describe_number(*x.min)));
    ctx.sc.expectations.push_back(std::move(x));
  }
}

void build_compare(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("compare");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  const MapView fields(r, *section, KeySet::compare);
  if (!fields.ok()) return;
  CompareSettings& c = ctx.sc.compare;
  if (const Item* i = fields.find("fail_if")) {
    if (const auto list = r.list(*i)) {
      for (const Item& e : *list) {
        const auto text = r.string(e);
        if (!text) continue;
        std::string why;
        auto rule = parse_compare_rule(*text, &why);
        if (!rule) {
          r.error(e, fmt::format("compare: {}: '{}'", why, *text));
          continue;
        }
        rule->where = r.at(e);
        c.fail_if.push_back(std::move(*rule));
      }
    }
  }
  if (const Item* i = fields.find("metrics")) {
    if (const auto list = r.list(*i)) {
      for (const Item& e : *list) {
        auto metric = r.string(e);
        if (!metric) continue;
        if (metric->empty()) {
          r.error(e, "compare: a metric must not be empty");
          continue;
        }
        c.metrics.push_back(std::move(*metric));
        c.metrics_where.push_back(r.at(e));
      }
    }
  }
  if (const Item* i = fields.find("judge")) {
    static constexpr std::string_view kJudges[] = {"ci95", "mean"};
    if (const auto k = r.choice(*i, kJudges)) c.judge_on_mean = *k == 1;
  }
}

}  // namespace trsim::detail
