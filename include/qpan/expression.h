// The expression language of indicators, validation rules and evaluation criteria:
// `#{crime.ttxh.solved} / #{crime.ttxh.cases} * 100`, `#{drug.cases} == 0 and
// previous(#{drug.cases}) == 0`, `share_children(#{antt.safe}) >= 70`.
//
// Grammar, from lowest to highest precedence:
//   or_expr    := and_expr ("or" and_expr)*
//   and_expr   := not_expr ("and" not_expr)*
//   not_expr   := "not" not_expr | comparison
//   comparison := additive [("<" | "<=" | "==" | "!=" | ">=" | ">") additive]   (no chains)
//   additive   := term (("+" | "-") term)*
//   term       := unary (("*" | "/") unary)*
//   unary      := "-" unary | primary
//   primary    := number | "true" | "false" | "#{" code "}" | name "(" [or_expr ("," or_expr)*] ")"
//               | "(" or_expr ")"
// A reference `#{a.b.c}` names element "a.b.c" when the catalogue has it, else option "c" of
// element "a.b"'s disaggregation (Catalogue::resolve). Types (number, boolean) are checked when compiling, so a
// compiled expression never fails on types; evaluation gives a number, a boolean or no value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/data_element.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

enum class ExpressionType : uint8_t { kNumber, kBoolean };

// "number" or "boolean".
std::string_view expression_type_name(ExpressionType type);

// An element (or one disaggregation option of it) an expression reads.
struct ElementRef {
  std::string element;     // element code: "foreign.in.delegations"
  int64_t element_id = 0;  // as in the catalogue (0 when it was never stored)
  std::string option;      // option code ("van_nam"); empty for the element's total
  int64_t option_id = 0;   // 0 for the total
  ValueType value_type = ValueType::kCount;

  // Boolean elements are booleans, every other (non-text) element is a number.
  ExpressionType type() const {
    return value_type == ValueType::kBoolean ? ExpressionType::kBoolean : ExpressionType::kNumber;
  }
  // As written in an expression, without the braces: "foreign.in.delegations.van_nam".
  std::string code() const { return option.empty() ? element : element + "." + option; }

  bool operator==(const ElementRef&) const = default;
};

// The result of evaluating an expression: a number, a boolean, or no value (missing data,
// division by zero, a result too large to represent). Never an infinity or a NaN.
class ExpressionValue {
 public:
  ExpressionValue() = default;  // no value
  static ExpressionValue none() { return {}; }
  // A non-finite number becomes no value.
  static ExpressionValue number(double value);
  static ExpressionValue boolean(bool value);

  bool has_value() const { return kind_ != Kind::kNone; }
  bool is_number() const { return kind_ == Kind::kNumber; }
  bool is_boolean() const { return kind_ == Kind::kBoolean; }
  double as_number() const { return number_; }    // precondition: is_number()
  bool as_boolean() const { return boolean_; }    // precondition: is_boolean()

  // "41.5", "true", "false", "no value".
  std::string to_string() const;

  bool operator==(const ExpressionValue& other) const;

 private:
  enum class Kind : uint8_t { kNone, kNumber, kBoolean };
  Kind kind_ = Kind::kNone;
  double number_ = 0;
  bool boolean_ = false;
};

// What an expression reads while it is evaluated. The engine answers from memory; tests
// answer from a map. Implementations must be safe to call from the evaluating thread only.
class ExpressionContext {
 public:
  virtual ~ExpressionContext() = default;

  // The value of `ref` for `unit` in `period` (a boolean as 1 or 0), or nullopt when there is
  // none.
  virtual std::optional<double> value(const ElementRef& ref, std::string_view unit,
                                      const Period& period) const = 0;
  // The child units of `unit` in the structure in force in `period`.
  virtual std::vector<std::string> children(std::string_view unit, const Period& period) const = 0;
};

class ExpressionNode;  // internal to src/rules

// An expression checked against a catalogue. Immutable; copies share the compiled tree, and
// evaluate() may be called from several threads at once when the contexts allow it.
class CompiledExpression {
 public:
  // Parses and type-checks `text`. When `expected` is given the whole expression must have
  // that type (criteria are booleans, indicators numbers). Errors are invalid input and read
  // "column 14: expected a number, found a boolean (#{drug.free})": the 1-based column (in
  // characters) where the problem starts and the reason.
  static Result<CompiledExpression> compile(std::string_view text, const Catalogue& catalogue,
                                            std::optional<ExpressionType> expected = std::nullopt);

  const std::string& text() const { return text_; }
  ExpressionType type() const { return type_; }
  // Every element reference, once each, in order of first appearance: what the expression
  // depends on (previous()/last_year() and child units read the same elements elsewhere).
  const std::vector<ElementRef>& references() const { return references_; }

  ExpressionValue evaluate(const ExpressionContext& context, std::string_view unit,
                           const Period& period) const;

 private:
  CompiledExpression() = default;

  std::string text_;
  ExpressionType type_ = ExpressionType::kNumber;
  std::vector<ElementRef> references_;
  std::shared_ptr<const ExpressionNode> root_;
};

// The functions an expression may call, as "name(parameters) -> result: description" lines,
// for help texts and the pack documentation.
std::vector<std::string> expression_function_signatures();

}  // namespace qpan
