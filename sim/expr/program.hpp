#pragma once
// The compiled form of an expression and the machine that runs it. A program is a flat list of
// instructions over a single boolean accumulator: comparisons set it, AND/OR become forward jumps
// that short-circuit, NOT negates it. Operands are resolved to views of existing data (attribute
// Values, constants owned by the program, worker facts), so running a program never allocates.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/expression.hpp"
#include "trsim/value.hpp"

namespace trsim::detail {

enum class CompareOp : std::uint8_t { eq, ne, gt, ge, lt, le, contains, has, in, not_in };

/// The canonical spelling of an operator, as ExpressionComparison::op reports it.
std::string_view canonical_name(CompareOp op);

/// Where an operand's value comes from. `index` of the Operand selects the constant, the
/// attribute path or the name (channel or activity) the source needs.
enum class OperandSource : std::uint8_t {
  constant,                ///< constants[index]
  task_path,               ///< paths[index] inside ctx.task
  worker_path,             ///< paths[index] inside ctx.worker->attributes
  worker_sid,              ///< worker.sid (target scope)
  worker_friendly_name,    ///< worker.friendly_name
  worker_activity_name,    ///< worker.activity_name
  worker_activity_sid,     ///< worker.activity_sid
  worker_available,        ///< worker.available (its activity's availability)
  channel_available,       ///< worker.channel.<names[index]>.available
  channel_assigned_tasks,  ///< worker.channel.<names[index]>.assigned_tasks
  channel_configured_capacity,
  channel_available_capacity_percentage,
  workers_available,     ///< workers.available (skip_if scope)
  workers_unavailable,   ///< workers.unavailable
  workers_in_activity,   ///< workers.<names[index]>
  clock_current_time,    ///< taskrouter.currentTime, HHMM as an integer
  clock_current_hour,    ///< taskrouter.currentHour
  clock_current_minute,  ///< taskrouter.currentMin
  clock_day_of_week,     ///< taskrouter.dayOfWeek, "Mon".."Sun"
};

struct Operand {
  OperandSource source = OperandSource::constant;
  std::uint32_t index = 0;
};

/// True when reading the operand needs the candidate worker.
bool reads_worker(OperandSource source);
/// True when the operand is one of the taskrouter.* clock facts.
bool reads_clock(OperandSource source);

/// One step of an attribute path: a member name, or an array index (`[2]`).
struct PathStep {
  std::string key;
  std::uint32_t index = 0;
  bool is_index = false;
};
using AttributePath = std::vector<PathStep>;

enum class OpCode : std::uint8_t {
  load_constant,  ///< acc = constant
  compare,        ///< acc = op(lhs, rhs)
  truthy,         ///< acc = lhs is boolean true (a bare operand used as a condition)
  negate,         ///< acc = !acc
  jump_if_true,   ///< if (acc) pc = target (OR short-circuit)
  jump_if_false,  ///< if (!acc) pc = target (AND short-circuit)
};

struct Instruction {
  OpCode code = OpCode::load_constant;
  CompareOp op = CompareOp::eq;
  bool constant = false;
  std::uint32_t target = 0;  ///< jumps only; always forward, so every program terminates
  Operand lhs;
  Operand rhs;
};

struct ExpressionProgram {
  std::string text;
  ExpressionScope scope = ExpressionScope::worker;
  std::vector<Instruction> code;
  std::vector<Value> constants;
  std::vector<AttributePath> paths;
  std::vector<std::string> names;
  std::vector<ExpressionComparison> comparisons;
  bool always_true = false;
  bool reads_worker = false;
  bool reads_clock = false;
};

/// A value as an operator sees it: either a view of a Value, or a fact (a count, a worker sid)
/// that exists only as a number or a string_view. Viewing never copies a string.
struct ValueView {
  Value::Kind kind = Value::Kind::null;
  bool boolean = false;
  double number = 0.0;
  std::string_view string;
  const Value* composite = nullptr;  ///< the array or object itself, for those kinds
};

ValueView view_of(const Value& v);

/// The operator semantics of §1: a wrong-typed operand makes the comparison false.
bool apply_comparison(CompareOp op, const ValueView& lhs, const ValueView& rhs);

/// Runs a compiled program. Never allocates and never throws.
bool run_program(const ExpressionProgram& program, const EvalContext& ctx);

/// The wall-clock facts TaskRouter exposes as taskrouter.*, from seconds since the Unix epoch
/// (UTC).
struct ClockFacts {
  int hour = 0;
  int minute = 0;
  int day_of_week = 0;  ///< 0 = Monday .. 6 = Sunday
};
ClockFacts clock_facts(std::int64_t wall_clock_seconds);
/// "Mon".."Sun" for day_of_week 0..6.
std::string_view day_of_week_name(int day_of_week);

}  // namespace trsim::detail
