// Tests for packs: a valid pack reads and loads; every class of error names file, JSON
// path and reason; upgrades keep data and refuse what would lose it.
#include "qpan/pack.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <tuple>

#include "exchange/exchange_test_support.h"
#include "qpan/report.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {

constexpr const char* kPackJson =
    R"({"pack": {"code": "test-pack", "version": "1.0.0", "name_vi": "Bộ thử", "name_en": "Test pack"}})";

constexpr const char* kElements = R"({
  "areas": [{"code": "crime", "name_vi": "Tội phạm", "name_en": "Crime"}],
  "disaggregations": [{"code": "partner", "name_vi": "Đối tác", "name_en": "Partner",
    "options": [{"code": "van_nam", "name_vi": "Vân Nam", "name_en": "Yunnan"}]}],
  "elements": [
    {"code": "crime.ttxh.cases", "name_vi": "Số vụ", "name_en": "Cases", "value_type": "count", "aggregation": "sum", "area": "crime"},
    {"code": "crime.ttxh.solved", "name_vi": "Số vụ làm rõ", "name_en": "Solved", "value_type": "count", "aggregation": "sum"},
    {"code": "foreign.in.delegations", "name_vi": "Đoàn vào", "name_en": "Delegations", "value_type": "count",
     "aggregation": "sum", "disaggregation": "partner"},
    {"code": "drug.free", "name_vi": "Không ma túy", "name_en": "Drug free", "value_type": "boolean", "aggregation": "count_true"}
  ]})";

constexpr const char* kRest = R"({
  "data_sets": [{"code": "ds.monthly", "name_vi": "Báo cáo tháng", "name_en": "Monthly", "period_type": "month",
    "calendar": "cutoff", "level": "commune", "deadline_days": 3, "approval": ["district", "province"],
    "elements": ["crime.ttxh.cases", "crime.ttxh.solved"]}],
  "indicators": [{"code": "crime.ttxh.solve_rate", "name_vi": "Tỷ lệ", "name_en": "Rate",
    "expression": "#{crime.ttxh.solved} / #{crime.ttxh.cases} * 100", "decimals": 1, "unit": "%"}],
  "validation_rules": [{"code": "vr.solved", "name_vi": "Làm rõ ≤ xảy ra", "name_en": "Solved <= cases",
    "left": "#{crime.ttxh.solved}", "operator": "<=", "right": "#{crime.ttxh.cases}", "importance": "high"}],
  "evaluation_sets": [{"code": "eval.drug_free", "name_vi": "Xã không ma túy", "name_en": "Drug-free commune",
    "levels": ["commune"], "period_type": "year",
    "versions": [{"valid_from": "2012-01-01", "regulation": "Hướng dẫn",
      "applies_when": "#{crime.ttxh.cases} > 0 or not #{drug.free}", "criteria": [
      {"code": "no_cases", "name_vi": "Không có vụ", "name_en": "No cases", "expression": "#{drug.free}"}],
      "outcome": {"kind": "all_criteria"}}]}],
  "registries": [{"code": "reg.delegations", "name_vi": "Sổ đoàn", "name_en": "Delegations",
    "fields": [{"code": "partner", "name_vi": "Đối tác", "name_en": "Partner", "type": "code", "required": true,
                "options": "partner"}]}],
  "report_templates": [{"code": "rpt.midterm", "name_vi": "Sơ kết", "name_en": "Mid-term review",
                        "file": "reports/midterm.txt"}]
})";

class PackTest : public testing::ExchangeTest {
 protected:
  // Writes a pack folder `name` with the given files (relative path → content).
  std::string pack(const std::string& name, const std::map<std::string, std::string>& files) {
    std::filesystem::path root = dir_ / name;
    std::filesystem::remove_all(root);
    for (const auto& [path, content] : files) {
      std::filesystem::create_directories((root / path).parent_path());
      std::ofstream(root / path, std::ios::binary) << content;
    }
    return root.string();
  }

  std::string valid_pack(const std::string& version = "1.0.0", const std::string& elements = kElements,
                         const std::string& rest = kRest) {
    std::string info = kPackJson;
    info.replace(info.find("1.0.0"), 5, version);
    return pack("p" + version, {{"pack.json", info},
                                {"elements/main.json", elements},
                                {"rest.json", rest},
                                {"reports/midterm.txt", "@period year\n@title Sơ kết năm {period.year}\n"}});
  }

  // Reads a pack expected to be invalid; returns all its problems as text.
  std::string problems_of(const std::map<std::string, std::string>& files) {
    Result<PackReadResult> r = read_pack(pack("bad", files));
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    EXPECT_FALSE(r->problems.empty());
    EXPECT_FALSE(r->pack.has_value());
    return r->problems.to_string();
  }

  std::string problems_with_rest(const std::string& rest) {
    return problems_of({{"pack.json", kPackJson}, {"elements.json", kElements}, {"rest.json", rest}});
  }
};

TEST_F(PackTest, ReadsAValidPack) {
  Result<PackReadResult> r = read_pack(valid_pack());
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  const Pack& p = *r->pack;
  EXPECT_EQ(p.info.code, "test-pack");
  EXPECT_EQ(p.catalogue.elements().size(), 4u);
  EXPECT_EQ(p.catalogue.element("crime.ttxh.cases")->area, "crime");
  ASSERT_EQ(p.data_sets.size(), 1u);
  EXPECT_EQ(p.data_sets[0].calendar, Calendar::kCutoff);
  EXPECT_EQ(p.data_sets[0].approval.size(), 2u);
  EXPECT_EQ(p.indicators.at(0).decimals, 1);
  EXPECT_EQ(p.validation_rules.at(0).op, "<=");
  // Evaluation sets, registries and report templates are typed too.
  ASSERT_EQ(p.evaluation_sets.size(), 1u);
  const EvaluationSetDefinition& set = p.evaluation_sets[0];
  EXPECT_EQ(set.levels, std::vector<OrgUnitLevel>{OrgUnitLevel::kCommune});
  EXPECT_EQ(set.period_type, PeriodType::kYear);
  ASSERT_EQ(set.versions.size(), 1u);
  EXPECT_EQ(set.versions[0].valid_from, make_date(2012, 1, 1));
  EXPECT_FALSE(set.versions[0].valid_until.has_value());
  EXPECT_EQ(set.versions[0].regulation, "Hướng dẫn");
  EXPECT_EQ(set.versions[0].applies_when, "#{crime.ttxh.cases} > 0 or not #{drug.free}");
  EXPECT_EQ(set.versions[0].outcome, EvaluationOutcomeKind::kAllCriteria);
  ASSERT_EQ(set.versions[0].criteria.size(), 1u);
  EXPECT_EQ(set.versions[0].criteria[0].code, "no_cases");
  EXPECT_EQ(set.versions[0].criteria[0].expression, "#{drug.free}");
  ASSERT_EQ(p.registries.size(), 1u);
  ASSERT_EQ(p.registries[0].fields.size(), 1u);
  const RegistryField& field = p.registries[0].fields[0];
  EXPECT_EQ(std::tuple(field.code, field.name_vi, field.type, field.required),
            std::tuple(std::string("partner"), std::string("Đối tác"), RegistryFieldType::kCode, true));
  ASSERT_EQ(p.report_templates.size(), 1u);
  EXPECT_EQ(p.report_templates[0].name_en, "Mid-term review");
  EXPECT_EQ(p.report_templates[0].file, "reports/midterm.txt");
  EXPECT_EQ(p.report_templates[0].text, "@period year\n@title Sơ kết năm {period.year}\n");  // kept with the definition
  ASSERT_NE(find_area(p, "crime"), nullptr);
  EXPECT_EQ(find_area(p, "crime")->name_vi, "Tội phạm");
  EXPECT_EQ(find_area(p, "drugs"), nullptr);
  // And kept as JSON text for the store.
  EXPECT_EQ(p.definitions.size(), 7u);  // data set, indicator, rule, evaluation set, registry, template, area
}

// The qpan-vn pack itself reads cleanly; the ANTT sets count only registered units.
TEST_F(PackTest, QpanVnPackIsValid) {
  Result<PackReadResult> r = read_pack(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  size_t antt_sets = 0;
  for (const EvaluationSetDefinition& set : r->pack->evaluation_sets) {
    if (set.code != "eval.antt_safe.commune" && set.code != "eval.antt_safe.agency") continue;
    ++antt_sets;
    for (const EvaluationVersionDefinition& version : set.versions) {
      EXPECT_EQ(version.applies_when, "#{antt.registered}") << set.code;
      for (const EvaluationCriterionDefinition& c : version.criteria) EXPECT_NE(c.code, "registered") << set.code;
    }
  }
  EXPECT_EQ(antt_sets, 2u);
}

TEST_F(PackTest, PackJsonIsRequired) {
  EXPECT_NE(problems_of({{"elements.json", kElements}}).find("pack.json: missing"), std::string::npos);
  EXPECT_NE(problems_of({{"pack.json", "{}"}}).find("pack.json: $.pack: missing"), std::string::npos);
  std::string bad_version = kPackJson;
  bad_version.replace(bad_version.find("1.0.0"), 5, "1.0");
  EXPECT_NE(problems_of({{"pack.json", bad_version}}).find("$.pack.version: \"1.0\" is not MAJOR.MINOR.PATCH"),
            std::string::npos);
}

TEST_F(PackTest, SyntaxAndEncodingErrorsNameLineAndColumn) {
  std::string all = problems_of({{"pack.json", kPackJson}, {"elements.json", "{\n  \"elements\": [,]\n}"}});
  EXPECT_NE(all.find("elements.json:2:16: invalid JSON"), std::string::npos) << all;
  all = problems_of({{"pack.json", kPackJson}, {"x.json", "{\"elements\": [\"\xFF\"]}"}});
  EXPECT_NE(all.find("x.json:1: invalid UTF-8"), std::string::npos) << all;
}

TEST_F(PackTest, SchemaErrorsNameFileAndPath) {
  struct Case {
    const char* rest;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"colours": []})", "rest.json: $.colours: unknown section"},
      {R"({"indicators": {}})", "rest.json: $.indicators: expected an array"},
      {R"({"indicators": [{"code": "x", "name_vi": "X", "name_en": "X", "expression": "1", "size": 2}]})",
       "$.indicators[0].size: unknown key"},
      {R"({"indicators": [{"code": "x", "name_en": "X", "expression": "1"}]})", "$.indicators[0].name_vi: missing"},
      {R"({"indicators": [{"code": 7, "name_vi": "X", "name_en": "X", "expression": "1"}]})",
       "$.indicators[0].code: expected a string"},
      {R"({"indicators": [{"code": "Bad Code", "name_vi": "X", "name_en": "X", "expression": "1"}]})",
       "$.indicators[0].code: \"Bad Code\" is not a valid code"},
      {R"({"indicators": [{"code": "x", "name_vi": "X", "name_en": "X", "expression": "#{crime.nope}"}]})",
       "$.indicators[0].expression: unknown data element \"crime.nope\" in #{crime.nope}"},
      {R"({"indicators": [{"code": "x", "name_vi": "X", "name_en": "X", "expression": "#{foreign.in.delegations.my_tho}"}]})",
       "$.indicators[0].expression: data element \"foreign.in.delegations\" has no option \"my_tho\" (its options: "
       "van_nam) in #{foreign.in.delegations.my_tho}"},
      {R"({"indicators": [{"code": "x", "name_vi": "X", "name_en": "X", "expression": "1", "decimals": 9}]})",
       "$.indicators[0].decimals: expected 0 to 6"},
      {R"({"data_sets": [{"code": "d", "name_vi": "D", "name_en": "D", "period_type": "fortnight", "calendar": "lunar",
           "level": "hamlet", "deadline_days": -1, "elements": ["crime.nope", "crime.ttxh.cases", "crime.ttxh.cases"]}]})",
       "$.data_sets[0].period_type: expected day, month"},
      {R"({"data_sets": [{"code": "d", "name_vi": "D", "name_en": "D", "period_type": "month", "calendar": "lunar",
           "level": "commune", "deadline_days": 3, "elements": ["crime.ttxh.cases"]}]})",
       "$.data_sets[0].calendar: expected gregorian or cutoff"},
      {R"({"data_sets": [{"code": "d", "name_vi": "D", "name_en": "D", "period_type": "month", "calendar": "cutoff",
           "level": "hamlet", "deadline_days": 3, "elements": ["crime.ttxh.cases"]}]})",
       "$.data_sets[0].level: unknown level \"hamlet\""},
      {R"({"data_sets": [{"code": "d", "name_vi": "D", "name_en": "D", "period_type": "month", "calendar": "cutoff",
           "level": "commune", "deadline_days": 3, "elements": ["crime.nope"]}]})",
       "$.data_sets[0].elements[0]: unknown data element \"crime.nope\""},
      {R"({"data_sets": [{"code": "d", "name_vi": "D", "name_en": "D", "period_type": "month", "calendar": "cutoff",
           "level": "commune", "deadline_days": 3, "elements": ["crime.ttxh.cases", "crime.ttxh.cases"]}]})",
       "$.data_sets[0].elements[1]: element \"crime.ttxh.cases\" listed twice"},
      {R"({"validation_rules": [{"code": "v", "name_vi": "V", "name_en": "V", "left": "#{crime.ttxh.solved}",
           "operator": "=<", "right": "#{crime.ttxh.cases}", "importance": "urgent"}]})",
       "$.validation_rules[0].operator: expected <, <=, ==, !=, >= or >"},
      {R"({"validation_rules": [{"code": "v", "name_vi": "V", "name_en": "V", "left": "1",
           "operator": "<", "right": "2", "importance": "urgent"}]})",
       "$.validation_rules[0].importance: expected high, medium or low"},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "valid_until": "2022-02-10", "regulation": "A",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "1"}], "outcome": {"kind": "all_criteria"}},
                        {"valid_from": "2020-01-01", "regulation": "B",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "1"}], "outcome": {"kind": "all_criteria"}}]}]})",
       "$.evaluation_sets[0].versions[1]: overlaps another version's validity"},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "1"}], "outcome": {"kind": "majority"}}]}]})",
       "$.evaluation_sets[0].versions[0].outcome.kind: expected all_criteria or classes"},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "#{drug.nope} == 0"}],
                         "outcome": {"kind": "classes", "classes": [{"code": "k", "name_vi": "K", "name_en": "K", "condition": "#{drug.free}"}]}}]}]})",
       "$.evaluation_sets[0].versions[0].criteria[0].expression: unknown data element \"drug.nope\""},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A", "outcome": {"kind": "all_criteria"}}]}]})",
       "$.evaluation_sets[0].versions[0].criteria: all_criteria needs at least one criterion"},
      // applies_when: optional, a boolean expression over the pack's elements.
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A", "applies_when": "#{crime.ttxh.cases}",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "#{drug.free}"}],
                         "outcome": {"kind": "all_criteria"}}]}]})",
       "rest.json: $.evaluation_sets[0].versions[0].applies_when: column 1: the expression must give a boolean, "
       "found a number in \"#{crime.ttxh.cases}\""},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A", "applies_when": "#{crime.nope}",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "#{drug.free}"}],
                         "outcome": {"kind": "all_criteria"}}]}]})",
       "$.evaluation_sets[0].versions[0].applies_when: unknown data element \"crime.nope\""},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A", "applies_when": 1,
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "#{drug.free}"}],
                         "outcome": {"kind": "all_criteria"}}]}]})",
       "$.evaluation_sets[0].versions[0].applies_when: expected a string"},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A", "applies_if": "#{drug.free}",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "#{drug.free}"}],
                         "outcome": {"kind": "all_criteria"}}]}]})",
       "$.evaluation_sets[0].versions[0].applies_if: unknown key"},
      // Criteria and class conditions are booleans; syntax errors name the column.
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A",
                         "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "#{crime.ttxh.cases} + 1"}],
                         "outcome": {"kind": "all_criteria"}}]}]})",
       "$.evaluation_sets[0].versions[0].criteria[0].expression: column 1: the expression must give a boolean, found a number"},
      {R"({"evaluation_sets": [{"code": "e", "name_vi": "E", "name_en": "E", "levels": ["commune"], "period_type": "year",
           "versions": [{"valid_from": "2012-01-01", "regulation": "A",
                         "outcome": {"kind": "classes", "classes": [{"code": "k", "name_vi": "K", "name_en": "K",
                                                                     "condition": "#{crime.ttxh.cases} >= "}]}}]}]})",
       "$.evaluation_sets[0].versions[0].outcome.classes[0].condition: column 24: unexpected end of expression"},
      {R"({"indicators": [{"code": "x", "name_vi": "X", "name_en": "X", "expression": "#{drug.free}"}]})",
       "$.indicators[0].expression: column 1: the expression must give a number, found a boolean"},
      // A rule's sides have one type; booleans only compare for (in)equality.
      {R"({"validation_rules": [{"code": "v", "name_vi": "V", "name_en": "V", "left": "#{drug.free}",
           "operator": "==", "right": "#{crime.ttxh.cases}", "importance": "high"}]})",
       "$.validation_rules[0].right: the left side is a boolean but the right side a number"},
      {R"({"validation_rules": [{"code": "v", "name_vi": "V", "name_en": "V", "left": "#{drug.free}",
           "operator": "<=", "right": "true", "importance": "high"}]})",
       "$.validation_rules[0].operator: booleans compare only with == or != (not <=)"},
      {R"({"registries": [{"code": "r", "name_vi": "R", "name_en": "R",
           "fields": [{"code": "f", "name_vi": "F", "name_en": "F", "type": "photo"}]}]})",
       "$.registries[0].fields[0].type: expected text, date"},
      {R"({"report_templates": [{"code": "crime.ttxh.cases", "name_vi": "R", "name_en": "R"},
                                {"code": "crime.ttxh.cases", "name_vi": "R", "name_en": "R"}]})",
       "$.report_templates[1].code: duplicate code \"crime.ttxh.cases\" (first declared in rest.json at $.report_templates[0])"},
      // A template is a text file of the pack folder, parsed and checked with the pack.
      {R"({"report_templates": [{"code": "rpt.x", "name_vi": "R", "name_en": "R", "file": "reports/x.txt"}]})",
       "$.report_templates[0].file: no file \"reports/x.txt\" in the pack folder"},
      {R"({"report_templates": [{"code": "rpt.x", "name_vi": "R", "name_en": "R",
                                 "text": "@period year\n@title T\nXảy ra {value(drug.casez)} vụ."}]})",
       "rpt.x:3:15: value: no element, element.option or indicator \"drug.casez\""},
      // An element's area is declared (the form's section headings come from it).
      {R"({"elements": [{"code": "x.cases", "name_vi": "X", "name_en": "X", "value_type": "count",
                         "aggregation": "sum", "area": "crimes"}]})",
       "$.elements[0].area: unknown area \"crimes\" (declare it under \"areas\")"},
      // A code field names its options; a counted element's source is checked against the pack.
      {R"({"registries": [{"code": "r", "name_vi": "R", "name_en": "R",
           "fields": [{"code": "f", "name_vi": "F", "name_en": "F", "type": "code"}]}]})",
       "$.registries[0].fields[0].options: a code field names the disaggregation whose options it takes"},
      {R"({"registries": [{"code": "r", "name_vi": "R", "name_en": "R",
           "fields": [{"code": "f", "name_vi": "F", "name_en": "F", "type": "date"}], "lifecycle": {"from": "f", "to": "g"}}]})",
       "$.registries[0].lifecycle.to: unknown field \"g\""},
      {R"({"elements": [{"code": "x.cases", "name_vi": "X", "name_en": "X", "value_type": "count",
                         "aggregation": "sum", "source": {"registry": "reg.x", "measure": "count", "date": "when"}}],
           "registries": [{"code": "reg.x", "name_vi": "R", "name_en": "R",
                           "fields": [{"code": "on", "name_vi": "F", "name_en": "F", "type": "date"}]}]})",
       "$.elements[0].source: date: unknown field \"when\" of registry reg.x"},
      {R"({"elements": [{"code": "x.cases", "name_vi": "X", "name_en": "X", "value_type": "count",
                         "aggregation": "sum", "source": {"registry": "reg.delegations", "measure": "average", "date": "when"}}]})",
       "$.elements[0].source.measure: expected \"count\" or \"sum:FIELD\""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rest);
    std::string all = problems_with_rest(c.rest);
    EXPECT_NE(all.find(c.expected), std::string::npos) << all;
  }
}

TEST_F(PackTest, ElementErrors) {
  std::string all = problems_of({{"pack.json", kPackJson}, {"e.json", R"({"elements": [
    {"code": "t", "name_vi": "T", "name_en": "T", "value_type": "text", "aggregation": "sum"},
    {"code": "c", "name_vi": "C", "name_en": "C", "value_type": "count", "aggregation": "count_true"},
    {"code": "d", "name_vi": "D", "name_en": "D", "value_type": "count", "aggregation": "sum", "disaggregation": "nope"}]})"},
                                 {"f.json", R"({"elements": [{"code": "t", "name_vi": "T", "name_en": "T", "value_type": "count", "aggregation": "sum"}]})"}});
  EXPECT_NE(all.find("e.json: $.elements[0].aggregation: a text element cannot aggregate"), std::string::npos) << all;
  EXPECT_NE(all.find("e.json: $.elements[1].aggregation: count_true needs a boolean element"), std::string::npos) << all;
  EXPECT_NE(all.find("e.json: $.elements[2].disaggregation: unknown disaggregation \"nope\""), std::string::npos) << all;
  EXPECT_NE(all.find("f.json: $.elements[0].code: duplicate code \"t\" (first declared in e.json"), std::string::npos) << all;
}

// References split at their last dot (Catalogue::resolve): an option code with a dot, or an
// element code that is another element's code.option, would make them ambiguous.
TEST_F(PackTest, CodesThatWouldMakeReferencesAmbiguousAreRefused) {
  std::string all = problems_of({{"pack.json", kPackJson}, {"e.json", R"({
    "disaggregations": [{"code": "gate", "name_vi": "Cửa khẩu", "name_en": "Gate",
      "options": [{"code": "ma_lu_thang", "name_vi": "Ma Lù Thàng", "name_en": "Ma Lu Thang"},
                  {"code": "ma.lu", "name_vi": "M", "name_en": "M"}]}],
    "elements": [
      {"code": "border.trade", "name_vi": "T", "name_en": "T", "value_type": "number", "aggregation": "sum", "disaggregation": "gate"},
      {"code": "border.trade.ma_lu_thang", "name_vi": "M", "name_en": "M", "value_type": "number", "aggregation": "sum"}]})"}});
  EXPECT_NE(all.find("e.json: $.disaggregations[0].options[1].code: \"ma.lu\" is not a valid option code: an option "
                     "code has no dot (a reference #{element.option} splits at its last dot)"),
            std::string::npos) << all;
  EXPECT_NE(all.find("e.json: $.elements[1].code: \"border.trade.ma_lu_thang\" is also option \"ma_lu_thang\" of "
                     "element \"border.trade\""),
            std::string::npos) << all;
}

TEST_F(PackTest, LoadKeepsDataAcrossUpgradesAndRefusesLosingIt) {
  load_real_units();
  Result<PackLoadResult> first = load_pack(*store_, valid_pack("1.0.0"));
  ASSERT_TRUE(first.is_ok() && first->problems.empty()) << first->problems.to_string();
  EXPECT_EQ(first->summary.elements_added, 4u);
  EXPECT_EQ(store_->pack_definitions("indicators")->size(), 1u);
  EXPECT_EQ(*store_->loaded_pack_version("test-pack"), std::optional<std::string>("1.0.0"));

  Result<WriteOutcome> values = import_value_file(
      *store_, write("v.csv", "dataelement,period,orgunit,value\ncrime.ttxh.cases,201601,03397,4\n"), Writer::system("t"));
  ASSERT_TRUE(values.is_ok() && values->problems.empty());

  // 1.1.0 drops crime.ttxh.cases, which has a value: refused, nothing changes.
  std::string without_cases = kElements;
  without_cases.erase(without_cases.find("    {\"code\": \"crime.ttxh.cases\""),
                      without_cases.find("    {\"code\": \"crime.ttxh.solved\"") - without_cases.find("    {\"code\": \"crime.ttxh.cases\""));
  Result<PackLoadResult> drop = load_pack(*store_, valid_pack("1.1.0", without_cases, "{}"));
  ASSERT_TRUE(drop.is_ok());
  EXPECT_NE(drop->problems.to_string().find("element crime.ttxh.cases is no longer in the pack but has 1 values"),
            std::string::npos) << drop->problems.to_string();
  EXPECT_EQ(*store_->loaded_pack_version("test-pack"), std::optional<std::string>("1.0.0"));

  // Retyping an element with values is refused too.
  std::string retyped = kElements;
  retyped.replace(retyped.find("\"value_type\": \"count\""), 21, "\"value_type\": \"text\", \"aggregation\": \"none\"");
  retyped.erase(retyped.find("\"aggregation\": \"sum\", \"area\""), 22);
  Result<PackLoadResult> retype = load_pack(*store_, valid_pack("1.2.0", retyped, "{}"));
  EXPECT_NE(retype->problems.to_string().find("crime.ttxh.cases changes its value type but has 1 values"), std::string::npos)
      << retype->problems.to_string();

  // Dropping an element without values works, and the data of the others stays.
  std::string without_drug = kElements;
  const size_t drug = without_drug.find(",\n    {\"code\": \"drug.free\"");
  without_drug.erase(drug, without_drug.rfind("\n  ]}") - drug);
  std::string rest_without_drug = kRest;
  for (size_t at; (at = rest_without_drug.find("#{drug.free}")) != std::string::npos;) {
    rest_without_drug.replace(at, 12, "#{crime.ttxh.cases} == 0");
  }
  std::string dir = pack("p1.3.0", {{"pack.json", std::string(kPackJson).replace(std::string(kPackJson).find("1.0.0"), 5, "1.3.0")},
                                    {"elements.json", without_drug}, {"rest.json", rest_without_drug},
                                    {"reports/midterm.txt", "@period year\n@title Sơ kết\n"}});
  Result<PackLoadResult> upgrade = load_pack(*store_, dir);
  ASSERT_TRUE(upgrade.is_ok() && upgrade->problems.empty()) << upgrade->problems.to_string();
  EXPECT_EQ(upgrade->summary.previous_version, "1.0.0");
  EXPECT_EQ(upgrade->summary.elements_removed, 1u);
  EXPECT_EQ(store_->load_catalogue()->element("drug.free"), nullptr);
  std::ostringstream out;
  ASSERT_TRUE(export_values_csv(*store_, out, {}).is_ok());
  EXPECT_NE(out.str().find("crime.ttxh.cases,201601,03397,,,4"), std::string::npos);

  // Going back to an older version is refused.
  Result<PackLoadResult> older = load_pack(*store_, valid_pack("1.0.0"));
  EXPECT_NE(older->problems.to_string().find("the database has test-pack 1.3.0, newer than 1.0.0"), std::string::npos);
  // Loading the same version again is fine and changes nothing.
  Result<PackLoadResult> again = load_pack(*store_, dir);
  ASSERT_TRUE(again.is_ok() && again->problems.empty()) << again->problems.to_string();
  EXPECT_EQ(again->summary.elements_added, 0u);
  EXPECT_EQ(again->summary.elements_updated, 0u);
  EXPECT_EQ(again->summary.elements_unchanged, 3u);
}

// The pack as loaded reads back typed, through the same checks, with the store's ids.
TEST_F(PackTest, ReadsTheLoadedPackBack) {
  Result<Pack> empty = read_loaded_pack(*store_);
  ASSERT_TRUE(empty.is_ok()) << empty.status().message();
  EXPECT_TRUE(empty->data_sets.empty() && empty->evaluation_sets.empty() && empty->catalogue.elements().empty());

  const std::string dir = std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn";
  Result<PackLoadResult> loaded = load_pack(*store_, dir);
  ASSERT_TRUE(loaded.is_ok() && loaded->problems.empty());
  Result<Pack> back = read_loaded_pack(*store_);
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  Result<PackReadResult> from_folder = read_pack(dir);
  ASSERT_TRUE(from_folder.is_ok() && from_folder->pack.has_value());
  const Pack& read = *from_folder->pack;

  auto codes = [](const auto& list) {
    std::vector<std::string> out;
    for (const auto& d : list) out.push_back(d.code);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(codes(back->data_sets), codes(read.data_sets));
  EXPECT_EQ(codes(back->indicators), codes(read.indicators));
  EXPECT_EQ(codes(back->validation_rules), codes(read.validation_rules));
  EXPECT_EQ(codes(back->evaluation_sets), codes(read.evaluation_sets));
  EXPECT_EQ(codes(back->registries), codes(read.registries));
  EXPECT_EQ(codes(back->report_templates), codes(read.report_templates));
  EXPECT_EQ(back->definitions.size(), read.definitions.size());
  auto find = [](const auto& list, const std::string& code) {
    return *std::find_if(list.begin(), list.end(), [&](const auto& d) { return d.code == code; });
  };
  const DataSet monthly = find(back->data_sets, "ds.antt.commune.monthly");
  const DataSet original = find(read.data_sets, "ds.antt.commune.monthly");
  EXPECT_EQ(std::tuple(monthly.name_vi, monthly.period_type, monthly.calendar, monthly.level, monthly.deadline_days,
                       monthly.approval, monthly.elements),
            std::tuple(original.name_vi, original.period_type, original.calendar, original.level,
                       original.deadline_days, original.approval, original.elements));
  const EvaluationSetDefinition antt = find(back->evaluation_sets, "eval.antt_safe.commune");
  ASSERT_EQ(antt.versions.size(), 2u);
  EXPECT_EQ(antt.versions[1].regulation, find(read.evaluation_sets, "eval.antt_safe.commune").versions[1].regulation);
  EXPECT_EQ(find(back->registries, read.registries.at(0).code).fields.size(), read.registries.at(0).fields.size());
  // The catalogue is the store's: elements carry their ids.
  ASSERT_NE(back->catalogue.element("crime.ttxh.cases"), nullptr);
  EXPECT_GT(back->catalogue.element("crime.ttxh.cases")->id, 0);
}

// A stored definition the checker would refuse (written by an older qpan, or edited in the
// database) refuses the read, naming kind, code, JSON path and reason — never half read.
TEST_F(PackTest, StoredDefinitionsTheCheckerRefusesAreRefused) {
  Result<PackLoadResult> loaded = load_pack(*store_, valid_pack());
  ASSERT_TRUE(loaded.is_ok() && loaded->problems.empty());
  struct Case {
    PackDefinition stored;
    const char* expected;
  };
  const Case cases[] = {
      {{"validation_rules", "vr.bad", R"({"code": "vr.bad", "name_vi": "V", "name_en": "V", "left": "#{crime.nope}",
          "operator": "<=", "right": "1", "importance": "high"})"},
       "stored validation_rules \"vr.bad\": $.left: unknown data element \"crime.nope\" in #{crime.nope}"},
      // The old lenient reader took a misspelt key for a data set without elements.
      {{"data_sets", "ds.bad", R"({"code": "ds.bad", "name_vi": "D", "name_en": "D", "period_type": "month",
          "calendar": "cutoff", "level": "commune", "deadline_days": 3, "elemnts": ["crime.ttxh.cases"]})"},
       "stored data_sets \"ds.bad\": $.elemnts: unknown key"},
      {{"indicators", "ind.bad", R"({"code": "ind.bad", "name_vi": "I", "name_en": "I", "decimals": 1})"},
       "stored indicators \"ind.bad\": $.expression: missing"},
      {{"evaluation_sets", "eval.bad", R"({"code": "eval.bad", "name_vi": "E", "name_en": "E", "levels": ["commune"],
          "period_type": "year", "versions": [{"valid_from": "2012-01-01", "regulation": "A",
          "criteria": [{"code": "c", "name_vi": "C", "name_en": "C", "expression": "#{crime.ttxh.cases}"}],
          "outcome": {"kind": "all_criteria"}}]})"},
       "stored evaluation_sets \"eval.bad\": $.versions[0].criteria[0].expression: column 1: the expression must give "
       "a boolean, found a number"},
      {{"registries", "reg.bad", R"({"code": "reg.other", "name_vi": "R", "name_en": "R", "fields": []})"},
       "stored registries \"reg.bad\": $.code: \"reg.other\" is not the code it is stored under"},
      {{"report_templates", "rpt.bad", R"({"code": "rpt.bad", "name_vi": "R")"},
       "stored report_templates \"rpt.bad\":1:"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.stored.code);
    Pack bad;
    bad.info.code = "bad-pack";
    bad.info.version = "1.0.0";
    bad.definitions = {c.stored};
    ASSERT_TRUE(store_->save_pack(bad, {}, 0).is_ok());
    Result<Pack> read = read_loaded_pack(*store_);
    ASSERT_FALSE(read.is_ok());
    EXPECT_EQ(read.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(read.status().message().find(c.expected), std::string::npos) << read.status().message();
    EXPECT_EQ(read.status().message().rfind("the pack loaded in the database does not pass the pack checks", 0), 0u);
  }
  // Without the bad pack's definitions the database reads again.
  Pack none;
  none.info.code = "bad-pack";
  none.info.version = "1.0.0";
  ASSERT_TRUE(store_->save_pack(none, {}, 0).is_ok());
  EXPECT_TRUE(read_loaded_pack(*store_).is_ok());
}

// A database loaded with a pack before 1.4.0 keeps its report templates as names only: it
// still reads, and a report asks for the pack to be loaded again.
TEST_F(PackTest, TemplatesStoredWithoutTextStillRead) {
  ASSERT_TRUE(load_pack(*store_, valid_pack()).is_ok());
  Pack older;
  older.info.code = "older-pack";
  older.info.version = "1.3.0";
  older.definitions = {{"report_templates", "rpt.old", R"({"code": "rpt.old", "name_vi": "Cũ", "name_en": "Old"})"}};
  ASSERT_TRUE(store_->save_pack(older, {}, 0).is_ok());
  Result<Pack> read = read_loaded_pack(*store_);
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  const auto old = std::find_if(read->report_templates.begin(), read->report_templates.end(),
                                [](const ReportTemplate& t) { return t.code == "rpt.old"; });
  ASSERT_NE(old, read->report_templates.end());
  EXPECT_TRUE(old->text.empty());
  EXPECT_EQ(find_report_template(*read, "rpt.old").status().message(),
            "template: rpt.old has no text in this database (loaded from a pack before 1.4.0): load the pack again "
            "(qpan pack load)");
}

TEST_F(PackTest, MissingFolderIsNotFound) {
  EXPECT_EQ(read_pack((dir_ / "nowhere").string()).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace qpan
