// The compiled form of an expression: a tree of immutable nodes, each evaluating itself in
// a scope (unit and period). Internal to src/rules; the public surface is qpan/expression.h.
#pragma once

#include <memory>
#include <string_view>

#include "qpan/expression.h"
#include "qpan/period.h"

namespace qpan {

// Where a (sub)expression is evaluated. Functions such as previous() and count_children()
// evaluate their arguments in a shifted scope.
struct EvaluationScope {
  const ExpressionContext& context;
  std::string_view unit;
  Period period;
};

class ExpressionNode {
 public:
  virtual ~ExpressionNode() = default;
  virtual ExpressionValue evaluate(const EvaluationScope& scope) const = 0;
};

using ExpressionNodePtr = std::unique_ptr<const ExpressionNode>;

}  // namespace qpan
