// Arrival streams: which workflow and channel their tasks use, their attributes (fixed ones and
// per-task picks), how they arrive (a Poisson rate, a piecewise rate or a trace), and the task
// handle time, patience, priority and TTL.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string_view>

#include "load/distribution.hpp"
#include "load/sections.hpp"
#include "load/trace.hpp"

namespace trsim::detail {

namespace {

constexpr std::array<std::string_view, 3> kKinds = {"rate", "rates", "trace"};

constexpr SimTime kMaxTtl = SimTime{1'209'600} * kMicrosPerSecond;
constexpr double kProbabilityTolerance = 1e-9;

bool is_pick(const YAML::Node& node) {
  return node.IsMap() && node.size() == 1 && node.begin()->first.IsScalar() &&
         node.begin()->first.Scalar() == "pick";
}

class StreamReader {
 public:
  StreamReader(LoadContext& ctx, const Reader& r) : ctx_(ctx), r_(r) {}

  ArrivalStream read(const MapView::Entry& e) {
    MapView fields(r_, e.item, KeySet::arrival_stream);
    ArrivalStream s;
    s.name = e.key;
    s.where = r_.key_at(e.item);
    s.attributes = Value::object();
    read_workflow(e, fields, s);
    s.channel = ctx_.channels.find("default");
    if (const Item* i = fields.find("channel"))
      s.channel = resolve_name(r_, *i, ctx_.channels, "channel");
    if (const Item* i = fields.find("attributes")) {
      s.attributes_where = r_.key_at(*i);
      read_attributes(*i, s);
    }

    std::vector<const Item*> kinds;
    for (const std::string_view k : kKinds)
      if (const Item* i = fields.find(k)) kinds.push_back(i);
    const bool is_trace = kinds.size() == 1 && kinds[0]->name == "trace";
    std::optional<bool> trace_gives_handle_time;  // set when the trace was read
    if (kinds.size() > 1) {
      ctx_.diags.error(r_.key_at(*kinds[1]),
                       fmt::format("arrival stream '{}' gives both '{}' and '{}'; give only "
                                   "one of 'rate', 'rates' or 'trace'",
                                   e.key, kinds[0]->name, kinds[1]->name));
    } else if (kinds.empty()) {
      if (fields.complete())
        ctx_.diags.error(
            r_.key_at(e.item),
            fmt::format("arrival stream '{}' needs one of 'rate', 'rates' or 'trace'", e.key));
    } else if (kinds[0]->name == "rate") {
      s.kind = ArrivalStream::Kind::poisson;
      if (const auto rate = r_.rate(*kinds[0])) {
        s.rate_per_second = *rate;
        check_volume(*kinds[0], e.key, *rate * to_seconds(ctx_.sc.horizon));
      }
    } else if (kinds[0]->name == "rates") {
      s.kind = ArrivalStream::Kind::piecewise;
      read_rates(*kinds[0], s);
    } else {
      s.kind = ArrivalStream::Kind::trace;
      read_trace_file(*kinds[0], s, trace_gives_handle_time);
    }

    if (const Item* i = fields.find("handle_time")) {
      if (auto d = read_distribution(ctx_, r_, *i)) s.handle_time = std::move(*d);
    } else if (fields.complete() && !is_trace) {
      ctx_.diags.error(r_.key_at(e.item),
                       fmt::format("arrival stream '{}' needs a 'handle_time'", e.key));
    } else if (fields.complete() && trace_gives_handle_time == false) {
      ctx_.diags.error(r_.key_at(e.item),
                       fmt::format("arrival stream '{}' needs a 'handle_time' (its trace does not "
                                   "give one in every row)",
                                   e.key));
    }
    if (const Item* i = fields.find("patience")) s.patience = read_distribution(ctx_, r_, *i);
    if (const Item* i = fields.find("priority"))
      s.priority = r_.integer(*i, 0, std::numeric_limits<std::int32_t>::max()).value_or(0);
    if (const Item* i = fields.find("timeout")) {
      if (const auto d = r_.duration(*i, 0, kMaxTtl)) {
        if (*d == 0)
          r_.error(*i, "the task TTL 'timeout' must be > 0");
        else
          s.ttl = *d;
      }
    }
    if (const Item* i = fields.find("updates")) read_updates(*i, s);
    return s;
  }

 private:
  // `updates`: a list of changes of a waiting task, each at an age (`after`), in ascending order.
  void read_updates(const Item& item, ArrivalStream& s) {
    const auto list = r_.list(item);
    if (!list) return;
    for (const Item& e : *list) {
      MapView fields(r_, e, KeySet::task_update);
      if (!fields.ok()) continue;
      TaskUpdate u;
      const Item* after = fields.find("after");
      if (after == nullptr) {
        if (fields.complete()) r_.error(e, "a task update needs 'after' (the task's age)");
        continue;
      }
      const auto age = r_.duration(*after);
      if (!age) continue;
      if (*age == 0) {
        r_.error(*after,
                 "a task update's 'after' must be > 0 (at age 0 give the attributes "
                 "to the stream itself)");
        continue;
      }
      u.after = *age;
      if (!s.updates.empty() && u.after <= s.updates.back().after) {
        r_.error(*after, fmt::format("task updates must be in ascending order of 'after' ({} "
                                     "does not come after {})",
                                     describe_duration(u.after),
                                     describe_duration(s.updates.back().after)));
        continue;
      }
      u.attributes = Value::object();
      if (const Item* i = fields.find("attributes")) {
        if (!i->node.IsMap()) {
          r_.error(*i, fmt::format("expected a map for 'attributes', got {}",
                                   Reader::describe(i->node)));
          continue;
        }
        if (auto v = r_.value(*i, ctx_.values)) u.attributes = std::move(*v);
      }
      if (const Item* i = fields.find("priority")) {
        const auto p = r_.integer(*i, 0, std::numeric_limits<std::int32_t>::max());
        if (!p) continue;
        u.priority = *p;
      }
      if (const Item* i = fields.find("probability")) {
        const auto p = r_.number(*i);
        if (!p) continue;
        if (!(*p > 0 && *p <= 1)) {
          r_.error(*i, fmt::format("a task update's 'probability' must be in (0, 1], got {}", *p));
          continue;
        }
        u.probability = *p;
      }
      if (const Item* i = fields.find("patience")) {
        // Only `never`: a callback request ends the caller's wait on the line. A new patience
        // drawn at the update would need a distribution of the remaining wait, which history
        // does not give (docs/scenario.md).
        if (!is_never(*i)) {
          r_.error(*i, fmt::format("a task update's 'patience' can only be 'never' (the caller "
                                   "stops abandoning), got {}",
                                   Reader::describe(i->node)));
          continue;
        }
        u.ends_patience = true;
      }
      if (u.attributes.as_object().empty() && !u.priority && !u.ends_patience) {
        if (fields.complete())
          r_.error(e, "a task update changes nothing: give 'attributes', 'priority' or 'patience'");
        continue;
      }
      s.updates.push_back(std::move(u));
    }
  }

  void read_trace_file(const Item& item, ArrivalStream& s, std::optional<bool>& gives_handle_time) {
    const Source* csv = ctx_.load_file(r_, item);
    if (csv == nullptr) return;
    std::optional<TraceData> data =
        read_trace(*csv, ctx_.channels, ctx_.sc.start_epoch_seconds, ctx_.diags);
    if (!data) return;
    if (data->rows.empty()) {
      r_.error(item, fmt::format("the trace '{}' lists no tasks", item.node.Scalar()));
      return;
    }
    gives_handle_time = data->every_row_has_handle_time;
    s.trace = std::move(data->rows);
    s.trace_file = csv->file;
    if (ctx_.horizon_ok) {
      const auto late = std::count_if(s.trace.begin(), s.trace.end(), [&](const TraceRow& row) {
        return row.time >= ctx_.sc.horizon;
      });
      if (late > 0)
        r_.warning(
            item,
            fmt::format("{} of the trace's {} tasks arrive at or after the horizon ({}), where "
                        "arrivals stop",
                        late, s.trace.size(), describe_duration(ctx_.sc.horizon)));
    }
  }

  void read_workflow(const MapView::Entry& e, const MapView& fields, ArrivalStream& s) {
    if (const Item* i = fields.find("workflow")) {
      s.workflow = resolve_name(r_, *i, ctx_.workflows, "workflow");
      return;
    }
    if (ctx_.workflows.names.size() == 1) {
      s.workflow = 0;
    } else if (ctx_.workflows.complete && fields.complete()) {
      ctx_.diags.error(
          r_.key_at(e.item),
          ctx_.workflows.names.empty()
              ? fmt::format(
                    "arrival stream '{}' has no workflow to enter: declare one under 'workflows'",
                    e.key)
              : fmt::format("arrival stream '{}' needs a 'workflow' (there are several: {})", e.key,
                            quoted_list(ctx_.workflows.names)));
    }
  }

  void check_volume(const Item& item, const std::string& stream, double expected) {
    const auto budget = static_cast<double>(ctx_.limits.max_events);
    if (!ctx_.horizon_ok || expected <= budget) return;
    r_.error(item, fmt::format("arrival stream '{}' would create about {:.3g} tasks over the "
                               "horizon, more than the event budget of {} events per replication "
                               "(each task is at least one event; raise it with --max-events)",
                               stream, expected, ctx_.limits.max_events));
  }

  void read_rates(const Item& item, ArrivalStream& s) {
    MapView rates(r_, item, KeySet::rates);
    if (!rates.ok()) return;
    const Item* interval = rates.find("interval");
    const Item* per_hour = rates.find("per_hour");
    if (interval == nullptr || per_hour == nullptr) {
      if (!rates.complete()) return;
      ctx_.diags.error(r_.key_at(item), fmt::format("'rates' needs '{}'",
                                                    interval == nullptr ? "interval" : "per_hour"));
      return;
    }
    const auto length = r_.duration(*interval, kMicrosPerSecond);
    const auto list = r_.list(*per_hour);
    if (!length || !list) return;
    s.rate_interval = *length;
    bool ok = true;
    for (const Item& e : *list) {
      const auto v = r_.number(e);
      if (!v) {
        ok = false;
      } else if (*v < 0) {
        r_.error(e, fmt::format("rates must be >= 0 (got {})", describe_number(*v)));
        ok = false;
      } else {
        s.rates_per_second.push_back(*v / 3600.0);
      }
    }
    if (!ok) return;
    if (s.rates_per_second.empty()) {
      r_.error(*per_hour, "'per_hour' needs at least one rate");
      return;
    }
    // Expected arrivals over the horizon: whole cycles of the list, then the part of one.
    const double cycle_length =
        to_seconds(*length) * static_cast<double>(s.rates_per_second.size());
    double cycle_tasks = 0;
    for (const double r : s.rates_per_second) cycle_tasks += r * to_seconds(*length);
    const double horizon = to_seconds(ctx_.sc.horizon);
    const double cycles = std::floor(horizon / cycle_length);
    double expected = cycles * cycle_tasks;
    double rest = horizon - cycles * cycle_length;
    for (std::size_t k = 0; k < s.rates_per_second.size() && rest > 0; ++k) {
      expected += s.rates_per_second[k] * std::min(rest, to_seconds(*length));
      rest -= to_seconds(*length);
    }
    check_volume(item, s.name, expected);
  }

  void read_attributes(const Item& item, ArrivalStream& s) {
    if (item.node.IsDefined() && !item.node.IsNull() && !item.node.IsMap()) {
      r_.error(item,
               fmt::format("expected a map for 'attributes', got {}", Reader::describe(item.node)));
      return;
    }
    read_object(item, "", s.attributes, s.picks, 0);
  }

  // Copies the map `item` into `out`, turning each {pick: {...}} into an AttributePick at its
  // dotted path instead.
  void read_object(const Item& item, const std::string& prefix, Value& out,
                   std::vector<AttributePick>& picks, int depth) {
    MapView map(r_, item, std::nullopt);
    for (const auto& e : map.entries()) {
      const std::string path = prefix.empty() ? e.key : prefix + "." + e.key;
      if (is_pick(e.item.node)) {
        read_pick(e.item, path, picks);
      } else if (e.item.node.IsMap() && depth < 64) {
        Value child = Value::object();
        read_object(e.item, path, child, picks, depth + 1);
        out.set(e.key, std::move(child));
      } else if (auto v = r_.value(e.item, ctx_.values)) {
        out.set(e.key, std::move(*v));
      }
    }
  }

  void read_pick(const Item& item, const std::string& path, std::vector<AttributePick>& picks) {
    MapView outer(r_, item, std::nullopt);
    const Item& options_item = outer.entries().front().item;
    MapView options(r_, options_item, std::nullopt);
    if (!options.ok()) return;
    AttributePick pick;
    pick.path = path;
    double sum = 0;
    bool ok = true;
    for (const auto& o : options.entries()) {
      const auto p = r_.number(o.item);
      if (!p) {
        ok = false;
        continue;
      }
      if (*p < 0 || *p > 1) {
        r_.error(o.item, fmt::format("pick probability must be between 0 and 1 (got {})",
                                     describe_number(*p)));
        ok = false;
        continue;
      }
      sum += *p;
      pick.options.emplace_back(Reader::scalar_value(o.item.key), *p);
    }
    if (!ok) return;
    if (pick.options.empty()) {
      r_.error(options_item, fmt::format("'pick' for '{}' needs at least one value", path));
      return;
    }
    if (std::fabs(sum - 1.0) > kProbabilityTolerance) {
      r_.error(options_item, fmt::format("pick probabilities for '{}' must sum to 1 (got {})", path,
                                         describe_number(sum)));
      return;
    }
    picks.push_back(std::move(pick));
  }

  LoadContext& ctx_;
  const Reader& r_;
};

}  // namespace

void build_arrivals(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("arrivals");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  MapView streams(r, *section, std::nullopt);
  StreamReader reader(ctx, r);
  for (const auto& e : streams.entries()) ctx.sc.arrivals.push_back(reader.read(e));
}

}  // namespace trsim::detail
