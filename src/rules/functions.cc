// The expression language's functions: previous, last_year, if, min, max, abs, round,
// value_or, count_children, share_children.
#include "rules/functions.h"

#include "qpan/number_format.h"

#include <charconv>
#include <cmath>
#include <string>

namespace qpan {
namespace {

using Arguments = std::span<const ExpressionNodePtr>;

ExpressionValue previous_period(Arguments args, const EvaluationScope& scope) {
  return args[0]->evaluate({scope.context, scope.unit, scope.period.previous()});
}

ExpressionValue same_period_last_year(Arguments args, const EvaluationScope& scope) {
  return args[0]->evaluate({scope.context, scope.unit, scope.period.same_period_last_year()});
}

ExpressionValue if_then_else(Arguments args, const EvaluationScope& scope) {
  const ExpressionValue condition = args[0]->evaluate(scope);
  if (!condition.has_value()) return ExpressionValue::none();
  // Only the chosen branch is evaluated: `if(#{b} > 0, #{a} / #{b}, 0)` reads as written.
  return args[condition.as_boolean() ? 1 : 2]->evaluate(scope);
}

ExpressionValue minimum(Arguments args, const EvaluationScope& scope) {
  const ExpressionValue a = args[0]->evaluate(scope), b = args[1]->evaluate(scope);
  if (!a.has_value() || !b.has_value()) return ExpressionValue::none();
  return ExpressionValue::number(std::fmin(a.as_number(), b.as_number()));
}

ExpressionValue maximum(Arguments args, const EvaluationScope& scope) {
  const ExpressionValue a = args[0]->evaluate(scope), b = args[1]->evaluate(scope);
  if (!a.has_value() || !b.has_value()) return ExpressionValue::none();
  return ExpressionValue::number(std::fmax(a.as_number(), b.as_number()));
}

ExpressionValue absolute(Arguments args, const EvaluationScope& scope) {
  const ExpressionValue x = args[0]->evaluate(scope);
  if (!x.has_value()) return x;
  return ExpressionValue::number(std::fabs(x.as_number()));
}

// More decimals than a double holds, or fewer than its largest magnitude, are meaningless.
constexpr int kMaxRoundDecimals = 20;

ExpressionValue round_to(Arguments args, const EvaluationScope& scope) {
  const ExpressionValue x = args[0]->evaluate(scope), n = args[1]->evaluate(scope);
  if (!x.has_value() || !n.has_value()) return ExpressionValue::none();
  const double decimals = n.as_number();
  if (decimals != std::trunc(decimals) || std::fabs(decimals) > kMaxRoundDecimals) {
    return ExpressionValue::none();
  }
  return ExpressionValue::number(round_decimal(x.as_number(), static_cast<int>(decimals)));
}

ExpressionValue value_or_default(Arguments args, const EvaluationScope& scope) {
  const ExpressionValue x = args[0]->evaluate(scope);
  return x.has_value() ? x : args[1]->evaluate(scope);
}

struct ChildTally {
  int holding = 0;     // children for which the condition is true
  int with_value = 0;  // children for which the condition has a value
};

ChildTally tally_children(const ExpressionNode& condition, const EvaluationScope& scope) {
  ChildTally tally;
  for (const std::string& child : scope.context.children(scope.unit, scope.period)) {
    const ExpressionValue holds = condition.evaluate({scope.context, child, scope.period});
    if (!holds.has_value()) continue;
    ++tally.with_value;
    if (holds.as_boolean()) ++tally.holding;
  }
  return tally;
}

ExpressionValue count_children(Arguments args, const EvaluationScope& scope) {
  return ExpressionValue::number(tally_children(*args[0], scope).holding);
}

ExpressionValue share_children(Arguments args, const EvaluationScope& scope) {
  const ChildTally tally = tally_children(*args[0], scope);
  if (tally.with_value == 0) return ExpressionValue::none();
  return ExpressionValue::number(100.0 * tally.holding / tally.with_value);
}

}  // namespace

const std::vector<FunctionDefinition>& function_registry() {
  using P = ParameterType;
  static const std::vector<FunctionDefinition> registry = {
      {"previous", {P::kSame}, P::kSame, previous_period,
       "x over the previous period of the same type (202201 -> 202112)"},
      {"last_year", {P::kSame}, P::kSame, same_period_last_year,
       "x over the same period one year earlier (2022Q1 -> 2021Q1)"},
      {"if", {P::kBoolean, P::kSame, P::kSame}, P::kSame, if_then_else,
       "a when c holds, else b; no value when c has none"},
      {"min", {P::kNumber, P::kNumber}, P::kNumber, minimum, "the smaller of a and b"},
      {"max", {P::kNumber, P::kNumber}, P::kNumber, maximum, "the larger of a and b"},
      {"abs", {P::kNumber}, P::kNumber, absolute, "the absolute value of x"},
      {"round", {P::kNumber, P::kNumber}, P::kNumber, round_to,
       "x rounded half away from zero to n decimals (n a whole number, may be negative)"},
      {"value_or", {P::kSame, P::kSame}, P::kSame, value_or_default,
       "x, or default when x has no value"},
      {"count_children", {P::kBoolean}, P::kNumber, count_children,
       "the number of child units (structure in force in the period) for which c holds"},
      {"share_children", {P::kBoolean}, P::kNumber, share_children,
       "that number as a percentage of the child units with a value for c; no value when none has"},
  };
  return registry;
}

const FunctionDefinition* find_function(std::string_view name) {
  for (const FunctionDefinition& function : function_registry()) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

}  // namespace qpan
