// Tests for explaining a figure: on the real units, the listed parts combine by every
// aggregation type to the engine's figure (whole subtrees, lineage, shares, unallocated
// parts, options), output stays bounded, and each value's history and form state are found.
#include "qpan/explain.h"

#include <boost/json.hpp>

#include <map>

#include "aggregation/engine_test_support.h"
#include "exchange/exchange_test_support.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {

constexpr Date kJuly2025 = make_date(2025, 7, 1);

// The listed parts combined by the aggregation, as the engine combines the values.
std::optional<double> combine(const SeriesBreakdown& s, std::string_view unallocated_from = {}) {
  std::vector<const FigurePart*> parts;
  for (const FigurePart& p : s.parts) {
    const bool unallocated = p.basis == PartBasis::kUnallocated;
    if (unallocated_from.empty() ? !unallocated : unallocated && p.source == unallocated_from) parts.push_back(&p);
  }
  if (parts.empty()) return std::nullopt;
  auto counted = [&](const FigurePart& p) {
    return unallocated_from.empty() && p.basis == PartBasis::kShare ? p.value * p.share : p.value;
  };
  double out = 0;
  switch (s.aggregation) {
    case AggregationType::kSum:
    case AggregationType::kLast:
      for (const FigurePart* p : parts) out += counted(*p);
      return out;
    case AggregationType::kAverage:
      for (const FigurePart* p : parts) out += p->value;
      return out / static_cast<double>(parts.size());
    case AggregationType::kMin:
      out = parts.front()->value;
      for (const FigurePart* p : parts) out = std::min(out, p->value);
      return out;
    case AggregationType::kMax:
      out = parts.front()->value;
      for (const FigurePart* p : parts) out = std::max(out, p->value);
      return out;
    case AggregationType::kCountTrue:
      for (const FigurePart* p : parts) out += p->value != 0 ? 1 : 0;
      return out;
    case AggregationType::kNone: break;
  }
  return std::nullopt;
}

class ExplainTest : public testing::ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    load_real_units();
    ASSERT_TRUE(store_->save_catalogue(testing::engine_catalogue()).is_ok());
  }

  void import(const std::string& rows, const std::string& who = "tester") {
    const std::string header =
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
        "lastupdated,comment,followup\n";
    Result<WriteOutcome> r = import_value_file(*store_, write("values-" + std::to_string(++imports_) + ".csv", header + rows),
                                               Writer::system(who));
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  }

  void build() {
    Result<std::unique_ptr<AggregationEngine>> e = AggregationEngine::build(*store_);
    ASSERT_TRUE(e.is_ok()) << e.status().message();
    engine_ = std::move(*e);
  }

  FigureExplanation explain(std::string_view dx, std::string_view ou, std::string_view pe,
                            std::optional<Date> structure_at = std::nullopt, size_t max_parts = 100) {
    Result<FigureExplanation> x =
        explain_figure(*engine_, indicators_, dx, ou, Period::parse(pe).value(), {structure_at, max_parts});
    EXPECT_TRUE(x.is_ok()) << x.status().message();
    return x.is_ok() ? std::move(*x) : FigureExplanation{};
  }

  // The explanation's figure is the engine's, and its parts combine to it; each unallocated
  // part's values combine to the engine's unallocated figure.
  FigureExplanation expect_parts_add_up(std::string_view dx, std::string_view ou, std::string_view pe,
                                        std::optional<Date> structure_at = std::nullopt) {
    FigureExplanation x = explain(dx, ou, pe, structure_at);
    const std::string where = std::string(dx) + " " + std::string(ou) + " " + std::string(pe);
    EXPECT_EQ(x.series.size(), 1u) << where;
    if (x.series.size() != 1) return x;
    const SeriesBreakdown& s = x.series.front();
    Result<Aggregate> a = engine_->aggregate(engine_->series(dx).value(), {std::string(ou), structure_at},
                                             Period::parse(pe).value());
    EXPECT_TRUE(a.is_ok());
    EXPECT_EQ(s.value, a->value) << where;
    EXPECT_EQ(x.value, a->value) << where;
    EXPECT_EQ(s.omitted, 0u) << where;
    EXPECT_EQ(s.parts.size(), s.part_count) << where;
    const std::optional<double> combined = combine(s);
    EXPECT_EQ(combined.has_value(), a->value.has_value()) << where;
    if (combined && a->value) {
      EXPECT_NEAR(*combined, *a->value, 1e-9) << where;
    }
    for (const UnallocatedPart& u : a->unallocated) {
      const std::optional<double> part = combine(s, u.unit);
      EXPECT_TRUE(part.has_value()) << where << " " << u.unit;
      if (part) {
        EXPECT_NEAR(*part, u.value, 1e-9) << where << " " << u.unit;
      }
    }
    return x;
  }

  std::unique_ptr<AggregationEngine> engine_;
  std::vector<Indicator> indicators_;
  int imports_ = 0;
};

// Lai Châu: district 106 Huyện Tam Đường holds 03400 Xã Tả Lèng and 03405 Xã Giang Ma;
// 03397 Xã Sùng Phài was in 106 until 2020-02-01, then 03403 in district 105.

TEST_F(ExplainTest, SumsBreakDownToTheValuesOfTheSubtree) {
  import(
      "cases,201601,03400,,,5,,,,\n"
      "cases,201603,03405,,,7,,,,\n"
      "cases,2016Q2,106,,,2,,,,\n"
      "cases,201607,03400,,,100,,,,\n"
      "cases,201912,03397,,,3,,,,\n"
      "cases,202003,03403,,,4,,,,\n");
  build();
  const FigureExplanation x = expect_parts_add_up("cases", "106", "2016S1");
  ASSERT_EQ(x.series.front().parts.size(), 3u);
  EXPECT_EQ(x.series.front().parts.front().unit_name, "Xã Tả Lèng");  // by unit code, then period
  const FigurePart& own = x.series.front().parts.back();  // the district's own value
  EXPECT_EQ(own.unit, "106");
  EXPECT_EQ(own.unit_name, "Huyện Tam Đường");
  EXPECT_EQ(own.period, Period::quarter(2016, 2));
  EXPECT_EQ(own.basis, PartBasis::kDirect);
  // The whole province and the country (answered from the roll-ups) and one commune.
  expect_parts_add_up("cases", "12", "2016..2020");
  expect_parts_add_up("cases", "VN", "2016..2020");
  expect_parts_add_up("cases", "105", "2019..2020");
  expect_parts_add_up("cases", "03400", "2016");
  const FigureExplanation none = explain("cases", "106", "2017");
  EXPECT_EQ(none.value, std::nullopt);
  EXPECT_TRUE(none.series.front().parts.empty());
}

TEST_F(ExplainTest, EveryAggregationTypeAddsUp) {
  import(
      "teams,201601,03400,,,5,,,,\n"
      "teams,201606,03400,,,7,,,,\n"
      "teams,2016Q1,03400,,,6,,,,\n"
      "teams,201603,03405,,,3,,,,\n"
      "safe,2016,03400,,,true,,,,\n"
      "safe,2016,03405,,,false,,,,\n"
      "safe,2017,03405,,,true,,,,\n"
      "rate,2016,03400,,,97.8,,,,\n"
      "rate,2016,03405,,,100,,,,\n"
      "rate,2016,03386,,,41.57,,,,\n"
      "fastest,2016,03400,,,12.5,,,,\n"
      "fastest,2016,03405,,,-3,,,,\n"
      "slowest,2016,03400,,,12.5,,,,\n"
      "slowest,2016,03405,,,-3,,,,\n"
      "delegations,201601,03400,van_nam,,3,,,,\n"
      "delegations,201602,03400,bac_lao,,2,,,,\n"
      "delegations,201602,03405,van_nam,,4,,,,\n");
  build();
  // A stock lists each unit's latest value only.
  const FigureExplanation teams = expect_parts_add_up("teams", "106", "2016");
  ASSERT_EQ(teams.series.front().parts.size(), 2u);
  EXPECT_EQ(teams.series.front().parts[0].period, Period::month(2016, 6));
  EXPECT_EQ(teams.series.front().parts[0].value, 7);
  expect_parts_add_up("teams", "12", "2016Q1");
  expect_parts_add_up("safe", "106", "2016");
  expect_parts_add_up("safe", "106", "2016..2017");
  expect_parts_add_up("rate", "12", "2016");
  expect_parts_add_up("rate", "106", "2016");
  expect_parts_add_up("fastest", "106", "2016");
  expect_parts_add_up("slowest", "106", "2016");
  const FigureExplanation all = expect_parts_add_up("delegations", "106", "2016");
  ASSERT_EQ(all.series.front().parts.size(), 3u);
  EXPECT_EQ(all.series.front().parts[0].option, "van_nam");
  const FigureExplanation yunnan = expect_parts_add_up("delegations.van_nam", "106", "2016");
  EXPECT_EQ(yunnan.series.front().parts.size(), 2u);
  EXPECT_EQ(yunnan.name_en, "delegations (Yunnan)");
}

TEST_F(ExplainTest, LineageNamesTheOldUnits) {
  // Province 15 from July 2025 (the new Lào Cai) = old Lào Cai (10) + Yên Bái (15).
  import("cases,2024,02635,,,11,,,,\n"
         "cases,2024,04249,,,5,,,,\n"
         // Lai Châu 03405 (July 2025) = old 03400 + 03405 + 03406, all whole.
         "cases,2024,03400,,,1,,,,\n"
         "cases,2024,03405,,,2,,,,\n"
         "cases,2024,03406,,,4,,,,\n"
         "cases,202508,03405,,,8,,,,\n"
         "teams,2024,03400,,,3,,,,\n"
         "teams,202509,03405,,,9,,,,\n");
  build();
  const FigureExplanation province = expect_parts_add_up("cases", "15", "2024", kJuly2025);
  EXPECT_EQ(province.value, 16);
  std::map<std::string, std::string> source_of;
  for (const FigurePart& p : province.series.front().parts) {
    EXPECT_EQ(p.basis, PartBasis::kLineage);
    source_of[p.unit] = p.source + " " + p.source_name;
  }
  EXPECT_EQ(source_of, (std::map<std::string, std::string>{{"02635", "10 Tỉnh Lào Cai"}, {"04249", "15 Tỉnh Yên Bái"}}));

  const FigureExplanation commune = expect_parts_add_up("cases", "03405", "2024..2025", kJuly2025);
  EXPECT_EQ(commune.value, 15);
  size_t direct = 0, lineage = 0;
  for (const FigurePart& p : commune.series.front().parts) (p.basis == PartBasis::kDirect ? direct : lineage)++;
  EXPECT_EQ(direct, 1u);
  EXPECT_EQ(lineage, 3u);
  expect_parts_add_up("teams", "03405", "2024..2025", kJuly2025);
  expect_parts_add_up("cases", "12", "2024..2025");
}

TEST_F(ExplainTest, SplitUnitsAreCountedAtTheirShareOrNamedUnallocated) {
  // Hà Nội 00199 (July 2025) = all of 00187, part of 00025 and part of the old 00199.
  import(
      "cases,2024,00187,,,10,,,,\n"
      "cases,2024,00025,,,20,,,,\n"
      "cases,2024,00199,,,40,,,,\n"
      "rate,2024,00187,,,50,,,,\n"
      "rate,2024,00025,,,70,,,,\n");
  build();
  const FigureExplanation unallocated = expect_parts_add_up("cases", "00199", "2024", kJuly2025);
  EXPECT_EQ(unallocated.value, 10);
  ASSERT_EQ(unallocated.series.front().parts.size(), 3u);
  size_t left_out = 0;
  for (const FigurePart& p : unallocated.series.front().parts) {
    if (p.basis != PartBasis::kUnallocated) continue;
    ++left_out;
    EXPECT_EQ(p.into, "00199");
  }
  EXPECT_EQ(left_out, 2u);
  expect_parts_add_up("rate", "00199", "2024", kJuly2025);

  const std::string shares = write("shares.csv",
                                   "old_code,new_code,kind,share,effective\n"
                                   "00025,00199,partial,0.25,2025-07-01\n"
                                   "00199,00199,partial,0.5,2025-07-01\n");
  Result<UnitImportResult> r = import_units(*store_, shares);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_TRUE(engine_->reload_structure(*store_).is_ok());
  const FigureExplanation shared = expect_parts_add_up("cases", "00199", "2024", kJuly2025);
  EXPECT_EQ(shared.value, 10 + 0.25 * 20 + 0.5 * 40);
  std::map<std::string, double> share_of;
  for (const FigurePart& p : shared.series.front().parts) {
    if (p.basis == PartBasis::kShare) share_of[p.source] = p.share;
  }
  EXPECT_EQ(share_of, (std::map<std::string, double>{{"00025", 0.25}, {"00199", 0.5}}));
  // A mean is not split by a share: the split units stay unallocated.
  expect_parts_add_up("rate", "00199", "2024", kJuly2025);
}

TEST_F(ExplainTest, ALargeFigureListsItsHeaviestPartsAndCountsTheRest) {
  std::string rows;
  for (int m = 1; m <= 12; ++m) rows += "cases,2016" + std::string(m < 10 ? "0" : "") + std::to_string(m) + ",03400,,," + std::to_string(m) + ",,,,\n";
  import(rows);
  build();
  const FigureExplanation x = explain("cases", "106", "2016", std::nullopt, 3);
  const SeriesBreakdown& s = x.series.front();
  EXPECT_EQ(x.value, 78);
  EXPECT_EQ(s.part_count, 12u);
  ASSERT_EQ(s.parts.size(), 3u);
  EXPECT_EQ(s.omitted, 9u);
  EXPECT_EQ(s.parts[0].value, 10);  // the heaviest three, listed in time order
  EXPECT_EQ(s.parts[2].value, 12);
  EXPECT_EQ(s.omitted_total + 10 + 11 + 12, 78);
}

TEST_F(ExplainTest, HistoryListsEveryChangeAndTheFormsState) {
  import("cases,201601,03400,,,5,,,,\n", "nguyen.van.a");
  import("cases,201601,03400,,,6,,,,\n", "tran.thi.b");
  build();
  DataSet ds;
  ds.code = "monthly";
  ds.name_vi = "Báo cáo tháng";
  ds.period_type = PeriodType::kMonth;
  ds.level = OrgUnitLevel::kCommune;
  ds.elements = {"cases"};
  ApprovalEventRow submitted;
  submitted.data_set = "monthly";
  submitted.unit_code = "03400";
  submitted.period = Period::month(2016, 1).key();
  submitted.from_state = "draft";
  submitted.to_state = "submitted";
  submitted.action = "submit";
  submitted.actor = "nguyen.van.a";
  submitted.at = 1700000000;
  ASSERT_TRUE(store_->record_approval(submitted).is_ok());
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(*store_, {ds});
  ASSERT_TRUE(workflow.is_ok()) << workflow.status().message();

  FigureExplanation x = explain("cases", "106", "2016Q1");
  ASSERT_TRUE(add_value_history(x, *store_, workflow->get(), *engine_->units(), *engine_->catalogue()).is_ok());
  ASSERT_EQ(x.series.front().parts.size(), 1u);
  const FigurePart& p = x.series.front().parts.front();
  ASSERT_EQ(p.history.size(), 2u);
  EXPECT_EQ(p.history[0].action, AuditAction::kCreate);
  EXPECT_EQ(p.history[0].new_value, "5");
  EXPECT_EQ(p.history[0].changed_by, "nguyen.van.a");
  EXPECT_EQ(p.history[1].action, AuditAction::kUpdate);
  EXPECT_EQ(p.history[1].old_value, "5");
  EXPECT_EQ(p.history[1].new_value, "6");
  EXPECT_EQ(p.history[1].changed_by, "tran.thi.b");
  EXPECT_GT(p.history[1].changed_at, 0);
  ASSERT_EQ(p.forms.size(), 1u);
  EXPECT_EQ(p.forms[0].data_set, "monthly");
  EXPECT_EQ(p.forms[0].period, Period::month(2016, 1));
  EXPECT_EQ(p.forms[0].state, ApprovalState::kSubmitted);
  EXPECT_EQ(p.forms[0].changed_by, "nguyen.van.a");

  const std::string table = format_explanation(x, ExplainFormat::kTable);
  EXPECT_NE(table.find("Giá trị: 6"), std::string::npos) << table;
  EXPECT_NE(table.find("tran.thi.b: sửa 5 → 6"), std::string::npos) << table;
  EXPECT_NE(table.find("biểu monthly 03400 tháng 1/2016: đã gửi"), std::string::npos) << table;
  const boost::json::value json = boost::json::parse(format_explanation(x, ExplainFormat::kJson, true));
  const auto& part = json.at("series").at(0).at("parts").at(0);
  EXPECT_EQ(part.at("history").at(1).at("oldValue"), "5");
  EXPECT_EQ(part.at("history").at(1).at("changedBy"), "tran.thi.b");
  EXPECT_EQ(part.at("forms").at(0).at("state"), "submitted");
  EXPECT_EQ(json.at("value").as_double(), 6);
}

TEST_F(ExplainTest, AnIndicatorShowsItsFormulaAndTheBreakdownOfEachElement) {
  import(
      "cases,201601,03400,,,8,,,,\n"
      "cases,201602,03405,,,2,,,,\n"
      "solved,201601,03400,,,6,,,,\n"
      "solved,201602,03405,,,1,,,,\n");
  build();
  Indicator rate;
  rate.code = "solve_rate";
  rate.name_vi = "Tỷ lệ điều tra làm rõ";
  rate.expression = "#{solved} / #{cases} * 100";
  rate.decimals = 1;
  indicators_ = {rate};
  const FigureExplanation x = explain("solve_rate", "106", "2016Q1");
  EXPECT_TRUE(x.indicator);
  EXPECT_EQ(x.formula, "#{solved} / #{cases} * 100");
  EXPECT_EQ(x.value, 70);
  ASSERT_EQ(x.series.size(), 2u);
  EXPECT_EQ(x.series[0].code, "solved");
  EXPECT_EQ(x.series[0].value, 7);
  EXPECT_EQ(x.series[0].parts.size(), 2u);
  EXPECT_EQ(x.series[1].value, 10);
  EXPECT_NE(format_explanation(x, ExplainFormat::kTable).find("Công thức: #{solved} / #{cases} * 100"), std::string::npos);
}

TEST_F(ExplainTest, ErrorsNameTheParameterAndTheReason) {
  build();
  auto error = [&](std::string_view dx, std::string_view ou, std::string_view pe) {
    return explain_figure(*engine_, {}, dx, ou, Period::parse(pe).value()).status();
  };
  Status s = error("x", "106", "2016");
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(s.message(), "dx: no element or indicator \"x\"");
  s = error("note", "106", "2016");
  EXPECT_EQ(s.code(), StatusCode::kInvalidInput);
  EXPECT_EQ(s.message().rfind("dx: data element \"note\" does not aggregate", 0), 0u) << s.message();
  s = error("delegations.nowhere", "106", "2016");
  EXPECT_EQ(s.message().rfind("dx: ", 0), 0u) << s.message();
  s = error("cases", "99999", "2016");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "ou: no org unit \"99999\"");
  s = error("cases", "03397", "2024");  // Sùng Phài ended in 2020
  EXPECT_EQ(s.message().rfind("ou: org unit \"03397\" is not in force during pe \"2024\"", 0), 0u) << s.message();
}

}  // namespace
}  // namespace qpan
