#include "trsim/expression.hpp"

#include "expr/compiler.hpp"
#include "expr/program.hpp"

namespace trsim {

namespace {

/// The program of `1==1`, shared by every default-constructed Expression.
std::shared_ptr<const detail::ExpressionProgram> always_true_program() {
  static const std::shared_ptr<const detail::ExpressionProgram> program =
      detail::compile_expression("1==1", ExpressionScope::worker, nullptr);
  return program;
}

}  // namespace

Expression::Expression() : program_(always_true_program()) {}

std::optional<Expression> Expression::parse(std::string_view text, ExpressionScope scope,
                                            ExpressionError* error) {
  std::shared_ptr<const detail::ExpressionProgram> program =
      detail::compile_expression(text, scope, error);
  if (program == nullptr) return std::nullopt;
  Expression e;
  e.program_ = std::move(program);
  return e;
}

bool Expression::evaluate(const EvalContext& ctx) const {
  return detail::run_program(*program_, ctx);
}

const std::string& Expression::text() const { return program_->text; }
ExpressionScope Expression::scope() const { return program_->scope; }
bool Expression::is_always_true() const { return program_->always_true; }
bool Expression::reads_worker() const { return program_->reads_worker; }
bool Expression::reads_clock() const { return program_->reads_clock; }
std::vector<ExpressionComparison> Expression::comparisons() const { return program_->comparisons; }

std::vector<std::string> Expression::activity_references() const {
  std::vector<std::string> names;
  for (const detail::Instruction& in : program_->code) {
    for (const detail::Operand* o : {&in.lhs, &in.rhs}) {
      if (o->source == detail::OperandSource::workers_in_activity)
        names.push_back(program_->names[o->index]);
    }
  }
  return names;
}

}  // namespace trsim
