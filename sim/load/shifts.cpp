// The `shifts:` block: the shift templates `trsim roster` chooses from (docs/scenario.md). Each
// names the worker group it staffs, a window of start times on a step, a length, the days it runs,
// a cost per paid hour and its breaks, each with the window of offsets it may start at.
#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "load/sections.hpp"

namespace trsim::detail {

void build_shifts(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("shifts");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  Scenario& sc = ctx.sc;
  const MapView templates(r, *section, std::nullopt);
  for (const auto& e : templates.entries()) {
    const MapView fields(r, e.item, KeySet::shift);
    if (!fields.ok()) continue;
    ShiftTemplate t;
    t.name = e.key;
    t.where = r.at(e.item);
    if (const Item* i = fields.find("group")) {
      if (const auto name = r.string(*i)) {
        const auto g = std::find_if(sc.worker_groups.begin(), sc.worker_groups.end(),
                                    [&](const WorkerGroup& w) { return w.name == *name; });
        if (g == sc.worker_groups.end())
          r.error(*i, fmt::format("unknown worker group '{}'", *name));
        else
          t.group = static_cast<GroupId>(g - sc.worker_groups.begin());
      }
    } else if (fields.complete()) {
      r.error(e.item,
              fmt::format("shift '{}' needs a 'group' (the worker group it staffs)", e.key));
    }
    if (const Item* i = fields.find("earliest_start"))
      t.earliest_start = r.duration(*i).value_or(0);
    t.latest_start = t.earliest_start;
    if (const Item* i = fields.find("latest_start")) {
      t.latest_start = r.duration(*i).value_or(t.earliest_start);
      if (t.latest_start < t.earliest_start)
        r.error(*i, "'latest_start' is before 'earliest_start'");
    }
    if (const Item* i = fields.find("step")) t.step = r.duration(*i, kMicrosPerSecond).value_or(0);
    if (const Item* i = fields.find("length")) {
      t.length = r.duration(*i, kMicrosPerSecond).value_or(0);
    } else if (fields.complete()) {
      r.error(e.item, fmt::format("shift '{}' needs a 'length'", e.key));
    }
    if (const Item* i = fields.find("days")) {
      if (const auto list = r.list(*i))
        for (const Item& d : *list)
          if (const auto day = r.integer(d, 0, 366)) t.days.push_back(*day);
    }
    if (const Item* i = fields.find("cost")) {
      const auto c = r.number(*i);
      if (c && !(*c > 0))
        r.error(*i, "'cost' must be above 0 (the cost of one paid hour)");
      else if (c)
        t.cost = *c;
    }
    if (const Item* i = fields.find("breaks")) {
      if (const auto list = r.list(*i)) {
        for (const Item& b : *list) {
          const MapView bf(r, b, KeySet::shift_break);
          if (!bf.ok()) continue;
          ShiftBreak br;
          if (const Item* x = bf.find("length"))
            br.length = r.duration(*x, kMicrosPerSecond).value_or(0);
          else if (bf.complete())
            r.error(b, fmt::format("'{}' needs a 'length'", b.name));
          if (const Item* x = bf.find("paid")) br.paid = r.boolean(*x).value_or(false);
          if (const Item* x = bf.find("earliest")) br.earliest = r.duration(*x).value_or(0);
          br.latest = br.earliest;
          if (const Item* x = bf.find("latest")) {
            br.latest = r.duration(*x).value_or(br.earliest);
            if (br.latest < br.earliest) r.error(*x, "'latest' is before 'earliest'");
          }
          if (const Item* x = bf.find("activity")) {
            br.activity = resolve_name(r, *x, ctx.activities, "activity");
            if (br.activity != kNoId && sc.activities[br.activity].available)
              r.error(*x, fmt::format("a break's activity must be unavailable ('{}' is available)",
                                      sc.activities[br.activity].name));
          }
          if (t.length > 0 && br.latest + br.length > t.length)
            r.error(b, fmt::format("the break ends after the shift ({} + {} > {} s)",
                                   br.latest / kMicrosPerSecond, br.length / kMicrosPerSecond,
                                   t.length / kMicrosPerSecond));
          t.breaks.push_back(br);
        }
      }
    }
    sc.shifts.push_back(std::move(t));
  }
}

}  // namespace trsim::detail
