// The function registry of the expression language: each function is one entry with its
// parameter types, result type and evaluator, so adding a function touches nothing else.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "rules/expression_node.h"

namespace qpan {

enum class ParameterType : uint8_t {
  kNumber,
  kBoolean,
  kSame,  // any type, but every kSame parameter (and a kSame result) has the same one
};

// Arguments arrive unevaluated: a function decides where (which unit, which period) and
// whether to evaluate each one.
using FunctionEvaluator = ExpressionValue (*)(std::span<const ExpressionNodePtr> arguments,
                                              const EvaluationScope& scope);

struct FunctionDefinition {
  std::string_view name;
  std::vector<ParameterType> parameters;
  ParameterType result;
  FunctionEvaluator evaluate;
  std::string_view description;
};

// nullptr when there is no function of that name.
const FunctionDefinition* find_function(std::string_view name);
const std::vector<FunctionDefinition>& function_registry();


}  // namespace qpan
