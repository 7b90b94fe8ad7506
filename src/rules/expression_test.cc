// Tests for the expression language (qpan/expression.h): golden results and compile errors,
// precedence, three-valued logic, period shifts, child units, and every pack expression.
#include "qpan/expression.h"
#include "qpan/number_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "qpan/pack.h"
#include "rules/functions.h"

namespace qpan {

void PrintTo(const ExpressionValue& value, std::ostream* out) { *out << value.to_string(); }

namespace {

DataElement element(std::string code, ValueType type, std::string disaggregation = "") {
  DataElement e;
  e.code = std::move(code);
  e.value_type = type;
  e.disaggregation = std::move(disaggregation);
  return e;
}

const Catalogue& test_catalogue() {
  static const Catalogue catalogue = [] {
    Disaggregation partner{.id = 1, .code = "partner", .name_vi = "", .name_en = "",
                           .options = {{11, "van_nam", "", ""}, {12, "bac_lao", "", ""}}};
    Disaggregation gate{.id = 2, .code = "gate", .name_vi = "", .name_en = "",
                        .options = {{21, "x", "", ""}}};
    return Catalogue({partner, gate},
                     {element("crime.cases", ValueType::kCount),
                      element("crime.solved", ValueType::kCount),
                      element("drug.cases", ValueType::kCount),
                      element("drug.free", ValueType::kBoolean),
                      element("drug.unknown", ValueType::kBoolean),
                      element("fire.incidents", ValueType::kCount),
                      element("foreign.in.delegations", ValueType::kCount, "partner"),
                      element("trade", ValueType::kAmountUsd, "gate"),
                      element("trade.x", ValueType::kAmountUsd),  // shadows option x of trade
                      element("note", ValueType::kText)});
  }();
  return catalogue;
}

// Values and unit hierarchy from maps; a value is keyed by element|option, unit and period.
class FakeContext : public ExpressionContext {
 public:
  void set(const std::string& ref, const std::string& unit, const std::string& period,
           double value) {
    const size_t dot = ref.find('|');
    const std::string key = dot == std::string::npos ? ref + "|" : ref;
    values_[{key, unit, period}] = value;
  }
  void set_children(const std::string& unit, const std::string& period,
                    std::vector<std::string> children) {
    children_[{unit, period}] = std::move(children);
  }

  std::optional<double> value(const ElementRef& ref, std::string_view unit,
                              const Period& period) const override {
    auto it = values_.find({ref.element + "|" + ref.option, std::string(unit), period.code()});
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<std::string> children(std::string_view unit, const Period& period) const override {
    auto it = children_.find({std::string(unit), period.code()});
    return it == children_.end() ? std::vector<std::string>{} : it->second;
  }

 private:
  std::map<std::tuple<std::string, std::string, std::string>, double> values_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> children_;
};

Period period(std::string_view code) { return *Period::parse(code); }

// Province "p" in March 2022, with a previous month and the same month a year earlier.
const FakeContext& province_context() {
  static const FakeContext context = [] {
    FakeContext c;
    c.set("crime.cases", "p", "202203", 40);
    c.set("crime.solved", "p", "202203", 30);
    c.set("drug.cases", "p", "202203", 0);
    c.set("drug.free", "p", "202203", 1);
    c.set("foreign.in.delegations", "p", "202203", 10);
    c.set("foreign.in.delegations|van_nam", "p", "202203", 4);
    c.set("foreign.in.delegations|bac_lao", "p", "202203", 3);
    c.set("trade", "p", "202203", 100);
    c.set("trade|x", "p", "202203", 99);
    c.set("trade.x", "p", "202203", 7);
    c.set("crime.cases", "p", "202202", 50);
    c.set("crime.cases", "p", "202103", 32);
    return c;
  }();
  return context;
}

ExpressionValue evaluated(std::string_view text, const ExpressionContext& context,
                          std::string_view unit, std::string_view period_code) {
  auto compiled = CompiledExpression::compile(text, test_catalogue());
  EXPECT_TRUE(compiled.is_ok()) << text << ": " << compiled.status().message();
  if (!compiled.is_ok()) return ExpressionValue::none();
  return compiled->evaluate(context, unit, period(period_code));
}

ExpressionValue in_province(std::string_view text) {
  return evaluated(text, province_context(), "p", "202203");
}

ExpressionValue number(double x) { return ExpressionValue::number(x); }
ExpressionValue boolean(bool b) { return ExpressionValue::boolean(b); }
const ExpressionValue kNone = ExpressionValue::none();

struct Golden {
  std::string text;
  ExpressionValue expected;
};

TEST(Expression, GoldenResults) {
  const std::vector<Golden> table = {
      {"1 + 2 * 3", number(7)},
      {"(1 + 2) * 3", number(9)},
      {"10 - 4 - 3", number(3)},       // left-associative
      {"100 / 10 / 5", number(2)},     // left-associative
      {"2 * 3 / 4", number(1.5)},
      {"-2 * 3", number(-6)},
      {"- - 2", number(2)},
      {"2 - -3", number(5)},
      {"-(2 + 3)", number(-5)},
      {"0.7", number(0.7)},
      {"007.50", number(7.5)},
      {"true", boolean(true)},
      {"false", boolean(false)},
      {"#{crime.solved} / #{crime.cases} * 100", number(75)},
      {"#{crime.solved} >= 0.7 * #{crime.cases}", boolean(true)},
      {"#{foreign.in.delegations.van_nam} + #{foreign.in.delegations.bac_lao}", number(7)},
      {"#{foreign.in.delegations}", number(10)},
      {"#{trade.x}", number(7)},       // the exact element code wins over trade's option x
      {"#{trade}", number(100)},
      {"#{drug.free}", boolean(true)},
      {"#{drug.free} == true", boolean(true)},
      {"#{drug.free} != false", boolean(true)},
      {"#{drug.cases} == 0 and #{drug.free}", boolean(true)},
      {"1 < 2", boolean(true)},
      {"2 <= 2", boolean(true)},
      {"3 > 4", boolean(false)},
      {"3 >= 4", boolean(false)},
      {"1 != 1", boolean(false)},
      {"1 == 1.0", boolean(true)},
      {"0.1 + 0.2 == 0.3", boolean(true)},   // decimal noise is not a difference
      {"0.1 + 0.2 > 0.3", boolean(false)},
      {"0.1 + 0.2 <= 0.3", boolean(true)},
      {"1.000001 > 1", boolean(true)},
      {"not 1 == 2", boolean(true)},         // not binds looser than comparison
      {"not not true", boolean(true)},
      {"true or false and false", boolean(true)},    // and binds tighter than or
      {"(true or false) and false", boolean(false)},
      {"not true or true", boolean(true)},           // (not true) or true
      {"not (true or true)", boolean(false)},
      {"1 + 2 < 2 * 2", boolean(true)},
      // No value: missing data, division by zero, overflow.
      {"#{fire.incidents}", kNone},
      {"#{fire.incidents} + 1", kNone},
      {"-#{fire.incidents}", kNone},
      {"#{fire.incidents} > 1", kNone},
      {"#{fire.incidents} == #{fire.incidents}", kNone},
      {"#{drug.unknown} == true", kNone},
      {"not #{drug.unknown}", kNone},
      {"#{crime.cases} / 0", kNone},
      {"0 / 0", kNone},
      {"#{crime.cases} / #{drug.cases}", kNone},
      {"#{crime.cases} / #{drug.cases} > 1", kNone},
      {"1 / (0.5 - 0.5)", kNone},
      {"1" + std::string(300, '0') + " * 1" + std::string(300, '0'), kNone},  // +infinity
      {"-1" + std::string(300, '0') + " * 1" + std::string(300, '0'), kNone},  // -infinity
      {"1" + std::string(300, '0') + " * 1" + std::string(300, '0') + " > 0", kNone},
      // Functions.
      {"previous(#{crime.cases})", number(50)},
      {"last_year(#{crime.cases})", number(32)},
      {"(#{crime.cases} - last_year(#{crime.cases})) / last_year(#{crime.cases}) * 100",
       number(25)},
      {"previous(#{fire.incidents})", kNone},
      {"if(#{drug.free}, 1, 2)", number(1)},
      {"if(not #{drug.free}, 1, 2)", number(2)},
      {"if(#{fire.incidents} > 0, 1, 2)", kNone},
      {"if(true, 1, 1 / 0)", number(1)},
      {"if(#{drug.cases} > 0, #{crime.cases} / #{drug.cases}, 0)", number(0)},
      {"if(false, true, false)", boolean(false)},
      {"min(3, 4)", number(3)},
      {"min(-3, 4)", number(-3)},
      {"max(3, 4)", number(4)},
      {"min(#{fire.incidents}, 1)", kNone},
      {"max(1, #{fire.incidents})", kNone},
      {"abs(-2.5)", number(2.5)},
      {"abs(2.5)", number(2.5)},
      {"abs(#{fire.incidents})", kNone},
      {"round(2.345, 2)", number(2.35)},   // decimal, not binary, halfway
      {"round(1.005, 2)", number(1.01)},
      {"round(-2.5, 0)", number(-3)},      // half away from zero
      {"round(0.5, 0)", number(1)},
      {"round(0.4, 0)", number(0)},
      {"round(9.995, 2)", number(10)},
      {"round(1234.5, -2)", number(1200)},
      {"round(1250, -2)", number(1300)},
      {"round(49, -2)", number(0)},
      {"round(0.001, 1)", number(0)},
      {"round(2.5, 5)", number(2.5)},
      {"round(#{crime.solved} / #{crime.cases} * 100, 1)", number(75)},
      {"round(2 / 3 * 100, 1)", number(66.7)},
      {"round(1, 0.5)", kNone},
      {"round(1, 21)", kNone},
      {"round(#{fire.incidents}, 1)", kNone},
      {"round(1, #{fire.incidents})", kNone},
      {"value_or(#{fire.incidents}, 0)", number(0)},
      {"value_or(#{crime.cases}, 0)", number(40)},
      {"value_or(#{drug.unknown}, false)", boolean(false)},
      {"value_or(#{fire.incidents}, #{fire.incidents})", kNone},
      {"count_children(#{drug.free})", number(0)},   // p has no children in this context
      {"share_children(#{drug.free})", kNone},
  };
  for (const Golden& row : table) {
    EXPECT_EQ(in_province(row.text), row.expected) << row.text;
  }
}

TEST(Expression, ValuesNeverInfiniteOrNaN) {
  EXPECT_FALSE(ExpressionValue::number(std::numeric_limits<double>::infinity()).has_value());
  EXPECT_FALSE(ExpressionValue::number(-std::numeric_limits<double>::infinity()).has_value());
  EXPECT_FALSE(ExpressionValue::number(std::nan("")).has_value());
  EXPECT_EQ(ExpressionValue::number(-0.0).to_string(), "0");
  EXPECT_EQ(in_province("-0 * 1").to_string(), "0");
  EXPECT_EQ(number(41.57).to_string(), "41.57");
  EXPECT_EQ(boolean(true).to_string(), "true");
  EXPECT_EQ(kNone.to_string(), "no value");
  // A context answering infinity or NaN yields no value, not a poisoned result.
  FakeContext context;
  context.set("crime.cases", "p", "2022", std::numeric_limits<double>::infinity());
  context.set("crime.solved", "p", "2022", std::nan(""));
  EXPECT_EQ(evaluated("#{crime.cases}", context, "p", "2022"), kNone);
  EXPECT_EQ(evaluated("#{crime.solved} + 1", context, "p", "2022"), kNone);
}

struct CompileFailure {
  std::string text;
  std::string message;
};

std::string compile_error(std::string_view text,
                          std::optional<ExpressionType> expected = std::nullopt) {
  auto compiled = CompiledExpression::compile(text, test_catalogue(), expected);
  if (compiled.is_ok()) return "compiled";
  EXPECT_EQ(compiled.status().code(), StatusCode::kInvalidInput);
  return compiled.status().message();
}

TEST(Expression, GoldenCompileErrors) {
  const std::vector<CompileFailure> table = {
      // Types.
      {"#{drug.cases} + #{drug.free}", "column 17: expected a number, found a boolean (#{drug.free})"},
      {"#{drug.free} * 2", "column 1: expected a number, found a boolean (#{drug.free})"},
      {"(true) / 2", "column 1: expected a number, found a boolean ((true))"},
      {"-true", "column 2: expected a number, found a boolean (true)"},
      {"true < false", "column 1: expected a number, found a boolean (true)"},
      {"1 >= (1 == 1)", "column 6: expected a number, found a boolean ((1 == 1))"},
      {"1 and true", "column 1: expected a boolean, found a number (1)"},
      {"true or 2 + 3", "column 9: expected a boolean, found a number (2 + 3)"},
      {"not 1", "column 5: expected a boolean, found a number (1)"},
      {"1 == true", "column 3: \"==\" compares two values of the same type, found a number and a boolean"},
      {"#{drug.free} != 0", "column 14: \"!=\" compares two values of the same type, found a boolean and a number"},
      // Syntax.
      {"", "column 1: unexpected end of expression"},
      {"   ", "column 4: unexpected end of expression"},
      {"1 + ", "column 5: unexpected end of expression"},
      {"#{crime.cases} *", "column 17: unexpected end of expression"},
      {"(1 + 2", "column 7: missing \")\" for the \"(\" at column 1"},
      {"((1 + 2)", "column 9: missing \")\" for the \"(\" at column 1"},
      {"1 + 2)", "column 6: unexpected \")\" without a matching \"(\""},
      {"()", "column 2: unexpected \")\""},
      {"min(1, 2", "column 9: missing \")\" for the \"(\" at column 4"},
      {"min(1,)", "column 7: unexpected \")\""},
      {"min(1 2)", "column 7: unexpected \"2\""},
      {"1 2", "column 3: unexpected \"2\""},
      {"1 < 2 < 3", "column 7: comparisons do not chain (write a < b and b < c)"},
      {"1 == 1 == true", "column 8: comparisons do not chain (write a < b and b < c)"},
      {"1 = 1", "column 3: unexpected \"=\" (equality is written ==)"},
      {"!true", "column 1: unexpected \"!\" (use != or not)"},
      {"1 & 2", "column 3: unexpected character \"&\""},
      {"1 + ộ", "column 5: unexpected character \"ộ\""},
      {"1.", "column 3: expected a digit after the decimal point"},
      {"1.x", "column 3: expected a digit after the decimal point"},
      {"x + 1", "column 1: unknown name \"x\" (an element is written #{code})"},
      {"1 and", "column 6: unexpected end of expression"},
      {"and", "column 1: unexpected \"and\""},
      {"1 +* 2", "column 4: unexpected \"*\""},
      {"1" + std::string(400, '0'), "column 1: number out of range (1" + std::string(400, '0') + ")"},
      // References.
      {"#{crime.cases", "column 1: unterminated \"#{\" (missing \"}\")"},
      {"1 + #{", "column 5: unterminated \"#{\" (missing \"}\")"},
      {"# {crime.cases}", "column 1: expected \"{\" after \"#\" (an element is written #{code})"},
      {"#{ộ} + #", "column 8: expected \"{\" after \"#\" (an element is written #{code})"},  // columns count characters
      {"#{}", "column 1: empty element reference #{}"},
      {"#{crime.nope}", "column 1: unknown data element \"crime.nope\""},
      {"2 * #{nope}", "column 5: unknown data element \"nope\""},
      {"#{foreign.in.delegations.lao_cai}",
       "column 1: data element \"foreign.in.delegations\" has no option \"lao_cai\" (its options: van_nam, bac_lao)"},
      {"#{crime.cases.x}", "column 1: data element \"crime.cases\" has no disaggregation, so no option \"x\""},
      {"#{note}", "column 1: element \"note\" holds text, which expressions cannot use"},
      // Functions.
      {"1 + prev(2)", "column 5: unknown function \"prev\""},
      {"MIN(1, 2)", "column 1: unknown function \"MIN\""},
      {"1 + 2 * previous(1, 2)", "column 9: \"previous\" takes 1 argument, found 2"},
      // Expected type of the whole expression.
      {"#{crime.cases}", "compiled"},
  };
  for (const CompileFailure& row : table) {
    EXPECT_EQ(compile_error(row.text), row.message) << row.text;
  }
  EXPECT_EQ(compile_error("#{crime.cases} + 1", ExpressionType::kBoolean),
            "column 1: the expression must give a boolean, found a number");
  EXPECT_EQ(compile_error("#{drug.free}", ExpressionType::kNumber),
            "column 1: the expression must give a number, found a boolean");
  EXPECT_EQ(compile_error("#{drug.free}", ExpressionType::kBoolean), "compiled");
}

TEST(Expression, NestingIsBounded) {
  const std::string deep = std::string(150, '(') + "1" + std::string(150, ')');
  EXPECT_EQ(compile_error(deep), "column 101: nested more than 100 levels deep");
  const std::string negations = std::string(150, '-') + "1";
  EXPECT_EQ(compile_error(negations), "column 100: nested more than 100 levels deep");
  const std::string fine = std::string(50, '(') + "1" + std::string(50, ')');
  EXPECT_EQ(compile_error(fine), "compiled");
}

TEST(Expression, EveryFunctionChecksArityAndTypes) {
  const std::vector<CompileFailure> table = {
      {"previous()", "column 1: \"previous\" takes 1 argument, found 0"},
      {"last_year(1, 2)", "column 1: \"last_year\" takes 1 argument, found 2"},
      {"if(true, 1)", "column 1: \"if\" takes 3 arguments, found 2"},
      {"if(1, 2, 3)", "column 4: expected a boolean, found a number (1)"},
      {"if(true, 1, false)", "column 13: \"if\" needs arguments 2 and 3 of the same type, found a number and a boolean (false)"},
      {"if(true, 1, 2) and true", "column 1: expected a boolean, found a number (if(true, 1, 2))"},
      {"min(1)", "column 1: \"min\" takes 2 arguments, found 1"},
      {"min(true, 1)", "column 5: expected a number, found a boolean (true)"},
      {"max(1, 2, 3)", "column 1: \"max\" takes 2 arguments, found 3"},
      {"max(1, #{drug.free})", "column 8: expected a number, found a boolean (#{drug.free})"},
      {"abs()", "column 1: \"abs\" takes 1 argument, found 0"},
      {"abs(false)", "column 5: expected a number, found a boolean (false)"},
      {"round(1)", "column 1: \"round\" takes 2 arguments, found 1"},
      {"round(1, true)", "column 10: expected a number, found a boolean (true)"},
      {"value_or(1)", "column 1: \"value_or\" takes 2 arguments, found 1"},
      {"value_or(#{drug.free}, 0)", "column 24: \"value_or\" needs arguments 1 and 2 of the same type, found a boolean and a number (0)"},
      {"count_children()", "column 1: \"count_children\" takes 1 argument, found 0"},
      {"count_children(#{drug.cases})", "column 16: expected a boolean, found a number (#{drug.cases})"},
      {"share_children(true, true)", "column 1: \"share_children\" takes 1 argument, found 2"},
      {"share_children(1)", "column 16: expected a boolean, found a number (1)"},
      {"previous(#{drug.free}) + 1", "column 1: expected a number, found a boolean (previous(#{drug.free}))"},
      {"last_year(1) and true", "column 1: expected a boolean, found a number (last_year(1))"},
      {"count_children(true) and true", "column 1: expected a boolean, found a number (count_children(true))"},
  };
  for (const CompileFailure& row : table) {
    EXPECT_EQ(compile_error(row.text), row.message) << row.text;
  }
  // Every registered function appears in the table above and in the signature list.
  const std::vector<std::string> signatures = expression_function_signatures();
  ASSERT_EQ(signatures.size(), function_registry().size());
  for (const FunctionDefinition& function : function_registry()) {
    bool tested = false;
    for (const CompileFailure& row : table) tested = tested || row.text.rfind(function.name, 0) == 0;
    EXPECT_TRUE(tested) << function.name;
  }
  EXPECT_EQ(signatures.front().rfind("previous(T) -> T: ", 0), 0u) << signatures.front();
  EXPECT_EQ(signatures[2].rfind("if(boolean, T, T) -> T: ", 0), 0u) << signatures[2];
}

TEST(Expression, ThreeValuedLogic) {
  // t, f, n: true, false and no value (a boolean element without data).
  const std::map<char, std::string> operand = {
      {'t', "true"}, {'f', "false"}, {'n', "#{drug.unknown}"}};
  const std::map<char, ExpressionValue> value = {{'t', boolean(true)}, {'f', boolean(false)},
                                                 {'n', kNone}};
  // Rows: left operand; columns: right operand t, f, n.
  const std::map<char, std::string> and_table = {{'t', "tfn"}, {'f', "fff"}, {'n', "nfn"}};
  const std::map<char, std::string> or_table = {{'t', "ttt"}, {'f', "tfn"}, {'n', "tnn"}};
  const std::string columns = "tfn";
  for (char a : columns) {
    for (size_t j = 0; j < columns.size(); ++j) {
      const char b = columns[j];
      const std::string conjunction = operand.at(a) + " and " + operand.at(b);
      const std::string disjunction = operand.at(a) + " or " + operand.at(b);
      EXPECT_EQ(in_province(conjunction), value.at(and_table.at(a)[j])) << conjunction;
      EXPECT_EQ(in_province(disjunction), value.at(or_table.at(a)[j])) << disjunction;
    }
  }
  EXPECT_EQ(in_province("not true"), boolean(false));
  EXPECT_EQ(in_province("not false"), boolean(true));
  EXPECT_EQ(in_province("not #{drug.unknown}"), kNone);
  // Missing numbers reach the logic through comparisons.
  EXPECT_EQ(in_province("#{fire.incidents} > 0 and false"), boolean(false));
  EXPECT_EQ(in_province("#{fire.incidents} > 0 or true"), boolean(true));
  EXPECT_EQ(in_province("#{fire.incidents} > 0 or false"), kNone);
}

TEST(Expression, PreviousAndLastYearCrossYearBoundaries) {
  FakeContext context;
  context.set("crime.cases", "p", "202201", 10);
  context.set("crime.cases", "p", "202112", 8);
  context.set("crime.cases", "p", "202111", 6);
  context.set("crime.cases", "p", "202101", 5);
  context.set("crime.cases", "p", "2022Q1", 30);
  context.set("crime.cases", "p", "2021Q4", 20);
  context.set("crime.cases", "p", "2021Q1", 15);
  context.set("crime.cases", "p", "2022S1", 60);
  context.set("crime.cases", "p", "2021S2", 45);
  context.set("crime.cases", "p", "2021", 100);
  context.set("drug.free", "p", "2021", 1);
  EXPECT_EQ(evaluated("previous(#{crime.cases})", context, "p", "202201"), number(8));
  EXPECT_EQ(evaluated("previous(previous(#{crime.cases}))", context, "p", "202201"), number(6));
  EXPECT_EQ(evaluated("last_year(#{crime.cases})", context, "p", "202201"), number(5));
  EXPECT_EQ(evaluated("previous(#{crime.cases})", context, "p", "2022Q1"), number(20));
  EXPECT_EQ(evaluated("last_year(#{crime.cases})", context, "p", "2022Q1"), number(15));
  EXPECT_EQ(evaluated("previous(#{crime.cases})", context, "p", "2022S1"), number(45));
  EXPECT_EQ(evaluated("previous(#{crime.cases})", context, "p", "2022"), number(100));
  EXPECT_EQ(evaluated("last_year(#{crime.cases})", context, "p", "2022"), number(100));
  EXPECT_EQ(evaluated("previous(#{drug.free})", context, "p", "2022"), boolean(true));
  // The shift applies to the whole argument, references and constants alike.
  EXPECT_EQ(evaluated("previous(#{crime.cases} * 2 + 1)", context, "p", "202201"), number(17));
  EXPECT_EQ(evaluated("#{crime.cases} - previous(#{crime.cases})", context, "p", "202201"),
            number(2));
  EXPECT_EQ(evaluated("previous(#{crime.cases})", context, "p", "202111"), kNone);
}

TEST(Expression, ChildUnitsInTheStructureInForce) {
  FakeContext context;
  // Province p has districts d1, d2, d3 in 2022; d3 did not exist in 2021.
  context.set_children("p", "2022", {"d1", "d2", "d3"});
  context.set_children("p", "2021", {"d1", "d2"});
  context.set_children("d1", "2022", {"c1", "c2"});
  context.set("drug.free", "d1", "2022", 1);
  context.set("drug.free", "d2", "2022", 0);  // d3 has no value
  context.set("drug.free", "d1", "2021", 1);
  context.set("drug.free", "d2", "2021", 1);
  context.set("drug.cases", "d1", "2022", 0);
  context.set("drug.cases", "d2", "2022", 3);
  context.set("drug.cases", "d3", "2022", 0);
  context.set("drug.free", "c1", "2022", 1);
  context.set("drug.free", "c2", "2022", 1);

  auto at = [&](std::string_view text, std::string_view unit, std::string_view year) {
    return evaluated(text, context, unit, year);
  };
  EXPECT_EQ(at("count_children(#{drug.free})", "p", "2022"), number(1));
  EXPECT_EQ(at("share_children(#{drug.free})", "p", "2022"), number(50));  // 1 of the 2 with a value
  EXPECT_EQ(at("count_children(not #{drug.free})", "p", "2022"), number(1));
  EXPECT_EQ(at("count_children(#{drug.cases} == 0)", "p", "2022"), number(2));
  EXPECT_EQ(at("share_children(#{drug.cases} == 0)", "p", "2022"), number(200.0 / 3));
  EXPECT_EQ(at("count_children(true)", "p", "2022"), number(3));
  EXPECT_EQ(at("count_children(#{drug.free})", "p", "2021"), number(2));
  EXPECT_EQ(at("share_children(#{drug.free})", "p", "2021"), number(100));
  // Children of the period in force, each read one year earlier.
  EXPECT_EQ(at("count_children(last_year(#{drug.free}))", "p", "2022"), number(2));
  // Districts whose communes are all drug-free.
  EXPECT_EQ(at("count_children(count_children(not #{drug.free}) == 0 and "
               "count_children(true) > 0)", "p", "2022"), number(1));
  // No child, or no child with a value.
  EXPECT_EQ(at("count_children(#{drug.free})", "c1", "2022"), number(0));
  EXPECT_EQ(at("share_children(#{drug.free})", "c1", "2022"), kNone);
  EXPECT_EQ(at("share_children(#{drug.unknown})", "p", "2022"), kNone);
  EXPECT_EQ(at("count_children(#{drug.unknown})", "p", "2022"), number(0));
  EXPECT_EQ(at("share_children(#{drug.free}) >= 50", "p", "2022"), boolean(true));
}

TEST(Expression, ReferencesAreListedOnceInOrder) {
  auto compiled = CompiledExpression::compile(
      "#{crime.solved} / #{crime.cases} * 100 + previous(#{crime.solved}) + "
      "#{foreign.in.delegations.van_nam} + #{foreign.in.delegations} + #{trade.x}",
      test_catalogue());
  ASSERT_TRUE(compiled.is_ok()) << compiled.status().message();
  EXPECT_EQ(compiled->type(), ExpressionType::kNumber);
  std::vector<std::string> codes;
  for (const ElementRef& ref : compiled->references()) codes.push_back(ref.code());
  EXPECT_EQ(codes, (std::vector<std::string>{"crime.solved", "crime.cases",
                                             "foreign.in.delegations.van_nam",
                                             "foreign.in.delegations", "trade.x"}));
  const ElementRef& van_nam = compiled->references()[2];
  EXPECT_EQ(van_nam.element, "foreign.in.delegations");
  EXPECT_EQ(van_nam.option, "van_nam");
  EXPECT_EQ(van_nam.option_id, 11);
  EXPECT_EQ(compiled->references()[4].option, "");  // the element trade.x, not option x

  auto boolean_rule = CompiledExpression::compile("#{drug.free} or 1 > 2", test_catalogue());
  ASSERT_TRUE(boolean_rule.is_ok());
  EXPECT_EQ(boolean_rule->type(), ExpressionType::kBoolean);
  EXPECT_EQ(boolean_rule->references().size(), 1u);
  EXPECT_EQ(boolean_rule->references()[0].type(), ExpressionType::kBoolean);

  // Copies share the compiled tree and evaluate alike.
  const CompiledExpression copy = *compiled;
  EXPECT_EQ(copy.text(), compiled->text());
  EXPECT_EQ(copy.evaluate(province_context(), "p", period("202203")),
            compiled->evaluate(province_context(), "p", period("202203")));
}

TEST(Expression, RoundDecimal) {
  EXPECT_EQ(round_decimal(2.345, 2), 2.35);
  EXPECT_EQ(round_decimal(-2.345, 2), -2.35);
  EXPECT_EQ(round_decimal(99.95, 1), 100.0);
  EXPECT_EQ(round_decimal(0.05, 1), 0.1);
  EXPECT_EQ(round_decimal(0.04, 1), 0.0);
  EXPECT_EQ(round_decimal(123456789.123456, 3), 123456789.123);
  EXPECT_EQ(round_decimal(1e300, 2), 1e300);
  EXPECT_EQ(round_decimal(1.5e-300, 2), 0.0);
  EXPECT_EQ(round_decimal(5e-21, 20), 1e-20);
  EXPECT_EQ(round_decimal(0, 3), 0.0);
}

// Every expression of the qpan-vn pack compiles against the pack's own catalogue, with the
// type its use requires.
TEST(Expression, EveryPackExpressionCompiles) {
  auto read = read_pack(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  ASSERT_TRUE(read->pack.has_value()) << read->problems.total << " problems";
  const Pack& pack = *read->pack;

  std::vector<std::string> failures;
  size_t compiled_count = 0;
  auto check = [&](const std::string& where, const std::string& text, ExpressionType type) {
    auto compiled = CompiledExpression::compile(text, pack.catalogue, type);
    ++compiled_count;
    if (!compiled.is_ok()) {
      failures.push_back(where + ": " + text + ": " + compiled.status().message());
    } else if (compiled->references().empty() && type == ExpressionType::kNumber) {
      failures.push_back(where + ": " + text + ": reads no element");
    }
  };

  ASSERT_FALSE(pack.indicators.empty());
  for (const Indicator& indicator : pack.indicators) {
    check("indicator " + indicator.code, indicator.expression, ExpressionType::kNumber);
  }
  ASSERT_FALSE(pack.validation_rules.empty());
  for (const ValidationRule& rule : pack.validation_rules) {
    check("validation rule " + rule.code + " left", rule.left, ExpressionType::kNumber);
    check("validation rule " + rule.code + " right", rule.right, ExpressionType::kNumber);
    check("validation rule " + rule.code, "(" + rule.left + ") " + rule.op + " (" + rule.right + ")",
          ExpressionType::kBoolean);
  }
  size_t evaluation_expressions = 0;
  for (const EvaluationSetDefinition& set : pack.evaluation_sets) {
    for (const EvaluationVersionDefinition& version : set.versions) {
      for (const EvaluationCriterionDefinition& criterion : version.criteria) {
        ++evaluation_expressions;
        check("evaluation " + set.code + " criterion " + criterion.code, criterion.expression,
              ExpressionType::kBoolean);
      }
      for (const EvaluationClassDefinition& cls : version.classes) {
        ++evaluation_expressions;
        check("evaluation " + set.code + " class " + cls.code, cls.condition, ExpressionType::kBoolean);
      }
    }
  }
  EXPECT_GT(evaluation_expressions, 0u);
  for (const std::string& failure : failures) ADD_FAILURE() << failure;
  std::cout << "compiled " << compiled_count << " pack expressions (" << evaluation_expressions
            << " from evaluation sets)\n";
}

}  // namespace
}  // namespace qpan
