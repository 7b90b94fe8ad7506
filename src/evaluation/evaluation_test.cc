// Tests for evaluation (qpan/evaluation.h): each qpan-vn evaluation set on crafted units that
// pass and fail each criterion — the regulation in force by period, applies_when, no data,
// class boundaries, key-area transitions — and the roll-up over units and periods, with its
// three output formats.
#include "qpan/evaluation.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "qpan/pack.h"
#include "qpan/store.h"
#include "evaluation/evaluation_test_support.h"

namespace qpan {
namespace {

using testing::FakeContext;
using testing::qpan_vn;

// A made-up set "e" of communes with one version, in force from `from`.
EvaluationSetDefinition made_up_set(Date from) {
  EvaluationSetDefinition set;
  set.code = "e";
  set.levels = {OrgUnitLevel::kCommune};
  set.versions.emplace_back();
  set.versions[0].valid_from = from;
  return set;
}

EvaluationClassDefinition made_up_class(std::string code, std::string condition) {
  EvaluationClassDefinition c;
  c.code = std::move(code);
  c.condition = std::move(condition);
  return c;
}

EvaluationSet pack_set(const std::string& code) {
  Result<std::vector<EvaluationSet>> sets = compile_evaluation_sets(qpan_vn(), qpan_vn().catalogue, {code});
  EXPECT_TRUE(sets.is_ok()) << sets.status().message();
  return sets.is_ok() ? sets->front() : EvaluationSet{};
}

Period period(std::string_view code) { return *Period::parse(code); }

OrgUnitVersion version(std::string code, OrgUnitLevel level, std::string name, std::string parent,
                       std::optional<Date> from = std::nullopt, std::optional<Date> until = std::nullopt) {
  OrgUnitVersion v;
  v.code = std::move(code);
  v.level = level;
  v.name = std::move(name);
  v.parent_code = std::move(parent);
  v.valid_from = from;
  v.valid_until = until;
  return v;
}

// Province P with districts D1 (communes C1, C2, C5 until 1 Mar 2020, agency A1) and D2
// (communes C3, C4, and C6 from 1 Mar 2020, formed from C5); Q is another province.
const OrgUnitIndex& test_units() {
  static const OrgUnitIndex index({
      version("P", OrgUnitLevel::kProvince, "Tỉnh Thử", ""),
      version("D1", OrgUnitLevel::kDistrict, "Huyện Một", "P"),
      version("D2", OrgUnitLevel::kDistrict, "Huyện Hai", "P"),
      version("C1", OrgUnitLevel::kCommune, "Xã Một", "D1"),
      version("C2", OrgUnitLevel::kCommune, "Xã Hai", "D1"),
      version("C5", OrgUnitLevel::kCommune, "Xã Năm", "D1", std::nullopt, make_date(2020, 3, 1)),
      version("A1", OrgUnitLevel::kAgency, "Trường Một", "D1"),
      version("C3", OrgUnitLevel::kCommune, "Xã Ba", "D2"),
      version("C4", OrgUnitLevel::kCommune, "Xã Bốn", "D2"),
      version("C6", OrgUnitLevel::kCommune, "Xã Sáu", "D2", make_date(2020, 3, 1)),
      version("Q", OrgUnitLevel::kProvince, "Tỉnh Khác", ""),
      version("QD", OrgUnitLevel::kDistrict, "Huyện Khác", "Q"),
      version("QC", OrgUnitLevel::kCommune, "Xã Khác", "QD"),
  });
  return index;
}

// A commune meeting every ANTT criterion of both circulars in `year`.
void safe_commune(FakeContext& c, const std::string& unit, int year) {
  const std::string y = std::to_string(year), before = std::to_string(year - 1);
  c.set("antt.registered", unit, y, 1);
  c.set("antt.resolution_and_plan", unit, y, 1);
  c.set("antt.movement_model", unit, y, 1);
  c.set("antt.order_criteria_met", unit, y, 1);
  c.set("crime.ttxh.cases", unit, y, 3);
  c.set("crime.ttxh.cases", unit, before, 4);
  c.set("antt.police_disciplined", unit, y, 0);
  c.set("antt.police_advanced_unit", unit, y, 1);
  c.set("antt.villages_safe", unit, y, 7);  // exactly 70 %
  c.set("antt.villages_total", unit, y, 10);
}

void safe_agency(FakeContext& c, const std::string& unit, int year) {
  const std::string y = std::to_string(year);
  c.set("antt.registered", unit, y, 1);
  c.set("antt.resolution_and_plan", unit, y, 1);
  c.set("antt.order_criteria_met", unit, y, 1);
  c.set("antt.internal_rules_met", unit, y, 1);
  c.set("antt.staff_no_violation", unit, y, 1);
}

std::vector<std::string> failing(const EvaluationSet& set, const UnitEvaluation& r) {
  std::vector<std::string> out;
  for (size_t i : r.failing) out.push_back(set.versions[r.version].criteria[i].code);
  return out;
}

std::vector<std::string> without_data(const EvaluationSet& set, const UnitEvaluation& r) {
  std::vector<std::string> out;
  for (size_t i : r.without_data) out.push_back(set.versions[r.version].criteria[i].code);
  return out;
}

UnitEvaluation evaluate(const EvaluationSet& set, const FakeContext& c, const std::string& unit,
                        const std::string& period_code) {
  const Period p = period(period_code);
  std::optional<size_t> v = set.version_for(p);
  EXPECT_TRUE(v.has_value()) << set.code << " " << period_code;
  return evaluate_unit(set, v.value_or(0), c, unit, p);
}

TEST(EvaluationSet, EveryQpanVnSetCompiles) {
  Result<std::vector<EvaluationSet>> sets = compile_evaluation_sets(qpan_vn(), qpan_vn().catalogue);
  ASSERT_TRUE(sets.is_ok()) << sets.status().message();
  EXPECT_EQ(sets->size(), 5u);
  for (const EvaluationSet& set : *sets) EXPECT_FALSE(set.versions.empty()) << set.code;
  Result<std::vector<EvaluationSet>> unknown = compile_evaluation_sets(qpan_vn(), qpan_vn().catalogue, {"eval.nope"});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message().rfind("unknown evaluation set \"eval.nope\" (known: eval.", 0), 0u)
      << unknown.status().message();
  const EvaluationSet commune = pack_set("eval.antt_safe.commune");
  ASSERT_EQ(commune.versions.size(), 2u);
  for (const EvaluationSetVersion& v : commune.versions) {
    ASSERT_TRUE(v.applies_when.has_value());
    EXPECT_EQ(v.applies_when->text(), "#{antt.registered}");
    EXPECT_EQ(v.criteria.size(), 4u);  // "registered" is no criterion: only registered units count
  }
  EXPECT_TRUE(commune.all_criteria());
  EXPECT_FALSE(pack_set("eval.movement_rating").all_criteria());
  EXPECT_TRUE(pack_set("eval.movement_rating").evaluates(OrgUnitLevel::kAgency));
}

TEST(EvaluationSet, VersionInForceOnThePeriodsLastDay) {
  const EvaluationSet set = pack_set("eval.antt_safe.commune");
  auto regulation = [&](std::string_view p) { return set.versions[set.version_for(period(p)).value()].regulation; };
  EXPECT_EQ(regulation("2021"), "Thông tư 23/2012/TT-BCA");
  EXPECT_EQ(regulation("202201"), "Thông tư 23/2012/TT-BCA");   // ends 31 Jan 2022
  EXPECT_EQ(regulation("202202"), "Thông tư 124/2021/TT-BCA");  // ends 28 Feb 2022, after 10 Feb
  EXPECT_EQ(regulation("2022"), "Thông tư 124/2021/TT-BCA");    // TT 124 governs the year 2022
  EXPECT_FALSE(set.version_for(period("2011")).has_value());    // before TT 23 (27 Apr 2012)
}

// A set checked against another catalogue may refer to elements this one lacks.
TEST(EvaluationSet, CompileErrorsNameSetAndPath) {
  EvaluationSetDefinition set = made_up_set(make_date(2012, 1, 1));
  set.versions[0].applies_when = "#{drug.cases}";
  auto error = [&] {
    Result<EvaluationSet> r = compile_evaluation_set(set, qpan_vn().catalogue);
    EXPECT_FALSE(r.is_ok());
    return r.is_ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(error(), "evaluation set e: $.versions[0].applies_when: column 1: the expression must give a boolean, "
                     "found a number in \"#{drug.cases}\"");
  set.versions[0].applies_when.clear();
  set.versions[0].outcome = EvaluationOutcomeKind::kClasses;
  set.versions[0].classes = {made_up_class("k", "#{nope}")};
  EXPECT_EQ(error(), "evaluation set e: $.versions[0].outcome.classes[0].condition: column 1: unknown data element "
                     "\"nope\" in \"#{nope}\"");
}

TEST(Evaluation, AnttCommuneMeetsEveryCriterionOrNamesTheFailingOnes) {
  const EvaluationSet set = pack_set("eval.antt_safe.commune");
  FakeContext c;
  safe_commune(c, "C1", 2021);
  UnitEvaluation ok = evaluate(set, c, "C1", "2021");
  EXPECT_EQ(ok.outcome, UnitOutcome::kMet);
  EXPECT_EQ(outcome_code(set, ok), "met");

  struct Failure {
    std::string element;
    double value;
    std::string criterion;
  };
  const Failure failures[] = {
      {"antt.resolution_and_plan", 0, "c1_resolution_plan"},
      {"antt.order_criteria_met", 0, "c2_order"},
      {"crime.ttxh.cases", 5, "c2_order"},  // more crime than the 4 of 2020
      {"antt.police_disciplined", 1, "c3_police"},
      {"antt.police_advanced_unit", 0, "c3_police"},  // TT 23 only
      {"antt.villages_safe", 6, "c4_villages"},        // 60 % < 70 %
  };
  for (const Failure& f : failures) {
    SCOPED_TRACE(f.element);
    FakeContext failing_context = c;
    failing_context.set(f.element, "C1", "2021", f.value);
    UnitEvaluation r = evaluate(set, failing_context, "C1", "2021");
    EXPECT_EQ(r.outcome, UnitOutcome::kNotMet);
    EXPECT_EQ(failing(set, r), std::vector<std::string>{f.criterion});
    EXPECT_EQ(outcome_code(set, r), "not_met");
  }
  // Several failures are all named, in criterion order.
  FakeContext two = c;
  two.set("antt.villages_safe", "C1", "2021", 1);
  two.set("antt.resolution_and_plan", "C1", "2021", 0);
  EXPECT_EQ(failing(set, evaluate(set, two, "C1", "2021")),
            (std::vector<std::string>{"c1_resolution_plan", "c4_villages"}));
}

TEST(Evaluation, AnttCommuneFollowsTheCircularInForce) {
  const EvaluationSet set = pack_set("eval.antt_safe.commune");
  FakeContext c;
  safe_commune(c, "C1", 2021);
  safe_commune(c, "C1", 2022);
  // TT 23/2012 asks for the title "Đơn vị tiên tiến", TT 124/2021 does not.
  c.set("antt.police_advanced_unit", "C1", "2021", 0);
  c.set("antt.police_advanced_unit", "C1", "2022", 0);
  EXPECT_EQ(evaluate(set, c, "C1", "2021").outcome, UnitOutcome::kNotMet);
  EXPECT_EQ(evaluate(set, c, "C1", "2022").outcome, UnitOutcome::kMet);
  // TT 124/2021 asks for an effective movement model, TT 23/2012 does not.
  c.set("antt.movement_model", "C1", "2021", 0);
  c.set("antt.movement_model", "C1", "2022", 0);
  c.set("antt.police_advanced_unit", "C1", "2021", 1);
  EXPECT_EQ(evaluate(set, c, "C1", "2021").outcome, UnitOutcome::kMet);
  UnitEvaluation y2022 = evaluate(set, c, "C1", "2022");
  EXPECT_EQ(y2022.outcome, UnitOutcome::kNotMet);
  EXPECT_EQ(set.versions[y2022.version].regulation, "Thông tư 124/2021/TT-BCA");
  EXPECT_EQ(failing(set, y2022), std::vector<std::string>{"c1_resolution_plan"});
}

TEST(Evaluation, AppliesWhenAndNoData) {
  const EvaluationSet set = pack_set("eval.antt_safe.commune");
  FakeContext c;
  safe_commune(c, "C1", 2021);
  c.set("antt.registered", "C1", "2021", 0);  // not registered: not in the denominator
  EXPECT_EQ(evaluate(set, c, "C1", "2021").outcome, UnitOutcome::kNotApplicable);
  c.erase("antt.registered", "C1", "2021");  // registration unknown: not applicable either
  EXPECT_EQ(evaluate(set, c, "C1", "2021").outcome, UnitOutcome::kNotApplicable);
  // A criterion without data: no data, the criterion named.
  c.set("antt.registered", "C1", "2021", 1);
  c.erase("antt.villages_total", "C1", "2021");
  UnitEvaluation r = evaluate(set, c, "C1", "2021");
  EXPECT_EQ(r.outcome, UnitOutcome::kNoData);
  EXPECT_EQ(without_data(set, r), std::vector<std::string>{"c4_villages"});
  EXPECT_EQ(outcome_code(set, r), "no_data");
  // No crime figure for the year before: c2 cannot be decided.
  c.set("antt.villages_total", "C1", "2021", 10);
  c.erase("crime.ttxh.cases", "C1", "2020");
  EXPECT_EQ(without_data(set, evaluate(set, c, "C1", "2021")), std::vector<std::string>{"c2_order"});
  // A failing criterion decides "not met" even when another has no data; both are named.
  c.set("antt.police_disciplined", "C1", "2021", 2);
  r = evaluate(set, c, "C1", "2021");
  EXPECT_EQ(r.outcome, UnitOutcome::kNotMet);
  EXPECT_EQ(failing(set, r), std::vector<std::string>{"c3_police"});
  EXPECT_EQ(without_data(set, r), std::vector<std::string>{"c2_order"});
}

TEST(Evaluation, AnttAgency) {
  const EvaluationSet set = pack_set("eval.antt_safe.agency");
  FakeContext c;
  safe_agency(c, "A1", 2022);
  EXPECT_EQ(evaluate(set, c, "A1", "2022").outcome, UnitOutcome::kMet);
  for (const char* element : {"antt.resolution_and_plan", "antt.order_criteria_met", "antt.internal_rules_met",
                              "antt.staff_no_violation"}) {
    FakeContext f = c;
    f.set(element, "A1", "2022", 0);
    UnitEvaluation r = evaluate(set, f, "A1", "2022");
    EXPECT_EQ(r.outcome, UnitOutcome::kNotMet) << element;
    EXPECT_EQ(r.failing.size(), 1u) << element;
  }
  c.set("antt.registered", "A1", "2022", 0);
  EXPECT_EQ(evaluate(set, c, "A1", "2022").outcome, UnitOutcome::kNotApplicable);
}

TEST(Evaluation, MovementRatingClassBoundaries) {
  const EvaluationSet set = pack_set("eval.movement_rating");
  const std::pair<double, const char*> cases[] = {{100, "tot"}, {90, "tot"}, {89.9, "kha"}, {75, "kha"},
                                                  {74.9, "trung_binh"}, {50, "trung_binh"}, {49.9, "yeu"},
                                                  {0, "yeu"}};
  for (const auto& [points, expected] : cases) {
    FakeContext c;
    c.set("movement.rating_points", "C1", "2020", points);
    UnitEvaluation r = evaluate(set, c, "C1", "2020");
    EXPECT_EQ(r.outcome, UnitOutcome::kClassified) << points;
    EXPECT_EQ(outcome_code(set, r), expected) << points;
  }
  FakeContext none;
  EXPECT_EQ(evaluate(set, none, "C1", "2020").outcome, UnitOutcome::kNoData);
}

TEST(Evaluation, DrugFreeForAnyPeriodAsked) {
  const EvaluationSet set = pack_set("eval.drug_free.commune");
  FakeContext c;
  c.set("drug.cases", "C1", "201601..201806", 0);
  c.set("drug.cases", "C2", "201601..201806", 2);
  EXPECT_EQ(evaluate(set, c, "C1", "201601..201806").outcome, UnitOutcome::kMet);
  UnitEvaluation r = evaluate(set, c, "C2", "201601..201806");
  EXPECT_EQ(r.outcome, UnitOutcome::kNotMet);
  EXPECT_EQ(failing(set, r), std::vector<std::string>{"no_drug_cases"});
  EXPECT_EQ(evaluate(set, c, "C3", "201601..201806").outcome, UnitOutcome::kNoData);
}

TEST(Evaluation, ClassesWithAnUndecidedBetterClassHaveNoData) {
  // A made-up set: "tot" needs two figures; when one is missing the unit is not placed lower.
  EvaluationSetDefinition definition = made_up_set(make_date(2010, 1, 1));
  definition.versions[0].outcome = EvaluationOutcomeKind::kClasses;
  definition.versions[0].classes = {made_up_class("tot", "#{movement.rating_points} >= 90 and #{drug.cases} == 0"),
                                    made_up_class("kha", "#{movement.rating_points} >= 75")};
  Result<EvaluationSet> set = compile_evaluation_set(definition, qpan_vn().catalogue);
  ASSERT_TRUE(set.is_ok()) << set.status().message();
  FakeContext c;
  c.set("movement.rating_points", "C1", "2020", 95);
  EXPECT_EQ(evaluate(*set, c, "C1", "2020").outcome, UnitOutcome::kNoData);
  c.set("drug.cases", "C1", "2020", 1);
  EXPECT_EQ(outcome_code(*set, evaluate(*set, c, "C1", "2020")), "kha");
  c.set("movement.rating_points", "C1", "2020", 60);
  EXPECT_EQ(evaluate(*set, c, "C1", "2020").outcome, UnitOutcome::kUnclassified);
}

// ---- Roll-ups ------------------------------------------------------------------------------------

const EvaluationSummary* summary(const EvaluationGroup& group, const std::string& unit, size_t period) {
  for (const EvaluationSummary& s : group.summaries) {
    if (s.unit == unit && s.period == period) return &s;
  }
  return nullptr;
}

TEST(EvaluationReport, KeyAreaTransitionsBetweenTheFirstAndLastPeriod) {
  FakeContext c;
  auto key_area = [&](const char* unit, const char* year, bool on) { c.set("security.key_area", unit, year, on ? 1 : 0); };
  key_area("C1", "2016", true), key_area("C1", "2020", false);  // taken off the list
  key_area("C2", "2016", true), key_area("C2", "2020", true);
  key_area("C3", "2016", false), key_area("C3", "2020", false);
  key_area("C4", "2016", false), key_area("C4", "2020", true);  // put on the list
  key_area("C5", "2016", true);                                   // merged into C6 in March 2020
  key_area("C6", "2020", false);
  key_area("QC", "2016", true), key_area("QC", "2020", false);  // another province
  Result<EvaluationReport> report = run_evaluation({pack_set("eval.key_area.commune")}, test_units(), c, "P",
                                                   {period("2016"), period("2020")});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  ASSERT_EQ(report->groups.size(), 1u);
  const EvaluationGroup& g = report->groups[0];
  EXPECT_FALSE(g.all_criteria);
  ASSERT_EQ(g.classes.size(), 2u);
  EXPECT_EQ(g.classes[0].code, "on_list");

  std::vector<std::tuple<std::string, std::string, size_t>> moves;
  for (const OutcomeTransition& t : g.transitions) moves.emplace_back(t.from, t.to, t.count);
  // C5 was in force in early 2020, so it is evaluated then, without data; C6 only in 2020.
  EXPECT_EQ(moves, (std::vector<std::tuple<std::string, std::string, size_t>>{
                       {"on_list", "on_list", 1}, {"on_list", "off_list", 1}, {"on_list", "no_data", 1},
                       {"off_list", "on_list", 1}, {"off_list", "off_list", 1}}));

  const EvaluationSummary* p2016 = summary(g, "P", 0);
  const EvaluationSummary* p2020 = summary(g, "P", 1);
  ASSERT_TRUE(p2016 && p2020);
  EXPECT_EQ(p2016->counts.units, 5u);
  EXPECT_EQ(p2016->counts.classes, (std::vector<size_t>{3, 2}));
  EXPECT_EQ(p2020->counts.units, 6u);
  EXPECT_EQ(p2020->counts.no_data, 1u);
  EXPECT_EQ(p2020->counts.assessed(), 5u);
  EXPECT_EQ(p2020->counts.classes, (std::vector<size_t>{2, 3}));
  EXPECT_DOUBLE_EQ(*p2020->counts.share_of_class(0), 40.0);
  EXPECT_DOUBLE_EQ(*p2020->change_of_class[0], 40.0 - 60.0);

  const std::string csv = format_evaluation(*report, EvaluationFormat::kCsv);
  EXPECT_NE(csv.find("transition,eval.key_area.commune,P,2016>2020,on_list>off_list,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("unit,eval.key_area.commune,C5,2020,no_data,\n"), std::string::npos) << csv;
  const std::string table = format_evaluation(*report, EvaluationFormat::kTable);
  EXPECT_NE(table.find("Chuyển đổi từ năm 2016 đến năm 2020"), std::string::npos) << table;
  EXPECT_NE(table.find("Không thuộc danh sách trọng điểm, phức tạp  Thuộc danh sách trọng điểm, phức tạp"),
            std::string::npos) << table;
}

TEST(EvaluationReport, CommunesAndAgenciesAddUpWithSharesAndChanges) {
  FakeContext c;
  // 2019: C1, C2, C3, A1 registered and safe; C4 fails c4; C5 not registered.
  for (const char* unit : {"C1", "C2", "C3", "C4", "C5"}) safe_commune(c, unit, 2019);
  safe_agency(c, "A1", 2019);
  c.set("antt.villages_safe", "C4", "2019", 5);
  c.set("antt.registered", "C5", "2019", 0);
  // 2020: every commune in force registered; C2 lacks its village count (no data); A1 fails.
  for (const char* unit : {"C1", "C2", "C3", "C4", "C6"}) safe_commune(c, unit, 2020);
  c.erase("antt.villages_total", "C2", "2020");
  safe_agency(c, "A1", 2020);
  c.set("antt.staff_no_violation", "A1", "2020", 0);

  const std::vector<EvaluationSet> sets{pack_set("eval.antt_safe.commune"), pack_set("eval.antt_safe.agency")};
  Result<EvaluationReport> report = run_evaluation(sets, test_units(), c, "P", {period("2019"), period("2020")});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  EXPECT_EQ(report->unit_name, "Tỉnh Thử");
  ASSERT_EQ(report->groups.size(), 1u);  // both all_criteria: one summary
  const EvaluationGroup& g = report->groups[0];
  EXPECT_EQ(g.sets, (std::vector<size_t>{0, 1}));

  // Province: 2019 4 met of 5 assessed (C5 not applicable); 2020 4 of 5 assessed (C2 no
  // data; C5 in force until March, with no registration: not applicable).
  const EvaluationSummary* p2019 = summary(g, "P", 0);
  const EvaluationSummary* p2020 = summary(g, "P", 1);
  ASSERT_TRUE(p2019 && p2020);
  EXPECT_EQ(std::tuple(p2019->counts.units, p2019->counts.met, p2019->counts.assessed(), p2019->counts.not_applicable),
            std::tuple(6u, 4u, 5u, 1u));
  EXPECT_EQ(std::tuple(p2020->counts.units, p2020->counts.met, p2020->counts.not_met, p2020->counts.no_data,
                       p2020->counts.not_applicable),
            std::tuple(7u, 4u, 1u, 1u, 1u));
  EXPECT_DOUBLE_EQ(*p2019->counts.share_met(), 80.0);
  EXPECT_DOUBLE_EQ(*p2020->counts.share_met(), 80.0);
  EXPECT_DOUBLE_EQ(*p2020->change_met, 0.0);
  EXPECT_FALSE(p2019->change_met.has_value());

  // Districts: D1 has C1, C2, C5 and A1; D2 has C3, C4 and (2020) C6.
  const EvaluationSummary* d1 = summary(g, "D1", 0);
  const EvaluationSummary* d2_2020 = summary(g, "D2", 1);
  ASSERT_TRUE(d1 && d2_2020);
  EXPECT_EQ(d1->name, "Huyện Một");
  EXPECT_EQ(std::tuple(d1->counts.met, d1->counts.assessed()), std::tuple(3u, 3u));
  EXPECT_EQ(std::tuple(d2_2020->counts.met, d2_2020->counts.assessed()), std::tuple(3u, 3u));
  EXPECT_DOUBLE_EQ(*d2_2020->change_met, 100.0 - 50.0);
  // Order: the province, then its districts, each by period.
  ASSERT_EQ(g.summaries.size(), 6u);
  EXPECT_EQ(g.summaries[0].unit, "P");
  EXPECT_EQ(g.summaries[2].unit, "D1");
  EXPECT_EQ(g.summaries[4].unit, "D2");

  // Units named with their failing criteria; QC (another province) is not evaluated.
  bool saw_c4 = false;
  for (const EvaluatedUnit& u : report->units) {
    EXPECT_NE(u.code, "QC");
    if (u.code == "C4" && u.period == 0) {
      saw_c4 = true;
      EXPECT_EQ(u.under, "D2");
      EXPECT_EQ(failing(report->sets[u.set], u.result), std::vector<std::string>{"c4_villages"});
    }
  }
  EXPECT_TRUE(saw_c4);

  const std::string table = format_evaluation(*report, EvaluationFormat::kTable);
  EXPECT_NE(table.find("Đánh giá: Xã, phường, thị trấn đạt tiêu chuẩn “An toàn về ANTT” + Cơ quan"), std::string::npos)
      << table;
  EXPECT_NE(table.find("Văn bản áp dụng: Xã, phường, thị trấn đạt tiêu chuẩn “An toàn về ANTT”: Thông tư 23/2012/TT-BCA"),
            std::string::npos) << table;
  EXPECT_NE(table.find("4/5"), std::string::npos) << table;
  EXPECT_NE(table.find("80,0 %"), std::string::npos) << table;
  EXPECT_NE(table.find("+50,0"), std::string::npos) << table;
  EXPECT_NE(table.find("c4_villages Tiêu chí 4: ít nhất 70% khu dân cư"), std::string::npos) << table;
  EXPECT_NE(table.find("thiếu số liệu: c4_villages"), std::string::npos) << table;

  const std::string csv = format_evaluation(*report, EvaluationFormat::kCsv, {.decimals = 0});
  const std::string group = "eval.antt_safe.commune+eval.antt_safe.agency";
  for (const std::string& line : {"summary," + group + ",P,2019,met,4", "summary," + group + ",P,2019,assessed,5",
                                  "summary," + group + ",P,2019,share.met,80", "summary," + group + ",D2,2020,change.met,50",
                                  std::string("unit,eval.antt_safe.agency,A1,2020,not_met,c4_staff"),
                                  std::string("unit,eval.antt_safe.commune,C5,2019,not_applicable,")}) {
    EXPECT_NE(csv.find("\n" + line + "\n"), std::string::npos) << line << "\n" << csv;
  }

  const boost::json::value json = boost::json::parse(format_evaluation(*report, EvaluationFormat::kJson));
  const boost::json::object& summary0 = json.at("groups").at(0).at("summaries").at(0).as_object();
  EXPECT_EQ(summary0.at("ou").as_string(), "P");
  EXPECT_EQ(summary0.at("met").to_number<int64_t>(), 4);
  EXPECT_EQ(summary0.at("share_met").as_double(), 80.0);
  EXPECT_EQ(json.at("sets").at(1).at("versions").at(1).at("regulation").as_string(), "Thông tư 23/2012/TT-BCA");
  bool named = false;
  for (const boost::json::value& u : json.at("units").as_array()) {
    if (u.at("ou").as_string() == "A1" && u.at("pe").as_string() == "2020") {
      named = true;
      EXPECT_EQ(u.at("outcome_vi").as_string(), "Không đạt");
      EXPECT_EQ(u.at("failing").at(0).at("name_en").as_string(), "Criterion 4: no staff member or student prosecuted");
    }
  }
  EXPECT_TRUE(named);

  // Failing rows only.
  const std::string failing_rows = format_evaluation(*report, EvaluationFormat::kCsv, {.unit_rows = UnitRows::kFailing});
  EXPECT_EQ(failing_rows.find(",met,\n"), std::string::npos);
  EXPECT_NE(failing_rows.find("unit,eval.antt_safe.commune,C4,2019,not_met,c4_villages\n"), std::string::npos);
}

TEST(EvaluationReport, MovementRatingSharesFromAClassUp) {
  FakeContext c;
  const std::pair<const char*, double> points[] = {{"C1", 95}, {"C2", 80}, {"C3", 76}, {"C4", 60}, {"C5", 40}, {"A1", 91}};
  for (const auto& [unit, p] : points) c.set("movement.rating_points", unit, "2019", p);
  Result<EvaluationReport> report =
      run_evaluation({pack_set("eval.movement_rating")}, test_units(), c, "P", {period("2019")});
  ASSERT_TRUE(report.is_ok()) << report.status().message();
  const OutcomeCounts& counts = report->groups[0].summaries[0].counts;
  EXPECT_EQ(counts.classes, (std::vector<size_t>{2, 2, 1, 1}));
  EXPECT_EQ(counts.count_from_class(1), 4u);
  EXPECT_NEAR(*counts.share_from_class(1), 66.6667, 1e-3);
  const std::string table = format_evaluation(*report, EvaluationFormat::kTable);
  EXPECT_NE(table.find("Khá trở lên"), std::string::npos) << table;
  EXPECT_NE(table.find("4/6 (66,7 %)"), std::string::npos) << table;
  const std::string csv = format_evaluation(*report, EvaluationFormat::kCsv);
  EXPECT_NE(csv.find("summary,eval.movement_rating,P,2019,share_from.kha,66.7\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("summary,eval.movement_rating,P,2019,class.yeu,1\n"), std::string::npos) << csv;
}

TEST(EvaluationReport, ErrorsNameWhatIsWrong) {
  FakeContext c;
  const std::vector<EvaluationSet> sets{pack_set("eval.drug_free.commune")};
  Result<EvaluationReport> unknown = run_evaluation(sets, test_units(), c, "X9", {period("2019")});
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(unknown.status().message(), "ou: unknown unit \"X9\"");
  Result<EvaluationReport> gone = run_evaluation(sets, test_units(), c, "C5", {period("2021")});
  EXPECT_EQ(gone.status().message(), "ou: unit C5 is not in force in năm 2021");
  Result<EvaluationReport> early = run_evaluation(sets, test_units(), c, "P", {period("2009")});
  EXPECT_EQ(early.status().message(),
            "set eval.drug_free.commune has no version in force on 2009-12-31 (the end of năm 2009)");
  EXPECT_FALSE(run_evaluation({}, test_units(), c, "P", {period("2019")}).is_ok());
  EXPECT_FALSE(run_evaluation(sets, test_units(), c, "P", {}).is_ok());
  // A commune itself can be asked: it is its own only unit.
  c.set("drug.cases", "C1", "2019", 0);
  Result<EvaluationReport> one = run_evaluation(sets, test_units(), c, "C1", {period("2019")});
  ASSERT_TRUE(one.is_ok()) << one.status().message();
  ASSERT_EQ(one->units.size(), 1u);
  EXPECT_EQ(one->groups[0].summaries.size(), 1u);
  EXPECT_EQ(one->groups[0].summaries[0].counts.met, 1u);
}

}  // namespace
}  // namespace qpan
