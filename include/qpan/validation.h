// Validation rules (quy tắc kiểm tra): "solved cases do not exceed cases", checked over the
// units and periods a form reports, and on the cells an import has just written. A rule
// compares two expressions; like DHIS2 a check is skipped when both sides have no value and
// a missing side otherwise counts as 0. Violations name rule, unit, period and both values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/expression.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

class Store;

enum class ComparisonOperator : uint8_t { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

// "==", "!=", "<", "<=", ">", ">=".
Result<ComparisonOperator> parse_comparison_operator(std::string_view text);
std::string_view comparison_operator_text(ComparisonOperator op);

struct CompiledValidationRule {
  std::string code, name_vi, name_en;
  std::string importance;  // "high", "medium", "low"
  CompiledExpression left, right;
  ComparisonOperator op = ComparisonOperator::kLessEqual;
  // Where the rule is checked: the period types and levels of the data sets (forms) that
  // report an element of its left side (of its right side when the left reads none);
  // month and every level when no data set does.
  std::vector<PeriodType> period_types;
  std::vector<OrgUnitLevel> levels;  // empty: every level
};

// Compiles the pack's rules against `catalogue` — the catalogue of the context that will
// answer them (an engine's, or the store's for StoredCellContext) — and places them with the
// pack's data sets. Errors name the rule. A pack without rules: an empty list.
Result<std::vector<CompiledValidationRule>> compile_validation_rules(const Pack& pack,
                                                                     const Catalogue& catalogue);

struct ValidationViolation {
  size_t rule = 0;  // index into ValidationReport::rules
  std::string unit, unit_name;
  Period period = Period::year(2000);
  std::optional<double> left, right;  // as evaluated (booleans 1 or 0); nullopt: no value, taken as 0
};

struct ValidationReport {
  // The rules checked: the caller's list, which must outlive the report (copying it for
  // every write the server checks cost more than the checks).
  std::span<const CompiledValidationRule> rules;
  size_t checks = 0;  // (rule, unit, period) checks with a value on at least one side
  // By period, then unit code, then rule.
  std::vector<ValidationViolation> violations;
};

// Checks every rule for every unit within `unit` (itself included) at the rule's levels that
// is in force during `period`, for every period of the rule's period types lying within
// `period`. Errors: unknown unit (not_found, naming "ou"); the unit not in force in `period`.
Result<ValidationReport> run_validation(const std::vector<CompiledValidationRule>& rules,
                                        const OrgUnitIndex& units,
                                        const ExpressionContext& context, std::string_view unit,
                                        const Period& period);

// One (unit, period) an import wrote to.
struct ValueCell {
  std::string unit;
  Period period = Period::year(2000);
  // The elements written there: only the rules reading one of them are checked. Empty:
  // every rule (a whole form was written).
  std::vector<std::string> elements;
  bool operator==(const ValueCell& o) const { return unit == o.unit && period == o.period; }
};

// Checks the rules on exactly these cells (whatever their level and period type: the
// import decided them). `units` gives the names.
ValidationReport validate_cells(const std::vector<CompiledValidationRule>& rules,
                                const OrgUnitIndex& units, const ExpressionContext& context,
                                const std::vector<ValueCell>& cells);

// Answers expressions from the values the store holds for a few cells only — what an import
// just wrote — without building the aggregation engine: a reference is the value stored for
// the unit and period exactly (the options summed for the element's total). Other units and
// periods (previous(), last_year(), child units) have no value.
class StoredCellContext : public ExpressionContext {
 public:
  static Result<std::unique_ptr<StoredCellContext>> read(Store& store,
                                                         const std::vector<ValueCell>& cells);

  std::optional<double> value(const ElementRef& ref, std::string_view unit,
                              const Period& period) const override;
  std::vector<std::string> children(std::string_view unit, const Period& period) const override;

 private:
  StoredCellContext() = default;
  // unit \x1f period key \x1f element \x1f option ("" for the total) → value.
  std::unordered_map<std::string, double> values_;
};

enum class ValidationFormat {
  kTable,  // for people: Vietnamese headers and names, numbers as 1.009
  kCsv,    // rule,ou,pe,left,operator,right,importance — codes and machine-form numbers
  kJson,
};

std::string format_validation(const ValidationReport& report, ValidationFormat format);

}  // namespace qpan
