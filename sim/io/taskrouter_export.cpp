// `trsim export`: the scenario in the shapes of TaskRouter's v1 REST API (OpenAPI schemas
// taskrouter.v1.workspace, .activity, .task_channel, .task_queue, .workflow, .worker and
// .worker.worker_channel), as list pages with `meta` like the API's list responses.
#include <fmt/format.h>

#include <string>
#include <utility>

#include "trsim/json.hpp"
#include "trsim/value.hpp"
#include "trsim/workspace_export.hpp"

namespace trsim {

namespace {

constexpr std::string_view kApi = "https://taskrouter.twilio.com/v1/Workspaces/";

Value str(std::string_view s) { return Value::string(std::string(s)); }
Value num(double d) { return Value::number(d); }
Value seconds(SimTime t) { return Value::number(to_seconds(t)); }

class Exporter {
 public:
  explicit Exporter(const Scenario& sc)
      : sc_(sc), workspace_sid_(make_sid("WS", "workspace:" + sc.name)) {}

  std::vector<ExportedFile> run() {
    std::vector<ExportedFile> files;
    files.push_back({"workspace.json", text(workspace())});
    files.push_back({"activities.json", text(page("activities", "Activities", activities()))});
    files.push_back(
        {"task_channels.json", text(page("task_channels", "TaskChannels", channels()))});
    files.push_back({"task_queues.json", text(page("task_queues", "TaskQueues", queues()))});
    files.push_back({"workflows.json", text(page("workflows", "Workflows", workflows()))});
    files.push_back({"workers.json", text(page("workers", "Workers", workers()))});
    files.push_back(
        {"worker_channels.json", text(page("channels", "Workers/Channels", worker_channels()))});
    return files;
  }

 private:
  static std::string text(const Value& v) { return to_json_pretty(v) + "\n"; }

  std::string url(std::string_view path) const {
    return fmt::format("{}{}{}{}", kApi, workspace_sid_, path.empty() ? "" : "/", path);
  }

  Value page(std::string_view key, std::string_view path, Value::Array items) const {
    const std::size_t n = items.size();
    const std::string list = url(path);
    Value::Object meta = {{"first_page_url", str(fmt::format("{}?PageSize={}&Page=0", list, n))},
                          {"key", str(key)},
                          {"next_page_url", Value()},
                          {"page", num(0)},
                          {"page_size", num(static_cast<double>(n))},
                          {"previous_page_url", Value()},
                          {"url", str(fmt::format("{}?PageSize={}&Page=0", list, n))}};
    return Value::object({{std::string(key), Value::array(std::move(items))},
                          {"meta", Value::object(std::move(meta))}});
  }

  Value activity_sid(ActivityId a) const {
    return a == kNoId ? Value() : str(sc_.activities[a].sid);
  }
  Value activity_name(ActivityId a) const {
    return a == kNoId ? Value() : str(sc_.activities[a].name);
  }
  static Value order(TaskOrder o) { return str(o == TaskOrder::lifo ? "LIFO" : "FIFO"); }

  Value workspace() const {
    const WorkspaceSettings& w = sc_.workspace;
    return Value::object({{"sid", str(workspace_sid_)},
                          {"friendly_name", str(sc_.name)},
                          {"default_activity_sid", activity_sid(w.default_activity)},
                          {"default_activity_name", activity_name(w.default_activity)},
                          {"timeout_activity_sid", activity_sid(w.timeout_activity)},
                          {"timeout_activity_name", activity_name(w.timeout_activity)},
                          {"multi_task_enabled", Value::boolean(w.multi_task)},
                          {"prioritize_queue_order", order(w.prioritize_queue_order)},
                          {"url", str(url(""))}});
  }

  Value::Array activities() const {
    Value::Array out;
    for (const Activity& a : sc_.activities)
      out.push_back(Value::object({{"sid", str(a.sid)},
                                   {"friendly_name", str(a.name)},
                                   {"available", Value::boolean(a.available)},
                                   {"workspace_sid", str(workspace_sid_)},
                                   {"url", str(url("Activities/" + a.sid))}}));
    return out;
  }

  std::string channel_sid(const Channel& c) const { return make_sid("TC", "channel:" + c.name); }

  Value::Array channels() const {
    Value::Array out;
    for (const Channel& c : sc_.channels)
      out.push_back(Value::object({{"sid", str(channel_sid(c))},
                                   {"friendly_name", str(c.name)},
                                   {"unique_name", str(c.name)},
                                   {"workspace_sid", str(workspace_sid_)}}));
    return out;
  }

  Value::Array queues() const {
    Value::Array out;
    for (const TaskQueue& q : sc_.task_queues)
      out.push_back(
          Value::object({{"sid", str(q.sid)},
                         {"friendly_name", str(q.name)},
                         {"target_workers", str(q.target_workers.text())},
                         {"max_reserved_workers", num(q.max_reserved_workers)},
                         {"task_order", order(q.task_order)},
                         {"reservation_activity_sid", activity_sid(q.reservation_activity)},
                         {"reservation_activity_name", activity_name(q.reservation_activity)},
                         {"assignment_activity_sid", activity_sid(q.assignment_activity)},
                         {"assignment_activity_name", activity_name(q.assignment_activity)},
                         {"workspace_sid", str(workspace_sid_)},
                         {"url", str(url("TaskQueues/" + q.sid))}}));
    return out;
  }

  // A step as TaskRouter's configuration writes it: queues by sid, times in seconds.
  Value target(const WorkflowTarget& t) const {
    Value::Object o;
    if (t.queue != kNoId) o.emplace_back("queue", str(sc_.task_queues[t.queue].sid));
    if (t.expression) o.emplace_back("expression", str(t.expression->text()));
    if (t.priority) o.emplace_back("priority", num(static_cast<double>(*t.priority)));
    if (t.timeout) o.emplace_back("timeout", seconds(*t.timeout));
    if (!t.order_by.empty()) {
      std::string clauses;
      for (const OrderByClause& c : t.order_by)
        clauses += fmt::format("{}worker.{} {}", clauses.empty() ? "" : ", ", c.attribute,
                               c.descending ? "DESC" : "ASC");
      o.emplace_back("order_by", str(clauses));
    }
    if (t.skip_if) o.emplace_back("skip_if", str(t.skip_if->text()));
    if (!t.known_worker_sid_attribute.empty())
      o.emplace_back("known_worker_sid", str("task." + t.known_worker_sid_attribute));
    if (!t.known_worker_name_attribute.empty())
      o.emplace_back("known_worker_friendly_name", str("task." + t.known_worker_name_attribute));
    return Value::object(std::move(o));
  }

  Value configuration(const Workflow& w) const {
    Value::Array filters;
    for (const WorkflowFilter& f : w.filters) {
      Value::Array targets;
      for (const WorkflowTarget& t : f.targets) targets.push_back(target(t));
      filters.push_back(Value::object({{"filter_friendly_name", str(f.name)},
                                       {"expression", str(f.expression.text())},
                                       {"targets", Value::array(std::move(targets))}}));
    }
    Value::Object routing = {{"filters", Value::array(std::move(filters))}};
    if (w.default_target.queue != kNoId)
      routing.emplace_back(
          "default_filter",
          Value::object({{"queue", str(sc_.task_queues[w.default_target.queue].sid)}}));
    return Value::object({{"task_routing", Value::object(std::move(routing))}});
  }

  Value::Array workflows() const {
    Value::Array out;
    for (const Workflow& w : sc_.workflows)
      out.push_back(
          Value::object({{"sid", str(w.sid)},
                         {"friendly_name", str(w.name)},
                         // TaskRouter takes and returns the configuration as a string.
                         {"configuration", str(to_json(configuration(w)))},
                         {"task_reservation_timeout", seconds(w.task_reservation_timeout)},
                         {"document_content_type", str("application/json")},
                         {"workspace_sid", str(workspace_sid_)},
                         {"url", str(url("Workflows/" + w.sid))}}));
    return out;
  }

  ActivityId initial_activity(const Worker& w) const {
    return w.initial_activity != kNoId ? w.initial_activity : sc_.workspace.default_activity;
  }

  Value::Array workers() const {
    Value::Array out;
    for (const Worker& w : sc_.workers) {
      const ActivityId a = initial_activity(w);
      out.push_back(
          Value::object({{"sid", str(w.sid)},
                         {"friendly_name", str(w.name)},
                         {"activity_sid", activity_sid(a)},
                         {"activity_name", activity_name(a)},
                         {"available", Value::boolean(a != kNoId && sc_.activities[a].available)},
                         // TaskRouter returns a worker's attributes as a JSON string.
                         {"attributes", str(to_json(w.attributes))},
                         {"workspace_sid", str(workspace_sid_)},
                         {"url", str(url("Workers/" + w.sid))}}));
    }
    return out;
  }

  Value::Array worker_channels() const {
    Value::Array out;
    for (const Worker& w : sc_.workers) {
      for (std::size_t c = 0; c < sc_.channels.size() && c < w.capacity.size(); ++c) {
        const Channel& channel = sc_.channels[c];
        const std::string sid = make_sid("WC", fmt::format("channel:{}:{}", w.sid, channel.name));
        out.push_back(Value::object({{"sid", str(sid)},
                                     {"worker_sid", str(w.sid)},
                                     {"task_channel_sid", str(channel_sid(channel))},
                                     {"task_channel_unique_name", str(channel.name)},
                                     {"configured_capacity", num(w.capacity[c])},
                                     {"available", Value::boolean(w.capacity[c] > 0)},
                                     {"workspace_sid", str(workspace_sid_)}}));
      }
    }
    return out;
  }

  const Scenario& sc_;
  std::string workspace_sid_;
};

}  // namespace

std::vector<ExportedFile> export_workspace(const Scenario& scenario) {
  return Exporter(scenario).run();
}

}  // namespace trsim
