// Task queues: who they target, their order, how many workers a task may reserve at once, and
// the activities single-tasking workers move to on reservation and assignment.
#include <fmt/format.h>

#include <array>
#include <string_view>

#include "load/sections.hpp"

namespace trsim::detail {

void build_task_queues(LoadContext& ctx, const MapView& top) {
  static constexpr std::array<std::string_view, 2> kOrders = {"FIFO", "LIFO"};
  const Item* section = top.find("task_queues");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  MapView queues(r, *section, std::nullopt);
  if (!queues.ok()) {
    ctx.queues.complete = false;
    return;
  }
  SidOwners sids;
  for (const auto& e : queues.entries()) {
    MapView fields(r, e.item, KeySet::task_queue);
    TaskQueue q;
    q.name = e.key;
    q.where = r.key_at(e.item);
    if (const Item* i = fields.find("target_workers")) {
      if (auto x = read_expression(r, *i, ExpressionScope::worker))
        q.target_workers = std::move(*x);
    }
    if (const Item* i = fields.find("task_order")) {
      if (const auto k = r.choice(*i, kOrders))
        q.task_order = *k == 0 ? TaskOrder::fifo : TaskOrder::lifo;
    }
    if (const Item* i = fields.find("max_reserved_workers")) {
      if (const auto n = r.integer(*i, 1, kMaxReservedWorkers))
        q.max_reserved_workers = static_cast<int>(*n);
    }
    const auto single_tasking_activity = [&](std::string_view key) -> ActivityId {
      const Item* i = fields.find(key);
      if (i == nullptr) return kNoId;
      if (ctx.sc.workspace.multi_task) {
        r.error(*i,
                fmt::format(
                    "only single-tasking workspaces use {} (set workspace.multi_task: false, or "
                    "remove it)",
                    key));
        return kNoId;
      }
      return resolve_name(r, *i, ctx.activities, "activity");
    };
    q.reservation_activity = single_tasking_activity("reservation_activity");
    q.assignment_activity = single_tasking_activity("assignment_activity");
    q.sid =
        read_sid(r, fields, "WQ", "queue:" + e.key, fmt::format("task queue '{}'", e.key), sids);
    ctx.queues.add(q.name);
    ctx.queue_by_sid.emplace(q.sid, static_cast<QueueId>(ctx.sc.task_queues.size()));
    ctx.sc.task_queues.push_back(std::move(q));
  }
}

}  // namespace trsim::detail
