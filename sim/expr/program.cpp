#include "expr/program.hpp"

namespace trsim::detail {

std::string_view canonical_name(CompareOp op) {
  switch (op) {
    case CompareOp::eq:
      return "==";
    case CompareOp::ne:
      return "!=";
    case CompareOp::gt:
      return ">";
    case CompareOp::ge:
      return ">=";
    case CompareOp::lt:
      return "<";
    case CompareOp::le:
      return "<=";
    case CompareOp::contains:
      return "CONTAINS";
    case CompareOp::has:
      return "HAS";
    case CompareOp::in:
      return "IN";
    case CompareOp::not_in:
      return "NOT_IN";
  }
  return "?";
}

bool reads_clock(OperandSource source) {
  switch (source) {
    case OperandSource::clock_current_time:
    case OperandSource::clock_current_hour:
    case OperandSource::clock_current_minute:
    case OperandSource::clock_day_of_week:
      return true;
    default:
      return false;
  }
}

bool reads_worker(OperandSource source) {
  switch (source) {
    case OperandSource::worker_path:
    case OperandSource::worker_sid:
    case OperandSource::worker_friendly_name:
    case OperandSource::worker_activity_name:
    case OperandSource::worker_activity_sid:
    case OperandSource::worker_available:
    case OperandSource::channel_available:
    case OperandSource::channel_assigned_tasks:
    case OperandSource::channel_configured_capacity:
    case OperandSource::channel_available_capacity_percentage:
      return true;
    default:
      return false;
  }
}

ValueView view_of(const Value& v) {
  ValueView out;
  out.kind = v.kind();
  switch (out.kind) {
    case Value::Kind::null:
      break;
    case Value::Kind::boolean:
      out.boolean = v.as_bool();
      break;
    case Value::Kind::number:
      out.number = v.as_number();
      break;
    case Value::Kind::string:
      out.string = v.as_string();
      break;
    case Value::Kind::array:
    case Value::Kind::object:
      out.composite = &v;
      break;
  }
  return out;
}

namespace {

ValueView number_view(double d) {
  ValueView out;
  out.kind = Value::Kind::number;
  out.number = d;
  return out;
}

ValueView bool_view(bool b) {
  ValueView out;
  out.kind = Value::Kind::boolean;
  out.boolean = b;
  return out;
}

ValueView string_view_of(std::string_view s) {
  ValueView out;
  out.kind = Value::Kind::string;
  out.string = s;
  return out;
}

/// Same kind and equal value; numbers compare numerically (so 3 == 3.0), null equals null.
bool views_equal(const ValueView& a, const ValueView& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Value::Kind::null:
      return true;
    case Value::Kind::boolean:
      return a.boolean == b.boolean;
    case Value::Kind::number:
      return a.number == b.number;
    case Value::Kind::string:
      return a.string == b.string;
    case Value::Kind::array:
    case Value::Kind::object:
      return *a.composite == *b.composite;
  }
  return false;
}

bool array_contains(const Value& array, const ValueView& x) {
  for (const Value& e : array.as_array()) {
    if (views_equal(view_of(e), x)) return true;
  }
  return false;
}

/// IN: `lhs` is an element of the array `rhs`; an array `lhs` is IN when any of its elements is.
bool is_in(const ValueView& lhs, const ValueView& rhs) {
  if (rhs.kind != Value::Kind::array) return false;
  if (lhs.kind == Value::Kind::array) {
    for (const Value& e : lhs.composite->as_array()) {
      if (array_contains(*rhs.composite, view_of(e))) return true;
    }
    return false;
  }
  return array_contains(*rhs.composite, lhs);
}

/// Orders numbers with numbers and strings with strings; -2/0/+2 encode less/equal/greater and
/// kUnordered any other pairing, for which every ordering operator is false.
constexpr int kUnordered = 99;
int order(const ValueView& a, const ValueView& b) {
  if (a.kind == Value::Kind::number && b.kind == Value::Kind::number) {
    if (a.number < b.number) return -1;
    if (a.number > b.number) return 1;
    if (a.number == b.number) return 0;
    return kUnordered;  // NaN
  }
  if (a.kind == Value::Kind::string && b.kind == Value::Kind::string) {
    const int c = a.string.compare(b.string);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return kUnordered;
}

}  // namespace

bool apply_comparison(CompareOp op, const ValueView& lhs, const ValueView& rhs) {
  switch (op) {
    case CompareOp::eq:
      return views_equal(lhs, rhs);
    case CompareOp::ne:
      return !views_equal(lhs, rhs);
    case CompareOp::gt:
      return order(lhs, rhs) == 1;
    case CompareOp::ge: {
      const int o = order(lhs, rhs);
      return o == 1 || o == 0;
    }
    case CompareOp::lt:
      return order(lhs, rhs) == -1;
    case CompareOp::le: {
      const int o = order(lhs, rhs);
      return o == -1 || o == 0;
    }
    case CompareOp::contains:
      return lhs.kind == Value::Kind::string && rhs.kind == Value::Kind::string &&
             lhs.string.find(rhs.string) != std::string_view::npos;
    case CompareOp::has:
      return lhs.kind == Value::Kind::array && array_contains(*lhs.composite, rhs);
    case CompareOp::in:
      return is_in(lhs, rhs);
    case CompareOp::not_in:
      return rhs.kind == Value::Kind::array && !is_in(lhs, rhs);
  }
  return false;
}

ClockFacts clock_facts(std::int64_t wall_clock_seconds) {
  constexpr std::int64_t kSecondsPerDay = 86400;
  // Floor division, so that instants before 1970 still get the right day and time of day.
  std::int64_t days = wall_clock_seconds / kSecondsPerDay;
  std::int64_t second_of_day = wall_clock_seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  // 1970-01-01 was a Thursday, day 3 when Monday is 0.
  std::int64_t weekday = (days + 3) % 7;
  if (weekday < 0) weekday += 7;
  ClockFacts out;
  out.hour = static_cast<int>(second_of_day / 3600);
  out.minute = static_cast<int>(second_of_day % 3600 / 60);
  out.day_of_week = static_cast<int>(weekday);
  return out;
}

std::string_view day_of_week_name(int day_of_week) {
  static constexpr std::string_view kNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  if (day_of_week < 0 || day_of_week > 6) return {};
  return kNames[day_of_week];
}

namespace {

ValueView resolve_path(const Value* root, const AttributePath& path) {
  const Value* v = root;
  for (const PathStep& step : path) {
    if (v == nullptr) break;
    if (step.is_index) {
      v = v->is_array() && step.index < v->as_array().size() ? &v->as_array()[step.index] : nullptr;
    } else {
      v = v->find(step.key);
    }
  }
  return v != nullptr ? view_of(*v) : ValueView{};  // a missing key reads as null
}

const ChannelFacts* find_channel(const WorkerFacts* worker, std::string_view name) {
  if (worker == nullptr) return nullptr;
  for (const ChannelFacts& c : worker->channels) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

ValueView resolve(const ExpressionProgram& p, const Operand& operand, const EvalContext& ctx) {
  const WorkerFacts* worker = ctx.worker;
  switch (operand.source) {
    case OperandSource::constant:
      return view_of(p.constants[operand.index]);
    case OperandSource::task_path:
      return resolve_path(ctx.task, p.paths[operand.index]);
    case OperandSource::worker_path:
      return resolve_path(worker != nullptr ? worker->attributes : nullptr, p.paths[operand.index]);
    case OperandSource::worker_sid:
      return worker != nullptr ? string_view_of(worker->sid) : ValueView{};
    case OperandSource::worker_friendly_name:
      return worker != nullptr ? string_view_of(worker->friendly_name) : ValueView{};
    case OperandSource::worker_activity_name:
      return worker != nullptr ? string_view_of(worker->activity_name) : ValueView{};
    case OperandSource::worker_activity_sid:
      return worker != nullptr ? string_view_of(worker->activity_sid) : ValueView{};
    case OperandSource::worker_available:
      return worker != nullptr ? bool_view(worker->available) : ValueView{};
    case OperandSource::channel_available: {
      const ChannelFacts* c = find_channel(worker, p.names[operand.index]);
      return c != nullptr ? bool_view(c->available) : ValueView{};
    }
    case OperandSource::channel_assigned_tasks:
    case OperandSource::channel_configured_capacity:
    case OperandSource::channel_available_capacity_percentage: {
      const ChannelFacts* c = find_channel(worker, p.names[operand.index]);
      if (c == nullptr) return ValueView{};
      const int n = operand.source == OperandSource::channel_assigned_tasks ? c->assigned_tasks
                    : operand.source == OperandSource::channel_configured_capacity
                        ? c->configured_capacity
                        : c->available_capacity_percentage;
      return number_view(n);
    }
    case OperandSource::workers_available:
      return ctx.workers != nullptr ? number_view(ctx.workers->available) : ValueView{};
    case OperandSource::workers_unavailable:
      return ctx.workers != nullptr ? number_view(ctx.workers->unavailable) : ValueView{};
    case OperandSource::workers_in_activity: {
      if (ctx.workers == nullptr) return ValueView{};
      const std::string_view name = p.names[operand.index];
      for (const auto& [activity, count] : ctx.workers->by_activity) {
        if (activity == name) return number_view(count);
      }
      return number_view(0);  // an activity nobody is in (or that does not exist) counts 0
    }
    case OperandSource::clock_current_time: {
      const ClockFacts c = clock_facts(ctx.wall_clock_seconds);
      return number_view(c.hour * 100 + c.minute);
    }
    case OperandSource::clock_current_hour:
      return number_view(clock_facts(ctx.wall_clock_seconds).hour);
    case OperandSource::clock_current_minute:
      return number_view(clock_facts(ctx.wall_clock_seconds).minute);
    case OperandSource::clock_day_of_week:
      return string_view_of(day_of_week_name(clock_facts(ctx.wall_clock_seconds).day_of_week));
  }
  return ValueView{};
}

}  // namespace

bool run_program(const ExpressionProgram& program, const EvalContext& ctx) {
  bool acc = false;
  const std::size_t n = program.code.size();
  std::size_t pc = 0;
  while (pc < n) {
    const Instruction& in = program.code[pc];
    switch (in.code) {
      case OpCode::load_constant:
        acc = in.constant;
        break;
      case OpCode::compare:
        acc = apply_comparison(in.op, resolve(program, in.lhs, ctx), resolve(program, in.rhs, ctx));
        break;
      case OpCode::truthy: {
        const ValueView v = resolve(program, in.lhs, ctx);
        acc = v.kind == Value::Kind::boolean && v.boolean;
        break;
      }
      case OpCode::negate:
        acc = !acc;
        break;
      case OpCode::jump_if_true:
        if (acc) {
          pc = in.target;
          continue;
        }
        break;
      case OpCode::jump_if_false:
        if (!acc) {
          pc = in.target;
          continue;
        }
        break;
    }
    ++pc;
  }
  return acc;
}

}  // namespace trsim::detail
