// Activities, task channels and the workspace settings that refer to them.
#include <fmt/format.h>

#include <array>
#include <string_view>

#include "load/sections.hpp"

namespace trsim::detail {

namespace {

constexpr std::array<std::string_view, 5> kDefaultChannels = {"voice", "chat", "sms", "video",
                                                              "default"};

void add_activity(LoadContext& ctx, std::string name, bool available, std::string sid) {
  ctx.activities.add(name);
  Activity a;
  a.name = std::move(name);
  a.sid = std::move(sid);
  a.available = available;
  ctx.sc.activities.push_back(std::move(a));
}

}  // namespace

void build_activities(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("activities");
  if (section == nullptr) {
    // TaskRouter creates these three in every new workspace.
    for (const auto& [name, available] :
         {std::pair{"Offline", false}, {"Available", true}, {"Unavailable", false}})
      add_activity(ctx, name, available, make_sid("WA", std::string("activity:") + name));
    return;
  }
  const Reader r = ctx.reader();
  MapView activities(r, *section, std::nullopt);
  if (!activities.ok()) {
    ctx.activities.complete = false;
    return;
  }
  SidOwners sids;
  for (const auto& e : activities.entries()) {
    MapView fields(r, e.item, KeySet::activity);
    bool available = false;
    if (const Item* i = fields.find("available")) available = r.boolean(*i).value_or(false);
    std::string sid =
        read_sid(r, fields, "WA", "activity:" + e.key, fmt::format("activity '{}'", e.key), sids);
    add_activity(ctx, e.key, available, std::move(sid));
  }
  if (ctx.sc.activities.empty()) {
    r.error(*section, "'activities' must declare at least one activity");
    ctx.activities.complete = false;  // references to activities would only repeat the problem
  }
}

void build_channels(LoadContext& ctx, const MapView& top) {
  for (const std::string_view name : kDefaultChannels) {
    ctx.channels.add(std::string(name));
    ctx.sc.channels.push_back(Channel{std::string(name)});
  }
  const Item* section = top.find("channels");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  MapView channels(r, *section, std::nullopt);
  if (!channels.ok()) {
    ctx.channels.complete = false;
    return;
  }
  for (const auto& e : channels.entries()) {
    // A channel has no settings yet; `{}` keeps room for some (capacity defaults, ...).
    MapView fields(r, e.item, KeySet::channel);
    if (ctx.channels.find(e.key) != kNoId) continue;
    ctx.channels.add(e.key);
    ctx.sc.channels.push_back(Channel{e.key});
  }
}

void build_workspace(LoadContext& ctx, const MapView& top) {
  static constexpr std::array<std::string_view, 2> kOrders = {"FIFO", "LIFO"};
  const Reader r = ctx.reader();
  const Item* section = top.find("workspace");
  Item empty = r.root(YAML::Node(), "workspace");
  MapView ws(r, section ? *section : empty, KeySet::workspace);
  WorkspaceSettings& settings = ctx.sc.workspace;
  if (const Item* i = ws.find("multi_task")) settings.multi_task = r.boolean(*i).value_or(true);
  if (const Item* i = ws.find("prioritize_queue_order")) {
    if (const auto k = r.choice(*i, kOrders))
      settings.prioritize_queue_order = *k == 0 ? TaskOrder::fifo : TaskOrder::lifo;
  }
  // The defaults name "Offline"; when it was not declared, say where to fix it.
  const auto activity = [&](std::string_view key) -> ActivityId {
    if (const Item* i = ws.find(key)) return resolve_name(r, *i, ctx.activities, "activity");
    const ActivityId id = ctx.activities.find("Offline");
    if (id == kNoId && ctx.activities.complete) {
      const Item* where = top.find("activities");
      const SourceLocation loc =
          where ? r.key_at(*where) : SourceLocation{ctx.scenario_source().file, 1, 1};
      ctx.diags.error(
          loc, fmt::format("workspace.{} defaults to 'Offline', which is not a declared activity; "
                           "declare it or set workspace.{}",
                           key, key));
    }
    return id;
  };
  settings.default_activity = activity("default_activity");
  settings.timeout_activity = activity("timeout_activity");
}

}  // namespace trsim::detail
