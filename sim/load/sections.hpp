#pragma once
// One builder per top-level section of the scenario (§2). Each reads its section from the
// checked top-level map, fills its part of ctx.sc and the name index others resolve against, and
// reports problems; they run in dependency order (see loader.cpp).
#include "load/context.hpp"

namespace trsim::detail {

/// name, seed, start, horizon, warmup, drain, replications, statistics.
void build_settings(LoadContext& ctx, const MapView& top);
/// activities (or the three defaults) and channels (the five defaults plus declared ones).
void build_activities(LoadContext& ctx, const MapView& top);
void build_channels(LoadContext& ctx, const MapView& top);
/// workspace: default and timeout activities, multi_task, prioritize_queue_order.
void build_workspace(LoadContext& ctx, const MapView& top);
void build_task_queues(LoadContext& ctx, const MapView& top);
void build_workflows(LoadContext& ctx, const MapView& top);
/// Replaces each workflow's `configuration_file: F` by `configuration:` holding what F holds (a
/// configuration, or the `configuration` of a Workflow resource, string or object), before --set
/// and sweep paths are applied, so that they reach it as they reach an inline one.
void inline_configuration_files(LoadContext& ctx, YAML::Node& root);
void build_behaviors(LoadContext& ctx, const MapView& top);
/// worker groups and the expanded workers (adds the built-in "default" behaviour when needed).
void build_workers(LoadContext& ctx, const MapView& top);
/// After build_workers: the workers named by behaviours' transfer rules (`to_worker`).
void resolve_transfer_workers(LoadContext& ctx);
void build_arrivals(LoadContext& ctx, const MapView& top);
void build_expectations(LoadContext& ctx, const MapView& top);
/// compare: the rules and metrics of `trsim compare` (rule syntax checked here, metric paths by the
/// verb against the statistics' shape).
void build_compare(LoadContext& ctx, const MapView& top);
/// sweep: each path must name a scalar setting of this scenario, each value list scalars.
void build_sweep(LoadContext& ctx, const MapView& top);
/// shifts: the shift templates of `trsim roster` (after the workers and activities).
void build_shifts(LoadContext& ctx, const MapView& top);

}  // namespace trsim::detail
