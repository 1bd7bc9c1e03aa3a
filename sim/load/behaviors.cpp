// Behaviours: how a worker answers an offer (accept, reject or let it time out, and how fast),
// where it goes after a reject or a timeout, and how long its wrap-up takes.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cmath>
#include <string_view>

#include "load/distribution.hpp"
#include "load/sections.hpp"

namespace trsim::detail {

namespace {

constexpr double kProbabilityTolerance = 1e-9;

bool is_never(const Item& item) {
  if (!item.node.IsScalar()) return false;
  std::string s = item.node.Scalar();
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s == "never";
}

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

}  // namespace

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
    ctx.behaviors.add(b.name);
    ctx.sc.behaviors.push_back(std::move(b));
  }
}

}  // namespace trsim::detail
