#pragma once
// TaskRouter's expression language (target_workers, filter expressions, target expressions,
// skip_if), compiled once when the scenario loads and evaluated without allocation during the run.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trsim/value.hpp"

namespace trsim {

namespace detail {
struct ExpressionProgram;
}

/// What an expression is about, which decides what a bare key and each prefix refer to.
enum class ExpressionScope : std::uint8_t {
  task,     ///< filter expression: bare keys are task attributes (`language == 'es'`)
  worker,   ///< queue target_workers: bare keys are worker attributes (`languages HAS 'es'`)
  target,   ///< workflow target expression: `task.` and `worker.` prefixes; bare keys are worker's
  skip_if,  ///< skip_if: `workers.available|unavailable|<activity>` counts, `task.` attributes
};

/// The per-channel facts a target expression may read (`worker.channel.voice.assigned_tasks`).
struct ChannelFacts {
  std::string_view name;
  int assigned_tasks = 0;  ///< tasks assigned (accepted or wrapping), not pending offers
  int configured_capacity = 0;
  int available_capacity_percentage = 0;
  bool available = true;  ///< the worker channel's `available`
};

/// A worker as an expression sees it.
struct WorkerFacts {
  const Value* attributes = nullptr;
  std::string_view sid;
  std::string_view friendly_name;
  std::string_view activity_name;
  std::span<const ChannelFacts> channels;
  std::string_view activity_sid;
  bool available = false;  ///< the worker's activity is an available one
};

/// Worker counts over the step's queue, for skip_if (`workers.available`, `workers.Break`, ...).
struct WorkerCounts {
  int available = 0;
  int unavailable = 0;
  /// (activity friendly name or sid, number of the queue's workers in it): both per activity
  std::span<const std::pair<std::string_view, int>> by_activity;
};

/// Everything an evaluation may read. Pointers may be null when the scope cannot refer to them.
struct EvalContext {
  const Value* task = nullptr;          ///< task attributes (an object)
  const WorkerFacts* worker = nullptr;  ///< the candidate worker
  const WorkerCounts* workers = nullptr;
  /// Simulated wall clock, seconds since the Unix epoch (UTC), for taskrouter.currentTime,
  /// taskrouter.currentHour, taskrouter.currentMin, taskrouter.dayOfWeek.
  std::int64_t wall_clock_seconds = 0;
};

/// A parse error: `offset` is the byte offset in the expression text.
struct ExpressionError {
  std::size_t offset = 0;
  std::string message;
};

/// One comparison of the compiled expression, for lints: `languages HAS 'es'` gives
/// {path "languages", op "HAS", constant 'es'}.
struct ExpressionComparison {
  std::string path;  ///< dotted attribute path as written (with prefix), empty if not a key
  std::string op;    ///< canonical operator: == != > >= < <= CONTAINS HAS IN NOT_IN
  std::optional<Value> constant;  ///< the constant operand, if one side is a constant
  std::size_t offset = 0;         ///< byte offset of the comparison in the text
  /// The right operand's path when both operands are keys (`worker.languages HAS task.language`
  /// gives path "worker.languages", other_path "task.language").
  std::string other_path;
  /// True when the constant is the left operand (`'es' IN languages`): `path` is then the right.
  bool constant_first = false;
};

class Expression {
 public:
  /// The always-true expression `1==1`.
  Expression();

  /// Compiles `text`. On failure returns the error (offset + message) through `error`.
  static std::optional<Expression> parse(std::string_view text, ExpressionScope scope,
                                         ExpressionError* error);

  bool evaluate(const EvalContext& ctx) const;

  const std::string& text() const;
  ExpressionScope scope() const;
  /// True when the expression is a tautology by construction (`1==1`, `true`): callers skip it.
  bool is_always_true() const;
  /// True when the expression reads worker data (bare keys in worker scope, `worker.` in target).
  bool reads_worker() const;
  /// True when the expression reads the simulated clock (taskrouter.currentTime and friends):
  /// its answer may then change over time for the same attributes.
  bool reads_clock() const;
  /// The comparisons it contains, in text order (for `trsim validate` lints).
  std::vector<ExpressionComparison> comparisons() const;
  /// skip_if scope: the activities it counts workers in (`workers.Break`, `workers.WA…`: "Break",
  /// "WA…"), in text order, for the loader to check that each names an activity.
  std::vector<std::string> activity_references() const;

 private:
  std::shared_ptr<const detail::ExpressionProgram> program_;
};

}  // namespace trsim
