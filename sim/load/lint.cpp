// Routing lints for `trsim validate` (docs/lints.md). They read the validated Scenario only and
// never run the engine. Where a lint evaluates an expression it does so as the engine would at
// time 0: queue membership from target_workers at the scenario's start, each worker in its
// initial activity with nothing assigned.
//
// Every lint is conservative: when the scenario gives no firm evidence of a problem (an
// attribute nobody sets, an expression that reads the clock or a worker's current state), it
// stays silent. A lint that cries wolf teaches users to ignore all of them.
#include "trsim/lint.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "load/diagnostics.hpp"
#include "model/value_kind.hpp"

namespace trsim {

namespace {

using detail::describe_duration;
using detail::kind_name;

// -- attribute paths ---------------------------------------------------------------------------

/// One step of an attribute path as an expression writes it: `a.b[2]` is a, b, [2].
struct PathStep {
  std::string key;
  std::size_t index = 0;
  bool is_index = false;
};
using Path = std::vector<PathStep>;

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

/// Splits a key as the expression lexer accepted it ("worker.skills[0].name").
Path parse_path(std::string_view text) {
  Path path;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '.') {
      ++i;
    } else if (text[i] == '[') {
      std::size_t index = 0;
      for (++i; i < text.size() && is_digit(text[i]); ++i)
        index = index * 10 + static_cast<std::size_t>(text[i] - '0');
      if (i < text.size() && text[i] == ']') ++i;
      path.push_back(PathStep{std::string(), index, true});
    } else {
      const std::size_t start = i;
      while (i < text.size() && text[i] != '.' && text[i] != '[') ++i;
      path.push_back(PathStep{std::string(text.substr(start, i - start)), 0, false});
    }
  }
  return path;
}

/// A dotted attribute name without indexes ("callBackData.agent"), as known_worker_* and picks use.
Path parse_dotted(std::string_view text) {
  Path path;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = text.find('.', start);
    path.push_back(
        PathStep{std::string(text.substr(start, dot == std::string_view::npos ? dot : dot - start)),
                 0, false});
    if (dot == std::string_view::npos) return path;
    start = dot + 1;
  }
}

std::string path_text(const Path& p) {
  std::string s;
  for (const PathStep& step : p) {
    if (step.is_index) {
      s += fmt::format("[{}]", step.index);
    } else {
      if (!s.empty()) s += '.';
      s += step.key;
    }
  }
  return s;
}

/// The value at `path` inside `root`, or nullptr when any step is missing (a missing key is null).
const Value* lookup(const Value& root, const Path& path) {
  const Value* v = &root;
  for (const PathStep& step : path) {
    if (step.is_index) {
      if (!v->is_array() || step.index >= v->as_array().size()) return nullptr;
      v = &v->as_array()[step.index];
    } else {
      v = v->find(step.key);
      if (v == nullptr) return nullptr;
    }
  }
  return v;
}

/// What a key of an expression reads: a task attribute, a worker attribute, or a fact that is not
/// an attribute at all (the clock, worker.sid, worker.channel.*, workers.*).
struct KeyRef {
  enum class Source : std::uint8_t { task, worker, fact };
  Source source = Source::fact;
  Path path;  ///< inside the task or worker attributes (prefix removed)
  /// For facts: true when the fact changes during a run (clock, activity, assigned tasks), so
  /// that evaluating the expression at time 0 proves nothing.
  bool varies = false;
};

/// Resolves a key as the expression compiler does for `scope` (sim/expr/compiler.cpp,
/// resolve_key): special names first, then the scope's default attributes.
KeyRef resolve_key(std::string_view text, ExpressionScope scope) {
  const Path p = parse_path(text);
  const auto member = [&](std::size_t i) -> std::string_view {
    return i < p.size() && !p[i].is_index ? std::string_view(p[i].key) : std::string_view();
  };
  const bool prefixed = p.size() >= 2 && !member(1).empty();
  const auto attributes = [&](KeyRef::Source source, std::size_t skip) {
    KeyRef k;
    k.source = source;
    k.path.assign(p.begin() + static_cast<std::ptrdiff_t>(skip), p.end());
    return k;
  };
  const auto fact = [](bool varies) {
    KeyRef k;
    k.varies = varies;
    return k;
  };
  if (p.size() == 2 && member(0) == "taskrouter" &&
      (member(1) == "currentTime" || member(1) == "currentHour" || member(1) == "currentMin" ||
       member(1) == "dayOfWeek"))
    return fact(true);
  switch (scope) {
    case ExpressionScope::task:
      return attributes(KeyRef::Source::task, 0);
    case ExpressionScope::worker:
      return attributes(KeyRef::Source::worker, 0);
    case ExpressionScope::target:
      if (prefixed && member(0) == "task") return attributes(KeyRef::Source::task, 1);
      if (prefixed && member(0) == "worker") {
        if (p.size() == 2 && (member(1) == "sid" || member(1) == "friendly_name"))
          return fact(false);
        if (p.size() == 2 && (member(1) == "activity_name" || member(1) == "activity_sid" ||
                              member(1) == "available"))
          return fact(true);
        if (p.size() == 4 && member(1) == "channel" && !member(2).empty()) {
          if (member(3) == "configured_capacity") return fact(false);
          if (member(3) == "assigned_tasks" || member(3) == "available_capacity_percentage" ||
              member(3) == "available")
            return fact(true);
        }
        return attributes(KeyRef::Source::worker, 1);
      }
      return attributes(KeyRef::Source::worker, 0);
    case ExpressionScope::skip_if:
      if (p.size() == 2 && member(0) == "workers" && !member(1).empty()) return fact(true);
      if (prefixed && member(0) == "task") return attributes(KeyRef::Source::task, 1);
      return attributes(KeyRef::Source::task, 0);
  }
  return fact(true);
}

/// True when the expression reads something that changes during a run (the clock, a worker's
/// activity or load, skip_if's worker counts): evaluating it once proves nothing.
bool reads_varying_facts(const Expression& e) {
  for (const ExpressionComparison& c : e.comparisons()) {
    if (!c.path.empty() && resolve_key(c.path, e.scope()).varies) return true;
    if (!c.other_path.empty() && resolve_key(c.other_path, e.scope()).varies) return true;
  }
  return false;
}

/// True when the text holds an attribute key (a word that is not a keyword), outside strings.
bool mentions_a_key(std::string_view text) {
  static constexpr std::string_view kKeywords[] = {"and",      "or",   "not",   "in",  "has",
                                                   "contains", "true", "false", "null"};
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\'' || c == '"') {
      for (++i; i < text.size() && text[i] != c; ++i)
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
      ++i;
    } else if (is_digit(c)) {
      // A number, exponent included ("1e5" is no key).
      while (i < text.size() && (is_ident_char(text[i]) || text[i] == '.')) ++i;
    } else if (is_ident_start(c)) {
      const std::size_t start = i;
      while (i < text.size() && is_ident_char(text[i])) ++i;
      std::string word(text.substr(start, i - start));
      for (char& ch : word)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      if (std::find(std::begin(kKeywords), std::end(kKeywords), word) == std::end(kKeywords))
        return true;
    } else {
      ++i;
    }
  }
  return false;
}

/// True only when the expression is false whatever it is evaluated on (`1==2`, `false`): it reads
/// no key at all and evaluates to false. Anything reading a key counts as "could match".
bool is_constant_false(const Expression& e) {
  if (e.is_always_true() || mentions_a_key(e.text())) return false;
  const Value empty = Value::object();
  EvalContext ctx;
  ctx.task = &empty;
  return !e.evaluate(ctx);
}

// -- text --------------------------------------------------------------------------------------

std::string quoted_names(const std::vector<std::string>& names, std::size_t at_most = 4) {
  std::string s;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i)
    s += (i == 0 ? "'" : ", '") + names[i] + "'";
  if (names.size() > at_most) s += fmt::format(" and {} more", names.size() - at_most);
  return s;
}

/// A comparison as the user wrote it, near enough: `languages HAS "es"`.
std::string describe_comparison(const ExpressionComparison& c) {
  const std::string constant = c.constant ? to_json(*c.constant) : std::string();
  std::string op = c.op == "NOT_IN" ? "NOT IN" : c.op;
  if (c.constant_first) return fmt::format("{} {} {}", constant, op, c.path);
  return fmt::format("{} {} {}", c.path, op, c.other_path.empty() ? constant : c.other_path);
}

// -- the linter --------------------------------------------------------------------------------

/// Task attribute sets an arrival stream can produce, for evaluating expressions on. Picks are
/// expanded as a full cartesian product up to kMaxCombinations; past it, each option of each pick
/// is tried once with the other picks at their first option. Traces contribute their first
/// kMaxTraceRows distinct rows (merged over the stream's attributes).
constexpr std::size_t kMaxCombinations = 64;
constexpr std::size_t kMaxTraceRows = 64;

class Linter {
 public:
  explicit Linter(const Scenario& sc) : sc_(sc) {
    build_workers();
    build_membership();
    build_streams();
  }

  std::vector<Diagnostic> run() {
    for (QueueId q = 0; q < sc_.task_queues.size(); ++q) lint_queue(q);
    for (WorkflowId w = 0; w < sc_.workflows.size(); ++w) lint_workflow(w);
    return std::move(out_);
  }

 private:
  // ---- facts ----

  void build_workers() {
    channel_facts_.resize(sc_.workers.size());
    facts_.resize(sc_.workers.size());
    for (WorkerId w = 0; w < sc_.workers.size(); ++w) {
      const Worker& def = sc_.workers[w];
      for (ChannelId c = 0; c < sc_.channels.size(); ++c) {
        const int capacity = c < def.capacity.size() ? def.capacity[c] : 0;
        channel_facts_[w].push_back(
            ChannelFacts{sc_.channels[c].name, 0, capacity, capacity > 0 ? 100 : 0, true});
      }
      const bool known = def.initial_activity < sc_.activities.size();
      const Activity* activity = known ? &sc_.activities[def.initial_activity] : nullptr;
      facts_[w] = WorkerFacts{&def.attributes,
                              def.sid,
                              def.name,
                              activity ? std::string_view(activity->name) : std::string_view(),
                              channel_facts_[w],
                              activity ? std::string_view(activity->sid) : std::string_view(),
                              activity && activity->available};
    }
  }

  /// Queue membership exactly as the engine computes it at the start of a replication.
  void build_membership() {
    members_.resize(sc_.task_queues.size());
    for (WorkerId w = 0; w < sc_.workers.size(); ++w) {
      EvalContext ctx;
      ctx.worker = &facts_[w];
      ctx.wall_clock_seconds = sc_.start_epoch_seconds;
      for (QueueId q = 0; q < sc_.task_queues.size(); ++q)
        if (sc_.task_queues[q].target_workers.evaluate(ctx)) members_[q].push_back(w);
    }
  }

  void build_streams() {
    streams_of_.resize(sc_.workflows.size());
    samples_.resize(sc_.arrivals.size());
    pick_roots_.resize(sc_.arrivals.size());
    for (StreamId s = 0; s < sc_.arrivals.size(); ++s) {
      const ArrivalStream& a = sc_.arrivals[s];
      if (a.workflow < streams_of_.size()) streams_of_[a.workflow].push_back(s);
      for (const AttributePick& p : a.picks) {
        for (const auto& option : p.options) {
          Value root = Value::object();
          root.set_path(p.path, option.first);
          pick_roots_[s].push_back(std::move(root));
        }
      }
      samples_[s] = task_samples(s);
    }
  }

  std::vector<Value> task_samples(StreamId s) {
    const ArrivalStream& a = sc_.arrivals[s];
    // Bases: the fixed attributes, or the first distinct trace rows merged over them.
    std::vector<Value> bases;
    std::vector<const Value*> rows;  // the row's own attributes, parallel to bases (null: none)
    if (a.trace.empty()) {
      bases.push_back(a.attributes.is_object() ? a.attributes : Value::object());
      rows.push_back(nullptr);
    } else {
      const DistinctRows& distinct = distinct_rows(s);
      const std::size_t n = std::min(kMaxTraceRows, distinct.tasks.size());
      bases.assign(distinct.tasks.begin(), distinct.tasks.begin() + static_cast<std::ptrdiff_t>(n));
      rows.assign(distinct.rows.begin(), distinct.rows.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (a.picks.empty()) return bases;

    // Pick choices: the full product when small, else each option once.
    std::vector<std::vector<std::size_t>> choices;
    std::size_t product = 1;
    for (const AttributePick& p : a.picks) {
      product *= std::max<std::size_t>(1, p.options.size());
      if (product > kMaxCombinations) break;
    }
    if (product <= kMaxCombinations) {
      std::vector<std::size_t> choice(a.picks.size(), 0);
      for (;;) {
        choices.push_back(choice);
        std::size_t i = 0;
        for (; i < choice.size(); ++i) {
          if (++choice[i] < a.picks[i].options.size()) break;
          choice[i] = 0;
        }
        if (i == choice.size()) break;
      }
    } else {
      for (std::size_t i = 0; i < a.picks.size(); ++i) {
        for (std::size_t k = 0; k < a.picks[i].options.size(); ++k) {
          std::vector<std::size_t> choice(a.picks.size(), 0);
          choice[i] = k;
          choices.push_back(std::move(choice));
        }
      }
    }
    std::vector<Value> out;
    for (std::size_t b = 0; b < bases.size(); ++b) {
      for (const auto& choice : choices) {
        Value v = bases[b];
        for (std::size_t i = 0; i < a.picks.size(); ++i) {
          if (a.picks[i].options.empty()) continue;
          // As the engine does: a trace row that sets the attribute itself keeps its value.
          if (rows[b] != nullptr && rows[b]->is_object() &&
              rows[b]->find(a.picks[i].path) != nullptr)
            continue;
          v.set_path(a.picks[i].path, a.picks[i].options[choice[i]].first);
        }
        out.push_back(std::move(v));
      }
    }
    return out;
  }

  /// Every attribute object a stream's tasks draw values from: the fixed attributes, each trace
  /// row, each pick option. A superset of what any one task holds, which keeps the shape lints
  /// conservative (an array anywhere silences them).
  template <typename F>
  void for_each_task_root(StreamId s, F&& f) const {
    const ArrivalStream& a = sc_.arrivals[s];
    f(a.attributes);
    for (const TraceRow& row : a.trace) f(row.attributes);
    for (const Value& root : pick_roots_[s]) f(root);
  }

  /// The name of a filter in messages: 'spanish', or #2 when it has none.
  static std::string filter_name(const WorkflowFilter& f, std::size_t index) {
    return f.name.empty() ? fmt::format("filter #{}", index + 1)
                          : fmt::format("filter '{}'", f.name);
  }

  std::string queue_name(QueueId q) const {
    return q < sc_.task_queues.size() ? sc_.task_queues[q].name : std::string("?");
  }

  std::vector<std::string> stream_names(const std::vector<StreamId>& ids) const {
    std::vector<std::string> names;
    for (const StreamId s : ids) names.push_back(sc_.arrivals[s].name);
    return names;
  }

  void warn(const SourceLocation& where, std::string message) {
    for (const Diagnostic& d : out_)
      if (d.where.file == where.file && d.where.line == where.line &&
          d.where.column == where.column && d.message == message)
        return;
    Diagnostic d;
    d.severity = Diagnostic::Severity::warning;
    d.where = where;
    d.message = std::move(message);
    out_.push_back(std::move(d));
  }

  // ---- task queues ----

  void lint_queue(QueueId q) {
    const TaskQueue& queue = sc_.task_queues[q];
    // The cause (HAS on a scalar, say) before its consequence (a queue nobody matches).
    lint_shapes(queue.target_workers, queue.where, fmt::format("task queue '{}'", queue.name), {});
    if (members_[q].empty()) {
      warn(queue.where,
           sc_.workers.empty()
               ? fmt::format("task queue '{}' has no workers: the scenario declares none, so tasks "
                             "routed here are never offered; declare workers under 'workers'",
                             queue.name)
               : fmt::format("no worker matches task queue '{}' (target_workers \"{}\" is false "
                             "for all {} declared workers): tasks routed here are never offered; "
                             "fix the expression or the workers' attributes",
                             queue.name, queue.target_workers.text(), sc_.workers.size()));
    } else {
      lint_queue_capacity(q);
    }
  }

  /// A queue whose workers all have capacity 0 on every channel that is routed to it.
  void lint_queue_capacity(QueueId q) {
    std::vector<ChannelId> channels;
    std::vector<std::string> streams;
    for (StreamId s = 0; s < sc_.arrivals.size(); ++s) {
      const ArrivalStream& a = sc_.arrivals[s];
      if (!stream_reaches_queue(s, q)) continue;
      streams.push_back(a.name);
      const auto add = [&](ChannelId c) {
        if (c != kNoId && std::find(channels.begin(), channels.end(), c) == channels.end())
          channels.push_back(c);
      };
      add(a.channel);
      for (const TraceRow& row : a.trace) add(row.channel);
    }
    if (channels.empty()) return;
    for (const WorkerId w : members_[q])
      for (const ChannelId c : channels)
        if (c < sc_.workers[w].capacity.size() && sc_.workers[w].capacity[c] > 0) return;
    std::sort(channels.begin(), channels.end());
    std::vector<std::string> channel_names;
    for (const ChannelId c : channels) channel_names.push_back(sc_.channels[c].name);
    std::vector<std::string> groups;
    for (const WorkerId w : members_[q]) {
      const GroupId g = sc_.workers[w].group;
      const std::string name =
          g < sc_.worker_groups.size() ? sc_.worker_groups[g].name : sc_.workers[w].name;
      if (std::find(groups.begin(), groups.end(), name) == groups.end()) groups.push_back(name);
    }
    warn(sc_.task_queues[q].where,
         fmt::format("task queue '{}' gets {} tasks (from arrival streams {}) but all {} of its "
                     "workers have capacity 0 on {}: no task routed here is ever offered; give "
                     "them capacity on the channel (e.g. workers.{}.channels: {{{}: 1}})",
                     sc_.task_queues[q].name, quoted_names(channel_names), quoted_names(streams),
                     members_[q].size(), channel_names.size() == 1 ? "it" : "each of them",
                     groups.front(), channel_names.front()));
  }

  /// Whether some task of stream `s` can be routed to queue `q`: one of its task samples matches
  /// a filter with a target in `q` (a filter reading the clock counts as matching), or can end in
  /// default_filter (it matches no filter, or a skip_if may skip it there).
  bool stream_reaches_queue(StreamId s, QueueId q) const {
    const ArrivalStream& a = sc_.arrivals[s];
    if (a.workflow >= sc_.workflows.size()) return false;
    const Workflow& wf = sc_.workflows[a.workflow];
    bool may_skip = false;
    std::vector<bool> varies;
    for (const WorkflowFilter& f : wf.filters) {
      varies.push_back(reads_varying_facts(f.expression));
      for (const WorkflowTarget& t : f.targets) may_skip = may_skip || t.skip_if.has_value();
    }
    for (const Value& task : samples_[s]) {
      EvalContext ctx;
      ctx.task = &task;
      ctx.wall_clock_seconds = sc_.start_epoch_seconds;
      bool matched_any = false;
      for (std::size_t i = 0; i < wf.filters.size(); ++i) {
        const WorkflowFilter& f = wf.filters[i];
        if (f.targets.empty()) continue;
        if (!varies[i] && !f.expression.evaluate(ctx)) continue;
        matched_any = true;
        for (const WorkflowTarget& t : f.targets)
          if (t.queue == q) return true;
      }
      if (wf.default_target.queue == q && (!matched_any || may_skip)) return true;
    }
    return false;
  }

  // ---- HAS / IN on scalar attributes ----

  /// Where the values of an attribute come from, for the shape lints.
  struct Shape {
    std::size_t present = 0;  ///< holders that have a non-null value there
    std::size_t arrays = 0;
    std::string example;        ///< "worker 'es-1' has languages: \"es\""
    std::string example_value;  ///< "\"es\""
  };

  Shape shape_of(const KeyRef& key, const std::vector<StreamId>& streams) const {
    Shape shape;
    const std::string name = path_text(key.path);
    const auto see = [&](const Value* v, const auto& holder) {
      if (v == nullptr || v->is_null()) return;
      ++shape.present;
      if (v->is_array()) {
        ++shape.arrays;
      } else if (shape.example.empty()) {
        shape.example_value = to_json(*v);
        shape.example = fmt::format("{} has {}: {}", holder(), name, shape.example_value);
      }
    };
    if (key.source == KeyRef::Source::worker) {
      for (WorkerId w = 0; w < sc_.workers.size(); ++w)
        see(lookup(sc_.workers[w].attributes, key.path),
            [&] { return fmt::format("worker '{}'", sc_.workers[w].name); });
    } else if (key.source == KeyRef::Source::task) {
      for (const StreamId s : streams)
        for_each_task_root(s, [&](const Value& root) {
          see(lookup(root, key.path),
              [&] { return fmt::format("arrival stream '{}'", sc_.arrivals[s].name); });
        });
    }
    return shape;
  }

  /// `HAS` on a scalar, and `IN`/`NOT IN` with a scalar on the right: the operator wants an
  /// array and is false on anything else. `streams` gives the tasks for task attributes.
  void lint_shapes(const Expression& e, const SourceLocation& where, const std::string& owner,
                   const std::vector<StreamId>& streams) {
    const std::vector<ExpressionComparison> comparisons = e.comparisons();
    for (const ExpressionComparison& c : comparisons) {
      std::string array_side;
      if (c.op == "HAS" && !c.constant_first)
        array_side = c.path;
      else if ((c.op == "IN" || c.op == "NOT_IN") && c.constant_first)
        array_side = c.path;
      else if (c.op == "IN" || c.op == "NOT_IN")
        array_side = c.other_path;
      if (array_side.empty()) continue;
      const KeyRef key = resolve_key(array_side, e.scope());
      if (key.source == KeyRef::Source::fact) continue;
      const Shape shape = shape_of(key, streams);
      if (shape.present == 0 || shape.arrays > 0) continue;

      const std::string comparison = describe_comparison(c);
      const std::string context =
          comparisons.size() > 1 ? fmt::format(" (in \"{}\")", e.text()) : std::string();
      const std::string holders = key.source == KeyRef::Source::worker
                                      ? "every worker that has it"
                                      : "every arrival stream that sets it";
      std::string outcome, rewrite;
      if (c.op == "HAS") {
        outcome = fmt::format("{}{} is always false (HAS tests membership in an array)", comparison,
                              context);
        rewrite = fmt::format("{} == {}", c.path, c.constant ? to_json(*c.constant) : c.other_path);
      } else {
        const bool negated = c.op == "NOT_IN";
        const std::string left = c.constant_first ? to_json(*c.constant) : c.path;
        outcome = fmt::format("{}{} is always false ({} looks the left side up in an array{})",
                              comparison, context, negated ? "NOT IN" : "IN",
                              negated ? ", and is false when the right side is not one" : "");
        rewrite = fmt::format("{} {} {}", left, negated ? "!=" : "==", array_side);
      }
      warn(where, fmt::format("{}: '{}' is a single value, not an array, in {} ({}), so {}; write "
                              "{}, or make the attribute an array ({}: [{}])",
                              owner, array_side, holders, shape.example, outcome, rewrite,
                              path_text(key.path), shape.example_value));
    }
  }

  // ---- attribute types ----

  static std::string place(const SourceLocation& at) {
    return at.line > 0 ? fmt::format("{}:{}:{}", at.file, at.line, at.column) : at.file;
  }

  /// A comparison of a task attribute with a constant of a type no task of the streams ever holds
  /// there (`task.zip == 501` where every trace row has "00501"): with values of different types
  /// `==` and the orderings are false and `!=` true, whatever the values. Silent when no stream
  /// sets the attribute, or when any holder has the constant's type or an array.
  void lint_types(const Expression& e, const SourceLocation& where, const std::string& owner,
                  const std::vector<StreamId>& streams) {
    if (e.scope() != ExpressionScope::task && e.scope() != ExpressionScope::target) return;
    for (const ExpressionComparison& c : e.comparisons()) {
      if (!c.constant || c.path.empty() || !c.other_path.empty()) continue;
      if (c.op != "==" && c.op != "!=" && c.op != ">" && c.op != ">=" && c.op != "<" &&
          c.op != "<=")
        continue;
      const Value::Kind want = c.constant->kind();
      if (want != Value::Kind::number && want != Value::Kind::string &&
          want != Value::Kind::boolean)
        continue;
      const KeyRef key = resolve_key(c.path, e.scope());
      if (key.source != KeyRef::Source::task) continue;
      std::size_t present = 0, same = 0, arrays = 0;
      std::string example, example_at;
      Value::Kind example_kind = Value::Kind::null;
      const auto see = [&](const Value* v, const auto& at) {
        if (v == nullptr || v->is_null()) return;
        ++present;
        if (v->kind() == want) ++same;
        if (v->is_array()) ++arrays;
        if (example.empty()) {
          example = to_json(*v);
          example_at = at();
          example_kind = v->kind();
        }
      };
      for (const StreamId s : streams) {
        const ArrivalStream& a = sc_.arrivals[s];
        const auto stream_at = [&] {
          return fmt::format("arrival stream '{}' at {}", a.name,
                             place(a.attributes_where.line > 0 ? a.attributes_where : a.where));
        };
        see(lookup(a.attributes, key.path), stream_at);
        for (const Value& root : pick_roots_[s]) see(lookup(root, key.path), stream_at);
        for (const TraceRow& row : a.trace)
          see(lookup(row.attributes, key.path), [&] {
            return fmt::format("the trace of arrival stream '{}' at {}:{}", a.name, a.trace_file,
                               row.line);
          });
      }
      if (present == 0 || same > 0 || arrays > 0) continue;
      const std::string outcome = c.op == "!=" ? "always true" : "always false";
      warn(where,
           fmt::format("{}: `{}` compares '{}' with {} (a {}), but no task ever holds a {} there "
                       "(e.g. {}, a {}, in {}), and values of different types never compare "
                       "equal or ordered, so the comparison is {}; compare with {} or fix the "
                       "attribute's type",
                       owner, describe_comparison(c), path_text(key.path), to_json(*c.constant),
                       kind_name(want), kind_name(want), example, kind_name(example_kind),
                       example_at, outcome, example));
    }
  }

  /// The tasks of a trace stream with distinct attributes (its attributes merged with each row's),
  /// in the order of their first row: found once per stream, for the type lints' samples and for
  /// all of its workflow's filters.
  struct DistinctRows {
    std::vector<Value> tasks;        ///< the first kMaxDistinctRows of them
    std::vector<const Value*> rows;  ///< each task's row attributes (parallel to tasks)
    bool too_varied = false;         ///< more than kMaxDistinctRows: the filters are not tested
  };
  static constexpr std::size_t kMaxDistinctRows = 4096;
  const DistinctRows& distinct_rows(StreamId s) {
    if (const auto it = distinct_rows_.find(s); it != distinct_rows_.end()) return it->second;
    DistinctRows& out = distinct_rows_[s];
    const ArrivalStream& a = sc_.arrivals[s];
    const Value base = a.attributes.is_object() ? a.attributes : Value::object();
    std::set<std::string> seen;
    for (const TraceRow& row : a.trace) {
      if (!seen.insert(to_json(row.attributes)).second) continue;
      if (seen.size() > kMaxDistinctRows) {
        out.too_varied = true;
        break;
      }
      Value task = base;
      if (row.attributes.is_object()) task.merge_from(row.attributes);
      out.tasks.push_back(std::move(task));
      out.rows.push_back(&row.attributes);
    }
    return out;
  }

  /// A filter whose expression matches none of the rows of the traces that feed its workflow
  /// (when every stream of the workflow is a trace): its targets are never used.
  void lint_trace_match(const Workflow& wf, std::size_t f, const std::vector<StreamId>& streams) {
    const WorkflowFilter& filter = wf.filters[f];
    if (streams.empty() || filter.targets.empty() || reads_varying_facts(filter.expression) ||
        filter.expression.is_always_true())
      return;
    std::size_t rows = 0;
    std::vector<std::string> files;
    for (const StreamId s : streams) {
      const ArrivalStream& a = sc_.arrivals[s];
      if (a.kind != ArrivalStream::Kind::trace || !a.picks.empty()) return;
      const DistinctRows& distinct = distinct_rows(s);
      if (distinct.too_varied) return;  // too varied to test every row: stay silent
      for (const Value& task : distinct.tasks) {
        EvalContext ctx;
        ctx.task = &task;
        ctx.wall_clock_seconds = sc_.start_epoch_seconds;
        if (filter.expression.evaluate(ctx)) return;
      }
      rows += a.trace.size();
      files.push_back(fmt::format("{}{} (arrival stream '{}' at {})", files.empty() ? "" : ", ",
                                  a.trace_file, a.name, place(a.where)));
    }
    warn(filter.where,
         fmt::format("{} of workflow '{}' (expression \"{}\") matches none of the {} rows of {}: "
                     "its targets never receive a task; check the attribute names and values "
                     "against the trace's columns",
                     filter_name(filter, f), wf.name, filter.expression.text(), rows,
                     fmt::format("{}", fmt::join(files, ""))));
  }

  // ---- workflows ----

  void lint_workflow(WorkflowId w) {
    const Workflow& wf = sc_.workflows[w];
    const std::vector<StreamId>& streams = streams_of_[w];
    if (streams.empty()) {
      warn(wf.where,
           fmt::format("workflow '{}' is used by no arrival stream, so it never routes a task; "
                       "point a stream at it (arrivals.<stream>.workflow: {}) or remove it",
                       wf.name, wf.name));
    }

    // Which filters a task can ever be in: a filter is entered only when it matches and no
    // earlier always-true filter caught the task first, or by falling through (after the last
    // timed target or a skip_if on the last target) from a filter at or after that one.
    const std::size_t n = wf.filters.size();
    std::vector<bool> reachable(n, false);
    std::size_t last_catch_all = n;  // the latest always-true filter so far (n: none)
    for (std::size_t f = 0; f < n; ++f) {
      if (last_catch_all == n) {
        reachable[f] = true;
      } else {
        for (std::size_t m = last_catch_all; m < f && !reachable[f]; ++m)
          reachable[f] = reachable[m] && passes_tasks_on(wf.filters[m]);
      }
      if (!reachable[f]) {
        const WorkflowFilter& catcher = wf.filters[last_catch_all];
        warn(wf.filters[f].where,
             fmt::format(
                 "{} of workflow '{}' is never used: {} above it (expression \"{}\") matches every "
                 "task{}; move this filter above it, or narrow that filter's expression",
                 filter_name(wf.filters[f], f), wf.name, filter_name(catcher, last_catch_all),
                 catcher.expression.text(),
                 passes_tasks_on(catcher) ? " and no task falls through to here"
                                          : " and keeps it (its last target has no timeout)"));
      }
      if (wf.filters[f].expression.is_always_true()) last_catch_all = f;
    }

    for (std::size_t f = 0; f < n; ++f) {
      const WorkflowFilter& filter = wf.filters[f];
      lint_shapes(filter.expression, filter.where,
                  fmt::format("{} of workflow '{}'", filter_name(filter, f), wf.name), streams);
      lint_types(filter.expression, filter.where,
                 fmt::format("{} of workflow '{}'", filter_name(filter, f), wf.name), streams);
      if (reachable[f]) lint_trace_match(wf, f, streams);
      for (std::size_t t = 0; t < filter.targets.size(); ++t) {
        const WorkflowTarget& target = filter.targets[t];
        const std::string owner =
            fmt::format("target {} of {} of workflow '{}'", t + 1, filter_name(filter, f), wf.name);
        if (target.expression) {
          lint_shapes(*target.expression, target.where, owner, streams);
          lint_types(*target.expression, target.where, owner, streams);
        }
        if (target.skip_if)
          lint_shapes(*target.skip_if, target.where, owner + " (skip_if)", streams);
        if (!reachable[f]) continue;
        if (target.expression) lint_target_expression(w, f, t, owner);
        lint_known_worker(wf, w, target, owner);
      }
      if (reachable[f]) lint_final_timeout(wf, f);
      if (reachable[f]) lint_skip_out(wf, f);
    }
  }

  /// The last target has a skip_if, default_filter exists and no later filter can match, and a
  /// task may have settled in an earlier step (one with a timeout, in this filter or an earlier
  /// one): that task skipping out goes to default_filter, or with skip_out_cancels is canceled.
  /// The two readings of TaskRouter's docs differ here (docs/semantics.md).
  void lint_skip_out(const Workflow& wf, std::size_t f) {
    const WorkflowFilter& filter = wf.filters[f];
    if (filter.targets.empty() || !filter.targets.back().skip_if ||
        wf.default_target.queue == kNoId)
      return;
    for (std::size_t later = f + 1; later < wf.filters.size(); ++later)
      if (!wf.filters[later].targets.empty() && !is_constant_false(wf.filters[later].expression))
        return;
    bool settled_before = false;
    for (std::size_t m = 0; m <= f; ++m) {
      const std::vector<WorkflowTarget>& ts = wf.filters[m].targets;
      const std::size_t n = m == f ? ts.size() - 1 : ts.size();
      for (std::size_t t = 0; t < n; ++t) settled_before = settled_before || ts[t].timeout;
    }
    if (!settled_before) return;
    const WorkflowTarget& last = filter.targets.back();
    warn(last.where,
         fmt::format(
             "a task that waited in an earlier step and then skips out of the last target of {} "
             "of workflow '{}' (skip_if \"{}\") goes to default_filter (queue '{}'), as "
             "TaskRouter's worker-presence page evaluates a skipped filter as not matched; its "
             "event reference ('workflow.skipped: Task skipped out of Workflow') reads it as "
             "canceled. {}",
             filter_name(filter, f), wf.name, last.skip_if->text(),
             queue_name(wf.default_target.queue),
             wf.skip_out_cancels
                 ? "This workflow sets skip_out_cancels: true, so trsim cancels it"
                 : "trsim follows the first; set skip_out_cancels: true on the workflow for the "
                   "second"));
  }

  static bool passes_tasks_on(const WorkflowFilter& f) {
    if (f.targets.empty()) return true;  // the router skips a filter without targets
    return f.targets.back().timeout.has_value() || f.targets.back().skip_if.has_value();
  }

  /// The last target has a timeout and no later filter can take the task: it is canceled.
  void lint_final_timeout(const Workflow& wf, std::size_t f) {
    const WorkflowFilter& filter = wf.filters[f];
    if (filter.targets.empty() || !filter.targets.back().timeout) return;
    for (std::size_t later = f + 1; later < wf.filters.size(); ++later)
      if (!wf.filters[later].targets.empty() && !is_constant_false(wf.filters[later].expression))
        return;
    SimTime total = 0;
    for (const WorkflowTarget& t : filter.targets) total += t.timeout.value_or(0);
    const WorkflowTarget& last = filter.targets.back();
    warn(last.where,
         fmt::format(
             "the last target of {} of workflow '{}' has a timeout ({}) and no later filter can "
             "match: tasks still waiting {} after entering the filter are canceled ('Task canceled "
             "on Workflow timeout'); default_filter does not catch them. Remove this timeout to "
             "keep them in queue '{}', or add a last target without a timeout (e.g. {{queue: {}}})",
             filter_name(filter, f), wf.name, describe_duration(*last.timeout),
             describe_duration(total), queue_name(last.queue),
             queue_name(wf.default_target.queue != kNoId ? wf.default_target.queue : last.queue)));
  }

  /// A target expression that no worker of the target's queue satisfies for any task that can
  /// reach the filter.
  void lint_target_expression(WorkflowId w, std::size_t f, std::size_t t,
                              const std::string& owner) {
    const WorkflowFilter& filter = sc_.workflows[w].filters[f];
    const WorkflowTarget& target = filter.targets[t];
    const Expression& e = *target.expression;
    if (e.is_always_true() || target.queue >= members_.size() || members_[target.queue].empty())
      return;
    if (reads_varying_facts(e)) return;
    const bool filter_varies = reads_varying_facts(filter.expression);
    std::vector<std::string> streams;
    std::size_t tasks = 0;
    for (const StreamId s : streams_of_[w]) {
      bool stream_counted = false;
      for (const Value& task : samples_[s]) {
        EvalContext ctx;
        ctx.task = &task;
        ctx.wall_clock_seconds = sc_.start_epoch_seconds;
        if (!filter_varies && !filter.expression.evaluate(ctx)) continue;  // never in this filter
        if (!stream_counted) streams.push_back(sc_.arrivals[s].name);
        stream_counted = true;
        ++tasks;
        for (const WorkerId worker : members_[target.queue]) {
          ctx.worker = &facts_[worker];
          if (e.evaluate(ctx)) return;
        }
      }
    }
    if (tasks == 0) return;  // no task reaches the filter: nothing to say about its targets
    const bool last = t + 1 == filter.targets.size();
    warn(target.where,
         fmt::format(
             "{}: expression \"{}\" is false for every worker of queue '{}' ({} workers) with the "
             "tasks of arrival streams {}: no task is ever offered in this step, {}; check the "
             "attribute names and values on both sides (task.<attribute>, worker.<attribute>)",
             owner, e.text(), queue_name(target.queue), members_[target.queue].size(),
             quoted_names(streams),
             target.timeout ? fmt::format("tasks just wait out its timeout ({})",
                                          describe_duration(*target.timeout))
             : last         ? "and tasks wait there until they are abandoned or their TTL ends"
                    : "and tasks wait there until they are abandoned or their TTL ends (later "
                      "targets are never reached: this one has no timeout)"));
  }

  /// known_worker_sid / known_worker_friendly_name naming a task attribute no stream sets.
  void lint_known_worker(const Workflow& wf, WorkflowId w, const WorkflowTarget& target,
                         const std::string& owner) {
    const std::vector<StreamId>& streams = streams_of_[w];
    if (streams.empty()) return;  // the unused-workflow lint says it already
    const auto check = [&](const std::string& attribute, std::string_view key) {
      if (attribute.empty()) return;
      const Path path = parse_dotted(attribute);
      bool set = false;
      for (const StreamId s : streams)
        for_each_task_root(s, [&](const Value& root) {
          const Value* v = lookup(root, path);
          if (v != nullptr && !v->is_null()) set = true;
        });
      if (set) return;
      warn(target.where,
           fmt::format("{}: {} names task attribute '{}', which no arrival stream of workflow '{}' "
                       "sets ({}): no worker is ever offered a task in this step; set '{}' in the "
                       "streams' attributes (or trace column), or fix the name",
                       owner, key, attribute, wf.name, quoted_names(stream_names(streams)),
                       attribute));
    };
    check(target.known_worker_sid_attribute, "known_worker_sid");
    check(target.known_worker_name_attribute, "known_worker_friendly_name");
  }

  const Scenario& sc_;
  std::vector<std::vector<ChannelFacts>> channel_facts_;  ///< per worker (facts_ points into it)
  std::vector<WorkerFacts> facts_;                        ///< per worker, at time 0
  std::vector<std::vector<WorkerId>> members_;            ///< per queue
  std::vector<std::vector<StreamId>> streams_of_;         ///< per workflow
  std::map<StreamId, DistinctRows> distinct_rows_;        ///< per trace stream a filter tested
  std::vector<std::vector<Value>> samples_;               ///< per stream: task attribute sets
  std::vector<std::vector<Value>> pick_roots_;  ///< per stream: {path: option} per pick option
  std::vector<Diagnostic> out_;
};

}  // namespace

std::vector<Diagnostic> lint_scenario(const Scenario& scenario, const LintOptions& options) {
  std::vector<Diagnostic> lints = Linter(scenario).run();
  // The scenario file first, then other files (a configuration_file) by name; each by position.
  const auto rank = [&](const SourceLocation& at) {
    return at.file == scenario.source_file ? 0 : 1;
  };
  std::stable_sort(lints.begin(), lints.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    if (rank(a.where) != rank(b.where)) return rank(a.where) < rank(b.where);
    if (a.where.file != b.where.file) return a.where.file < b.where.file;
    if (a.where.line != b.where.line) return a.where.line < b.where.line;
    return a.where.column < b.where.column;
  });
  if (options.strict)
    for (Diagnostic& d : lints) d.severity = Diagnostic::Severity::error;
  return lints;
}

int lint_exit_code(const std::vector<Diagnostic>& lints) {
  const bool failed = std::any_of(lints.begin(), lints.end(), [](const Diagnostic& d) {
    return d.severity == Diagnostic::Severity::error;
  });
  return failed ? 2 : 0;
}

}  // namespace trsim
