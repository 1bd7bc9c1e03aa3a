#include "expr/compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace trsim::detail {
namespace {

// ---------------------------------------------------------------------------------------------
// Lexer

enum class TokenKind : std::uint8_t {
  end,
  error,  // a lexical error; the parser reports it when it reaches it, so earlier errors win
  string,
  number,
  key,
  kw_and,
  kw_or,
  kw_not,
  kw_in,
  kw_has,
  kw_contains,
  kw_true,
  kw_false,
  kw_null,
  op_eq,
  op_ne,
  op_gt,
  op_ge,
  op_lt,
  op_le,
  op_has,  // >-
  op_in,   // <-
  lparen,
  rparen,
  lbracket,
  rbracket,
  comma,
};

struct Token {
  TokenKind kind = TokenKind::end;
  std::size_t offset = 0;
  std::string_view text;     ///< as written
  std::string string_value;  ///< string tokens: the decoded literal
  double number = 0.0;       ///< number tokens
  AttributePath path;        ///< key tokens
  std::string error;         ///< error tokens: what is wrong at `offset`
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

char to_lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

/// Case-insensitive comparison with a lower-case keyword.
bool is_keyword(std::string_view word, std::string_view lower_keyword) {
  if (word.size() != lower_keyword.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (to_lower_ascii(word[i]) != lower_keyword[i]) return false;
  }
  return true;
}

/// A piece of the expression for a message, shortened so a long input cannot flood the output.
std::string excerpt(std::string_view s) {
  constexpr std::size_t kMax = 40;
  if (s.size() <= kMax) return std::string(s);
  return fmt::format("{}...", s.substr(0, kMax));
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  /// Every token, ending with an `end` token, or with an `error` token at the first lexical error.
  std::vector<Token> tokenize() {
    std::vector<Token> tokens;
    for (;;) {
      tokens.push_back(next());
      const TokenKind k = tokens.back().kind;
      if (k == TokenKind::end || k == TokenKind::error) return tokens;
    }
  }

 private:
  bool at_end() const { return pos_ >= text_.size(); }
  /// The character `ahead` places on, or '\0' past the end (never an identifier or digit).
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  Token make(TokenKind kind, std::size_t start) const {
    Token t;
    t.kind = kind;
    t.offset = start;
    t.text = text_.substr(start, pos_ - start);
    return t;
  }

  static Token fail(std::size_t offset, std::string message) {
    Token t;
    t.kind = TokenKind::error;
    t.offset = offset;
    t.error = std::move(message);
    return t;
  }

  Token next() {
    while (!at_end() && is_space(text_[pos_])) ++pos_;
    const std::size_t start = pos_;
    if (at_end()) return make(TokenKind::end, start);
    const char c = text_[pos_];
    if (c == '\'' || c == '"') return lex_string();
    const bool starts_number =
        is_digit(c) || (c == '.' && is_digit(peek(1))) ||
        (c == '-' && (is_digit(peek(1)) || (peek(1) == '.' && is_digit(peek(2)))));
    if (starts_number) return lex_number();
    if (is_ident_start(c)) return lex_word();
    ++pos_;
    switch (c) {
      case '(':
        return make(TokenKind::lparen, start);
      case ')':
        return make(TokenKind::rparen, start);
      case '[':
        return make(TokenKind::lbracket, start);
      case ']':
        return make(TokenKind::rbracket, start);
      case ',':
        return make(TokenKind::comma, start);
      case '=':
        if (peek() == '=') ++pos_;
        return make(TokenKind::op_eq, start);
      case '!':
        if (peek() == '=') {
          ++pos_;
          return make(TokenKind::op_ne, start);
        }
        return fail(start, "unexpected '!': use != to compare, or NOT to negate a condition");
      // Maximal munch, as TaskRouter reads them: `x>-1` is `x HAS 1`, not `x > -1`.
      case '>':
        if (peek() == '=' || peek() == '-') {
          ++pos_;
          return make(text_[start + 1] == '=' ? TokenKind::op_ge : TokenKind::op_has, start);
        }
        return make(TokenKind::op_gt, start);
      case '<':
        if (peek() == '=' || peek() == '-') {
          ++pos_;
          return make(text_[start + 1] == '=' ? TokenKind::op_le : TokenKind::op_in, start);
        }
        return make(TokenKind::op_lt, start);
      default:
        break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x21 && byte < 0x7f)
      return fail(start, fmt::format("unexpected character '{}'", c));
    return fail(start, fmt::format("unexpected byte 0x{:02x} (outside string literals, expressions "
                                   "are plain ASCII)",
                                   byte));
  }

  Token lex_string() {
    const std::size_t start = pos_;
    const char quote = text_[pos_++];
    std::string value;
    while (!at_end()) {
      const char c = text_[pos_++];
      if (c == quote) {
        Token t = make(TokenKind::string, start);
        t.string_value = std::move(value);
        return t;
      }
      // A backslash escapes a quote or a backslash; any other backslash is kept as written, so
      // that `'C:\temp'` means what it looks like.
      if (c == '\\' && (peek() == '\'' || peek() == '"' || peek() == '\\')) {
        value += text_[pos_++];
        continue;
      }
      value += c;
    }
    return fail(start, fmt::format("unterminated string: the {} opened here is never closed",
                                   quote == '\'' ? "quote (')" : "double quote (\")"));
  }

  Token lex_number() {
    const std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    while (is_digit(peek())) ++pos_;
    if (peek() == '.' && is_digit(peek(1))) {
      ++pos_;
      while (is_digit(peek())) ++pos_;
    }
    if ((peek() == 'e' || peek() == 'E') &&
        (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
      pos_ += 2;
      while (is_digit(peek())) ++pos_;
    }
    // A number glued to letters or to another dot ("1abc", "1.2.3", "1.") is not a number.
    if (is_ident_char(peek()) || peek() == '.') {
      while (is_ident_char(peek()) || peek() == '.') ++pos_;
      return fail(start,
                  fmt::format("invalid number '{}'", excerpt(text_.substr(start, pos_ - start))));
    }
    Token t = make(TokenKind::number, start);
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    const auto [ptr, ec] = std::from_chars(first, last, t.number);
    if (ec == std::errc::result_out_of_range) {
      return fail(start, fmt::format("number '{}' is out of range", excerpt(t.text)));
    }
    if (ec != std::errc() || ptr != last) {
      return fail(start, fmt::format("invalid number '{}'", excerpt(t.text)));
    }
    return t;
  }

  Token lex_word() {
    const std::size_t start = pos_;
    while (is_ident_char(peek())) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    // Keywords win even when glued to a bracket, so that `language IN['en']` reads as written.
    static constexpr std::pair<std::string_view, TokenKind> kKeywords[] = {
        {"and", TokenKind::kw_and},   {"or", TokenKind::kw_or},
        {"not", TokenKind::kw_not},   {"in", TokenKind::kw_in},
        {"has", TokenKind::kw_has},   {"contains", TokenKind::kw_contains},
        {"true", TokenKind::kw_true}, {"false", TokenKind::kw_false},
        {"null", TokenKind::kw_null},
    };
    for (const auto& [keyword, kind] : kKeywords) {
      if (is_keyword(word, keyword)) return make(kind, start);
    }

    AttributePath path;
    path.push_back(PathStep{std::string(word), 0, false});
    for (;;) {
      if (peek() == '.') {
        if (!is_ident_start(peek(1))) {
          return fail(pos_ + 1, fmt::format("expected an attribute name after '{}.'",
                                            excerpt(text_.substr(start, pos_ - start))));
        }
        ++pos_;
        const std::size_t name_start = pos_;
        while (is_ident_char(peek())) ++pos_;
        path.push_back(
            PathStep{std::string(text_.substr(name_start, pos_ - name_start)), 0, false});
      } else if (peek() == '[') {
        ++pos_;
        const std::size_t digits_start = pos_;
        std::uint64_t index = 0;
        while (is_digit(peek())) {
          if (index <= static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
            index = index * 10 + static_cast<std::uint64_t>(peek() - '0');
          }
          ++pos_;
        }
        if (pos_ == digits_start) {
          return fail(pos_, "expected an array index (a non-negative integer) after '['");
        }
        if (index > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
          return fail(digits_start,
                      fmt::format("array index '{}' is too large",
                                  excerpt(text_.substr(digits_start, pos_ - digits_start))));
        }
        if (peek() != ']') return fail(pos_, "expected ']' to close the array index");
        ++pos_;
        path.push_back(PathStep{std::string(), static_cast<std::uint32_t>(index), true});
      } else {
        break;
      }
    }
    if (peek() == '-' && is_ident_char(peek(1))) {
      std::size_t name_end = pos_;
      while (name_end < text_.size() &&
             (is_ident_char(text_[name_end]) || text_[name_end] == '-' || text_[name_end] == '.')) {
        ++name_end;
      }
      const std::string name(text_.substr(start, name_end - start));
      std::string suggestion = name;
      for (char& ch : suggestion) {
        if (ch == '-') ch = '_';
      }
      return fail(pos_, fmt::format("hyphens are not allowed in attribute names; rename '{}' "
                                    "(for example to '{}')",
                                    excerpt(name), excerpt(suggestion)));
    }
    Token t = make(TokenKind::key, start);
    t.path = std::move(path);
    return t;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Parser: builds a small tree, which is folded and then flattened into the program.
//
//   or_expr    := and_expr (OR and_expr)*
//   and_expr   := not_expr (AND not_expr)*
//   not_expr   := NOT not_expr | condition
//   condition  := '(' or_expr ')' | operand [comparison_operator operand]
//   operand    := key | constant
//   constant   := string | number | TRUE | FALSE | NULL | '[' [constant (',' constant)*] ']'

struct ParseFailure {
  ExpressionError error;
};

enum class NodeKind : std::uint8_t { constant, compare, truthy, negate, all, any };

struct Node {
  NodeKind kind = NodeKind::constant;
  bool constant = false;
  CompareOp op = CompareOp::eq;
  Operand lhs;
  Operand rhs;
  std::vector<std::uint32_t> children;  ///< negate: one; all (AND) / any (OR): two or more
};

std::optional<CompareOp> comparison_operator(TokenKind kind) {
  switch (kind) {
    case TokenKind::op_eq:
      return CompareOp::eq;
    case TokenKind::op_ne:
      return CompareOp::ne;
    case TokenKind::op_gt:
      return CompareOp::gt;
    case TokenKind::op_ge:
      return CompareOp::ge;
    case TokenKind::op_lt:
      return CompareOp::lt;
    case TokenKind::op_le:
      return CompareOp::le;
    case TokenKind::kw_contains:
      return CompareOp::contains;
    case TokenKind::kw_has:
    case TokenKind::op_has:
      return CompareOp::has;
    case TokenKind::kw_in:
    case TokenKind::op_in:
      return CompareOp::in;
    default:
      return std::nullopt;
  }
}

class Compiler {
 public:
  Compiler(std::string_view text, ExpressionScope scope)
      : text_(text), tokens_(Lexer(text).tokenize()) {
    program_.text = std::string(text);
    program_.scope = scope;
  }

  ExpressionProgram compile() {
    if (tokens_.front().kind == TokenKind::end) fail(0, "empty expression");
    std::uint32_t root = parse_or();
    const Token& t = peek();
    if (t.kind == TokenKind::rparen) {
      fail(t.offset, "unbalanced parenthesis: this ')' has no matching '('");
    }
    if (t.kind != TokenKind::end) {
      unexpected(t, fmt::format("expected AND, OR or the end of the expression after {}",
                                describe(previous())));
    }
    fold(root);
    emit(root);
    program_.always_true = nodes_[root].kind == NodeKind::constant && nodes_[root].constant;
    for (const Instruction& in : program_.code) {
      if ((in.code == OpCode::compare &&
           (reads_worker(in.lhs.source) || reads_worker(in.rhs.source))) ||
          (in.code == OpCode::truthy && reads_worker(in.lhs.source))) {
        program_.reads_worker = true;
      }
      if ((in.code == OpCode::compare &&
           (reads_clock(in.lhs.source) || reads_clock(in.rhs.source))) ||
          (in.code == OpCode::truthy && reads_clock(in.lhs.source))) {
        program_.reads_clock = true;
      }
    }
    return std::move(program_);
  }

 private:
  // -- tokens ----------------------------------------------------------------------------------

  const Token& peek(std::size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  /// Consumes a token. The last token (end or error) is never consumed past.
  const Token& advance() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }
  const Token& previous() const { return tokens_[pos_ == 0 ? 0 : pos_ - 1]; }

  /// How a message names a piece of the text: quoted, unless it is a string literal already.
  static std::string describe_text(std::string_view s) {
    if (!s.empty() && (s.front() == '\'' || s.front() == '"')) return excerpt(s);
    return fmt::format("'{}'", excerpt(s));
  }
  static std::string describe(const Token& t) {
    if (t.kind == TokenKind::end) return "the end of the expression";
    return describe_text(t.text);
  }
  /// The text from token `first` to the last consumed token, for messages about an operand.
  std::string_view span_from(std::size_t first) const {
    const Token& last = previous();
    return text_.substr(tokens_[first].offset,
                        last.offset + last.text.size() - tokens_[first].offset);
  }

  [[noreturn]] static void fail(std::size_t offset, std::string message) {
    throw ParseFailure{ExpressionError{offset, std::move(message)}};
  }
  /// Fails at `t`: with the lexer's message if `t` is a lexical error, else "<expected>, found t".
  [[noreturn]] static void unexpected(const Token& t, const std::string& expected) {
    if (t.kind == TokenKind::error) fail(t.offset, t.error);
    fail(t.offset, fmt::format("{}, found {}", expected, describe(t)));
  }

  void enter(const Token& t) {
    if (++depth_ > kMaxExpressionDepth) {
      fail(t.offset, fmt::format("expression nested too deeply (more than {} levels of "
                                 "parentheses, NOT or arrays)",
                                 kMaxExpressionDepth));
    }
  }
  void leave() { --depth_; }

  std::uint32_t add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<std::uint32_t>(nodes_.size() - 1);
  }

  // -- grammar ---------------------------------------------------------------------------------

  std::uint32_t parse_or() { return parse_chain(TokenKind::kw_or, NodeKind::any); }

  std::uint32_t parse_chain(TokenKind joiner, NodeKind kind) {
    const auto parse_operand_of_chain = [&] {
      return joiner == TokenKind::kw_or ? parse_chain(TokenKind::kw_and, NodeKind::all)
                                        : parse_not();
    };
    const std::uint32_t first = parse_operand_of_chain();
    if (peek().kind != joiner) return first;
    // n-ary rather than nested binary nodes: a long `a OR b OR c ...` stays one level deep.
    Node n;
    n.kind = kind;
    n.children.push_back(first);
    while (peek().kind == joiner) {
      advance();
      n.children.push_back(parse_operand_of_chain());
    }
    return add(std::move(n));
  }

  std::uint32_t parse_not() {
    if (peek().kind != TokenKind::kw_not) return parse_condition();
    enter(advance());
    Node n;
    n.kind = NodeKind::negate;
    n.children.push_back(parse_not());
    leave();
    return add(std::move(n));
  }

  std::uint32_t parse_condition() {
    const Token& first = peek();
    if (first.kind == TokenKind::lparen) {
      advance();
      enter(first);
      const std::uint32_t inner = parse_or();
      const Token& close = peek();
      if (close.kind == TokenKind::end) {
        fail(first.offset, "unbalanced parenthesis: this '(' is never closed");
      }
      if (close.kind != TokenKind::rparen) {
        unexpected(close, fmt::format("expected AND, OR or ')' after {}", describe(previous())));
      }
      advance();
      leave();
      return inner;
    }

    const std::size_t lhs_first = pos_;
    const Operand lhs =
        parse_operand(pos_ == 0 ? std::string("expected a key, a constant, NOT or '('")
                                : fmt::format("expected a key, a constant, NOT or '(' after {}",
                                              describe(previous())));
    const std::string_view lhs_text = span_from(lhs_first);

    const Token& op_token = peek();
    const std::size_t op_first = pos_;
    std::optional<CompareOp> op = comparison_operator(op_token.kind);
    if (op_token.kind == TokenKind::kw_not) {
      advance();
      if (peek().kind != TokenKind::kw_in) {
        unexpected(peek(), "expected IN after NOT (the operator is NOT IN)");
      }
      advance();
      op = CompareOp::not_in;
    } else if (op.has_value()) {
      advance();
    } else {
      switch (op_token.kind) {
        case TokenKind::kw_and:
        case TokenKind::kw_or:
        case TokenKind::rparen:
        case TokenKind::end: {
          // A bare operand used as a condition: true iff it is boolean true (`vip`, `true`).
          Node n;
          n.kind = NodeKind::truthy;
          n.lhs = lhs;
          return add(std::move(n));
        }
        default:
          unexpected(op_token,
                     fmt::format("expected an operator after {}", describe_text(lhs_text)));
      }
    }

    const std::size_t rhs_first = pos_;
    const Operand rhs = parse_operand(
        fmt::format("expected a key or a constant after {}", describe_text(span_from(op_first))));
    record_comparison(*op, lhs, lhs_text, rhs, span_from(rhs_first), tokens_[lhs_first].offset);

    Node n;
    n.kind = NodeKind::compare;
    n.op = *op;
    n.lhs = lhs;
    n.rhs = rhs;
    return add(std::move(n));
  }

  Operand parse_operand(const std::string& expected) {
    const Token& t = peek();
    if (t.kind == TokenKind::key) {
      advance();
      return resolve_key(t.path);
    }
    std::optional<Value> constant = parse_constant();
    if (!constant) unexpected(t, expected);
    program_.constants.push_back(std::move(*constant));
    return Operand{OperandSource::constant,
                   static_cast<std::uint32_t>(program_.constants.size() - 1)};
  }

  /// A constant at the current token, or nullopt (consuming nothing) when there is none.
  std::optional<Value> parse_constant() {
    const Token& t = peek();
    switch (t.kind) {
      case TokenKind::string:
        advance();
        return Value::string(t.string_value);
      case TokenKind::number:
        advance();
        return Value::number(t.number);
      case TokenKind::kw_true:
        advance();
        return Value::boolean(true);
      case TokenKind::kw_false:
        advance();
        return Value::boolean(false);
      case TokenKind::kw_null:
        advance();
        return Value();
      case TokenKind::lbracket:
        return parse_array();
      default:
        return std::nullopt;
    }
  }

  Value parse_array() {
    const Token& open = advance();
    enter(open);
    Value::Array items;
    if (peek().kind == TokenKind::rbracket) {
      advance();
      leave();
      return Value::array(std::move(items));
    }
    for (;;) {
      const Token& t = peek();
      if (t.kind == TokenKind::end)
        fail(open.offset, "unbalanced bracket: this '[' is never closed");
      if (t.kind == TokenKind::key) {
        fail(t.offset, fmt::format("arrays hold only constants, found the key {}; quote it if it "
                                   "is a string",
                                   describe(t)));
      }
      std::optional<Value> item = parse_constant();
      if (!item) unexpected(t, "expected a constant in the array");
      items.push_back(std::move(*item));
      const Token& separator = peek();
      if (separator.kind == TokenKind::comma) {
        advance();
        continue;
      }
      if (separator.kind == TokenKind::rbracket) {
        advance();
        break;
      }
      if (separator.kind == TokenKind::end) {
        fail(open.offset, "unbalanced bracket: this '[' is never closed");
      }
      unexpected(separator, "expected ',' or ']' in the array");
    }
    leave();
    return Value::array(std::move(items));
  }

  // -- keys and scopes -------------------------------------------------------------------------

  Operand path_operand(OperandSource source, const AttributePath& path, std::size_t skip) {
    program_.paths.emplace_back(path.begin() + static_cast<std::ptrdiff_t>(skip), path.end());
    return Operand{source, static_cast<std::uint32_t>(program_.paths.size() - 1)};
  }
  Operand name_operand(OperandSource source, const std::string& name) {
    program_.names.push_back(name);
    return Operand{source, static_cast<std::uint32_t>(program_.names.size() - 1)};
  }

  /// What a key refers to in this scope. Special names (taskrouter.*, worker.sid, workers.*)
  /// take precedence over attributes of the same name.
  Operand resolve_key(const AttributePath& p) {
    const auto member = [&](std::size_t i) -> std::string_view {
      return i < p.size() && !p[i].is_index ? std::string_view(p[i].key) : std::string_view();
    };
    const bool prefixed = p.size() >= 2 && !member(1).empty();  // `prefix.name...`

    if (p.size() == 2 && member(0) == "taskrouter") {
      if (member(1) == "currentTime") return Operand{OperandSource::clock_current_time, 0};
      if (member(1) == "currentHour") return Operand{OperandSource::clock_current_hour, 0};
      if (member(1) == "currentMin") return Operand{OperandSource::clock_current_minute, 0};
      if (member(1) == "dayOfWeek") return Operand{OperandSource::clock_day_of_week, 0};
    }

    switch (program_.scope) {
      case ExpressionScope::task:
        return path_operand(OperandSource::task_path, p, 0);
      case ExpressionScope::worker:
        return path_operand(OperandSource::worker_path, p, 0);
      case ExpressionScope::target:
        if (prefixed && member(0) == "task") return path_operand(OperandSource::task_path, p, 1);
        if (prefixed && member(0) == "worker") {
          if (p.size() == 2) {
            if (member(1) == "sid") return Operand{OperandSource::worker_sid, 0};
            if (member(1) == "friendly_name")
              return Operand{OperandSource::worker_friendly_name, 0};
            if (member(1) == "activity_name")
              return Operand{OperandSource::worker_activity_name, 0};
            if (member(1) == "activity_sid") return Operand{OperandSource::worker_activity_sid, 0};
            if (member(1) == "available") return Operand{OperandSource::worker_available, 0};
          }
          if (p.size() == 4 && member(1) == "channel" && !member(2).empty()) {
            if (member(3) == "assigned_tasks") {
              return name_operand(OperandSource::channel_assigned_tasks, p[2].key);
            }
            if (member(3) == "configured_capacity") {
              return name_operand(OperandSource::channel_configured_capacity, p[2].key);
            }
            if (member(3) == "available_capacity_percentage") {
              return name_operand(OperandSource::channel_available_capacity_percentage, p[2].key);
            }
            if (member(3) == "available") {
              return name_operand(OperandSource::channel_available, p[2].key);
            }
          }
          return path_operand(OperandSource::worker_path, p, 1);
        }
        return path_operand(OperandSource::worker_path, p, 0);
      case ExpressionScope::skip_if:
        if (p.size() == 2 && member(0) == "workers" && !member(1).empty()) {
          if (member(1) == "available") return Operand{OperandSource::workers_available, 0};
          if (member(1) == "unavailable") return Operand{OperandSource::workers_unavailable, 0};
          return name_operand(OperandSource::workers_in_activity, p[1].key);
        }
        if (prefixed && member(0) == "task") return path_operand(OperandSource::task_path, p, 1);
        return path_operand(OperandSource::task_path, p, 0);
    }
    return path_operand(OperandSource::task_path, p, 0);
  }

  void record_comparison(CompareOp op, const Operand& lhs, std::string_view lhs_text,
                         const Operand& rhs, std::string_view rhs_text, std::size_t offset) {
    const bool lhs_constant = lhs.source == OperandSource::constant;
    const bool rhs_constant = rhs.source == OperandSource::constant;
    ExpressionComparison c;
    c.op = std::string(canonical_name(op));
    c.offset = offset;
    if (!lhs_constant) {
      c.path = std::string(lhs_text);
      if (!rhs_constant) c.other_path = std::string(rhs_text);
    } else if (!rhs_constant) {
      c.path = std::string(rhs_text);
    }
    if (lhs_constant) {
      c.constant = program_.constants[lhs.index];
      c.constant_first = true;
    } else if (rhs_constant) {
      c.constant = program_.constants[rhs.index];
    }
    program_.comparisons.push_back(std::move(c));
  }

  // -- folding and emission --------------------------------------------------------------------

  const Value* constant_of(const Operand& o) const {
    return o.source == OperandSource::constant ? &program_.constants[o.index] : nullptr;
  }

  static void make_constant(Node& n, bool value) {
    n.kind = NodeKind::constant;
    n.constant = value;
    n.children.clear();
  }

  /// Folds node `id` in place. Evaluation has no side effects, so dropping or deciding
  /// sub-expressions at compile time never changes a result.
  void fold(std::uint32_t id) {
    // nodes_ does not grow while folding, so this reference stays valid across the recursion.
    Node& n = nodes_[id];
    switch (n.kind) {
      case NodeKind::constant:
        return;
      case NodeKind::compare: {
        const Value* a = constant_of(n.lhs);
        const Value* b = constant_of(n.rhs);
        if (a != nullptr && b != nullptr) {
          make_constant(n, apply_comparison(n.op, view_of(*a), view_of(*b)));
        }
        return;
      }
      case NodeKind::truthy: {
        const Value* a = constant_of(n.lhs);
        if (a != nullptr) make_constant(n, a->is_bool() && a->as_bool());
        return;
      }
      case NodeKind::negate: {
        fold(n.children[0]);
        const Node& child = nodes_[n.children[0]];
        if (child.kind == NodeKind::constant) make_constant(n, !child.constant);
        return;
      }
      case NodeKind::all:
      case NodeKind::any: {
        // A constant equal to `decisive` decides the whole chain (false for AND, true for OR);
        // the other constant is the identity and drops out.
        const bool decisive = n.kind == NodeKind::any;
        std::vector<std::uint32_t> kept;
        for (const std::uint32_t child_id : n.children) {
          fold(child_id);
          const Node& child = nodes_[child_id];
          if (child.kind != NodeKind::constant) {
            kept.push_back(child_id);
          } else if (child.constant == decisive) {
            make_constant(n, decisive);
            return;
          }
        }
        if (kept.empty()) {
          make_constant(n, !decisive);
        } else if (kept.size() == 1) {
          n = Node(nodes_[kept[0]]);
        } else {
          n.children = std::move(kept);
        }
        return;
      }
    }
  }

  void emit(std::uint32_t id) {
    const Node& n = nodes_[id];
    Instruction in;
    switch (n.kind) {
      case NodeKind::constant:
        in.code = OpCode::load_constant;
        in.constant = n.constant;
        program_.code.push_back(in);
        return;
      case NodeKind::compare:
        in.code = OpCode::compare;
        in.op = n.op;
        in.lhs = n.lhs;
        in.rhs = n.rhs;
        program_.code.push_back(in);
        return;
      case NodeKind::truthy:
        in.code = OpCode::truthy;
        in.lhs = n.lhs;
        program_.code.push_back(in);
        return;
      case NodeKind::negate:
        emit(n.children[0]);
        in.code = OpCode::negate;
        program_.code.push_back(in);
        return;
      case NodeKind::all:
      case NodeKind::any: {
        // Every child but the last is followed by a jump to the end of the chain, taken when
        // the accumulator already decides it: the accumulator then holds the chain's result.
        std::vector<std::size_t> jumps;
        for (std::size_t i = 0; i < n.children.size(); ++i) {
          emit(n.children[i]);
          if (i + 1 == n.children.size()) break;
          jumps.push_back(program_.code.size());
          in.code = n.kind == NodeKind::any ? OpCode::jump_if_true : OpCode::jump_if_false;
          program_.code.push_back(in);
        }
        const auto end = static_cast<std::uint32_t>(program_.code.size());
        for (const std::size_t j : jumps) program_.code[j].target = end;
        return;
      }
    }
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::size_t depth_ = 0;
  std::vector<Node> nodes_;
  ExpressionProgram program_;
};

}  // namespace

std::shared_ptr<const ExpressionProgram> compile_expression(std::string_view text,
                                                            ExpressionScope scope,
                                                            ExpressionError* error) {
  try {
    Compiler compiler(text, scope);
    return std::make_shared<const ExpressionProgram>(compiler.compile());
  } catch (const ParseFailure& failure) {
    if (error != nullptr) *error = failure.error;
    return nullptr;
  }
}

}  // namespace trsim::detail
