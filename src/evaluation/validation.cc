// Validation rules: compiled from the pack, checked over units and periods or over the cells
// an import wrote, and reported (see qpan/validation.h).
#include "qpan/validation.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "qpan/text_table.h"
#include "qpan/number_format.h"
#include "qpan/store.h"

namespace qpan {
namespace {

namespace json = boost::json;

// Sums written with a few decimals (0.1 + 0.2) must not fail "<=" against 0.3.
constexpr int kComparisonDecimals = 9;

bool holds(double left, ComparisonOperator op, double right) {
  left = round_decimal(left, kComparisonDecimals);
  right = round_decimal(right, kComparisonDecimals);
  switch (op) {
    case ComparisonOperator::kEqual: return left == right;
    case ComparisonOperator::kNotEqual: return left != right;
    case ComparisonOperator::kLess: return left < right;
    case ComparisonOperator::kLessEqual: return left <= right;
    case ComparisonOperator::kGreater: return left > right;
    case ComparisonOperator::kGreaterEqual: return left >= right;
  }
  return true;
}

std::optional<double> as_number(const ExpressionValue& v) {
  if (v.is_number()) return v.as_number();
  if (v.is_boolean()) return v.as_boolean() ? 1.0 : 0.0;
  return std::nullopt;
}

// Checks one rule on one cell; true when a side had a value (the check counts).
bool check(const CompiledValidationRule& rule, size_t index, const ExpressionContext& context,
           const std::string& unit, const std::string& unit_name, const Period& period,
           std::vector<ValidationViolation>& violations) {
  const std::optional<double> left = as_number(rule.left.evaluate(context, unit, period));
  const std::optional<double> right = as_number(rule.right.evaluate(context, unit, period));
  if (!left && !right) return false;
  if (!holds(left.value_or(0), rule.op, right.value_or(0))) {
    violations.push_back({index, unit, unit_name, period, left, right});
  }
  return true;
}

// The periods of `type` whose every day lies within `p`, in time order.
std::vector<Period> periods_within(const Period& p, PeriodType type) {
  std::vector<Period> out;
  if (type == PeriodType::kDay) {
    const DateRange range = p.dates();
    for (Date d = range.first; d <= range.last; d = add_days(d, 1)) out.push_back(Period::day(d));
    return out;
  }
  const MonthIndex first = p.first_month();
  const int y = year_of(first), m = month_of(first);
  std::optional<Period> q;
  switch (type) {
    case PeriodType::kMonth: q = Period::month(y, m); break;
    case PeriodType::kQuarter: q = Period::quarter(y, (m - 1) / 3 + 1); break;
    case PeriodType::kSixMonth: q = Period::six_month(y, (m - 1) / 6 + 1); break;
    case PeriodType::kYear: q = Period::year(y); break;
    case PeriodType::kFiveYear: q = Period::five_year(y - (y - 1) % 5); break;  // 2016–2020, 2021–2025
    case PeriodType::kDay:
    case PeriodType::kMonthRange: return {p};
  }
  for (; q->first_month() <= p.last_month(); q = q->next()) {
    if (p.contains(*q)) out.push_back(*q);
  }
  return out;
}

std::string cell_key(std::string_view unit, int64_t period_key, std::string_view element,
                     std::string_view option) {
  std::string key(unit);
  key += '\x1f';
  key += std::to_string(period_key);
  key += '\x1f';
  key += element;
  key += '\x1f';
  key += option;
  return key;
}

// Machine-form value → number: booleans as 1 and 0; text gives nothing.
std::optional<double> parse_value(const std::string& text) {
  if (text == "true") return 1.0;
  if (text == "false") return 0.0;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string unit_name(const OrgUnitIndex& units, const std::string& code, const Period& period) {
  std::vector<const OrgUnitVersion*> versions = units.during(code, period.dates());
  return versions.empty() ? code : versions.back()->name;
}

void sort_violations(std::vector<ValidationViolation>& violations) {
  std::sort(violations.begin(), violations.end(),
            [](const ValidationViolation& a, const ValidationViolation& b) {
              return std::tuple(a.period.key(), a.unit, a.rule) < std::tuple(b.period.key(), b.unit, b.rule);
            });
}

}  // namespace

Result<ComparisonOperator> parse_comparison_operator(std::string_view text) {
  if (text == "==") return ComparisonOperator::kEqual;
  if (text == "!=") return ComparisonOperator::kNotEqual;
  if (text == "<") return ComparisonOperator::kLess;
  if (text == "<=") return ComparisonOperator::kLessEqual;
  if (text == ">") return ComparisonOperator::kGreater;
  if (text == ">=") return ComparisonOperator::kGreaterEqual;
  return Status::invalid_input("unknown operator \"" + std::string(text) + "\" (expected <, <=, ==, !=, >= or >)");
}

std::string_view comparison_operator_text(ComparisonOperator op) {
  switch (op) {
    case ComparisonOperator::kEqual: return "==";
    case ComparisonOperator::kNotEqual: return "!=";
    case ComparisonOperator::kLess: return "<";
    case ComparisonOperator::kLessEqual: return "<=";
    case ComparisonOperator::kGreater: return ">";
    case ComparisonOperator::kGreaterEqual: return ">=";
  }
  return "?";
}

Result<std::vector<CompiledValidationRule>> compile_validation_rules(const Pack& pack,
                                                                     const Catalogue& catalogue) {
  std::vector<CompiledValidationRule> out;
  for (const ValidationRule& rule : pack.validation_rules) {
    auto fail = [&](const std::string& where, const std::string& reason) {
      return Status::invalid_input("validation rule " + rule.code + ": " + where + ": " + reason);
    };
    Result<CompiledExpression> left = CompiledExpression::compile(rule.left, catalogue);
    if (!left) return fail("left", left.status().message());
    Result<CompiledExpression> right = CompiledExpression::compile(rule.right, catalogue);
    if (!right) return fail("right", right.status().message());
    if (left->type() != right->type()) return fail("right", "not of the left side's type");
    Result<ComparisonOperator> op = parse_comparison_operator(rule.op);
    if (!op) return fail("operator", op.status().message());

    CompiledValidationRule compiled{.code = rule.code,
                                    .name_vi = rule.name_vi,
                                    .name_en = rule.name_en,
                                    .importance = rule.importance,
                                    .left = *left,
                                    .right = *right,
                                    .op = *op,
                                    .period_types = {},
                                    .levels = {}};
    // Where the rule applies: the forms that report what its left side reads.
    for (const CompiledExpression* side : {&*left, &*right}) {
      std::set<PeriodType> types;
      std::set<OrgUnitLevel> levels;
      for (const ElementRef& ref : side->references()) {
        for (const DataSet& d : pack.data_sets) {
          if (std::find(d.elements.begin(), d.elements.end(), ref.element) == d.elements.end()) continue;
          types.insert(d.period_type);
          levels.insert(d.level);
        }
      }
      if (types.empty()) continue;
      compiled.period_types.assign(types.begin(), types.end());
      compiled.levels.assign(levels.begin(), levels.end());
      break;
    }
    if (compiled.period_types.empty()) compiled.period_types = {PeriodType::kMonth};
    out.push_back(std::move(compiled));
  }
  return out;
}

Result<ValidationReport> run_validation(const std::vector<CompiledValidationRule>& rules,
                                        const OrgUnitIndex& units,
                                        const ExpressionContext& context, std::string_view unit,
                                        const Period& period) {
  const std::string ou(unit);
  if (!units.knows(ou)) return Status::not_found("ou: unknown unit \"" + ou + "\"");
  if (units.during(ou, period.dates()).empty()) {
    return Status::invalid_input("ou: unit " + ou + " is not in force in " + period.label_vi());
  }
  ValidationReport report;
  report.rules = rules;
  const std::vector<std::string> candidates = units.codes_ever_within(ou);

  // The units of each checked period, found once however many rules share the period.
  struct InScope {
    std::string code, name;
    OrgUnitLevel level;
  };
  std::map<int64_t, std::vector<InScope>> scope;
  auto units_of = [&](const Period& q) -> const std::vector<InScope>& {
    auto [it, inserted] = scope.try_emplace(q.key());
    if (!inserted) return it->second;
    const DateRange range = q.dates();
    for (const std::string& code : candidates) {
      std::vector<const OrgUnitVersion*> versions = units.during(code, range);
      if (versions.empty() || !units.is_within(code, ou, range)) continue;
      it->second.push_back({code, versions.back()->name, versions.back()->level});
    }
    std::sort(it->second.begin(), it->second.end(),
              [](const InScope& a, const InScope& b) { return a.code < b.code; });
    return it->second;
  };

  for (size_t r = 0; r < rules.size(); ++r) {
    const CompiledValidationRule& rule = rules[r];
    for (PeriodType type : rule.period_types) {
      for (const Period& q : periods_within(period, type)) {
        for (const InScope& u : units_of(q)) {
          if (!rule.levels.empty() &&
              std::find(rule.levels.begin(), rule.levels.end(), u.level) == rule.levels.end()) {
            continue;
          }
          if (check(rule, r, context, u.code, u.name, q, report.violations)) ++report.checks;
        }
      }
    }
  }
  sort_violations(report.violations);
  return report;
}

ValidationReport validate_cells(const std::vector<CompiledValidationRule>& rules,
                                const OrgUnitIndex& units, const ExpressionContext& context,
                                const std::vector<ValueCell>& cells) {
  ValidationReport report;
  report.rules = rules;
  auto reads_written = [](const CompiledValidationRule& rule, const ValueCell& cell) {
    if (cell.elements.empty()) return true;
    for (const CompiledExpression* side : {&rule.left, &rule.right}) {
      for (const ElementRef& ref : side->references()) {
        if (std::find(cell.elements.begin(), cell.elements.end(), ref.element) != cell.elements.end()) return true;
      }
    }
    return false;
  };
  for (const ValueCell& cell : cells) {
    std::optional<std::string> name;  // looked up for the first rule that applies
    for (size_t r = 0; r < rules.size(); ++r) {
      if (!reads_written(rules[r], cell)) continue;
      if (!name) name = unit_name(units, cell.unit, cell.period);
      if (check(rules[r], r, context, cell.unit, *name, cell.period, report.violations)) ++report.checks;
    }
  }
  sort_violations(report.violations);
  return report;
}

// ---- Reading cells from the store --------------------------------------------------------------

Result<std::unique_ptr<StoredCellContext>> StoredCellContext::read(Store& store,
                                                                   const std::vector<ValueCell>& cells) {
  std::unique_ptr<StoredCellContext> context(new StoredCellContext());
  if (cells.empty()) return context;
  Result<std::unordered_map<std::string, int64_t>> ids = store.unit_ids();
  if (!ids) return ids.status();
  std::set<int64_t> unit_ids, period_keys;
  std::unordered_set<std::string> wanted;  // unit \x1f period key
  for (const ValueCell& cell : cells) {
    auto id = ids->find(cell.unit);
    if (id == ids->end()) continue;  // never stored: no value
    unit_ids.insert(id->second);
    period_keys.insert(cell.period.key());
    wanted.insert(cell.unit + '\x1f' + std::to_string(cell.period.key()));
  }
  auto visit = [&](const ValueKey& key, const DataValue& value) {
    // A filter reads every listed unit in every listed period: keep only the cells asked.
    if (wanted.count(value.org_unit + '\x1f' + std::to_string(key.period)) == 0) return;
    const std::optional<double> number = parse_value(value.value);
    if (!number) return;
    context->values_[cell_key(value.org_unit, key.period, value.element, "")] += *number;
    if (!value.option.empty()) {
      context->values_[cell_key(value.org_unit, key.period, value.element, value.option)] += *number;
    }
  };
  // In slices, so that no query binds more parameters than SQLite allows (32.766).
  constexpr size_t kSlice = 1000;
  const std::vector<int64_t> units(unit_ids.begin(), unit_ids.end());
  const std::vector<int64_t> keys(period_keys.begin(), period_keys.end());
  for (size_t u = 0; u < units.size(); u += kSlice) {
    for (size_t k = 0; k < keys.size(); k += kSlice) {
      ValueFilter filter;
      filter.unit_ids.assign(units.begin() + u, units.begin() + std::min(units.size(), u + kSlice));
      for (size_t i = k; i < std::min(keys.size(), k + kSlice); ++i) {
        filter.period_key_ranges.emplace_back(keys[i], keys[i]);
      }
      QPAN_RETURN_IF_ERROR(store.scan_values(filter, visit));
    }
  }
  return context;
}

std::optional<double> StoredCellContext::value(const ElementRef& ref, std::string_view unit,
                                               const Period& period) const {
  auto it = values_.find(cell_key(unit, period.key(), ref.element, ref.option));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> StoredCellContext::children(std::string_view, const Period&) const {
  return {};
}

// ---- Formatting -------------------------------------------------------------------------------

namespace {

std::string importance_vi(const std::string& importance) {
  if (importance == "high") return "cao";
  if (importance == "medium") return "trung bình";
  if (importance == "low") return "thấp";
  return importance;
}

std::string side_vi(std::optional<double> value) {
  return value ? format_number_vi(*value, 4) : "không có (= 0)";
}

std::string side_machine(std::optional<double> value) {
  return value ? format_number_machine(*value) : "";
}

std::string format_table(const ValidationReport& report) {
  std::string out = "Kiểm tra " + format_number_vi(static_cast<double>(report.rules.size()), 0) +
                    " quy tắc, " + format_number_vi(static_cast<double>(report.checks), 0) +
                    " lượt kiểm tra có số liệu: ";
  if (report.violations.empty()) return out + "không có vi phạm.\n";
  out += format_number_vi(static_cast<double>(report.violations.size()), 0) + " vi phạm.\n\n";
  report_text::TextTable table({"Mã quy tắc", "Quy tắc", "Đơn vị", "Kỳ", "Vế trái", "Phải", "Vế phải", "Mức độ"},
                               {false, false, false, false, true, false, true, false});
  for (const ValidationViolation& v : report.violations) {
    const CompiledValidationRule& rule = report.rules[v.rule];
    table.add_row({rule.code, rule.name_vi, v.unit_name + " (" + v.unit + ")", v.period.label_vi(),
                   side_vi(v.left), std::string(comparison_operator_text(rule.op)), side_vi(v.right),
                   importance_vi(rule.importance)});
  }
  return out + table.render();
}

std::string format_csv(const ValidationReport& report) {
  std::string out = "rule,rule_name,ou,ou_name,pe,left,operator,right,importance\n";
  for (const ValidationViolation& v : report.violations) {
    const CompiledValidationRule& rule = report.rules[v.rule];
    const std::string fields[] = {rule.code, rule.name_vi, v.unit, v.unit_name, v.period.code(),
                                  side_machine(v.left), std::string(comparison_operator_text(rule.op)),
                                  side_machine(v.right), rule.importance};
    for (size_t i = 0; i < std::size(fields); ++i) {
      if (i > 0) out += ',';
      report_text::append_csv_field(out, fields[i]);
    }
    out += '\n';
  }
  return out;
}

std::string format_json(const ValidationReport& report) {
  json::array violations;
  for (const ValidationViolation& v : report.violations) {
    const CompiledValidationRule& rule = report.rules[v.rule];
    violations.push_back(json::object{
        {"rule", rule.code},
        {"name_vi", rule.name_vi},
        {"name_en", rule.name_en},
        {"ou", v.unit},
        {"ou_name", v.unit_name},
        {"pe", v.period.code()},
        {"pe_name_vi", v.period.label_vi()},
        {"pe_name_en", v.period.label_en()},
        {"left", v.left ? json::value(*v.left) : json::value(nullptr)},
        {"operator", comparison_operator_text(rule.op)},
        {"right", v.right ? json::value(*v.right) : json::value(nullptr)},
        {"importance", rule.importance},
        {"left_expression", rule.left.text()},
        {"right_expression", rule.right.text()}});
  }
  json::object root{{"rules", report.rules.size()},
                    {"checks", report.checks},
                    {"violations", std::move(violations)}};
  return json::serialize(root) + "\n";
}

}  // namespace

std::string format_validation(const ValidationReport& report, ValidationFormat format) {
  switch (format) {
    case ValidationFormat::kTable: return format_table(report);
    case ValidationFormat::kCsv: return format_csv(report);
    case ValidationFormat::kJson: return format_json(report);
  }
  return {};
}

}  // namespace qpan
