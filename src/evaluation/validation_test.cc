// Tests for validation rules (qpan/validation.h): the pack's rules placed by their forms,
// violations with both sides' values, missing values (skipped when both are missing, 0
// otherwise), the periods and levels checked, and the store-backed check of imported cells.
#include "qpan/validation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <tuple>

#include "exchange/exchange_test_support.h"
#include "qpan/evaluation.h"
#include "qpan/pack.h"
#include "qpan/store.h"
#include "evaluation/evaluation_test_support.h"
#include "qpan/record_writer.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {

using testing::FakeContext;
using testing::qpan_vn;

// The pack's rules named by `codes`, compiled against the pack's catalogue and forms.
std::vector<CompiledValidationRule> pack_rules(const std::vector<std::string>& codes) {
  Pack chosen;
  chosen.data_sets = qpan_vn().data_sets;
  for (const std::string& code : codes) {
    for (const ValidationRule& r : qpan_vn().validation_rules) {
      if (r.code == code) chosen.validation_rules.push_back(r);
    }
  }
  EXPECT_EQ(chosen.validation_rules.size(), codes.size());
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(chosen, qpan_vn().catalogue);
  EXPECT_TRUE(rules.is_ok()) << rules.status().message();
  return rules.is_ok() ? *rules : std::vector<CompiledValidationRule>{};
}

OrgUnitVersion version(std::string code, OrgUnitLevel level, std::string name, std::string parent,
                       std::optional<Date> from = std::nullopt) {
  OrgUnitVersion v;
  v.code = std::move(code);
  v.level = level;
  v.name = std::move(name);
  v.type = level == OrgUnitLevel::kProvince ? "Tỉnh" : level == OrgUnitLevel::kDistrict ? "Huyện" : "Xã";
  v.parent_code = std::move(parent);
  v.valid_from = from;
  return v;
}

std::vector<OrgUnitVersion> test_versions() {
  return {version("P", OrgUnitLevel::kProvince, "Tỉnh Thử", ""),
          version("D1", OrgUnitLevel::kDistrict, "Huyện Một", "P"),
          version("C1", OrgUnitLevel::kCommune, "Xã Một", "D1"),
          version("C2", OrgUnitLevel::kCommune, "Xã Hai", "D1"),
          version("C3", OrgUnitLevel::kCommune, "Xã Ba", "D1"),
          version("C4", OrgUnitLevel::kCommune, "Xã Bốn", "D1"),
          version("A1", OrgUnitLevel::kAgency, "Trường Một", "D1"),
          version("Q", OrgUnitLevel::kProvince, "Tỉnh Khác", ""),
          version("QC", OrgUnitLevel::kCommune, "Xã Khác", "Q")};
}

const OrgUnitIndex& test_units() {
  static const OrgUnitIndex index(test_versions());
  return index;
}

Period period(std::string_view code) { return *Period::parse(code); }

const CompiledValidationRule& find(const std::vector<CompiledValidationRule>& rules, const std::string& code) {
  for (const CompiledValidationRule& r : rules) {
    if (r.code == code) return r;
  }
  ADD_FAILURE() << "no rule " << code;
  return rules.front();
}

TEST(Validation, PackRulesArePlacedByTheFormsThatReportThem) {
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(qpan_vn(), qpan_vn().catalogue);
  ASSERT_TRUE(rules.is_ok()) << rules.status().message();
  EXPECT_EQ(rules->size(), qpan_vn().validation_rules.size());
  const CompiledValidationRule& solved = find(*rules, "vr.crime.ttxh.solved_le_cases");
  EXPECT_EQ(solved.period_types, std::vector<PeriodType>{PeriodType::kMonth});
  EXPECT_EQ(solved.levels, std::vector<OrgUnitLevel>{OrgUnitLevel::kCommune});
  EXPECT_EQ(solved.op, ComparisonOperator::kLessEqual);
  const CompiledValidationRule& villages = find(*rules, "vr.antt.villages_safe_le_total");
  EXPECT_EQ(villages.period_types, std::vector<PeriodType>{PeriodType::kYear});
  const CompiledValidationRule& trade = find(*rules, "vr.border.gate.parts_le_trade");
  EXPECT_EQ(trade.levels, std::vector<OrgUnitLevel>{OrgUnitLevel::kProvince});
}

TEST(Validation, CompileErrorsNameTheRule) {
  // Rules alone, without the forms that would place them.
  auto only = [](const ValidationRule& rule) {
    Pack pack;
    pack.validation_rules = {rule};
    return compile_validation_rules(pack, qpan_vn().catalogue);
  };
  auto error = [&](const ValidationRule& rule) {
    Result<std::vector<CompiledValidationRule>> r = only(rule);
    EXPECT_FALSE(r.is_ok());
    return r.status().message();
  };
  ValidationRule rule{{"vr.x", "X", "X", ""}, "#{nope}", "<=", "1", "high"};
  EXPECT_EQ(error(rule), "validation rule vr.x: left: column 1: unknown data element \"nope\"");
  rule.left = "#{crime.ttxh.cases}";
  rule.right = "#{antt.registered}";
  EXPECT_EQ(error(rule), "validation rule vr.x: right: not of the left side's type");
  rule.right = "1";
  rule.op = "=<";
  EXPECT_EQ(error(rule), "validation rule vr.x: operator: unknown operator \"=<\" (expected <, <=, ==, !=, >= or >)");
  // A rule on elements no form reports is checked monthly at every level.
  rule.op = "<=";
  Result<std::vector<CompiledValidationRule>> r = only(rule);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->at(0).period_types, std::vector<PeriodType>{PeriodType::kMonth});
  EXPECT_TRUE(r->at(0).levels.empty());
}

TEST(Validation, ViolationsCarryBothSidesAndAMissingSideCountsAsZero) {
  FakeContext c;
  c.set("crime.ttxh.solved", "C1", "202002", 5);  // more solved than occurred
  c.set("crime.ttxh.cases", "C1", "202002", 3);
  c.set("crime.ttxh.solved", "C2", "202003", 2);  // cases missing: taken as 0
  c.set("crime.ttxh.solved", "C4", "202001", 1);  // fine
  c.set("crime.ttxh.cases", "C4", "202001", 4);
  c.set("crime.ttxh.cases", "C4", "202002", 2);   // solved missing: 0 <= 2, fine
  c.set("crime.ttxh.solved", "QC", "202001", 9);  // another province
  c.set("crime.ttxh.solved", "A1", "202001", 3);  // an agency: the form is the communes'
  c.set("crime.ttxh.solved", "C1", "2020", 10);   // a yearly figure: the form is monthly
  c.set("crime.ttxh.cases", "C1", "2020", 1);
  // C3 has nothing at all: no check.
  const std::vector<CompiledValidationRule> rules = pack_rules({"vr.crime.ttxh.solved_le_cases"});
  Result<ValidationReport> report = run_validation(rules, test_units(), c, "P", period("2020Q1"));
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->checks, 4u);
  ASSERT_EQ(report->violations.size(), 2u);
  const ValidationViolation& first = report->violations[0];
  EXPECT_EQ(std::tuple(first.unit, first.unit_name, first.period.code()), std::tuple("C1", "Xã Một", "202002"));
  EXPECT_EQ(first.left, 5.0);
  EXPECT_EQ(first.right, 3.0);
  const ValidationViolation& second = report->violations[1];
  EXPECT_EQ(std::tuple(second.unit, second.period.code()), std::tuple("C2", "202003"));
  EXPECT_EQ(second.left, 2.0);
  EXPECT_FALSE(second.right.has_value());

  const std::string table = format_validation(*report, ValidationFormat::kTable);
  EXPECT_NE(table.find("2 vi phạm"), std::string::npos) << table;
  EXPECT_NE(table.find("Số vụ làm rõ không vượt số vụ xảy ra"), std::string::npos) << table;
  EXPECT_NE(table.find("Xã Một (C1)  tháng 2/2020"), std::string::npos) << table;
  EXPECT_NE(table.find("không có (= 0)"), std::string::npos) << table;
  EXPECT_NE(table.find("cao"), std::string::npos) << table;
  const std::string csv = format_validation(*report, ValidationFormat::kCsv);
  EXPECT_EQ(csv,
            "rule,rule_name,ou,ou_name,pe,left,operator,right,importance\n"
            "vr.crime.ttxh.solved_le_cases,Số vụ làm rõ không vượt số vụ xảy ra,C1,Xã Một,202002,5,<=,3,high\n"
            "vr.crime.ttxh.solved_le_cases,Số vụ làm rõ không vượt số vụ xảy ra,C2,Xã Hai,202003,2,<=,,high\n");
  const boost::json::value json = boost::json::parse(format_validation(*report, ValidationFormat::kJson));
  EXPECT_EQ(json.at("violations").at(1).at("right"), nullptr);
  EXPECT_EQ(json.at("violations").at(0).at("name_en").as_string(), "Solved cases do not exceed cases");

  // A window without violations.
  Result<ValidationReport> clean = run_validation(rules, test_units(), c, "P", period("2020Q2"));
  ASSERT_TRUE(clean.is_ok());
  EXPECT_TRUE(clean->violations.empty());
  EXPECT_NE(format_validation(*clean, ValidationFormat::kTable).find("không có vi phạm"), std::string::npos);
  EXPECT_EQ(format_validation(*clean, ValidationFormat::kCsv), "rule,rule_name,ou,ou_name,pe,left,operator,right,importance\n");
  // Within a district or a commune only.
  EXPECT_EQ(run_validation(rules, test_units(), c, "C2", period("2020"))->violations.size(), 1u);
}

TEST(Validation, RulesAreCheckedInThePeriodsOfTheirForms) {
  FakeContext c;
  c.set("antt.villages_safe", "C1", "2020", 12);
  c.set("antt.villages_total", "C1", "2020", 10);
  const std::vector<CompiledValidationRule> rules = pack_rules({"vr.antt.villages_safe_le_total"});
  EXPECT_EQ(run_validation(rules, test_units(), c, "P", period("2020"))->violations.size(), 1u);
  EXPECT_EQ(run_validation(rules, test_units(), c, "P", period("2019..2021"))->violations.size(), 1u);
  Result<ValidationReport> quarter = run_validation(rules, test_units(), c, "P", period("2020Q4"));
  EXPECT_EQ(quarter->checks, 0u);  // no year lies within a quarter
}

TEST(Validation, DecimalSumsCompareAsWritten) {
  FakeContext c;
  c.set("border.gate.export_usd", "P", "202203", 0.1);
  c.set("border.gate.import_usd", "P", "202203", 0.2);
  c.set("border.gate.trade_usd", "P", "202203", 0.3);  // 0.1 + 0.2 is 0.30000000000000004 as a double
  Result<ValidationReport> report =
      run_validation(pack_rules({"vr.border.gate.parts_le_trade"}), test_units(), c, "P", period("2022"));
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->checks, 1u);
  EXPECT_TRUE(report->violations.empty());
}

TEST(Validation, ErrorsNameTheUnit) {
  FakeContext c;
  const std::vector<CompiledValidationRule> rules = pack_rules({"vr.crime.ttxh.solved_le_cases"});
  EXPECT_EQ(run_validation(rules, test_units(), c, "X", period("2020")).status().message(), "ou: unknown unit \"X\"");
  const OrgUnitIndex later({version("N", OrgUnitLevel::kProvince, "Tỉnh Mới", "", make_date(2025, 7, 1))});
  EXPECT_EQ(run_validation(rules, later, c, "N", period("2020")).status().message(),
            "ou: unit N is not in force in năm 2020");
}

// The store-backed check after an import: only the written cells are read.
class StoredCellsTest : public testing::ExchangeTest {};

TEST_F(StoredCellsTest, ChecksTheImportedCellsFromTheStore) {
  ASSERT_TRUE(store_->save_org_units(test_versions(), {}).is_ok());
  Result<PackLoadResult> pack = load_pack(*store_, std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
  ASSERT_TRUE(pack.is_ok() && pack->problems.empty());
  Result<WriteOutcome> imported = import_value_file(*store_, write("v.csv",
      "dataelement,period,orgunit,categoryoptioncombo,value\n"
      "crime.ttxh.solved,202002,C1,,5\n"
      "crime.ttxh.cases,202002,C1,,3\n"
      "crime.ttxh.solved,202003,C2,,2\n"
      "crime.ttxh.solved,202003,C3,,1\n"
      "crime.ttxh.cases,202003,C3,,1\n"
      "crime.ttxh.cases,202003,C2,,9\n"), Writer::system("t"));
  ASSERT_TRUE(imported.is_ok() && imported->problems.empty()) << imported->problems.to_string();
  // The delegations sent are counted from the register: 3 to Yunnan with 4 persons, 2 to
  // northern Laos with none recorded.
  RecordWrite delegations{Writer::system("t"), "reg.foreign.delegation_out", {}, "test", {}};
  for (auto [partner, persons] : {std::pair{"van_nam", "2"}, {"van_nam", "1"}, {"van_nam", "1"}, {"bac_lao", "0"},
                                  {"bac_lao", "0"}}) {
    RecordChange change;
    change.record.org_unit = "P";
    change.record.fields = {{"partner", partner}, {"delegation", "Đoàn"}, {"head_title", "Phó Chủ tịch"},
                            {"date_from", "2020-02-10"}, {"date_to", "2020-02-12"}, {"purpose", "Hợp tác"},
                            {"persons", persons}};
    delegations.changes.push_back(change);
  }
  Result<RecordWriteOutcome> recorded = write_records(*store_, delegations);
  ASSERT_TRUE(recorded.is_ok() && recorded->written()) << recorded->message << recorded->problems.to_string();

  Result<Pack> loaded = read_loaded_pack(*store_);
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(*loaded, loaded->catalogue);
  ASSERT_TRUE(rules.is_ok()) << rules.status().message();
  EXPECT_EQ(rules->size(), qpan_vn().validation_rules.size());

  // C2's cases in March (9) are not asked for: only the cells listed are read.
  const std::vector<ValueCell> cells{{"C1", period("202002"), {}}, {"C3", period("202003"), {}}, {"P", period("202002"), {}}};
  Result<std::unique_ptr<StoredCellContext>> context = StoredCellContext::read(*store_, cells);
  ASSERT_TRUE(context.is_ok()) << context.status().message();
  const ValidationReport report = validate_cells(*rules, test_units(), **context, cells);
  ASSERT_EQ(report.violations.size(), 2u);
  EXPECT_EQ(report.rules[report.violations[0].rule].code, "vr.crime.ttxh.solved_le_cases");
  EXPECT_EQ(std::tuple(report.violations[0].unit, report.violations[0].left, report.violations[0].right),
            std::tuple(std::string("C1"), std::optional<double>(5), std::optional<double>(3)));
  // Options add up to the element's total: 3 + 2 delegations against 4 persons.
  EXPECT_EQ(report.rules[report.violations[1].rule].code, "vr.foreign.out.delegations_le_persons");
  EXPECT_EQ(std::tuple(report.violations[1].unit, report.violations[1].left, report.violations[1].right),
            std::tuple(std::string("P"), std::optional<double>(5), std::optional<double>(4)));
  // Three rules read crime.ttxh.cases (solved, serious, trafficking ≤ cases) for C1 and C3,
  // one the delegations of P.
  EXPECT_EQ(report.checks, 7u);

  const std::vector<ValueCell> c2{{"C2", period("202003"), {}}};
  Result<std::unique_ptr<StoredCellContext>> c2_context = StoredCellContext::read(*store_, c2);
  EXPECT_TRUE(validate_cells(*rules, test_units(), **c2_context, c2).violations.empty());

  // Cells naming the elements written: only the rules reading one of them. C1's solved > cases
  // is found whichever of the two was written; writing the delegations of C1 checks neither.
  for (const char* written : {"crime.ttxh.solved", "crime.ttxh.cases"}) {
    const std::vector<ValueCell> one{{"C1", period("202002"), {written}}};
    const ValidationReport r = validate_cells(*rules, test_units(), **context, one);
    ASSERT_EQ(r.violations.size(), 1u) << written;
    EXPECT_EQ(r.rules[r.violations[0].rule].code, "vr.crime.ttxh.solved_le_cases");
  }
  const std::vector<ValueCell> other{{"C1", period("202002"), {"foreign.out.delegations"}}};
  const ValidationReport none = validate_cells(*rules, test_units(), **context, other);
  EXPECT_TRUE(none.violations.empty());
  EXPECT_EQ(none.checks, 0u);

  // The evaluation sets stored with the pack, by code.
  Result<std::vector<EvaluationSet>> sets = compile_evaluation_sets(*loaded, loaded->catalogue, {"eval.drug_free.commune"});
  ASSERT_TRUE(sets.is_ok()) << sets.status().message();
  EXPECT_EQ(sets->at(0).code, "eval.drug_free.commune");
  EXPECT_EQ(compile_evaluation_sets(*loaded, loaded->catalogue)->size(), 5u);
}

}  // namespace
}  // namespace qpan
