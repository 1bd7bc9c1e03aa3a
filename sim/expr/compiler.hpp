#pragma once
// Text → ExpressionProgram: lexer, recursive-descent parser, constant folding, code emission.
#include <cstddef>
#include <memory>
#include <string_view>

#include "expr/program.hpp"

namespace trsim::detail {

/// Deepest nesting of parentheses, NOT and array brackets the parser accepts. Real expressions
/// nest a few levels; the cap keeps the recursive parser's stack bounded on hostile input.
inline constexpr std::size_t kMaxExpressionDepth = 200;

/// Compiles `text` for `scope`. On failure returns nullptr and fills `error` (when not null).
std::shared_ptr<const ExpressionProgram> compile_expression(std::string_view text,
                                                            ExpressionScope scope,
                                                            ExpressionError* error);

}  // namespace trsim::detail
