// Worker groups and their expansion into individual workers: names from a pattern, attributes,
// per-channel capacity, behaviour, initial activity and a repeating activity schedule.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>

#include "load/memory.hpp"
#include "load/sections.hpp"
#include "trsim/random.hpp"

namespace trsim::detail {

namespace {

// A worker 1000 times slower than the average is already a modelling mistake; beyond it the
// scaled handle times leave the range of simulated time.
constexpr double kMaxHandleTimeFactor = 1000;

// A group's count is read up to this bound only to be summed: the limit that matters is the
// total, LoadLimits::max_workers (--max-workers).
constexpr std::int64_t kMaxGroupCount = 1'000'000'000'000;
constexpr std::int64_t kMaxCapacity = 1000;
// Every worker holds its own copy of its group's attributes: cap the total.
constexpr std::uint64_t kMaxAttributeValues = 50'000'000;

std::uint64_t value_size(const Value& v) {
  std::uint64_t n = 1;
  if (v.is_array())
    for (const Value& e : v.as_array()) n += value_size(e);
  if (v.is_object())
    for (const auto& [k, e] : v.as_object()) n += value_size(e);
  return n;
}

// What one group declares, read before any worker is created so that the total can be checked
// first.
struct GroupPlan {
  std::string name;
  Item item;
  std::optional<Item> name_item;
  std::optional<Item> attributes_item;
  std::int64_t count = 1;
  bool count_ok = true;
  std::string pattern;
  Value attributes = Value::object();
  std::vector<AttributePick> picks;  // {pick: {...}} values, drawn once per worker
  std::vector<int> capacity;
  std::optional<BehaviorId> behavior;  // nullopt = the default behaviour
  ActivityId activity = kNoId;
  std::vector<ScheduleEntry> schedule;
  std::optional<SimTime> schedule_period;
  bool schedule_failed = false;  // reported already: checks that need the schedule are skipped
  double handle_time_factor = 1.0;
  std::string sid;  // declared (count 1 only)
  std::vector<WorkerChange> changes;
};

// A pick option's key as a value: numbers and booleans as such, as YAML would read them.
Value option_value(const std::string& key) {
  if (key == "true") return Value::boolean(true);
  if (key == "false") return Value::boolean(false);
  char* end = nullptr;
  const double d = std::strtod(key.c_str(), &end);
  if (!key.empty() && end == key.c_str() + key.size() && std::isfinite(d)) return Value::number(d);
  return Value::string(key);
}

// Finds every {pick: {value: probability, ...}} in a group's attributes (any depth) and turns it
// into an AttributePick; returns an error message for a malformed one.
std::string collect_picks(const Value& v, const std::string& path,
                          std::vector<AttributePick>& out) {
  if (!v.is_object()) return {};
  const Value::Object& members = v.as_object();
  if (members.size() == 1 && members.front().first == "pick" && !path.empty()) {
    const Value& options = members.front().second;
    if (!options.is_object() || options.as_object().empty())
      return fmt::format("'pick' for '{}' needs a map of values to probabilities", path);
    AttributePick pick;
    pick.path = path;
    double sum = 0;
    for (const auto& [key, p] : options.as_object()) {
      if (!p.is_number() || p.as_number() < 0 || p.as_number() > 1)
        return fmt::format("pick probability for '{}' must be a number between 0 and 1", path);
      sum += p.as_number();
      pick.options.emplace_back(option_value(key), p.as_number());
    }
    if (std::abs(sum - 1.0) > 1e-9)
      return fmt::format("pick probabilities for '{}' must sum to 1 (got {})", path, sum);
    out.push_back(std::move(pick));
    return {};
  }
  for (const auto& [key, child] : members) {
    std::string message = collect_picks(child, path.empty() ? key : path + "." + key, out);
    if (!message.empty()) return message;
  }
  return {};
}

std::string worker_name(const std::string& pattern, std::uint32_t index) {
  std::string out;
  const std::string number = std::to_string(index);
  std::size_t start = 0;
  for (;;) {
    const std::size_t at = pattern.find("{i}", start);
    if (at == std::string::npos) break;
    out.append(pattern, start, at - start);
    out += number;
    start = at + 3;
  }
  out.append(pattern, start, std::string::npos);
  return out;
}

// The longest name `pattern` gives a worker of a group of `count`: each {i} becomes its number.
std::uint64_t longest_name(const std::string& pattern, std::int64_t count) {
  std::uint64_t slots = 0;
  for (std::size_t at = pattern.find("{i}"); at != std::string::npos;
       at = pattern.find("{i}", at + 3))
    ++slots;
  const std::uint64_t digits = std::to_string(std::max<std::int64_t>(count, 1)).size();
  return pattern.size() - 3 * slots + digits * slots;
}

// The workers' own tables, charged before they are created: each worker's record, name, sid,
// capacities and copy of its group's attributes, and the loader's look-up of the names. The error
// points at the group that asks for most, at its name pattern or attributes when they drive it.
bool charge_workers_memory(LoadContext& ctx, const Reader& r, const std::vector<GroupPlan>& plans) {
  std::uint64_t total = 0;
  std::uint64_t workers = 0;
  const GroupPlan* largest = nullptr;
  std::uint64_t largest_bytes = 0;
  std::uint64_t largest_name = 0;
  std::uint64_t largest_attributes = 0;
  constexpr std::uint64_t kSidLength = 34;
  constexpr std::uint64_t kNameIndexNode = 64;  // an unordered_map node and its bucket
  // The name is held by the worker and the loader's index of names, and each running
  // replication's engine copies the name and the sid into its look-up maps.
  const std::uint64_t at_once = running_replications(ctx);
  for (const GroupPlan& g : plans) {
    const auto count = static_cast<std::uint64_t>(std::max<std::int64_t>(g.count, 0));
    const std::uint64_t name_bytes = string_heap_bytes(longest_name(g.pattern, g.count));
    const std::uint64_t sid_bytes = string_heap_bytes(kSidLength);
    const std::uint64_t name = (2 + at_once) * name_bytes;
    const std::uint64_t attributes = value_heap_bytes(g.attributes);
    const std::uint64_t per_worker = sizeof(Worker) + name + (1 + at_once) * sid_bytes +
                                     block(g.capacity.size() * sizeof(int)) + attributes +
                                     kNameIndexNode;
    const std::uint64_t bytes = mul({count, per_worker});
    total = add(total, bytes);
    workers += count;
    if (largest == nullptr || bytes > largest_bytes) {
      largest = &g;
      largest_bytes = bytes;
      largest_name = name;
      largest_attributes = attributes;
    }
  }
  if (largest == nullptr) return true;
  const GroupPlan& g = *largest;
  SourceLocation where = r.key_at(g.item);
  std::string driver;
  if (g.name_item && largest_name >= largest_attributes && largest_name > sizeof(Worker)) {
    where = r.at(*g.name_item);
    driver = fmt::format(", each named by a pattern of {} bytes", g.pattern.size());
  } else if (g.attributes_item && largest_attributes > sizeof(Worker)) {
    where = r.at(*g.attributes_item);
    driver =
        fmt::format(", each with a copy of {} of attributes", describe_bytes(largest_attributes));
  } else if (const auto count = find_key(g.item.node, "count"); count.IsDefined()) {
    where = locate(r, &g.item, "count");
  }
  return charge_memory(
      ctx, {fmt::format("the {} workers ({} in group '{}'{}; their names also in the engine of "
                        "each of {} {} running at once)",
                        workers, g.count, g.name, driver, at_once,
                        at_once == 1 ? "replication" : "replications"),
            total, where});
}

class GroupReader {
 public:
  GroupReader(LoadContext& ctx, const Reader& r) : ctx_(ctx), r_(r) {}

  GroupPlan read(const MapView::Entry& e, SidOwners& sids) {
    GroupPlan g;
    g.name = e.key;
    g.item = e.item;
    g.pattern = e.key + "-{i}";
    g.capacity.assign(ctx_.sc.channels.size(), 1);
    g.activity = ctx_.sc.workspace.default_activity;
    MapView fields(r_, e.item, KeySet::worker_group);
    if (const Item* i = fields.find("count")) {
      const auto n = r_.integer(*i, 0, kMaxGroupCount);
      g.count_ok = n.has_value();
      g.count = n.value_or(0);
    }
    if (const Item* i = fields.find("name")) {
      g.name_item = *i;
      if (auto p = r_.string(*i)) {
        if (p->empty())
          r_.error(*i, "a worker name pattern must not be empty");
        else
          g.pattern = std::move(*p);
      }
    }
    if (const Item* i = fields.find("attributes")) {
      g.attributes_item = *i;
      if (i->node.IsDefined() && !i->node.IsNull() && !i->node.IsMap()) {
        r_.error(*i,
                 fmt::format("expected a map for 'attributes', got {}", Reader::describe(i->node)));
      } else if (auto v = r_.value(*i, ctx_.values)) {
        if (v->is_object()) g.attributes = std::move(*v);
        const std::string message = collect_picks(g.attributes, "", g.picks);
        if (!message.empty()) r_.error(*i, message);
      }
    }
    if (const Item* i = fields.find("channels")) read_channels(*i, g);
    if (const Item* i = fields.find("behavior"))
      g.behavior = resolve_name(r_, *i, ctx_.behaviors, "behavior");
    if (const Item* i = fields.find("activity"))
      g.activity = resolve_name(r_, *i, ctx_.activities, "activity");
    if (const Item* i = fields.find("schedule")) read_schedule(*i, g);
    if (const Item* i = fields.find("schedule_period")) {
      const auto d = r_.duration(*i);
      if (d && g.schedule.empty() && !g.schedule_failed) {
        r_.error(*i, "'schedule_period' repeats a schedule, but this group has none");
      } else if (d && !g.schedule.empty()) {
        if (*d <= g.schedule.back().at)
          r_.error(
              *i,
              fmt::format(
                  "'schedule_period' ({}) must be longer than the last schedule entry's 'at' ({})",
                  describe_duration(*d), describe_duration(g.schedule.back().at)));
        else
          g.schedule_period = *d;
      }
    }
    if (const Item* i = fields.find("handle_time_factor")) {
      if (const auto f = r_.number(*i)) {
        if (*f <= 0 || *f > kMaxHandleTimeFactor)
          r_.error(*i, fmt::format("'handle_time_factor' must be > 0 and at most {} (got {})",
                                   describe_number(kMaxHandleTimeFactor), describe_number(*f)));
        else
          g.handle_time_factor = *f;
      }
    }
    if (const Item* i = fields.find("changes")) read_changes(*i, g);
    if (const Item* i = fields.find("sid")) {
      if (g.count_ok && g.count != 1) {
        r_.error(
            *i, fmt::format("'sid' names one worker, so it is only allowed on a group with count 1 "
                            "(this one has {})",
                            g.count));
      } else {
        g.sid = read_sid(r_, fields, "WK", "worker:" + g.pattern,
                         fmt::format("worker group '{}'", g.name), sids);
      }
    }
    return g;
  }

 private:
  void read_channels(const Item& item, GroupPlan& g) {
    std::vector<std::pair<ChannelId, int>> capacities;
    read_per_channel<int>(
        item, [this](const Item& i) { return capacity(i); }, capacities);
    for (const auto& [c, n] : capacities) g.capacity[c] = n;
  }

  std::optional<int> capacity(const Item& item) const {
    const auto n = r_.integer(item, 0, kMaxCapacity);
    return n ? std::optional<int>(static_cast<int>(*n)) : std::nullopt;
  }

  // A map of channel names to values (`channels`, `channel_availability`): each entry's channel
  // resolved and its value read by `read`. False when some entry failed (reported already).
  template <class T, class Read>
  bool read_per_channel(const Item& item, Read read, std::vector<std::pair<ChannelId, T>>& out) {
    MapView channels(r_, item, std::nullopt);
    bool ok = channels.ok();
    for (const auto& c : channels.entries()) {
      const ChannelId id = resolve_name(r_, r_.root(c.item.key, c.key), ctx_.channels, "channel");
      const std::optional<T> value = read(c.item);
      if (id == kNoId || !value) {
        ok = false;
        continue;
      }
      out.emplace_back(id, *value);
    }
    return ok;
  }

  // `changes`: capacity, channel availability and attributes of the group's workers changing at
  // given times, in ascending order of `at`.
  void read_changes(const Item& item, GroupPlan& g) {
    const auto list = r_.list(item);
    if (!list) return;
    for (const Item& e : *list) {
      MapView fields(r_, e, KeySet::worker_change);
      if (!fields.ok()) continue;
      WorkerChange change;
      const Item* at = fields.find("at");
      if (at == nullptr) {
        if (fields.complete()) r_.error(e, "a worker change needs 'at'");
        continue;
      }
      const auto when = r_.duration(*at);
      if (!when) continue;
      change.at = *when;
      if (!g.changes.empty() && change.at <= g.changes.back().at) {
        r_.error(*at,
                 fmt::format("worker changes must be in ascending order of 'at' ({} does "
                             "not come after {})",
                             describe_duration(change.at), describe_duration(g.changes.back().at)));
        continue;
      }
      bool ok = true;
      if (const Item* i = fields.find("channels"))
        ok = read_per_channel<int>(
                 *i, [this](const Item& c) { return capacity(c); }, change.capacity) &&
             ok;
      if (const Item* i = fields.find("channel_availability"))
        ok = read_per_channel<bool>(
                 *i, [this](const Item& c) { return r_.boolean(c); }, change.availability) &&
             ok;
      change.attributes = Value::object();
      if (const Item* i = fields.find("attributes")) {
        if (!i->node.IsMap()) {
          r_.error(*i, fmt::format("expected a map for 'attributes', got {}",
                                   Reader::describe(i->node)));
          ok = false;
        } else if (auto v = r_.value(*i, ctx_.values)) {
          change.attributes = std::move(*v);
        } else {
          ok = false;
        }
      }
      if (!ok) continue;
      if (change.capacity.empty() && change.availability.empty() &&
          change.attributes.as_object().empty()) {
        if (fields.complete())
          r_.error(e,
                   "a worker change changes nothing: give 'channels', 'channel_availability' "
                   "or 'attributes'");
        continue;
      }
      g.changes.push_back(std::move(change));
    }
  }

  void read_schedule(const Item& item, GroupPlan& g) {
    const auto list = r_.list(item);
    if (!list) {
      g.schedule_failed = true;
      return;
    }
    bool ok = true;
    for (const Item& e : *list) {
      MapView fields(r_, e, KeySet::schedule_entry);
      if (!fields.ok()) {
        ok = false;
        continue;
      }
      ScheduleEntry entry;
      const Item* at = fields.find("at");
      const Item* activity = fields.find("activity");
      if (at == nullptr || activity == nullptr) {
        if (fields.complete())
          r_.error(e,
                   fmt::format("a schedule entry needs '{}'", at == nullptr ? "at" : "activity"));
        ok = false;
        continue;
      }
      const auto when = r_.duration(*at);
      entry.activity = resolve_name(r_, *activity, ctx_.activities, "activity");
      if (const Item* i = fields.find("reject_pending_reservations"))
        entry.reject_pending_reservations = r_.boolean(*i).value_or(false);
      if (!when) {
        ok = false;
        continue;
      }
      entry.at = *when;
      if (!g.schedule.empty() && entry.at <= g.schedule.back().at) {
        r_.error(
            *at,
            fmt::format(
                "schedule entries must be in ascending order of 'at' ({} does not come after {})",
                describe_duration(entry.at), describe_duration(g.schedule.back().at)));
        ok = false;
      }
      g.schedule.push_back(entry);
    }
    if (!ok) {
      g.schedule.clear();
      g.schedule_failed = true;
    }
  }

  LoadContext& ctx_;
  const Reader& r_;
};

}  // namespace

void build_workers(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("workers");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  MapView groups(r, *section, std::nullopt);
  if (!groups.ok()) return;

  std::vector<GroupPlan> plans;
  plans.reserve(groups.entries().size());
  SidOwners sids;
  GroupReader reader(ctx, r);
  std::int64_t total = 0;
  std::uint64_t attribute_values = 0;
  for (const auto& e : groups.entries()) {
    plans.push_back(reader.read(e, sids));
    total += plans.back().count;
    attribute_values +=
        value_size(plans.back().attributes) * static_cast<std::uint64_t>(plans.back().count);
  }
  if (static_cast<std::uint64_t>(total) > ctx.limits.max_workers) {
    ctx.diags.error(
        r.key_at(*section),
        fmt::format("too many workers ({}); the limit is {} (raise it with --max-workers)", total,
                    ctx.limits.max_workers));
    return;
  }
  if (attribute_values > kMaxAttributeValues) {
    ctx.diags.error(r.key_at(*section),
                    fmt::format("the workers' attributes hold {} values in all; the limit is {}",
                                attribute_values, kMaxAttributeValues));
    return;
  }

  if (!charge_workers_memory(ctx, r, plans)) return;

  // Groups without a behaviour use "default": the scenario's own if it declares one, else a
  // built-in one that always accepts at once, added only when some group needs it.
  BehaviorId default_behavior = kNoId;
  for (const GroupPlan& g : plans) {
    if (g.behavior || default_behavior != kNoId) continue;
    default_behavior = ctx.behaviors.find("default");
    if (default_behavior == kNoId) {
      Behavior b;
      b.name = "default";
      default_behavior = ctx.behaviors.add(b.name);
      ctx.sc.behaviors.push_back(std::move(b));
    }
  }

  ctx.sc.workers.reserve(static_cast<std::size_t>(total));
  std::unordered_map<std::string, GroupId> names;  // look-up only
  names.reserve(static_cast<std::size_t>(total));
  for (const GroupPlan& g : plans) {
    const auto group_id = static_cast<GroupId>(ctx.sc.worker_groups.size());
    WorkerGroup group;
    group.name = g.name;
    group.first_worker = static_cast<WorkerId>(ctx.sc.workers.size());
    group.count = static_cast<std::uint32_t>(g.count);
    group.behavior = g.behavior.value_or(default_behavior);
    group.schedule = g.schedule;
    group.schedule_period = g.schedule_period;
    group.handle_time_factor = g.handle_time_factor;
    group.changes = g.changes;
    ctx.sc.worker_groups.push_back(std::move(group));

    const SourceLocation name_at = g.name_item ? r.at(*g.name_item) : r.key_at(g.item);
    if (g.count > 1 && g.pattern.find("{i}") == std::string::npos) {
      ctx.diags.error(
          name_at,
          fmt::format("the {} workers of group '{}' would all be named '{}'; put '{{i}}' in "
                      "the name (it becomes 1, 2, ...)",
                      g.count, g.name, g.pattern));
      continue;
    }
    bool reported = false;
    // Per-worker picks come from the group's own stream of the scenario seed: the workforce is
    // the same in every replication and sweep point (only `seed` changes it).
    Rng pick_rng = Rng::stream(ctx.sc.seed, 0, "workers:" + g.name + "/attributes");
    for (std::uint32_t i = 1; i <= static_cast<std::uint32_t>(g.count); ++i) {
      Worker w;
      w.name = worker_name(g.pattern, i);
      if (const auto [it, fresh] = names.emplace(w.name, group_id); !fresh && !reported) {
        ctx.diags.error(name_at, fmt::format("duplicate worker name '{}' (also in group '{}')",
                                             w.name, ctx.sc.worker_groups[it->second].name));
        reported = true;
      }
      w.sid = !g.sid.empty() ? g.sid : make_sid("WK", "worker:" + w.name);
      w.group = group_id;
      w.attributes = g.attributes;
      for (const AttributePick& p : g.picks)
        w.attributes.set_path(p.path, p.options[draw_option(p, pick_rng)].first);
      w.initial_activity = g.activity;
      w.capacity = g.capacity;
      ctx.sc.workers.push_back(std::move(w));
    }
  }
}

}  // namespace trsim::detail
