// Workflows: the reservation timeout and a configuration with the exact structure of a
// TaskRouter Workflow configuration, written inline or in a JSON file exported from TaskRouter.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <limits>
#include <string_view>

#include "load/sections.hpp"

namespace trsim::detail {

namespace {

constexpr std::int64_t kMaxPriority = std::numeric_limits<std::int32_t>::max();

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

class ConfigurationReader {
 public:
  ConfigurationReader(LoadContext& ctx, const Reader& r, Workflow& w) : ctx_(ctx), r_(r), w_(w) {}

  void read(const Item& item) {
    MapView cfg(r_, item, KeySet::configuration);
    if (!cfg.ok()) return;
    const Item* routing_item = cfg.find("task_routing");
    if (routing_item == nullptr) {
      if (cfg.complete()) r_.error(item, fmt::format("'{}' needs 'task_routing'", item.name));
      return;
    }
    MapView routing(r_, *routing_item, KeySet::task_routing);
    if (!routing.ok()) return;
    if (const Item* filters = routing.find("filters")) {
      if (const auto list = r_.list(*filters))
        for (const Item& f : *list) read_filter(f);
    }
    if (const Item* d = routing.find("default_filter")) {
      MapView df(r_, *d, KeySet::default_filter);
      w_.default_target.where = r_.at(*d);
      if (const Item* q = df.find("queue"))
        w_.default_target.queue = queue(*q);
      else if (df.complete())
        r_.error(*d, "'default_filter' needs a 'queue'");
    }
  }

 private:
  QueueId queue(const Item& item) {
    const std::optional<std::string> text = r_.string(item);
    if (!text) return kNoId;
    if (is_sid(*text, "WQ")) {
      if (const auto it = ctx_.queue_by_sid.find(*text); it != ctx_.queue_by_sid.end())
        return it->second;
      if (ctx_.queues.complete)
        r_.error(item,
                 fmt::format("unknown task queue sid '{}' (no task queue declares or derives it)",
                             *text));
      return kNoId;
    }
    return resolve_name(r_, item, ctx_.queues, "task queue");
  }

  void read_filter(const Item& item) {
    MapView f(r_, item, KeySet::filter);
    if (!f.ok()) return;
    WorkflowFilter filter;
    filter.where = r_.at(item);
    const Item* name = f.find("filter_friendly_name");
    if (name == nullptr) name = f.find("friendly_name");
    if (name != nullptr) filter.name = r_.string(*name).value_or("");
    if (const Item* x = f.find("expression")) {
      if (auto e = read_expression(r_, *x, ExpressionScope::task))
        filter.expression = std::move(*e);
    } else if (f.complete()) {
      r_.error(item,
               fmt::format("filter '{}' needs an 'expression' (use \"1==1\" to match every task)",
                           filter.name.empty() ? item.name : filter.name));
    }
    const Item* targets = f.find("targets");
    if (targets == nullptr) {
      if (f.complete())
        r_.error(item, fmt::format("filter '{}' needs 'targets'",
                                   filter.name.empty() ? item.name : filter.name));
    } else if (const auto list = r_.list(*targets)) {
      if (list->empty()) r_.error(*targets, "'targets' needs at least one target");
      for (const Item& t : *list) read_target(t, filter);
    }
    w_.filters.push_back(std::move(filter));
  }

  void read_target(const Item& item, WorkflowFilter& filter) {
    MapView t(r_, item, KeySet::target);
    if (!t.ok()) return;
    WorkflowTarget target;
    target.where = r_.at(item);
    if (const Item* q = t.find("queue")) {
      target.queue = queue(*q);
    } else if (filter.targets.empty()) {
      if (t.complete())
        r_.error(item,
                 "the first target of a filter must name a 'queue' (later targets inherit it)");
    } else {
      target.queue = filter.targets.back().queue;
    }
    if (const Item* x = t.find("expression"))
      target.expression = read_expression(r_, *x, ExpressionScope::target);
    if (const Item* x = t.find("skip_if")) {
      target.skip_if = read_expression(r_, *x, ExpressionScope::skip_if);
      if (target.skip_if) check_activity_references(*x, *target.skip_if);
    }
    if (const Item* x = t.find("priority")) target.priority = r_.integer(*x, 0, kMaxPriority);
    if (const Item* x = t.find("timeout")) {
      if (const auto d = r_.duration(*x)) {
        if (*d == 0)
          r_.error(
              *x,
              "a target's 'timeout' must be > 0 (leave it out to wait until the task is accepted, "
              "canceled or its TTL ends)");
        else
          target.timeout = *d;
      }
    }
    if (const Item* x = t.find("order_by")) read_order_by(*x, target);
    if (const Item* x = t.find("known_worker_sid"))
      target.known_worker_sid_attribute = task_attribute(*x);
    if (const Item* x = t.find("known_worker_friendly_name"))
      target.known_worker_name_attribute = task_attribute(*x);
    filter.targets.push_back(std::move(target));
  }

  // skip_if's `workers.<activity>` names an activity by friendly name or sid (the worker-presence
  // page documents `workers.WAxx`); a name of no activity would silently count 0.
  void check_activity_references(const Item& item, const Expression& e) {
    if (!ctx_.activities.complete) return;
    const std::string text = r_.string(item).value_or("");
    for (const std::string& name : e.activity_references()) {
      if (ctx_.activities.find(name) != kNoId) continue;
      bool by_sid = false;
      for (const Activity& a : ctx_.sc.activities) by_sid = by_sid || a.sid == name;
      if (by_sid) continue;
      std::vector<std::string> choices = ctx_.activities.names;
      choices.push_back("available");
      choices.push_back("unavailable");
      const std::size_t at = text.find("workers." + name);
      r_.diags().error(
          r_.in_scalar(item, at == std::string::npos ? 0 : at + 8),
          fmt::format("unknown activity '{}' in 'workers.{}' (skip_if counts the step queue's "
                      "workers by activity name or sid){}",
                      name, name, did_you_mean(name, choices)));
    }
  }

  // TaskRouter writes these as `task.<attribute>`; a bare attribute name means the same.
  std::string task_attribute(const Item& item) {
    std::string text = r_.string(item).value_or("");
    if (text.rfind("task.", 0) == 0) text.erase(0, 5);
    if (text.empty())
      r_.error(item, fmt::format("'{}' needs the task attribute that holds the worker", item.name));
    return text;
  }

  void read_order_by(const Item& item, WorkflowTarget& target) {
    const std::optional<std::string> text = r_.string(item);
    if (!text) return;
    const std::string_view s = *text;
    std::size_t start = 0;
    for (;;) {
      const std::size_t comma = s.find(',', start);
      const std::size_t end = comma == std::string_view::npos ? s.size() : comma;
      read_clause(item, s, start, end, target);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }

  // One "worker.<attribute> [ASC|DESC]" clause in s[begin, end).
  void read_clause(const Item& item, std::string_view s, std::size_t begin, std::size_t end,
                   WorkflowTarget& target) {
    std::vector<std::pair<std::size_t, std::string_view>> words;  // offset, word
    for (std::size_t i = begin; i < end;) {
      while (i < end && is_space(s[i])) ++i;
      const std::size_t w = i;
      while (i < end && !is_space(s[i])) ++i;
      if (i > w) words.emplace_back(w, s.substr(w, i - w));
    }
    const auto fail = [&](std::size_t offset, std::string message) {
      r_.diags().error(r_.in_scalar(item, offset), std::move(message));
    };
    if (words.empty()) {
      fail(begin,
           "empty clause in 'order_by' (write e.g. \"worker.level DESC, worker.experience ASC\")");
      return;
    }
    const auto [path_at, path] = words[0];
    if (path.rfind("worker.", 0) != 0 || path.size() == 7) {
      fail(path_at, fmt::format("order_by clause '{}' must sort by a worker attribute written as "
                                "'worker.<attribute>'",
                                path));
      return;
    }
    OrderByClause clause;
    clause.attribute = std::string(path.substr(7));
    if (clause.attribute.find('-') != std::string::npos) {
      fail(path_at + 7 + clause.attribute.find('-'), "hyphens are not allowed in attribute names");
      return;
    }
    if (words.size() >= 2) {
      std::string dir(words[1].second);
      for (char& c : dir) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (dir == "DESC") {
        clause.descending = true;
      } else if (dir != "ASC") {
        fail(words[1].first,
             fmt::format("expected ASC or DESC after '{}', got '{}'", path, words[1].second));
        return;
      }
    }
    if (words.size() > 2) {
      fail(words[2].first, fmt::format("unexpected '{}' in order_by (separate clauses with commas)",
                                       words[2].second));
      return;
    }
    target.order_by.push_back(std::move(clause));
  }

  LoadContext& ctx_;
  const Reader& r_;
  Workflow& w_;
};

}  // namespace

namespace {

// The configuration a configuration_file holds: the file itself, or, when the file is a Workflow
// resource as TaskRouter's REST API returns it (a map with a `configuration` key), that key's
// value, a JSON object or a string holding one. Every node is registered with the locator, so
// that errors point into the file; nodes parsed from a configuration string point at the
// character of the string they came from.
struct LoadedConfiguration {
  YAML::Node configuration;
  YAML::Node resource;  ///< the Workflow resource, or a Null node when the file is a configuration
};

void locate_in_string(Locator& locator, const Source& src, const YAML::Node& string_node,
                      const YAML::Node& node, int depth) {
  const YAML::Mark mark = node.Mark();
  const std::size_t offset = mark.pos < 0 ? 0 : static_cast<std::size_t>(mark.pos);
  locator.add_fixed(node, locator.in_scalar(src, string_node, offset));
  if (depth > 100) return;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      locate_in_string(locator, src, string_node, it->first, depth + 1);
      locate_in_string(locator, src, string_node, it->second, depth + 1);
    }
  } else if (node.IsSequence()) {
    for (auto it = node.begin(); it != node.end(); ++it)
      locate_in_string(locator, src, string_node, *it, depth + 1);
  }
}

std::optional<LoadedConfiguration> read_configuration_file(LoadContext& ctx, const Reader& r,
                                                           const Item& file) {
  const Source* src = ctx.load_file(r, file);
  if (src == nullptr) return std::nullopt;
  const std::optional<YAML::Node> root = parse_yaml_document(*src, ctx.diags);
  if (!root) return std::nullopt;
  if (root->IsNull()) {
    ctx.diags.error({src->file, 1, 1}, "the workflow configuration file is empty");
    return std::nullopt;
  }
  ctx.locator.add_parsed(*root, *src, 0, 1);
  LoadedConfiguration loaded;
  loaded.configuration.reset(*root);
  if (!root->IsMap()) return loaded;  // reported as "expected a map" where it is read
  const YAML::Node config = find_key(*root, "configuration");
  if (!config.IsDefined() || find_key(*root, "task_routing").IsDefined()) return loaded;
  // A Workflow resource: TaskRouter returns its configuration as a JSON string.
  loaded.resource.reset(*root);
  YAML::Node value = (*root)[config.Scalar()];
  if (!value.IsScalar()) {
    loaded.configuration.reset(value);
    return loaded;
  }
  try {
    YAML::Node parsed = load_one_document(value.Scalar());
    locate_in_string(ctx.locator, *src, value, parsed, 0);
    loaded.configuration.reset(parsed);
  } catch (const YAML::Exception& e) {
    const std::size_t offset = e.mark.pos < 0 ? 0 : static_cast<std::size_t>(e.mark.pos);
    ctx.diags.error(
        ctx.locator.in_scalar(*src, value, offset),
        fmt::format("the workflow's 'configuration' string is not valid JSON: {}", e.msg));
    return std::nullopt;
  }
  return loaded;
}

}  // namespace

void inline_configuration_files(LoadContext& ctx, YAML::Node& root) {
  if (!root.IsMap()) return;
  YAML::Node workflows = root["workflows"];
  if (!workflows.IsMap()) return;
  const Reader r = ctx.reader();
  const Item section = r.root(workflows, "workflows");
  for (auto it = workflows.begin(); it != workflows.end(); ++it) {
    YAML::Node fields = it->second;
    if (!it->first.IsScalar() || !fields.IsMap()) continue;
    const YAML::Node file_key = find_key(fields, "configuration_file");
    if (!file_key.IsDefined() || find_key(fields, "configuration").IsDefined()) continue;
    const std::string name = it->first.Scalar();
    const Item entry = r.child(section, it->first, fields, name);
    const Item file = r.child(entry, file_key, fields[file_key.Scalar()], "configuration_file");
    const std::optional<LoadedConfiguration> loaded = read_configuration_file(ctx, r, file);
    fields.remove(file_key.Scalar());
    if (!loaded) {
      ctx.unreadable_configuration_files.insert(name);
      continue;
    }
    YAML::Node slot = fields["configuration"];
    slot = loaded->configuration;
    ctx.locator.add_fixed(find_key(fields, "configuration"), r.key_at(file));
    // What the resource states and the scenario does not (the scenario's own setting wins).
    if (loaded->resource.IsMap()) {
      for (const std::string_view key : {"task_reservation_timeout", "sid"}) {
        const YAML::Node from = find_key(loaded->resource, key);
        if (!from.IsDefined() || find_key(fields, key).IsDefined()) continue;
        const YAML::Node value = loaded->resource[std::string(key)];
        if (value.IsNull()) continue;
        YAML::Node to = fields[std::string(key)];
        to = value;
        ctx.locator.add_fixed(find_key(fields, key), r.at(from));
      }
    }
  }
}

void build_workflows(LoadContext& ctx, const MapView& top) {
  const Item* section = top.find("workflows");
  if (section == nullptr) return;
  const Reader r = ctx.reader();
  MapView workflows(r, *section, std::nullopt);
  if (!workflows.ok()) {
    ctx.workflows.complete = false;
    return;
  }
  SidOwners sids;
  for (const auto& e : workflows.entries()) {
    MapView fields(r, e.item, KeySet::workflow);
    Workflow w;
    w.name = e.key;
    w.where = r.key_at(e.item);
    if (const Item* i = fields.find("task_reservation_timeout")) {
      // TaskRouter states this limit in seconds, so the message does too.
      if (const auto d = r.duration(*i)) {
        if (*d < kMicrosPerSecond || *d > 86400 * kMicrosPerSecond)
          r.error(*i,
                  fmt::format(
                      "'task_reservation_timeout' must be between 1 and 86400 seconds (got {}s)",
                      describe_number(to_seconds(*d))));
        else if (*d % kMicrosPerSecond != 0)
          // TaskRouter's TaskReservationTimeout is an integer number of seconds: rejected rather
          // than rounded, so that a sweep never runs a value other than the one it names.
          r.error(*i, fmt::format("'task_reservation_timeout' must be whole seconds, as "
                                  "TaskRouter's TaskReservationTimeout is (got {}s)",
                                  describe_number(to_seconds(*d))));
        else
          w.task_reservation_timeout = *d;
      }
    }
    if (const Item* i = fields.find("reservation_timeout_advances_step"))
      w.reservation_timeout_advances_step = r.boolean(*i).value_or(false);
    if (const Item* i = fields.find("skip_out_cancels"))
      w.skip_out_cancels = r.boolean(*i).value_or(false);
    w.sid =
        read_sid(r, fields, "WW", "workflow:" + e.key, fmt::format("workflow '{}'", e.key), sids);
    const Item* inline_config = fields.find("configuration");
    const Item* file = fields.find("configuration_file");
    if (inline_config != nullptr && file != nullptr) {
      ctx.diags.error(r.key_at(*file), fmt::format("workflow '{}' has both 'configuration' and "
                                                   "'configuration_file'; give only one",
                                                   e.key));
    } else if (inline_config != nullptr) {
      ConfigurationReader(ctx, r, w).read(*inline_config);
    } else if (file != nullptr) {
      // Set by --set after the files were inlined (see inline_configuration_files).
      if (const auto loaded = read_configuration_file(ctx, r, *file))
        ConfigurationReader(ctx, r, w).read(
            r.child(e.item, file->key, loaded->configuration, "configuration"));
    } else if (ctx.unreadable_configuration_files.count(e.key) != 0) {
      // The file named by configuration_file was reported when it was read.
    } else if (fields.complete()) {
      ctx.diags.error(r.key_at(e.item), fmt::format("workflow '{}' needs a 'configuration' or a "
                                                    "'configuration_file'",
                                                    e.key));
    }
    ctx.workflows.add(w.name);
    ctx.sc.workflows.push_back(std::move(w));
  }
}

}  // namespace trsim::detail
