// build_routing_facts(): the per-scenario half of routing, computed once and shared by every
// replication (see routing_facts.hpp).
#include "engine/routing_facts.hpp"

#include <algorithm>
#include <limits>

#include "trsim/expression.hpp"

namespace trsim {

namespace {

// A worker's order_by rank: its integer attributes (negated for DESC), missing ones last.
std::vector<double> order_rank(const Value& attributes, const std::vector<OrderByClause>& clauses) {
  std::vector<double> rank;
  for (const OrderByClause& c : clauses) {
    const Value* v = &attributes;
    std::string_view path = c.attribute;
    while (v && !path.empty()) {
      const std::size_t dot = path.find('.');
      v = v->find(path.substr(0, dot));
      path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    if (v && v->is_number())
      rank.push_back(c.descending ? -v->as_number() : v->as_number());
    else
      rank.push_back(std::numeric_limits<double>::infinity());
  }
  return rank;
}

bool same_order(const std::vector<OrderByClause>& a, const std::vector<OrderByClause>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.attribute == y.attribute && x.descending == y.descending;
  });
}

// The ranking of `clauses`, made on first use.
std::uint32_t ranking_for(RoutingFacts& facts, const std::vector<OrderByClause>& clauses) {
  for (std::uint32_t r = 0; r < facts.rankings.size(); ++r)
    if (same_order(*facts.rankings[r].clauses, clauses)) return r;
  const Scenario& sc = *facts.scenario;
  std::vector<const Value*> attributes(sc.workers.size());
  for (WorkerId w = 0; w < sc.workers.size(); ++w) attributes[w] = &sc.workers[w].attributes;
  RoutingFacts::Ranking& ranking = facts.rankings.emplace_back();
  ranking.clauses = &clauses;
  ranking.rank = rank_classes(attributes, clauses);
  return static_cast<std::uint32_t>(facts.rankings.size() - 1);
}

void index_target(RoutingFacts& facts, const WorkflowTarget& target) {
  if (target.order_by.empty() || target.queue == kNoId) return;
  for (std::uint32_t i : facts.queue_order_indexes[target.queue]) {
    if (same_order(*facts.order_indexes[i].clauses, target.order_by)) {
      facts.target_order_index.emplace(&target, i);
      return;
    }
  }
  const auto i = static_cast<std::uint32_t>(facts.order_indexes.size());
  const std::uint32_t ranking = ranking_for(facts, target.order_by);
  facts.order_indexes.push_back({target.queue, &target.order_by, ranking});
  facts.queue_order_indexes[target.queue].push_back(i);
  facts.target_order_index.emplace(&target, i);
}

}  // namespace

void append_member_queues(const Scenario& sc, const WorkerFacts& worker,
                          std::int64_t wall_clock_seconds, std::vector<QueueId>& out) {
  EvalContext ctx;
  ctx.worker = &worker;
  ctx.wall_clock_seconds = wall_clock_seconds;
  for (QueueId q = 0; q < sc.task_queues.size(); ++q)
    if (sc.task_queues[q].target_workers.evaluate(ctx)) out.push_back(q);
}

std::vector<std::uint32_t> rank_classes(const std::vector<const Value*>& attributes,
                                        const std::vector<OrderByClause>& clauses) {
  std::map<std::vector<double>, std::uint32_t> classes;
  std::vector<std::vector<double>> ranks(attributes.size());
  for (std::size_t w = 0; w < attributes.size(); ++w) {
    ranks[w] = order_rank(*attributes[w], clauses);
    classes.emplace(ranks[w], 0);
  }
  std::uint32_t next = 0;
  for (auto& [rank, cls] : classes) cls = next++;
  std::vector<std::uint32_t> rank(attributes.size());
  for (std::size_t w = 0; w < attributes.size(); ++w) rank[w] = classes.at(ranks[w]);
  return rank;
}

std::shared_ptr<const RoutingFacts> build_routing_facts(const Scenario& sc) {
  auto facts = std::make_shared<RoutingFacts>();
  facts->scenario = &sc;
  facts->single_tasking = !sc.workspace.multi_task;
  facts->fifo_first = sc.workspace.prioritize_queue_order == TaskOrder::fifo;

  facts->active_index.assign(sc.channels.size(), kNoId);
  auto activate = [&](ChannelId c) {
    if (c < facts->active_index.size() && facts->active_index[c] == kNoId) {
      facts->active_index[c] = static_cast<std::uint32_t>(facts->active_channels.size());
      facts->active_channels.push_back(c);
    }
  };
  for (const ArrivalStream& s : sc.arrivals) {
    activate(s.channel);
    for (const TraceRow& row : s.trace)
      if (row.channel != kNoId) activate(row.channel);
  }

  for (const Activity& a : sc.activities) facts->activity_available.push_back(a.available ? 1 : 0);
  for (const TaskQueue& q : sc.task_queues)
    facts->queues.push_back({q.max_reserved_workers, q.task_order == TaskOrder::fifo,
                             q.reservation_activity, q.assignment_activity});

  // Queue membership, as the worker is at the start (its initial activity, the scenario's epoch).
  std::vector<std::size_t> first(sc.workers.size() + 1, 0);
  for (WorkerId w = 0; w < sc.workers.size(); ++w) {
    const Worker& def = sc.workers[w];
    facts->worker_by_name.emplace(def.name, w);
    facts->worker_by_sid.emplace(def.sid, w);
    const Activity& activity = sc.activities[def.initial_activity];
    WorkerFacts worker{&def.attributes, def.sid,           def.name, activity.name, {},
                       activity.sid,    activity.available};
    append_member_queues(sc, worker, sc.start_epoch_seconds, facts->member_queues);
    first[w + 1] = facts->member_queues.size();
  }
  for (WorkerId w = 0; w < sc.workers.size(); ++w)
    facts->worker_queues.emplace_back(facts->member_queues.data() + first[w],
                                      first[w + 1] - first[w]);

  // One ranked index per (queue, order_by) that some workflow target uses, and which workflows
  // may cache their filter matches.
  facts->queue_order_indexes.assign(sc.task_queues.size(), {});
  facts->filters_cacheable.assign(sc.workflows.size(), 0);
  for (std::size_t wf = 0; wf < sc.workflows.size(); ++wf) {
    const Workflow& workflow = sc.workflows[wf];
    bool cacheable = !workflow.filters.empty();
    for (const WorkflowFilter& f : workflow.filters) {
      cacheable = cacheable && !f.expression.reads_clock();
      for (const WorkflowTarget& target : f.targets) index_target(*facts, target);
    }
    index_target(*facts, workflow.default_target);
    facts->filters_cacheable[wf] = cacheable ? 1 : 0;
  }
  facts->worker_ranked.assign(sc.workers.size(), 0);
  for (WorkerId w = 0; w < sc.workers.size(); ++w)
    for (QueueId q : facts->worker_queues[w])
      if (!facts->queue_order_indexes[q].empty()) facts->worker_ranked[w] = 1;
  return facts;
}

}  // namespace trsim
