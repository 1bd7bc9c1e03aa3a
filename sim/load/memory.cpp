#include "load/memory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include "model/interval_layout.hpp"
#include "trsim/statistics.hpp"

namespace trsim::detail {

namespace {

// The allocator's header and rounding on each heap block (glibc: 8 bytes of header, 16-byte
// steps, 32 bytes at least).
constexpr std::uint64_t kBlockOverhead = 16;

// The engine's and collectors' private state, per item. Measured on x86-64 (sizeof and glibc's
// blocks) and kept honest by the peak-memory tests: a worker's engine record (three vectors, four
// random streams, timers; about 300 bytes), its two entries in the by-name and by-sid maps (a tree
// node each, with its string), and its first queue membership and channel counters.
constexpr std::uint64_t kEngineWorker = 304;
constexpr std::uint64_t kMapNode = 80;
// Per (task queue, active channel): an idle pool and a waiting-task set.
constexpr std::uint64_t kQueueChannel = 40 + 48;
// The statistics collector per worker (its state and group), per group and per queue or workflow.
constexpr std::uint64_t kCollectorWorker = 32;
constexpr std::uint64_t kCollectorScope = 256;
// A summary's text per statistic (key, mean, ci95, indentation) and per interval cell (the mean
// and the ci95 of one column of one scope), doubled: the text grows in one string.
constexpr std::uint64_t kSummaryTextPerNode = 2 * 64;
constexpr std::uint64_t kSummaryTextPerCell = 2 * 28;

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > UINT64_MAX / a) return UINT64_MAX;
  return a * b;
}

}  // namespace

std::uint64_t mul(std::initializer_list<std::uint64_t> factors) {
  std::uint64_t p = 1;
  for (const std::uint64_t f : factors) p = saturating_mul(p, f);
  return p;
}
std::uint64_t add(std::uint64_t a, std::uint64_t b) {
  return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

namespace {

SourceLocation locate_section(const Reader& r, const MapView& top, std::string_view name) {
  if (const Item* i = top.find(name)) return r.key_at(*i);
  return {r.source().file, 1, 1};
}

// "1 replication", "2 replications", "1 activity", "20002 activities".
std::string count(std::uint64_t n, std::string_view singular) {
  if (n == 1) return fmt::format("1 {}", singular);
  if (singular.ends_with('y'))
    return fmt::format("{} {}ies", n, singular.substr(0, singular.size() - 1));
  return fmt::format("{} {}s", n, singular);
}

}  // namespace

SourceLocation locate(const Reader& r, const Item* parent, std::string_view name) {
  if (parent == nullptr) return {r.source().file, 1, 1};
  if (parent->node.IsMap()) {
    for (auto it = parent->node.begin(); it != parent->node.end(); ++it)
      if (it->first.IsScalar() && it->first.Scalar() == name)
        return it->second.IsNull() ? r.at(it->first) : r.at(it->second);
  }
  return r.key_at(*parent);
}

std::uint64_t block(std::uint64_t bytes) {
  return bytes == 0 ? 0 : std::max<std::uint64_t>(32, (bytes + 8 + 15) / 16 * 16);
}

std::uint64_t string_heap_bytes(std::size_t length) { return length < 16 ? 0 : block(length + 1); }

std::uint64_t value_heap_bytes(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::string:
      return string_heap_bytes(v.as_string().size());
    case Value::Kind::array: {
      std::uint64_t n = block(v.as_array().size() * sizeof(Value));
      for (const Value& e : v.as_array()) n = add(n, value_heap_bytes(e));
      return n;
    }
    case Value::Kind::object: {
      std::uint64_t n = block(v.as_object().size() * sizeof(Value::Member));
      for (const auto& [key, e] : v.as_object())
        n = add(n, add(string_heap_bytes(key.size()), value_heap_bytes(e)));
      return n;
    }
    default:
      return 0;
  }
}

std::string describe_bytes(std::uint64_t bytes) {
  constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  double v = static_cast<double>(bytes);
  std::size_t u = 0;
  v /= 1024;
  while (v >= 1024 && u + 1 < std::size(kUnits)) {
    v /= 1024;
    ++u;
  }
  return v >= 100 ? fmt::format("{:.0f} {}", v, kUnits[u]) : fmt::format("{:.3g} {}", v, kUnits[u]);
}

std::uint64_t running_replications(const LoadContext& ctx) {
  return std::clamp<std::uint64_t>(ctx.limits.parallel_replications, 1,
                                   std::max<std::uint64_t>(1, ctx.sc.replications));
}

bool charge_memory(LoadContext& ctx, MemoryPart part) {
  ctx.memory_total = add(ctx.memory_total, part.bytes);
  ctx.memory.push_back(std::move(part));
  if (ctx.memory_total <= ctx.limits.max_memory) return true;
  if (!ctx.memory_reported) {
    ctx.memory_reported = true;
    const MemoryPart& largest = *std::max_element(
        ctx.memory.begin(), ctx.memory.end(),
        [](const MemoryPart& a, const MemoryPart& b) { return a.bytes < b.bytes; });
    ctx.diags.error(
        largest.where,
        fmt::format("the scenario asks for about {} of memory, more than the limit of {} (raise "
                    "it with --max-memory); the largest part is {}: {}",
                    describe_bytes(ctx.memory_total), describe_bytes(ctx.limits.max_memory),
                    describe_bytes(largest.bytes), largest.what));
  }
  return false;
}

namespace {

// Walks a YAML tree as the loader reads it: an alias's target once for every alias. Stops when the
// text passes `limit` (then `where` is the entry being read) or after kMaxVisits nodes. A
// collection reached again through an alias is not walked again: an alias is the anchored node
// itself (the same mark in the text), so its size is remembered by that position, and a billion
// laughs costs one walk per anchor, not one per expanded node.
class ExpandedText {
 public:
  ExpandedText(const Reader& r, std::uint64_t limit) : r_(r), limit_(limit) {}

  std::optional<SourceLocation> find_excess(const YAML::Node& root) {
    walk(root, root, 0);
    if (!excess_) return std::nullopt;
    return r_.at(*excess_);
  }

 private:
  // Each node read becomes at least a string or a Value; each scalar also its text.
  static constexpr std::uint64_t kPerNode = sizeof(Value::Member);
  static constexpr std::uint64_t kMaxVisits = 20'000'000;
  static constexpr int kMaxDepth = 200;  // yaml-cpp refuses deeper documents; aliases may loop

  // `where`: the node to report, the key of the entry being read.
  void walk(const YAML::Node& node, const YAML::Node& where, int depth) {
    if (excess_) return;
    if (visits_ >= kMaxVisits || depth > kMaxDepth) {
      ++cuts_;
      return;
    }
    const bool collection = node.IsMap() || node.IsSequence();
    const int at = node.Mark().pos;
    if (collection && at >= 0) {
      if (const std::uint64_t* size = cached(node, at)) {
        bytes_ = add(bytes_, *size);
        if (bytes_ > limit_) excess_.emplace(where);
        return;
      }
      // An alias inside its own anchor (`&a [*a, ...]`) makes a cycle: walking it again would
      // branch at every level until the visit bound (4 s for ten branches). The loader reports
      // the self-reference itself; the estimate stops here.
      if (std::any_of(path_.begin(), path_.end(),
                      [&](const YAML::Node& n) { return n.is(node); })) {
        ++cuts_;
        return;
      }
    }
    const std::uint64_t bytes_before = bytes_;
    const std::uint64_t cuts_before = cuts_;
    if (collection && at >= 0) path_.push_back(node);
    ++visits_;
    bytes_ = add(bytes_, kPerNode);
    if (node.IsScalar()) bytes_ = add(bytes_, node.Scalar().size());
    if (bytes_ > limit_) {
      excess_.emplace(where);
      if (collection && at >= 0) path_.pop_back();
      return;
    }
    if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end() && !excess_; ++it) {
        walk(it->first, it->first, depth + 1);
        walk(it->second, it->first, depth + 1);
      }
    } else if (node.IsSequence()) {
      for (auto it = node.begin(); it != node.end() && !excess_; ++it) {
        const YAML::Node& e = *it;
        walk(e, e.IsMap() || e.IsSequence() ? where : e, depth + 1);
      }
    }
    if (collection && at >= 0) path_.pop_back();
    // Remembered only when no walk inside it was cut short by the bounds (its size would be
    // partial); a cut elsewhere does not stop the others being remembered.
    if (collection && at >= 0 && !excess_ && cuts_ == cuts_before)
      sizes_.emplace(at, std::make_pair(node, bytes_ - bytes_before));
  }

  // The size remembered for `node`. Its text position narrows the look-up, and YAML's node
  // identity decides: the inlined configuration files and --set values are texts of their own,
  // whose positions start at 0 again.
  const std::uint64_t* cached(const YAML::Node& node, int at) const {
    const auto [first, last] = sizes_.equal_range(at);
    for (auto it = first; it != last; ++it)
      if (it->second.first.is(node)) return &it->second.second;
    return nullptr;
  }

  /// Expanded bytes of a collection, by its text position and identity.
  std::multimap<int, std::pair<YAML::Node, std::uint64_t>> sizes_;
  std::vector<YAML::Node> path_;  ///< the collections being walked (at most kMaxDepth)
  std::uint64_t cuts_ = 0;        ///< walks cut short by the bounds so far
  const Reader& r_;
  std::uint64_t limit_;
  std::uint64_t bytes_ = 0;
  std::uint64_t visits_ = 0;
  std::optional<YAML::Node> excess_;
};

}  // namespace

bool check_expanded_text(LoadContext& ctx, const YAML::Node& root) {
  const Reader r = ctx.reader();
  ExpandedText text(r, ctx.limits.max_memory);
  const std::optional<SourceLocation> where = text.find_excess(root);
  if (!where) return true;
  ctx.memory_reported = true;
  ctx.diags.error(*where,
                  fmt::format("with its aliases expanded the scenario holds more than {} of text "
                              "(an alias repeats what its anchor holds), more than the memory "
                              "limit (raise it with --max-memory)",
                              describe_bytes(ctx.limits.max_memory)));
  return false;
}

namespace {

// A vector of `n` elements of `size` bytes grown by push_back: its capacity is the next power of
// two (libstdc++ doubles it).
std::uint64_t grown_vector(std::uint64_t n, std::uint64_t size) {
  std::uint64_t capacity = 1;
  while (capacity < n) capacity *= 2;
  return n == 0 ? 0 : block(capacity * size);
}

// statistics.per_worker (or `trsim run --worker-stats`): a node per worker in every
// replication's tree (tasks_completed, tasks_assigned, six reservation counts, occupancy and the
// time in each activity), in their aggregate, in the summary's text (the aggregate, and each
// replication's plain numbers), and the collector's counters per worker.
void charge_per_worker_statistics(LoadContext& ctx, const MapView& top) {
  const Scenario& sc = ctx.sc;
  const std::uint64_t workers = sc.workers.size();
  const std::uint64_t activities = sc.activities.size();
  const std::uint64_t replications = std::max<std::uint64_t>(1, sc.replications);
  constexpr std::uint64_t kLeaves = 9;          // the counts and the occupancy
  constexpr std::uint64_t kLongKeys = 7;        // "reservations_timed_out", "activity_durations"
  constexpr std::uint64_t kLongKeyLength = 22;  // the longest of them
  constexpr std::uint64_t kCounters = 64;       // the collector's counts of a worker
  constexpr std::uint64_t kRunTextPerNumber = 2 * 24;    // "key": number, in a replication's text
  const std::uint64_t nodes = 2 + kLeaves + activities;  // with its group and activity_durations
  std::uint64_t keys = kLongKeys * string_heap_bytes(kLongKeyLength);
  for (const Activity& a : sc.activities) keys = add(keys, string_heap_bytes(a.name.size()));
  std::uint64_t names = 0;
  for (const Worker& w : sc.workers) names = add(names, string_heap_bytes(w.name.size()));
  // One replication's tree: the worker's node in the list of workers, its children and its
  // activity_durations' children (vectors grown by push_back), and the keys.
  const std::uint64_t tree =
      add(mul({workers, add(add(grown_vector(kLeaves + 1, sizeof(MetricNode)),
                                grown_vector(activities, sizeof(MetricNode))),
                            keys)}),
          add(grown_vector(workers, sizeof(MetricNode)), names));
  // The aggregate: exactly sized vectors, the same keys.
  const std::uint64_t aggregate =
      add(mul({workers, add(mul({nodes, sizeof(AggregateNode)}), keys)}), names);
  const std::uint64_t text =
      mul({workers, nodes, add(kSummaryTextPerNode, mul({replications, kRunTextPerNumber}))});
  const std::uint64_t bytes = add(add(mul({replications, tree}), aggregate),
                                  add(text, mul({running_replications(ctx), workers, kCounters})));
  const Item* statistics = top.find("statistics");
  const Reader r = ctx.reader();
  charge_memory(
      ctx, {fmt::format("the per-worker statistics (statistics.per_worker): {} × {} "
                        "numbers, for each of {} and their aggregate",
                        count(workers, "worker"), nodes - 2, count(replications, "replication")),
            bytes,
            statistics != nullptr ? locate(r, statistics, "per_worker")
                                  : locate_section(r, top, "workers")});
}

}  // namespace

void charge_run_memory(LoadContext& ctx, const MapView& top) {
  const Scenario& sc = ctx.sc;
  const Reader r = ctx.reader();
  const std::uint64_t workers = sc.workers.size();
  const std::uint64_t queues = sc.task_queues.size();
  const std::uint64_t groups = sc.worker_groups.size();
  const std::uint64_t activities = sc.activities.size();
  const std::uint64_t channels = sc.channels.size();
  const std::uint64_t workflows = sc.workflows.size();
  const std::uint64_t replications = std::max<std::uint64_t>(1, sc.replications);
  const std::uint64_t at_once = running_replications(ctx);
  // Channels tasks arrive on: each gets matching indexes.
  std::vector<bool> active(channels, false);
  for (const ArrivalStream& s : sc.arrivals) {
    if (s.channel < channels) active[s.channel] = true;
    for (const TraceRow& row : s.trace)
      if (row.channel < channels) active[row.channel] = true;
  }
  const auto active_channels =
      static_cast<std::uint64_t>(std::count(active.begin(), active.end(), true));
  // (The thresholds are in ascending order, hence distinct.)
  const std::uint64_t thresholds = sc.statistics.service_level_thresholds.size();
  const SimTime length = std::max<SimTime>(sc.statistics.interval, 1);
  const auto intervals =
      static_cast<std::uint64_t>((std::max<SimTime>(sc.horizon, 1) + length - 1) / length);
  const std::uint64_t scopes = 1 + queues + groups;
  // The row sizes the interval collector allocates (one definition for both).
  const bool snapshots = sc.statistics.snapshots;
  const std::uint64_t priorities = snapshots ? task_priorities(sc).size() : 0;
  const IntervalRowSize row_size = interval_row_size(thresholds, activities, priorities, snapshots);
  const std::uint64_t columns = row_size.columns;
  const std::uint64_t fields = row_size.fields;
  const Item* statistics = top.find("statistics");

  // The engine, per replication running: each worker's record and look-up entries, and the
  // matching indexes of every (queue, active channel).
  // (The names they copy are charged with the workers, before the workers are made.)
  {
    const std::uint64_t per_worker = kEngineWorker + 2 * kMapNode + block(channels * sizeof(int)) +
                                     block(sizeof(QueueId)) +
                                     active_channels * (sizeof(std::uint32_t) + 1) +
                                     kCollectorWorker + activities * sizeof(std::int64_t);
    const std::uint64_t bytes = mul({at_once, workers, per_worker});
    // The activities drive it when the collector's time per (worker, activity) is most of it.
    const bool by_activities = activities * sizeof(std::int64_t) > kEngineWorker;
    charge_memory(ctx, {fmt::format("the engine's and collector's state of {} ({} bytes each{}) "
                                    "for {} running at once",
                                    count(workers, "worker"), per_worker,
                                    by_activities ? fmt::format(", with the time in each of {}",
                                                                count(activities, "activity"))
                                                  : "",
                                    count(at_once, "replication")),
                        bytes, locate_section(r, top, by_activities ? "activities" : "workers")});
  }
  {
    const std::uint64_t bytes =
        mul({at_once, add(mul({queues, active_channels, kQueueChannel}),
                          mul({queues, activities, sizeof(std::int32_t)}))});
    charge_memory(ctx,
                  {fmt::format("the matching indexes of {} × {}, in each of {} running at once",
                               count(queues, "task queue"), count(active_channels, "channel"),
                               count(at_once, "replication")),
                   bytes, locate_section(r, top, "task_queues")});
  }
  // The interval tables: the one each running replication fills, the one each replication keeps
  // (its result), their mean and ci95.
  {
    const std::uint64_t cells = mul({intervals, scopes, columns});
    const std::uint64_t bytes =
        add(mul({at_once, intervals, scopes, fields, 8}), mul({replications + 2, cells, 8}));
    // Point at what makes it large: the intervals, the scopes (queues, groups) or the columns
    // (thresholds, activities).
    SourceLocation where;
    if (intervals >= scopes && intervals >= columns) {
      where = statistics != nullptr && statistics->node.IsMap() &&
                      find_key(statistics->node, "interval").IsDefined()
                  ? locate(r, statistics, "interval")
                  : locate_section(r, top, "horizon");
    } else if (scopes >= columns) {
      where = locate_section(r, top, groups >= queues ? "workers" : "task_queues");
    } else {
      where = thresholds >= activities ? locate(r, statistics, "service_level_thresholds")
                                       : locate_section(r, top, "activities");
    }
    charge_memory(
        ctx,
        {fmt::format(
             "the interval tables: {} of {} × {} (the workspace, {} and {}) × {}{} × "
             "8 bytes, for {} (and their mean and ci95)",
             count(intervals, "interval"), describe_duration(length), count(scopes, "scope"),
             count(queues, "queue"), count(groups, "group"), count(columns, "column"),
             snapshots ? fmt::format(" (with the snapshots' {} and {})",
                                     count(activities, "activity"), count(priorities, "priority"))
                       : "",
             count(replications, "replication")),
         bytes, where});
    // The summary's text holds the mean and ci95 of every cell.
    charge_memory(ctx, {fmt::format("the summary's text of the interval tables' mean and ci95 ({} "
                                    "× {} × {})",
                                    count(intervals, "interval"), count(scopes, "scope"),
                                    count(columns, "column")),
                        mul({cells, kSummaryTextPerCell}), where});
  }
  // The statistics: a tree per replication (task metrics per workspace, queue and workflow;
  // activity durations per group), their aggregate and its text; the collector's counters.
  {
    const std::uint64_t task_nodes = 40 + 11 * thresholds;
    const std::uint64_t nodes =
        add(mul({1 + queues + workflows, task_nodes}), mul({groups, 12 + 5 * activities}));
    const std::uint64_t per_node =
        sizeof(MetricNode) * replications + sizeof(AggregateNode) + kSummaryTextPerNode;
    const std::uint64_t bytes =
        add(mul({nodes, per_node}),
            mul({at_once, 1 + queues + workflows + groups, kCollectorScope, 1 + thresholds}));
    const bool by_groups = groups * (12 + 5 * activities) >= (1 + queues + workflows) * task_nodes;
    charge_memory(ctx, {fmt::format("the statistics: {} nodes for each of {} and their aggregate",
                                    nodes, count(replications, "replication")),
                        bytes, locate_section(r, top, by_groups ? "workers" : "task_queues")});
  }
  if (sc.statistics.per_worker) charge_per_worker_statistics(ctx, top);
  // Trace rows: the scenario's, and the merged attribute object per row that each running
  // replication keeps.
  const Item* arrivals = top.find("arrivals");
  if (arrivals == nullptr || !arrivals->node.IsMap()) return;
  for (auto it = arrivals->node.begin(); it != arrivals->node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const ArrivalStream* s = nullptr;
    for (const ArrivalStream& a : sc.arrivals)
      if (a.name == it->first.Scalar()) s = &a;
    if (s == nullptr || s->trace.empty()) continue;
    const std::uint64_t stream = value_heap_bytes(s->attributes);
    std::uint64_t rows = 0;
    std::uint64_t merged = 0;
    for (const TraceRow& row : s->trace) {
      const std::uint64_t own = value_heap_bytes(row.attributes);
      rows = add(rows, sizeof(TraceRow) + own);
      merged = add(merged, sizeof(Value) + kBlockOverhead + stream + own);
    }
    const Item item = r.child(*arrivals, it->first, it->second, it->first.Scalar());
    charge_memory(ctx, {fmt::format("the {} rows of trace '{}', and their attributes in each of {} "
                                    "running at once",
                                    s->trace.size(), s->name, count(at_once, "replication")),
                        add(rows, mul({at_once, merged})), locate(r, &item, "trace")});
  }
}

}  // namespace trsim::detail
