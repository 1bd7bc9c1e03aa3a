#include "load/keys.hpp"

#include <array>
#include <string>
#include <vector>

#include "trsim/loader.hpp"

namespace trsim {

namespace detail {
namespace {

constexpr std::array<std::string_view, 20> kTopLevel = {
    "name",       "seed",      "start",      "horizon",  "warmup",      "drain",     "replications",
    "statistics", "workspace", "activities", "channels", "task_queues", "workflows", "behaviors",
    "workers",    "arrivals",  "expect",     "sweep",    "shifts",      "compare"};
constexpr std::array<std::string_view, 4> kStatistics = {"service_level_thresholds", "interval",
                                                         "per_worker", "snapshots"};
constexpr std::array<std::string_view, 4> kWorkspace = {"default_activity", "timeout_activity",
                                                        "multi_task", "prioritize_queue_order"};
constexpr std::array<std::string_view, 2> kActivity = {"available", "sid"};
// A channel has no settings yet: `voice: {}` declares it.
constexpr std::array<std::string_view, 0> kChannel = {};
constexpr std::array<std::string_view, 6> kTaskQueue = {
    "target_workers",       "task_order",          "max_reserved_workers",
    "reservation_activity", "assignment_activity", "sid"};
constexpr std::array<std::string_view, 6> kWorkflow = {"task_reservation_timeout",
                                                       "reservation_timeout_advances_step",
                                                       "skip_out_cancels",
                                                       "sid",
                                                       "configuration",
                                                       "configuration_file"};
constexpr std::array<std::string_view, 1> kConfiguration = {"task_routing"};
constexpr std::array<std::string_view, 2> kTaskRouting = {"filters", "default_filter"};
// `friendly_name` is what older TaskRouter exports call a filter's name.
constexpr std::array<std::string_view, 4> kFilter = {"filter_friendly_name", "friendly_name",
                                                     "expression", "targets"};
constexpr std::array<std::string_view, 8> kTarget = {
    "queue",    "expression", "priority",         "timeout",
    "order_by", "skip_if",    "known_worker_sid", "known_worker_friendly_name"};
constexpr std::array<std::string_view, 1> kDefaultFilter = {"queue"};
constexpr std::array<std::string_view, 10> kBehavior = {"outcome",
                                                        "response_time",
                                                        "accept_response_time",
                                                        "reject_response_time",
                                                        "reject_activity",
                                                        "after_reject",
                                                        "after_timeout",
                                                        "wrapup_time",
                                                        "after_task_activity",
                                                        "transfer"};
constexpr std::array<std::string_view, 3> kOutcome = {"accept", "reject", "no_response"};
constexpr std::array<std::string_view, 2> kAfterTimeout = {"return_after", "activity"};
constexpr std::array<std::string_view, 9> kTransferRule = {
    "probability", "mode",    "to_queue",    "to_worker", "requeue",
    "queue",       "timeout", "handle_time", "priority"};
constexpr std::array<std::string_view, 11> kWorkerGroup = {
    "count",    "name",     "attributes",      "channels",           "behavior",
    "activity", "schedule", "schedule_period", "handle_time_factor", "sid",
    "changes"};
constexpr std::array<std::string_view, 4> kWorkerChange = {"at", "channels", "channel_availability",
                                                           "attributes"};
constexpr std::array<std::string_view, 3> kScheduleEntry = {"at", "activity",
                                                            "reject_pending_reservations"};
constexpr std::array<std::string_view, 11> kArrivalStream = {
    "workflow",    "channel",  "attributes", "rate",    "rates",  "trace",
    "handle_time", "patience", "priority",   "timeout", "updates"};
constexpr std::array<std::string_view, 5> kTaskUpdate = {"after", "attributes", "patience",
                                                         "priority", "probability"};
constexpr std::array<std::string_view, 2> kRates = {"interval", "per_hour"};
constexpr std::array<std::string_view, 5> kExpectation = {"metric", "min", "max", "ci", "interval"};
constexpr std::array<std::string_view, 8> kShift = {
    "group", "earliest_start", "latest_start", "step", "length", "days", "cost", "breaks"};
constexpr std::array<std::string_view, 5> kShiftBreak = {"length", "paid", "earliest", "latest",
                                                         "activity"};
constexpr std::array<std::string_view, 3> kCompare = {"fail_if", "metrics", "judge"};
constexpr std::array<std::string_view, 8> kDistribution = {
    "constant", "exponential", "uniform", "normal", "lognormal", "gamma", "weibull", "empirical"};
constexpr std::array<std::string_view, 1> kMean = {"mean"};
constexpr std::array<std::string_view, 2> kMinMax = {"min", "max"};
constexpr std::array<std::string_view, 2> kMeanSd = {"mean", "sd"};
constexpr std::array<std::string_view, 2> kShapeScale = {"shape", "scale"};
constexpr std::array<std::string_view, 1> kEmpiricalFile = {"file"};

constexpr std::string_view kTargets =
    "workflows.<name>.configuration.task_routing.filters[].targets[]";

constexpr std::array<KeySetEntry, 35> kKeySets = {{
    {KeySet::top_level, "", kTopLevel},
    {KeySet::statistics, "statistics", kStatistics},
    {KeySet::workspace, "workspace", kWorkspace},
    {KeySet::activity, "activities.<name>", kActivity},
    {KeySet::channel, "channels.<name>", kChannel},
    {KeySet::task_queue, "task_queues.<name>", kTaskQueue},
    {KeySet::workflow, "workflows.<name>", kWorkflow},
    {KeySet::configuration, "workflows.<name>.configuration", kConfiguration},
    {KeySet::task_routing, "workflows.<name>.configuration.task_routing", kTaskRouting},
    {KeySet::filter, "workflows.<name>.configuration.task_routing.filters[]", kFilter},
    {KeySet::target, kTargets, kTarget},
    {KeySet::default_filter, "workflows.<name>.configuration.task_routing.default_filter",
     kDefaultFilter},
    {KeySet::behavior, "behaviors.<name>", kBehavior},
    {KeySet::outcome, "behaviors.<name>.outcome", kOutcome},
    {KeySet::after_timeout, "behaviors.<name>.after_timeout", kAfterTimeout},
    {KeySet::after_reject, "behaviors.<name>.after_reject", kAfterTimeout},
    {KeySet::transfer_rule, "behaviors.<name>.transfer[]", kTransferRule},
    {KeySet::worker_group, "workers.<group>", kWorkerGroup},
    {KeySet::schedule_entry, "workers.<group>.schedule[]", kScheduleEntry},
    {KeySet::worker_change, "workers.<group>.changes[]", kWorkerChange},
    {KeySet::arrival_stream, "arrivals.<stream>", kArrivalStream},
    {KeySet::task_update, "arrivals.<stream>.updates[]", kTaskUpdate},
    {KeySet::rates, "arrivals.<stream>.rates", kRates},
    {KeySet::expectation, "expect[]", kExpectation},
    {KeySet::shift, "shifts.<name>", kShift},
    {KeySet::shift_break, "shifts.<name>.breaks[]", kShiftBreak},
    {KeySet::compare, "compare", kCompare},
    {KeySet::distribution, "<distribution>", kDistribution},
    {KeySet::exponential, "<distribution>.exponential", kMean},
    {KeySet::uniform, "<distribution>.uniform", kMinMax},
    {KeySet::normal, "<distribution>.normal", kMeanSd},
    {KeySet::lognormal, "<distribution>.lognormal", kMeanSd},
    {KeySet::gamma, "<distribution>.gamma", kMeanSd},
    {KeySet::weibull, "<distribution>.weibull", kShapeScale},
    {KeySet::empirical, "<distribution>.empirical", kEmpiricalFile},
}};

constexpr bool in_key_set_order() {
  for (std::size_t i = 0; i < kKeySets.size(); ++i)
    if (static_cast<std::size_t>(kKeySets[i].set) != i) return false;
  return static_cast<std::size_t>(KeySet::empirical) + 1 == kKeySets.size();
}
static_assert(in_key_set_order(), "kKeySets must hold every KeySet once, in enum order");

}  // namespace

std::span<const KeySetEntry> key_sets() { return kKeySets; }

}  // namespace detail

std::vector<std::string> scenario_keys() {
  std::vector<std::string> keys;
  for (const detail::KeySetEntry& entry : detail::key_sets()) {
    for (const std::string_view key : entry.keys) {
      std::string path(entry.path);
      if (!path.empty()) path += '.';
      path += key;
      keys.push_back(std::move(path));
    }
  }
  return keys;
}

}  // namespace trsim
