// Behaviours: how a worker answers an offer (accept, reject or let it time out, and how fast),
// where it goes after a reject or a timeout, and how long its wrap-up takes.
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <string_view>

#include "load/distribution.hpp"
#include "load/sections.hpp"

namespace trsim::detail {

namespace {

constexpr double kProbabilityTolerance = 1e-9;

void read_outcome(const Reader& r, const Item& item, Behavior& b) {
  MapView outcome(r, item, KeySet::outcome);
  // accept, reject, no_response: p[] follows the key set's order.
  const std::span<const std::string_view> outcome_keys = allowed_keys(KeySet::outcome);
  if (!outcome.ok()) return;
  double p[3] = {0, 0, 0};
  bool ok = true;
  for (std::size_t k = 0; k < outcome_keys.size(); ++k) {
    const Item* i = outcome.find(outcome_keys[k]);
    if (i == nullptr) continue;
    const std::optional<double> v = r.number(*i);
    if (!v) {
      ok = false;
    } else if (*v < 0 || *v > 1) {
      r.error(*i, fmt::format("probability '{}' must be between 0 and 1 (got {})", outcome_keys[k],
                              describe_number(*v)));
      ok = false;
    } else {
      p[k] = *v;
    }
  }
  if (!ok) return;
  const double sum = p[0] + p[1] + p[2];
  if (std::fabs(sum - 1.0) > kProbabilityTolerance) {
    r.error(item,
            fmt::format("outcome probabilities must sum to 1 (accept + reject + no_response = {})",
                        describe_number(sum)));
    return;
  }
  b.p_accept = p[0];
  b.p_reject = p[1];
  b.p_no_response = p[2];
}

// `transfer`: a list of rules, each with a probability (their sum at most 1), a mode and one
// target. Worker names are resolved once the workers exist (resolve_transfer_workers).
void read_transfers(LoadContext& ctx, const Reader& r, const Item& item, Behavior& b,
                    BehaviorId id) {
  const auto list = r.list(item);
  if (!list) return;
  double sum = 0;
  for (const Item& e : *list) {
    MapView fields(r, e, KeySet::transfer_rule);
    if (!fields.ok()) continue;
    TransferRule rule;
    rule.where = r.at(e);
    const Item* p = fields.find("probability");
    if (p == nullptr) {
      if (fields.complete()) r.error(e, "a transfer rule needs 'probability'");
      continue;
    }
    const auto v = r.number(*p);
    if (!v) continue;
    if (!(*v >= 0 && *v <= 1)) {
      r.error(*p, fmt::format("a transfer's 'probability' must be between 0 and 1, got {}",
                              describe_number(*v)));
      continue;
    }
    rule.probability = *v;
    sum += *v;
    if (const Item* m = fields.find("mode")) {
      static constexpr std::array<std::string_view, 2> kModes = {"cold", "warm"};
      const auto k = r.choice(*m, kModes);
      if (!k) continue;
      rule.mode = *k == 0 ? TransferRule::Mode::cold : TransferRule::Mode::warm;
    }
    const Item* to_queue = fields.find("to_queue");
    const Item* to_worker = fields.find("to_worker");
    const Item* requeue = fields.find("requeue");
    const int targets = (to_queue ? 1 : 0) + (to_worker ? 1 : 0) + (requeue ? 1 : 0);
    if (targets == 0) {
      if (fields.complete())
        r.error(e, "a transfer rule needs one target: 'to_queue', 'to_worker' or 'requeue: true'");
      continue;
    }
    if (targets > 1) {
      r.error(e,
              "a transfer rule has one target: give only one of 'to_queue', 'to_worker' and "
              "'requeue'");
      continue;
    }
    if (to_queue != nullptr) {
      rule.kind = TransferRule::Kind::queue;
      rule.queue = resolve_name(r, *to_queue, ctx.queues, "task queue");
      if (rule.queue == kNoId) continue;
    } else if (to_worker != nullptr) {
      rule.kind = TransferRule::Kind::worker;
      if (!r.string(*to_worker)) continue;
      if (const Item* q = fields.find("queue")) {
        rule.queue = resolve_name(r, *q, ctx.queues, "task queue");
        if (rule.queue == kNoId) continue;
      }
    } else {
      const auto yes = r.boolean(*requeue);
      if (!yes) continue;
      if (!*yes) {
        r.error(*requeue, "'requeue' takes true (leave the rule out for no requeue)");
        continue;
      }
      rule.kind = TransferRule::Kind::workflow;
      if (rule.mode == TransferRule::Mode::warm) {
        r.error(*requeue,
                "a requeue is cold: the worker lets the task go back into routing (give no "
                "'mode', or 'mode: cold')");
        continue;
      }
    }
    if (const Item* q = fields.find("queue"); q != nullptr && to_worker == nullptr) {
      r.error(*q, "'queue' goes with 'to_worker' (the queue the transfer is offered from)");
      continue;
    }
    if (const Item* t = fields.find("timeout")) {
      const auto d = r.duration(*t);
      if (!d) continue;
      if (*d == 0) {
        r.error(*t, "a transfer's 'timeout' must be > 0");
        continue;
      }
      rule.timeout = *d;
    }
    if (const Item* h = fields.find("handle_time")) {
      rule.handle_time = read_distribution(ctx, r, *h);
      if (!rule.handle_time) continue;
    }
    if (const Item* pr = fields.find("priority")) {
      const auto n = r.integer(*pr, 0, std::numeric_limits<std::int32_t>::max());
      if (!n) continue;
      rule.priority = *n;
    }
    if (to_worker != nullptr) ctx.transfer_workers.push_back({id, b.transfers.size(), *to_worker});
    b.transfers.push_back(std::move(rule));
  }
  if (sum > 1.0 + kProbabilityTolerance)
    r.error(item, fmt::format("transfer probabilities must sum to at most 1 (they sum to {})",
                              describe_number(sum)));
}

}  // namespace

void resolve_transfer_workers(LoadContext& ctx) {
  if (ctx.transfer_workers.empty()) return;
  NameIndex workers;
  for (const Worker& w : ctx.sc.workers) workers.add(w.name);
  const Reader r = ctx.reader();
  for (const LoadContext::TransferWorker& t : ctx.transfer_workers) {
    const WorkerId w = resolve_name(r, t.name, workers, "worker");
    if (w != kNoId && t.behavior < ctx.sc.behaviors.size() &&
        t.rule < ctx.sc.behaviors[t.behavior].transfers.size())
      ctx.sc.behaviors[t.behavior].transfers[t.rule].worker = w;
  }
}

void build_behaviors(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("behaviors");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  MapView behaviors(r, *section, std::nullopt);
  if (!behaviors.ok()) {
    ctx.behaviors.complete = false;
    return;
  }
  for (const auto& e : behaviors.entries()) {
    MapView fields(r, e.item, KeySet::behavior);
    Behavior b;
    b.name = e.key;
    if (const Item* i = fields.find("outcome")) read_outcome(r, *i, b);
    const auto distribution = [&](std::string_view key) -> std::optional<Distribution> {
      const Item* i = fields.find(key);
      return i ? read_distribution(ctx, r, *i) : std::nullopt;
    };
    if (auto d = distribution("response_time")) b.response_time = std::move(*d);
    b.accept_response_time = distribution("accept_response_time");
    b.reject_response_time = distribution("reject_response_time");
    if (auto d = distribution("wrapup_time")) b.wrapup_time = std::move(*d);
    if (const Item* i = fields.find("reject_activity"))
      b.reject_activity = resolve_name(r, *i, ctx.activities, "activity");
    if (const Item* i = fields.find("after_task_activity")) {
      b.after_task_activity = resolve_name(r, *i, ctx.activities, "activity");
      if (ctx.sc.workspace.multi_task)
        r.warning(*i,
                  "after_task_activity has no effect in a multitasking workspace (activities never "
                  "change "
                  "automatically there)");
    }
    if (const Item* i = fields.find("after_timeout")) {
      MapView after(r, *i, KeySet::after_timeout);
      const Item* ret = after.find("return_after");
      const Item* act = after.find("activity");
      if (ret != nullptr && !is_never(*ret)) b.return_after = read_distribution(ctx, r, *ret);
      const bool returns = ret != nullptr && !is_never(*ret);
      if (act != nullptr) {
        b.after_timeout_activity = resolve_name(r, *act, ctx.activities, "activity");
        if (!returns)
          r.warning(
              *act,
              "after_timeout.activity has no effect without return_after (the worker stays in the "
              "timeout activity)");
      } else if (returns) {
        b.after_timeout_activity = ctx.activities.find("Available");
        if (b.after_timeout_activity == kNoId && ctx.activities.complete)
          ctx.diags.error(r.key_at(*ret),
                          "after_timeout needs an 'activity' to return to (there is no "
                          "'Available' activity to default to)");
      }
    }
    if (const Item* i = fields.find("after_reject")) {
      MapView after(r, *i, KeySet::after_reject);
      const Item* ret = after.find("return_after");
      const Item* act = after.find("activity");
      const bool returns = ret != nullptr && !is_never(*ret);
      if (returns) b.reject_return_after = read_distribution(ctx, r, *ret);
      if (b.reject_activity == kNoId && fields.find("reject_activity") == nullptr)
        r.warning(*i,
                  "after_reject has no effect without reject_activity (a rejecting worker stays "
                  "where it is)");
      if (act != nullptr) {
        b.after_reject_activity = resolve_name(r, *act, ctx.activities, "activity");
        if (!returns)
          r.warning(*act,
                    "after_reject.activity has no effect without return_after (the worker stays "
                    "in the reject activity)");
      } else if (returns) {
        b.after_reject_activity = ctx.activities.find("Available");
        if (b.after_reject_activity == kNoId && ctx.activities.complete)
          ctx.diags.error(r.key_at(*ret),
                          "after_reject needs an 'activity' to return to (there is no "
                          "'Available' activity to default to)");
      }
    }
    if (const Item* i = fields.find("transfer"))
      read_transfers(ctx, r, *i, b, static_cast<BehaviorId>(ctx.sc.behaviors.size()));
    ctx.behaviors.add(b.name);
    ctx.sc.behaviors.push_back(std::move(b));
  }
}

}  // namespace trsim::detail
