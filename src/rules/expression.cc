// Compiling (lexing, parsing, type checking against the catalogue) and evaluating
// expressions; the functions themselves live in the registry (functions.cc).
#include "qpan/expression.h"

#include <charconv>
#include <cmath>
#include <string>
#include <utility>

#include "rules/expression_node.h"
#include "rules/functions.h"

namespace qpan {

std::string_view expression_type_name(ExpressionType type) {
  return type == ExpressionType::kBoolean ? "boolean" : "number";
}

ExpressionValue ExpressionValue::number(double value) {
  ExpressionValue result;
  if (!std::isfinite(value)) return result;  // overflow, 0/0: no value, never inf or NaN
  result.kind_ = Kind::kNumber;
  result.number_ = value == 0 ? 0.0 : value;  // -0 reads as 0 everywhere
  return result;
}

ExpressionValue ExpressionValue::boolean(bool value) {
  ExpressionValue result;
  result.kind_ = Kind::kBoolean;
  result.boolean_ = value;
  return result;
}

std::string ExpressionValue::to_string() const {
  switch (kind_) {
    case Kind::kNone:
      return "no value";
    case Kind::kBoolean:
      return boolean_ ? "true" : "false";
    case Kind::kNumber:
      break;
  }
  char buffer[64];
  const auto written = std::to_chars(buffer, buffer + sizeof buffer, number_);
  return std::string(buffer, written.ptr);
}

bool ExpressionValue::operator==(const ExpressionValue& other) const {
  if (kind_ != other.kind_) return false;
  if (kind_ == Kind::kNumber) return number_ == other.number_;
  if (kind_ == Kind::kBoolean) return boolean_ == other.boolean_;
  return true;
}

namespace {

// ---- Nodes ----

class LiteralNode final : public ExpressionNode {
 public:
  explicit LiteralNode(ExpressionValue value) : value_(value) {}
  ExpressionValue evaluate(const EvaluationScope&) const override { return value_; }

 private:
  ExpressionValue value_;
};

class ReferenceNode final : public ExpressionNode {
 public:
  explicit ReferenceNode(ElementRef ref) : ref_(std::move(ref)) {}
  ExpressionValue evaluate(const EvaluationScope& scope) const override {
    const std::optional<double> value = scope.context.value(ref_, scope.unit, scope.period);
    if (!value) return ExpressionValue::none();
    if (ref_.type() == ExpressionType::kBoolean) return ExpressionValue::boolean(*value != 0);
    return ExpressionValue::number(*value);
  }

 private:
  ElementRef ref_;
};

class NegateNode final : public ExpressionNode {
 public:
  explicit NegateNode(ExpressionNodePtr operand) : operand_(std::move(operand)) {}
  ExpressionValue evaluate(const EvaluationScope& scope) const override {
    const ExpressionValue x = operand_->evaluate(scope);
    return x.has_value() ? ExpressionValue::number(-x.as_number()) : x;
  }

 private:
  ExpressionNodePtr operand_;
};

class NotNode final : public ExpressionNode {
 public:
  explicit NotNode(ExpressionNodePtr operand) : operand_(std::move(operand)) {}
  ExpressionValue evaluate(const EvaluationScope& scope) const override {
    const ExpressionValue x = operand_->evaluate(scope);
    return x.has_value() ? ExpressionValue::boolean(!x.as_boolean()) : x;
  }

 private:
  ExpressionNodePtr operand_;
};

enum class BinaryOperator { kAdd, kSubtract, kMultiply, kDivide, kLess, kLessEqual, kEqual,
                            kNotEqual, kGreaterEqual, kGreater, kAnd, kOr };

// Values are entered in decimal and summed in binary, so 0.1 + 0.2 is not exactly 0.3;
// comparisons treat numbers this close (relative to their size) as equal, so that a rule
// such as `export + import <= trade` does not fail on rounding noise.
bool nearly_equal(double a, double b) {
  constexpr double kRelativeTolerance = 1e-12;
  return std::fabs(a - b) <= kRelativeTolerance * std::fmax(std::fabs(a), std::fabs(b));
}

class BinaryNode final : public ExpressionNode {
 public:
  BinaryNode(BinaryOperator op, ExpressionNodePtr left, ExpressionNodePtr right)
      : op_(op), left_(std::move(left)), right_(std::move(right)) {}

  ExpressionValue evaluate(const EvaluationScope& scope) const override {
    if (op_ == BinaryOperator::kAnd || op_ == BinaryOperator::kOr) return logical(scope);
    const ExpressionValue a = left_->evaluate(scope);
    if (!a.has_value()) return a;
    const ExpressionValue b = right_->evaluate(scope);
    if (!b.has_value()) return b;
    if (a.is_boolean()) {  // == and != on two booleans (types were checked when compiling)
      const bool equal = a.as_boolean() == b.as_boolean();
      return ExpressionValue::boolean(op_ == BinaryOperator::kEqual ? equal : !equal);
    }
    const double x = a.as_number(), y = b.as_number();
    switch (op_) {
      case BinaryOperator::kAdd: return ExpressionValue::number(x + y);
      case BinaryOperator::kSubtract: return ExpressionValue::number(x - y);
      case BinaryOperator::kMultiply: return ExpressionValue::number(x * y);
      case BinaryOperator::kDivide:
        return y == 0 ? ExpressionValue::none() : ExpressionValue::number(x / y);
      case BinaryOperator::kLess: return ExpressionValue::boolean(x < y && !nearly_equal(x, y));
      case BinaryOperator::kLessEqual: return ExpressionValue::boolean(x < y || nearly_equal(x, y));
      case BinaryOperator::kEqual: return ExpressionValue::boolean(nearly_equal(x, y));
      case BinaryOperator::kNotEqual: return ExpressionValue::boolean(!nearly_equal(x, y));
      case BinaryOperator::kGreaterEqual:
        return ExpressionValue::boolean(x > y || nearly_equal(x, y));
      case BinaryOperator::kGreater: return ExpressionValue::boolean(x > y && !nearly_equal(x, y));
      case BinaryOperator::kAnd:
      case BinaryOperator::kOr: break;
    }
    return ExpressionValue::none();
  }

 private:
  // Three-valued (Kleene) logic: a missing value only matters when it could change the
  // outcome, so `false and ?` is false and `true or ?` is true.
  ExpressionValue logical(const EvaluationScope& scope) const {
    const bool deciding = op_ == BinaryOperator::kOr;  // the value that decides alone
    const ExpressionValue a = left_->evaluate(scope);
    if (a.has_value() && a.as_boolean() == deciding) return a;
    const ExpressionValue b = right_->evaluate(scope);
    if (b.has_value() && b.as_boolean() == deciding) return b;
    if (!a.has_value() || !b.has_value()) return ExpressionValue::none();
    return ExpressionValue::boolean(!deciding);
  }

  BinaryOperator op_;
  ExpressionNodePtr left_;
  ExpressionNodePtr right_;
};

class CallNode final : public ExpressionNode {
 public:
  CallNode(const FunctionDefinition& function, std::vector<ExpressionNodePtr> arguments)
      : function_(function), arguments_(std::move(arguments)) {}
  ExpressionValue evaluate(const EvaluationScope& scope) const override {
    return function_.evaluate(arguments_, scope);
  }

 private:
  const FunctionDefinition& function_;
  std::vector<ExpressionNodePtr> arguments_;
};

// ---- Lexer ----

enum class TokenKind { kEnd, kNumber, kReference, kName, kOperator, kOpenParen, kCloseParen,
                       kComma };

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t begin = 0;  // byte offsets into the text
  size_t end = 0;
  std::string_view text;  // the token as written; for a reference, the code inside #{…}
};

// A compile error: where it starts (byte offset) and why. Thrown only inside the compiler
// and turned into a Status by compile(): deep in recursive descent that reads far better
// than threading a Result through every rule.
struct CompileError {
  size_t offset;
  std::string reason;
};

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (true) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                               text[i] == '\r')) {
      ++i;
    }
    Token token;
    token.begin = i;
    if (i == text.size()) {
      token.end = i;
      tokens.push_back(token);
      return tokens;
    }
    const char c = text[i];
    if (c == '#') {
      if (i + 1 >= text.size() || text[i + 1] != '{') {
        throw CompileError{i, "expected \"{\" after \"#\" (an element is written #{code})"};
      }
      const size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        throw CompileError{i, "unterminated \"#{\" (missing \"}\")"};
      }
      token.kind = TokenKind::kReference;
      token.text = text.substr(i + 2, close - i - 2);
      i = close + 1;
    } else if (is_digit(c)) {
      size_t j = i;
      while (j < text.size() && is_digit(text[j])) ++j;
      if (j < text.size() && text[j] == '.') {
        ++j;
        if (j >= text.size() || !is_digit(text[j])) {
          throw CompileError{j, "expected a digit after the decimal point"};
        }
        while (j < text.size() && is_digit(text[j])) ++j;
      }
      token.kind = TokenKind::kNumber;
      token.text = text.substr(i, j - i);
      i = j;
    } else if (is_name_start(c)) {
      size_t j = i;
      while (j < text.size() && is_name_char(text[j])) ++j;
      token.kind = TokenKind::kName;
      token.text = text.substr(i, j - i);
      i = j;
    } else if (c == '(' || c == ')' || c == ',') {
      token.kind = c == '(' ? TokenKind::kOpenParen
                   : c == ')' ? TokenKind::kCloseParen
                              : TokenKind::kComma;
      token.text = text.substr(i, 1);
      ++i;
    } else if (c == '+' || c == '-' || c == '*' || c == '/') {
      token.kind = TokenKind::kOperator;
      token.text = text.substr(i, 1);
      ++i;
    } else if (c == '<' || c == '>' || c == '=' || c == '!') {
      const bool followed_by_equals = i + 1 < text.size() && text[i + 1] == '=';
      if ((c == '=' || c == '!') && !followed_by_equals) {
        throw CompileError{i, c == '=' ? "unexpected \"=\" (equality is written ==)"
                                       : "unexpected \"!\" (use != or not)"};
      }
      token.kind = TokenKind::kOperator;
      token.text = text.substr(i, followed_by_equals ? 2 : 1);
      i += token.text.size();
    } else {
      // Report the whole UTF-8 character, not its first byte.
      size_t j = i + 1;
      while (j < text.size() && (static_cast<unsigned char>(text[j]) & 0xC0) == 0x80) ++j;
      throw CompileError{i, "unexpected character \"" + std::string(text.substr(i, j - i)) + "\""};
    }
    token.end = i;
    tokens.push_back(token);
  }
}

// ---- Parser and type checker ----

// 1-based, in characters: UTF-8 continuation bytes do not start a new column.
size_t column_in(std::string_view text, size_t offset) {
  size_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  return column;
}

// Nesting deeper than this is no hand-written rule; refusing it keeps the recursive parser
// (and the equally deep evaluation) far from the end of the stack.
constexpr int kMaxNesting = 100;

// A compiled subexpression with what error messages need to describe it.
struct Typed {
  ExpressionNodePtr node;
  ExpressionType type;
  size_t begin;  // byte offsets of the source text it came from
  size_t end;
};

std::string with_article(ExpressionType type) {
  return type == ExpressionType::kBoolean ? "a boolean" : "a number";
}

std::string ordinal_argument_count(size_t n) {
  return std::to_string(n) + (n == 1 ? " argument" : " arguments");
}

class Parser {
 public:
  Parser(std::string_view text, const Catalogue& catalogue, std::vector<ElementRef>& references)
      : text_(text), catalogue_(catalogue), references_(references), tokens_(tokenize(text)) {}

  Typed parse_all() {
    Typed result = parse_or();
    const Token& rest = peek();
    if (rest.kind == TokenKind::kCloseParen) {
      throw CompileError{rest.begin, "unexpected \")\" without a matching \"(\""};
    }
    if (rest.kind != TokenKind::kEnd) throw unexpected(rest);
    return result;
  }

  std::string source(const Typed& typed) const {
    return std::string(text_.substr(typed.begin, typed.end - typed.begin));
  }

  void expect_type(const Typed& typed, ExpressionType expected) const {
    if (typed.type == expected) return;
    throw CompileError{typed.begin, "expected " + with_article(expected) + ", found " +
                                        with_article(typed.type) + " (" + source(typed) + ")"};
  }

 private:
  const Token& peek() const { return tokens_[position_]; }
  const Token& advance() { return tokens_[position_++]; }
  bool at_word(std::string_view word) const {
    return peek().kind == TokenKind::kName && peek().text == word;
  }
  bool at_operator(std::string_view op) const {
    return peek().kind == TokenKind::kOperator && peek().text == op;
  }

  CompileError unexpected(const Token& token) const {
    if (token.kind == TokenKind::kEnd) return {token.begin, "unexpected end of expression"};
    const std::string_view written = text_.substr(token.begin, token.end - token.begin);
    return {token.begin, "unexpected \"" + std::string(written) + "\""};
  }

  Typed binary(BinaryOperator op, Typed left, Typed right, ExpressionType type) {
    const size_t begin = left.begin, end = right.end;
    return {std::make_unique<BinaryNode>(op, std::move(left.node), std::move(right.node)), type,
            begin, end};
  }

  // Counts the nesting of the rules that recurse (parentheses, calls, not, unary minus).
  class NestingGuard {
   public:
    NestingGuard(Parser& parser, size_t offset) : parser_(parser) {
      if (++parser_.nesting_ > kMaxNesting) {
        throw CompileError{offset, "nested more than " + std::to_string(kMaxNesting) +
                                       " levels deep"};
      }
    }
    ~NestingGuard() { --parser_.nesting_; }
    NestingGuard(const NestingGuard&) = delete;
    NestingGuard& operator=(const NestingGuard&) = delete;

   private:
    Parser& parser_;
  };

  Typed parse_or() {
    const NestingGuard guard(*this, peek().begin);
    Typed left = parse_and();
    while (at_word("or")) {
      advance();
      Typed right = parse_and();
      expect_type(left, ExpressionType::kBoolean);
      expect_type(right, ExpressionType::kBoolean);
      left = binary(BinaryOperator::kOr, std::move(left), std::move(right),
                    ExpressionType::kBoolean);
    }
    return left;
  }

  Typed parse_and() {
    Typed left = parse_not();
    while (at_word("and")) {
      advance();
      Typed right = parse_not();
      expect_type(left, ExpressionType::kBoolean);
      expect_type(right, ExpressionType::kBoolean);
      left = binary(BinaryOperator::kAnd, std::move(left), std::move(right),
                    ExpressionType::kBoolean);
    }
    return left;
  }

  Typed parse_not() {
    if (!at_word("not")) return parse_comparison();
    const NestingGuard guard(*this, peek().begin);
    const size_t begin = advance().begin;
    Typed operand = parse_not();
    expect_type(operand, ExpressionType::kBoolean);
    const size_t end = operand.end;
    return {std::make_unique<NotNode>(std::move(operand.node)), ExpressionType::kBoolean, begin,
            end};
  }

  static std::optional<BinaryOperator> comparison_operator(const Token& token) {
    if (token.kind != TokenKind::kOperator) return std::nullopt;
    if (token.text == "<") return BinaryOperator::kLess;
    if (token.text == "<=") return BinaryOperator::kLessEqual;
    if (token.text == "==") return BinaryOperator::kEqual;
    if (token.text == "!=") return BinaryOperator::kNotEqual;
    if (token.text == ">=") return BinaryOperator::kGreaterEqual;
    if (token.text == ">") return BinaryOperator::kGreater;
    return std::nullopt;
  }

  Typed parse_comparison() {
    Typed left = parse_additive();
    const std::optional<BinaryOperator> op = comparison_operator(peek());
    if (!op) return left;
    const Token& op_token = advance();
    Typed right = parse_additive();
    if (comparison_operator(peek())) {
      throw CompileError{peek().begin, "comparisons do not chain (write a < b and b < c)"};
    }
    if (*op == BinaryOperator::kEqual || *op == BinaryOperator::kNotEqual) {
      if (left.type != right.type) {
        throw CompileError{op_token.begin, "\"" + std::string(op_token.text) +
                                               "\" compares two values of the same type, found " +
                                               with_article(left.type) + " and " +
                                               with_article(right.type)};
      }
    } else {
      expect_type(left, ExpressionType::kNumber);
      expect_type(right, ExpressionType::kNumber);
    }
    return binary(*op, std::move(left), std::move(right), ExpressionType::kBoolean);
  }

  Typed parse_additive() {
    Typed left = parse_term();
    while (at_operator("+") || at_operator("-")) {
      const BinaryOperator op =
          advance().text == "+" ? BinaryOperator::kAdd : BinaryOperator::kSubtract;
      Typed right = parse_term();
      expect_type(left, ExpressionType::kNumber);
      expect_type(right, ExpressionType::kNumber);
      left = binary(op, std::move(left), std::move(right), ExpressionType::kNumber);
    }
    return left;
  }

  Typed parse_term() {
    Typed left = parse_unary();
    while (at_operator("*") || at_operator("/")) {
      const BinaryOperator op =
          advance().text == "*" ? BinaryOperator::kMultiply : BinaryOperator::kDivide;
      Typed right = parse_unary();
      expect_type(left, ExpressionType::kNumber);
      expect_type(right, ExpressionType::kNumber);
      left = binary(op, std::move(left), std::move(right), ExpressionType::kNumber);
    }
    return left;
  }

  Typed parse_unary() {
    if (!at_operator("-")) return parse_primary();
    const NestingGuard guard(*this, peek().begin);
    const size_t begin = advance().begin;
    Typed operand = parse_unary();
    expect_type(operand, ExpressionType::kNumber);
    const size_t end = operand.end;
    return {std::make_unique<NegateNode>(std::move(operand.node)), ExpressionType::kNumber, begin,
            end};
  }

  Typed parse_primary() {
    const Token& token = peek();
    switch (token.kind) {
      case TokenKind::kNumber: return parse_number(advance());
      case TokenKind::kReference: return parse_reference(advance());
      case TokenKind::kOpenParen: {
        const size_t open = advance().begin;
        Typed inner = parse_or();
        if (peek().kind != TokenKind::kCloseParen) {
          if (peek().kind == TokenKind::kEnd) {
            throw CompileError{peek().begin, "missing \")\" for the \"(\" at column " +
                                                 std::to_string(column_in(text_, open))};
          }
          throw unexpected(peek());
        }
        // The parentheses belong to the operand's text in error messages.
        inner.begin = open;
        inner.end = advance().end;
        return inner;
      }
      case TokenKind::kName: {
        if (token.text == "true" || token.text == "false") {
          advance();
          return {std::make_unique<LiteralNode>(ExpressionValue::boolean(token.text == "true")),
                  ExpressionType::kBoolean, token.begin, token.end};
        }
        if (tokens_[position_ + 1].kind == TokenKind::kOpenParen) return parse_call();
        if (token.text == "and" || token.text == "or" || token.text == "not") {
          throw unexpected(token);
        }
        throw CompileError{token.begin, "unknown name \"" + std::string(token.text) +
                                            "\" (an element is written #{code})"};
      }
      case TokenKind::kEnd:
      case TokenKind::kOperator:
      case TokenKind::kCloseParen:
      case TokenKind::kComma: break;
    }
    throw unexpected(token);
  }

  Typed parse_number(const Token& token) {
    double value = 0;
    const auto parsed = std::from_chars(token.text.data(), token.text.data() + token.text.size(),
                                        value);
    if (parsed.ec != std::errc() || !std::isfinite(value)) {
      throw CompileError{token.begin, "number out of range (" + std::string(token.text) + ")"};
    }
    return {std::make_unique<LiteralNode>(ExpressionValue::number(value)),
            ExpressionType::kNumber, token.begin, token.end};
  }

  Typed parse_reference(const Token& token) {
    ElementRef ref = resolve_reference(token);
    const ExpressionType type = ref.type();
    bool seen = false;
    for (const ElementRef& known : references_) seen = seen || known == ref;
    if (!seen) references_.push_back(ref);
    return {std::make_unique<ReferenceNode>(std::move(ref)), type, token.begin, token.end};
  }

  // One rule for every reference: Catalogue::resolve (the whole code, else element.option).
  ElementRef resolve_reference(const Token& token) const {
    const std::string_view code = token.text;
    if (code.empty()) throw CompileError{token.begin, "empty element reference #{}"};
    Result<ElementReference> resolved = catalogue_.resolve(code);
    if (!resolved) throw CompileError{token.begin, resolved.status().message()};
    const DataElement& element = *resolved->element;
    if (element.value_type == ValueType::kText) {
      throw CompileError{token.begin, "element \"" + element.code +
                                          "\" holds text, which expressions cannot use"};
    }
    ElementRef ref;
    ref.element = element.code;
    ref.element_id = element.id;
    ref.value_type = element.value_type;
    if (const DisaggregationOption* option = resolved->option) {
      ref.option = option->code;
      ref.option_id = option->id;
    }
    return ref;
  }

  Typed parse_call() {
    const Token& name = advance();
    const size_t open = advance().begin;
    std::vector<Typed> arguments;
    if (peek().kind != TokenKind::kCloseParen) {
      while (true) {
        arguments.push_back(parse_or());
        if (peek().kind != TokenKind::kComma) break;
        advance();
      }
    }
    if (peek().kind != TokenKind::kCloseParen) {
      if (peek().kind == TokenKind::kEnd) {
        throw CompileError{peek().begin, "missing \")\" for the \"(\" at column " +
                                             std::to_string(column_in(text_, open))};
      }
      throw unexpected(peek());
    }
    const size_t end = advance().end;

    const FunctionDefinition* function = find_function(name.text);
    if (function == nullptr) {
      throw CompileError{name.begin, "unknown function \"" + std::string(name.text) + "\""};
    }
    if (arguments.size() != function->parameters.size()) {
      throw CompileError{name.begin, "\"" + std::string(function->name) + "\" takes " +
                                         ordinal_argument_count(function->parameters.size()) +
                                         ", found " + std::to_string(arguments.size())};
    }
    // Every kSame parameter takes the type of the first kSame argument.
    std::optional<ExpressionType> same_type;
    size_t same_index = 0;
    for (size_t i = 0; i < arguments.size(); ++i) {
      switch (function->parameters[i]) {
        case ParameterType::kNumber: expect_type(arguments[i], ExpressionType::kNumber); break;
        case ParameterType::kBoolean: expect_type(arguments[i], ExpressionType::kBoolean); break;
        case ParameterType::kSame:
          if (!same_type) {
            same_type = arguments[i].type;
            same_index = i;
          } else if (arguments[i].type != *same_type) {
            throw CompileError{
                arguments[i].begin,
                "\"" + std::string(function->name) + "\" needs arguments " +
                    std::to_string(same_index + 1) + " and " + std::to_string(i + 1) +
                    " of the same type, found " + with_article(*same_type) + " and " +
                    with_article(arguments[i].type) + " (" + source(arguments[i]) + ")"};
          }
          break;
      }
    }
    ExpressionType result = ExpressionType::kNumber;
    switch (function->result) {
      case ParameterType::kNumber: result = ExpressionType::kNumber; break;
      case ParameterType::kBoolean: result = ExpressionType::kBoolean; break;
      case ParameterType::kSame: result = same_type.value_or(ExpressionType::kNumber); break;
    }
    std::vector<ExpressionNodePtr> nodes;
    nodes.reserve(arguments.size());
    for (Typed& argument : arguments) nodes.push_back(std::move(argument.node));
    return {std::make_unique<CallNode>(*function, std::move(nodes)), result, name.begin, end};
  }

 private:
  std::string_view text_;
  const Catalogue& catalogue_;
  std::vector<ElementRef>& references_;
  std::vector<Token> tokens_;
  size_t position_ = 0;
  int nesting_ = 0;
};

}  // namespace

Result<CompiledExpression> CompiledExpression::compile(std::string_view text,
                                                       const Catalogue& catalogue,
                                                       std::optional<ExpressionType> expected) {
  CompiledExpression compiled;
  compiled.text_ = std::string(text);
  try {
    Parser parser(compiled.text_, catalogue, compiled.references_);
    Typed root = parser.parse_all();
    if (expected && root.type != *expected) {
      throw CompileError{root.begin, "the expression must give " + with_article(*expected) +
                                         ", found " + with_article(root.type)};
    }
    compiled.type_ = root.type;
    compiled.root_ = std::move(root.node);
  } catch (const CompileError& error) {
    return Status::invalid_input("column " + std::to_string(column_in(text, error.offset)) +
                                 ": " + error.reason);
  }
  return compiled;
}

ExpressionValue CompiledExpression::evaluate(const ExpressionContext& context,
                                             std::string_view unit, const Period& period) const {
  return root_->evaluate({context, unit, period});
}

std::vector<std::string> expression_function_signatures() {
  std::vector<std::string> lines;
  for (const FunctionDefinition& function : function_registry()) {
    auto name_of = [](ParameterType type) -> std::string {
      switch (type) {
        case ParameterType::kNumber: return "number";
        case ParameterType::kBoolean: return "boolean";
        case ParameterType::kSame: return "T";
      }
      return "";
    };
    std::string line = std::string(function.name) + "(";
    for (size_t i = 0; i < function.parameters.size(); ++i) {
      if (i > 0) line += ", ";
      line += name_of(function.parameters[i]);
    }
    line += ") -> " + name_of(function.result) + ": " + std::string(function.description);
    lines.push_back(std::move(line));
  }
  return lines;
}

}  // namespace qpan
