// `trsim import`: TaskRouter v1 REST JSON (list pages and single resources) to a scenario. The
// JSON is read with the library's strict reader; each resource is located by the offset of its
// '{' so that an error names the file, the line and column, the resource and the field.
#include "trsim/workspace_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "trsim/json.hpp"
#include "trsim/scenario.hpp"

namespace trsim {

bool ImportResult::ok() const {
  return std::none_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::error;
  });
}

namespace {

enum class Kind { workspace, activity, task_queue, workflow, worker, task_channel, worker_channel };

struct KindInfo {
  Kind kind;
  std::string_view list_key;  ///< the list page's key
  std::string_view sid_prefix;
  std::string_view noun;
};

// List keys and sid prefixes of TaskRouter's v1 resources (OpenAPI: the `*_list` responses and
// each schema's `sid` pattern).
constexpr std::array<KindInfo, 7> kKinds = {{
    {Kind::workspace, "workspaces", "WS", "workspace"},
    {Kind::activity, "activities", "WA", "activity"},
    {Kind::task_queue, "task_queues", "WQ", "task queue"},
    {Kind::workflow, "workflows", "WW", "workflow"},
    {Kind::worker, "workers", "WK", "worker"},
    {Kind::task_channel, "task_channels", "TC", "task channel"},
    {Kind::worker_channel, "channels", "WC", "worker channel"},
}};

const KindInfo& info(Kind k) { return kKinds[static_cast<std::size_t>(k)]; }

// The five channels every scenario has (docs/scenario.md).
constexpr std::array<std::string_view, 5> kBuiltInChannels = {"voice", "chat", "sms", "video",
                                                              "default"};

struct Resource {
  Kind kind;
  const Value* value = nullptr;
  SourceLocation where;
  std::string label;  ///< "workers[3]" or "the resource"
};

// YAML has no quoting rules a JSON string literal breaks: a key or string written this way is
// read back as the same string.
std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// A file name part from a friendly name: letters, digits, '-' and '_'; others become '-'.

// True when the reader failed at the end of the text (nothing but spaces after the error's
// place): the file was cut short, as a download interrupted midway leaves it.
bool at_end(std::string_view text, const JsonError& error) {
  std::size_t line = 1, at = 0;
  for (; at < text.size() && line < error.line; ++at)
    if (text[at] == '\n') ++line;
  at += error.column - 1;
  for (; at < text.size(); ++at)
    if (text[at] != ' ' && text[at] != '\n' && text[at] != '\r' && text[at] != '\t') return false;
  return true;
}

class Importer {
 public:
  explicit Importer(const ImportOptions& options) : options_(options) {}

  void add(const ImportSource& src) {
    JsonError error;
    std::vector<std::size_t> offsets;
    std::optional<Value> doc = parse_json(src.text, &error, &offsets);
    if (!doc) {
      fail({src.file, static_cast<int>(error.line), static_cast<int>(error.column)},
           fmt::format("not valid JSON: {}{}", error.message,
                       at_end(src.text, error) ? " (is the export truncated?)" : ""));
      return;
    }
    docs_.push_back(std::move(*doc));
    const Value& root = docs_.back();
    locate(src, root, offsets);
    const SourceLocation root_at = where(src.file, root);
    if (!root.is_object()) {
      fail(root_at, "expected a TaskRouter resource or list page (a JSON object)");
      return;
    }
    for (const KindInfo& k : kKinds) {
      const Value* list = root.find(k.list_key);
      if (list == nullptr) continue;
      if (!list->is_array()) {
        fail(root_at, fmt::format("'{}' of a list page must be a list", k.list_key));
        return;
      }
      std::size_t index = 0;
      for (const Value& item : list->as_array()) {
        const std::string label = fmt::format("{}[{}]", k.list_key, index++);
        if (!item.is_object()) {
          fail(root_at, fmt::format("{} is not a JSON object", label));
          continue;
        }
        take({k.kind, &item, where(src.file, item), label});
      }
      return;
    }
    if (root.find("events") != nullptr) {
      fail(root_at,
           "this is an Events API page: give it to `trsim import` as a file of its own (it is "
           "read as event history, docs/import.md)");
      return;
    }
    if (root.find("meta") != nullptr) {
      fail(root_at,
           "a list page of an unknown kind (expected workspaces, activities, task_queues, "
           "workflows, workers, task_channels or a worker's channels)");
      return;
    }
    const Value* sid = root.find("sid");
    if (sid != nullptr && sid->is_string()) {
      for (const KindInfo& k : kKinds) {
        if (sid->as_string().rfind(k.sid_prefix, 0) == 0) {
          take({k.kind, &root, root_at, "the resource"});
          return;
        }
      }
    }
    fail(root_at,
         "cannot tell which TaskRouter resource this is (no list key such as 'workers' and no "
         "'sid' of a known kind)");
  }

  ImportResult finish() {
    build();
    ImportResult result;
    result.diagnostics = std::move(diags_);
    if (!result.ok()) return result;
    result.scenario = std::move(yaml_);
    result.files = std::move(files_);
    result.groups = std::move(group_list_);
    result.activity_available = std::move(activity_available_);
    result.summary = fmt::format(
        "{} workspace, {} activities, {} task channels, {} task queues, {} workflows, {} workers "
        "({} groups), {} worker channels",
        count(Kind::workspace), count(Kind::activity), count(Kind::task_channel),
        count(Kind::task_queue), count(Kind::workflow), count(Kind::worker), groups_,
        count(Kind::worker_channel));
    return result;
  }

 private:
  void fail(SourceLocation at, std::string message) {
    Diagnostic d;
    d.where = std::move(at);
    d.message = std::move(message);
    diags_.push_back(std::move(d));
  }
  void fail(const Resource& r, std::string message) {
    fail(r.where, fmt::format("{} {}: {}", info(r.kind).noun, describe(r), message));
  }

  static std::string describe(const Resource& r) {
    const Value* sid = r.value->find("sid");
    if (sid != nullptr && sid->is_string())
      return fmt::format("{} ({})", sid->as_string(), r.label);
    return r.label;
  }

  // Maps each object of `root` to the line and column of its '{'.
  void locate(const ImportSource& src, const Value& root, const std::vector<std::size_t>& offsets) {
    std::vector<const Value*> objects;
    collect(root, objects);
    std::size_t line = 1, column = 1, at = 0;
    for (std::size_t k = 0; k < objects.size() && k < offsets.size(); ++k) {
      for (; at < offsets[k] && at < src.text.size(); ++at) {
        if (src.text[at] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
      places_[objects[k]] = {src.file, static_cast<int>(line), static_cast<int>(column)};
    }
  }
  static void collect(const Value& v, std::vector<const Value*>& out) {
    if (v.is_object()) {
      out.push_back(&v);
      for (const auto& member : v.as_object()) collect(member.second, out);
    } else if (v.is_array()) {
      for (const Value& item : v.as_array()) collect(item, out);
    }
  }
  SourceLocation where(const std::string& file, const Value& v) const {
    const auto it = places_.find(&v);
    return it != places_.end() ? it->second : SourceLocation{file, 1, 1};
  }

  // Keeps the first of resources seen twice (overlapping pages, a resource also in a list).
  void take(Resource r) {
    const Value* sid = r.value->find("sid");
    std::string key;
    if (sid != nullptr && sid->is_string()) {
      key = sid->as_string();
    } else if (r.kind == Kind::worker_channel) {
      // A worker channel is known by its worker and channel.
      key = fmt::format("{}/{}", text_or(r, "worker_sid"), text_or(r, "task_channel_unique_name"));
    }
    if (!key.empty() && !seen_.insert(fmt::format("{}:{}", info(r.kind).sid_prefix, key)).second)
      return;
    resources_.push_back(std::move(r));
  }

  std::size_t count(Kind k) const {
    return static_cast<std::size_t>(std::count_if(resources_.begin(), resources_.end(),
                                                  [k](const Resource& r) { return r.kind == k; }));
  }

  static std::string text_or(const Resource& r, std::string_view field) {
    const Value* v = r.value->find(field);
    return v != nullptr && v->is_string() ? v->as_string() : std::string();
  }

  // A required field: missing or null is an error naming the resource and the field.
  const Value* required(const Resource& r, std::string_view field) {
    const Value* v = r.value->find(field);
    if (v == nullptr || v->is_null()) {
      fail(r, fmt::format("missing required field '{}'", field));
      return nullptr;
    }
    return v;
  }
  std::optional<std::string> required_string(const Resource& r, std::string_view field) {
    const Value* v = required(r, field);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) {
      fail(r, fmt::format("'{}' must be a string, got {}", field, to_json(*v)));
      return std::nullopt;
    }
    return v->as_string();
  }
  // An optional field: absent and null are nullopt; a wrong type is an error.
  const Value* optional_field(const Resource& r, std::string_view field, Value::Kind kind,
                              std::string_view expected) {
    const Value* v = r.value->find(field);
    if (v == nullptr || v->is_null()) return nullptr;
    if (v->kind() != kind) {
      fail(r, fmt::format("'{}' must be {}, got {}", field, expected, to_json(*v)));
      return nullptr;
    }
    return v;
  }
  // A JSON string field holding a JSON object (worker attributes, a workflow configuration);
  // an object is taken as it is.
  std::optional<Value> json_object_field(const Resource& r, std::string_view field,
                                         bool is_required) {
    const Value* v = is_required ? required(r, field) : r.value->find(field);
    if (v == nullptr || v->is_null())
      return is_required ? std::nullopt : std::optional(Value::object());
    if (v->is_object()) return *v;
    if (!v->is_string()) {
      fail(r,
           fmt::format("'{}' must be a JSON string holding an object, got {}", field, to_json(*v)));
      return std::nullopt;
    }
    JsonError error;
    std::optional<Value> parsed = parse_json(v->as_string(), &error);
    if (!parsed) {
      fail(r, fmt::format("'{}' is not valid JSON: {} (line {}, column {} of the string)", field,
                          error.message, error.line, error.column));
      return std::nullopt;
    }
    if (!parsed->is_object()) {
      fail(r, fmt::format("'{}' must hold a JSON object, got {}", field, to_json(*parsed)));
      return std::nullopt;
    }
    return parsed;
  }

  // Scenario names are the friendly names, made unique with the sid when two resources share one.
  std::map<std::string, std::string> name_by_sid(Kind kind) {
    std::map<std::string, std::string> names;
    std::map<std::string, int> uses;
    for (const Resource& r : resources_)
      if (r.kind == kind) ++uses[text_or(r, "friendly_name")];
    for (const Resource& r : resources_) {
      if (r.kind != kind) continue;
      const std::string sid = text_or(r, "sid");
      std::string name = text_or(r, "friendly_name");
      if (name.empty() || uses[name] > 1)
        name = name.empty() ? sid : fmt::format("{} {}", name, sid);
      names[sid] = name;
    }
    return names;
  }

  // The scenario name of the activity `field` of `r` names; "" when absent; an error when the sid
  // is of no imported activity.
  std::optional<std::string> activity(const Resource& r, std::string_view field, bool is_required) {
    const Value* v = is_required ? required(r, field) : r.value->find(field);
    if (v == nullptr || v->is_null())
      return is_required ? std::nullopt : std::optional(std::string());
    if (!v->is_string()) {
      fail(r, fmt::format("'{}' must be a string, got {}", field, to_json(*v)));
      return std::nullopt;
    }
    const auto it = activities_.find(v->as_string());
    if (it == activities_.end()) {
      fail(r, fmt::format("'{}' names the activity '{}', which no imported activity has (import "
                          "the workspace's activities list as well)",
                          field, v->as_string()));
      return std::nullopt;
    }
    return it->second;
  }

  void build() {
    for (const Resource& r : resources_) {
      if (r.kind == Kind::activity || r.kind == Kind::task_queue || r.kind == Kind::workflow ||
          r.kind == Kind::worker) {
        required_string(r, "sid");
        required_string(r, "friendly_name");
      }
    }
    activities_ = name_by_sid(Kind::activity);
    yaml_ = "# A TaskRouter workspace imported by `trsim import` (docs/import.md).\n";
    build_workspace();
    build_activities();
    build_channels();
    build_queues();
    build_workflows();
    build_workers();
    if (!options_.arrivals_given)
      yaml_ +=
          "# arrivals: none were imported; add a stream (docs/scenario.md), or import event "
          "history.\n";
  }

  void build_workspace() {
    std::string fields;
    for (const Resource& r : resources_) {
      if (r.kind != Kind::workspace) continue;
      const auto field = [&](std::string_view key, const std::string& value) {
        if (!value.empty())
          fields += fmt::format("{}{}: {}", fields.empty() ? "" : ", ", key, value);
      };
      if (const auto a = activity(r, "default_activity_sid", false)) {
        if (!a->empty()) field("default_activity", quoted(*a));
      }
      if (const auto a = activity(r, "timeout_activity_sid", false)) {
        if (!a->empty()) field("timeout_activity", quoted(*a));
      }
      if (const Value* v =
              optional_field(r, "multi_task_enabled", Value::Kind::boolean, "a boolean")) {
        multi_task_ = v->as_bool();
        field("multi_task", multi_task_ ? "true" : "false");
      }
      if (const Value* v =
              optional_field(r, "prioritize_queue_order", Value::Kind::string, "a string"))
        field("prioritize_queue_order", quoted(v->as_string()));
      break;  // one workspace
    }
    // Without the workspace resource, trsim's defaults name 'Offline', which a workspace may not
    // have: use its first unavailable activity instead.
    if (count(Kind::workspace) == 0 && !activities_.empty()) {
      bool has_offline = false;
      std::string first_unavailable;
      for (const Resource& r : resources_) {
        if (r.kind != Kind::activity) continue;
        const std::string& name = activities_[text_or(r, "sid")];
        if (name == "Offline") has_offline = true;
        const Value* available = r.value->find("available");
        if (first_unavailable.empty() && available != nullptr && available->is_bool() &&
            !available->as_bool())
          first_unavailable = name;
      }
      if (!has_offline && !first_unavailable.empty())
        fields =
            fmt::format("default_activity: {0}, timeout_activity: {0}", quoted(first_unavailable));
    }
    if (!fields.empty()) yaml_ += fmt::format("workspace: {{{}}}\n", fields);
  }

  void build_activities() {
    std::string out;
    for (const Resource& r : resources_) {
      if (r.kind != Kind::activity) continue;
      const std::string sid = text_or(r, "sid");
      const Value* available = required(r, "available");
      if (available != nullptr && !available->is_bool()) {
        fail(r, fmt::format("'available' must be a boolean, got {}", to_json(*available)));
        continue;
      }
      if (available == nullptr || sid.empty()) continue;
      out += fmt::format("  {}: {{available: {}, sid: {}}}\n", quoted(activities_[sid]),
                         available->as_bool() ? "true" : "false", quoted(sid));
      activity_available_[activities_[sid]] = available->as_bool();
    }
    if (!out.empty()) yaml_ += "activities:\n" + out;
  }

  void build_channels() {
    std::set<std::string> declared;
    for (const Resource& r : resources_) {
      std::string name;
      if (r.kind == Kind::task_channel) {
        if (const auto n = required_string(r, "unique_name")) name = *n;
      } else if (r.kind == Kind::worker_channel) {
        if (const auto n = required_string(r, "task_channel_unique_name")) name = *n;
      }
      if (name.empty()) continue;
      if (std::find(kBuiltInChannels.begin(), kBuiltInChannels.end(), name) ==
          kBuiltInChannels.end())
        declared.insert(name);
    }
    if (declared.empty()) return;
    yaml_ += "channels:\n";
    for (const std::string& name : declared) yaml_ += fmt::format("  {}: {{}}\n", quoted(name));
  }

  void build_queues() {
    const std::map<std::string, std::string> names = name_by_sid(Kind::task_queue);
    std::string out;
    for (const Resource& r : resources_) {
      if (r.kind != Kind::task_queue) continue;
      const std::string sid = text_or(r, "sid");
      std::string fields = fmt::format("sid: {}", quoted(sid));
      if (const Value* v = optional_field(r, "target_workers", Value::Kind::string, "a string"))
        fields += fmt::format(", target_workers: {}", quoted(v->as_string()));
      if (const Value* v =
              optional_field(r, "max_reserved_workers", Value::Kind::number, "a number"))
        fields += fmt::format(", max_reserved_workers: {}", to_json(*v));
      if (const Value* v = optional_field(r, "task_order", Value::Kind::string, "a string"))
        fields += fmt::format(", task_order: {}", quoted(v->as_string()));
      // TaskRouter applies these only to single-tasking workspaces, and so does trsim.
      for (const auto& [field, key] : {std::pair<std::string_view, std::string_view>{
                                           "reservation_activity_sid", "reservation_activity"},
                                       {"assignment_activity_sid", "assignment_activity"}}) {
        const auto a = activity(r, field, false);
        if (a && !a->empty() && !multi_task_) fields += fmt::format(", {}: {}", key, quoted(*a));
      }
      out += fmt::format("  {}: {{{}}}\n", quoted(names.at(sid)), fields);
    }
    if (!out.empty()) yaml_ += "task_queues:\n" + out;
  }

  void build_workflows() {
    const std::map<std::string, std::string> names = name_by_sid(Kind::workflow);
    std::set<std::string> file_names;
    std::string out;
    for (const Resource& r : resources_) {
      if (r.kind != Kind::workflow) continue;
      const std::string sid = text_or(r, "sid");
      const std::optional<Value> config = json_object_field(r, "configuration", true);
      if (!config || sid.empty()) continue;
      const std::string file =
          unique_file_name(file_names, options_.file_stem + ".", names.at(sid), sid, ".json");
      files_.push_back({file, to_json_pretty(*config) + "\n"});
      std::string fields = fmt::format("sid: {}", quoted(sid));
      if (const Value* v =
              optional_field(r, "task_reservation_timeout", Value::Kind::number, "a number"))
        fields += fmt::format(", task_reservation_timeout: {}", to_json(*v));
      fields += fmt::format(", configuration_file: {}", quoted(file));
      out += fmt::format("  {}: {{{}}}\n", quoted(names.at(sid)), fields);
    }
    if (!out.empty()) yaml_ += "workflows:\n" + out;
  }

  struct Group {
    std::string key;  ///< attributes | channels | activity
    std::string attributes, channels, activity;
    std::vector<std::pair<std::string, std::string>> members;  ///< name, sid
  };

  // "X" for a worker named X<number> whose sid is the one a scenario derives from its name (its
  // group's name pattern was X{i}); "" otherwise.
  static std::string derived_prefix(const std::string& name, const std::string& sid) {
    const std::size_t digits = name.find_last_not_of("0123456789");
    if (digits == std::string::npos || digits + 1 == name.size()) return "";
    if (sid != make_sid("WK", "worker:" + name)) return "";
    return name.substr(0, digits + 1);
  }

  // "X" when the members are named X1, X2, ..., XN in order, each with the sid a scenario derives
  // from that name (so a group with the pattern X{i} gives back the same names and sids).
  static std::string numbered_prefix(const std::vector<std::pair<std::string, std::string>>& m) {
    const std::string prefix = derived_prefix(m.front().first, m.front().second);
    if (prefix.empty()) return "";
    for (std::size_t i = 0; i < m.size(); ++i)
      if (m[i].first != fmt::format("{}{}", prefix, i + 1) ||
          m[i].second != make_sid("WK", "worker:" + m[i].first))
        return "";
    return prefix;
  }

  void build_workers() {
    // Channels per worker sid, by channel name (sorted, so that equal sets compare equal).
    std::map<std::string, std::map<std::string, std::string>> channels;
    for (const Resource& r : resources_) {
      if (r.kind != Kind::worker_channel) continue;
      const auto worker = required_string(r, "worker_sid");
      const auto channel = required_string(r, "task_channel_unique_name");
      const Value* capacity = required(r, "configured_capacity");
      if (!worker || !channel || capacity == nullptr) continue;
      if (!capacity->is_number() || capacity->as_number() < 0 ||
          capacity->as_number() != std::floor(capacity->as_number())) {
        fail(r, fmt::format("'configured_capacity' must be a whole number >= 0, got {}",
                            to_json(*capacity)));
        continue;
      }
      // An unavailable worker channel takes no tasks: capacity 0.
      const Value* available = optional_field(r, "available", Value::Kind::boolean, "a boolean");
      const bool on = available == nullptr || available->as_bool();
      channels[*worker][*channel] = on ? to_json(*capacity) : "0";
    }
    std::vector<Group> groups;
    std::map<std::string, std::size_t> group_of;
    for (const Resource& r : resources_) {
      if (r.kind != Kind::worker) continue;
      const std::string sid = text_or(r, "sid");
      const std::optional<std::string> act = activity(r, "activity_sid", true);
      const std::optional<Value> attributes = json_object_field(r, "attributes", false);
      if (!act || !attributes || sid.empty()) continue;
      Group g;
      g.attributes = to_json(*attributes);
      g.activity = *act;
      if (options_.initial_activity) {
        const std::string a = options_.initial_activity(sid);
        for (const auto& [activity_sid, name] : activities_)
          if (!a.empty() && name == a) g.activity = a;
      }
      if (const auto it = channels.find(sid); it != channels.end()) {
        for (const auto& [name, capacity] : it->second)
          g.channels +=
              fmt::format("{}{}: {}", g.channels.empty() ? "" : ", ", quoted(name), capacity);
      }
      // Workers a scenario's group P named P-1, P-2, ... (with the sids it derives) stay in
      // their own group, so that an export of a scenario imports back with the same names.
      g.key = g.attributes + "|" + g.channels + "|" + g.activity + "|" +
              derived_prefix(text_or(r, "friendly_name"), sid);
      if (options_.worker_key) g.key += "|" + options_.worker_key(sid);
      const std::pair<std::string, std::string> member{text_or(r, "friendly_name"), sid};
      if (options_.fold_workers) {
        if (const auto it = group_of.find(g.key); it != group_of.end()) {
          groups[it->second].members.push_back(member);
          continue;
        }
        group_of[g.key] = groups.size();
      }
      g.members.push_back(member);
      groups.push_back(std::move(g));
    }
    groups_ = groups.size();
    if (groups.empty()) return;
    yaml_ += "workers:\n";
    std::set<std::string> used;
    for (const Group& g : groups) {
      const auto& [first_name, first_sid] = g.members.front();
      // Workers named X1 ... XN give back a group with the name pattern X{i}: the group P when
      // X is "P-" (the default pattern), else a group X with `name: "X{i}"`.
      const std::string prefix = numbered_prefix(g.members);
      const bool default_pattern = prefix.size() > 1 && prefix.back() == '-';
      std::string name = default_pattern   ? prefix.substr(0, prefix.size() - 1)
                         : !prefix.empty() ? prefix
                         : g.members.size() == 1
                             ? first_name
                             : fmt::format("{} and {} more", first_name, g.members.size() - 1);
      if (name.empty() || !used.insert(name).second) {
        name = fmt::format("{} {}", name, first_sid);
        used.insert(name);
      }
      std::string fields;
      if (!prefix.empty()) {
        fields = fmt::format("count: {}", g.members.size());
        if (!default_pattern) fields += fmt::format(", name: {}", quoted(prefix + "{i}"));
      } else if (g.members.size() == 1) {
        fields = fmt::format("count: 1, name: {}, sid: {}", quoted(first_name), quoted(first_sid));
      } else {
        yaml_ += "  # workers:";
        for (const auto& [member, sid] : g.members) yaml_ += fmt::format(" {} {};", member, sid);
        yaml_ += "\n";
        fields = fmt::format("count: {}", g.members.size());
      }
      fields += fmt::format(", activity: {}", quoted(g.activity));
      if (g.attributes != "{}") fields += fmt::format(", attributes: {}", g.attributes);
      if (!g.channels.empty()) fields += fmt::format(", channels: {{{}}}", g.channels);
      std::vector<std::string> sids;
      for (const auto& member : g.members) sids.push_back(member.second);
      if (options_.group_fields) fields += options_.group_fields(sids);
      yaml_ += fmt::format("  {}: {{{}}}\n", quoted(name), fields);
      group_list_.emplace_back(name, std::move(sids));
    }
  }

  const ImportOptions& options_;
  std::deque<Value> docs_;  // the parsed inputs; resources point into them
  std::map<const Value*, SourceLocation> places_;
  std::set<std::string> seen_;
  std::vector<Resource> resources_;
  std::vector<Diagnostic> diags_;
  std::map<std::string, std::string> activities_;  // sid -> scenario name
  bool multi_task_ = true;
  std::size_t groups_ = 0;
  std::vector<std::pair<std::string, std::vector<std::string>>> group_list_;
  std::map<std::string, bool> activity_available_;
  std::string yaml_;
  std::vector<ImportedFile> files_;
};

}  // namespace

ImportResult import_workspace(const std::vector<ImportSource>& sources,
                              const ImportOptions& options) {
  Importer importer(options);
  for (const ImportSource& src : sources) importer.add(src);
  return importer.finish();
}

std::string file_slug(std::string_view name, std::string_view fallback) {
  std::string out;
  for (const char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
    out += keep ? c : '-';
  }
  return out.empty() ? std::string(fallback) : out;
}

std::string unique_file_name(std::set<std::string>& taken, std::string_view prefix,
                             std::string_view name, std::string_view fallback,
                             std::string_view suffix) {
  const std::string second = file_slug(fallback, "file");
  for (int i = 0;; ++i) {
    const std::string part = i == 0   ? file_slug(name, second)
                             : i == 1 ? second
                                      : fmt::format("{}-{}", second, i);
    std::string file = fmt::format("{}{}{}", prefix, part, suffix);
    if (taken.insert(file).second) return file;
  }
}

}  // namespace trsim
