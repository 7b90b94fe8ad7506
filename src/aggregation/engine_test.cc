// Tests for the aggregation engine on the real administrative units (data/vn-admin): every
// aggregation type, stocks over time, write-then-read, lineage across the July 2025 merger
// (full, partial without and with shares). engine_random_test.cc compares the engine with
// a naive SQL roll-up.
#include "qpan/aggregation.h"

#include <map>

#include "aggregation/engine_test_support.h"
#include "exchange/exchange_test_support.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {


class EngineTest : public testing::ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    load_real_units();
    ASSERT_TRUE(store_->save_catalogue(testing::engine_catalogue()).is_ok());
  }

  void import(const std::string& rows) {
    const std::string header =
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
        "lastupdated,comment,followup\n";
    Result<WriteOutcome> r = import_value_file(
        *store_, write("values-" + std::to_string(++imports_) + ".csv", header + rows), Writer::system("tester"));
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  }

  void build() {
    Result<std::unique_ptr<AggregationEngine>> e = AggregationEngine::build(*store_);
    ASSERT_TRUE(e.is_ok()) << e.status().message();
    engine_ = std::move(*e);
  }

  Aggregate aggregate(std::string_view series, std::string_view unit, std::string_view period,
                      std::optional<Date> structure_at = std::nullopt) {
    Result<SeriesRef> ref = engine_->series(series);
    EXPECT_TRUE(ref.is_ok()) << ref.status().message();
    Result<Period> p = Period::parse(period);
    EXPECT_TRUE(p.is_ok()) << period;
    if (!ref || !p) return {};
    Result<Aggregate> a = engine_->aggregate(*ref, {std::string(unit), structure_at}, *p);
    EXPECT_TRUE(a.is_ok()) << a.status().message();
    return a.is_ok() ? *a : Aggregate{};
  }

  std::optional<double> value(std::string_view series, std::string_view unit, std::string_view period,
                              std::optional<Date> structure_at = std::nullopt) {
    return aggregate(series, unit, period, structure_at).value;
  }

  std::unique_ptr<AggregationEngine> engine_;
  int imports_ = 0;
};

constexpr Date kJuly2025 = make_date(2025, 7, 1);

// Lai Châu: district 106 Huyện Tam Đường holds 03400 Xã Tả Lèng and 03405 Xã Giang Ma;
// 03397 Xã Sùng Phài was in 106 until 2020-02-01, then 03403 in district 105.

TEST_F(EngineTest, SumsOverTheSubtreeInForceInEachValuesPeriod) {
  import(
      "cases,201601,03400,,,5,,,,\n"
      "cases,201603,03405,,,7,,,,\n"
      "cases,2016Q2,106,,,2,,,,\n"       // the district's own quarterly value
      "cases,201607,03400,,,100,,,,\n"   // outside 2016S1
      "cases,201912,03397,,,3,,,,\n"     // Sùng Phài under 106 in 2019
      "cases,202003,03403,,,4,,,,\n");   // under 105 in 2020
  build();
  EXPECT_EQ(value("cases", "106", "2016S1"), 14);
  EXPECT_EQ(value("cases", "106", "201601..201606"), 14);
  EXPECT_EQ(value("cases", "106", "2016Q1"), 12);  // the Q2 value is not in Q1
  EXPECT_EQ(value("cases", "106", "2016"), 114);
  EXPECT_EQ(value("cases", "106", "2019..2020"), 3);
  EXPECT_EQ(value("cases", "105", "2019..2020"), 4);
  EXPECT_EQ(value("cases", "12", "2016..2020"), 121);
  EXPECT_EQ(value("cases", "03400", "2016"), 105);
  EXPECT_EQ(value("cases", "VN", "2016..2020"), 121);
  EXPECT_EQ(value("cases", "106", "2017"), std::nullopt);  // nothing counts: no value
}

TEST_F(EngineTest, EveryAggregationType) {
  import(
      "teams,201601,03400,,,5,,,,\n"
      "teams,201606,03400,,,7,,,,\n"
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
  EXPECT_EQ(value("teams", "106", "2016"), 7 + 3);  // last per unit, summed
  EXPECT_EQ(value("safe", "106", "2016"), 1);
  EXPECT_EQ(value("safe", "106", "2016..2017"), 2);  // 03405's latest is true
  EXPECT_EQ(value("rate", "106", "2016"), 98.9);
  EXPECT_EQ(value("rate", "12", "2016"), 79.79);  // (97.8 + 100 + 41.57) / 3
  EXPECT_EQ(value("fastest", "106", "2016"), -3);
  EXPECT_EQ(value("slowest", "106", "2016"), 12.5);
  EXPECT_EQ(value("delegations", "106", "2016"), 9);
  EXPECT_EQ(value("delegations.van_nam", "106", "2016"), 7);
  EXPECT_EQ(value("delegations.bac_lao", "03405", "2016"), std::nullopt);

  Result<SeriesRef> note = engine_->series("note");
  ASSERT_TRUE(note.is_ok());
  Result<Aggregate> a = engine_->aggregate(*note, {"106", std::nullopt}, Period::year(2016));
  EXPECT_EQ(a.status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(engine_->series("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->series("delegations.nowhere").status().code(), StatusCode::kNotFound);
  Result<Aggregate> unknown = engine_->aggregate(engine_->series("cases").value(), {"99999", std::nullopt},
                                                 Period::year(2016));
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
}

TEST_F(EngineTest, StocksTakeTheLatestValueInTime) {
  import(
      "teams,201601,03400,,,5,,,,\n"
      "teams,2016Q1,03400,,,6,,,,\n"   // ends with March like 201603: the month is the latest
      "teams,201603,03400,,,8,,,,\n"
      "teams,2016,03400,,,9,,,,\n"     // the year ends last of all
      "teams,201606,03405,,,3,,,,\n"
      "teams,201611,03405,,,4,,,,\n");
  build();
  EXPECT_EQ(value("teams", "03400", "201601"), 5);
  EXPECT_EQ(value("teams", "03400", "2016Q1"), 8);
  EXPECT_EQ(value("teams", "03400", "2016S1"), 8);
  EXPECT_EQ(value("teams", "03400", "2016"), 9);
  EXPECT_EQ(value("teams", "106", "2016S1"), 8 + 3);
  EXPECT_EQ(value("teams", "106", "2016"), 9 + 4);
  EXPECT_EQ(value("teams", "106", "201607..201612"), 4);  // 03400 has nothing in the window
}

TEST_F(EngineTest, AWrittenValueIsInTheNextAnswer) {
  import("cases,201601,03400,,,5,,,,\n");
  build();
  engine_->follow(*store_);
  EXPECT_EQ(value("cases", "12", "2016"), 5);
  import("cases,201602,03405,,,7,,,,\ncases,201601,03400,,,6,,,,\n");  // a new value and an update
  EXPECT_EQ(value("cases", "12", "2016"), 13);
  EXPECT_EQ(value("cases", "106", "201601"), 6);

  ValueWrite w;
  w.key = {Period::month(2016, 3).key(), static_cast<int32_t>(store_->unit_ids()->at("03405")),
           engine_->series("cases")->element_id, 0, 0};
  w.integer = 30;
  engine_->apply(std::span(&w, 1));
  EXPECT_EQ(value("cases", "12", "2016"), 43);
  store_->set_commit_listener({});
}

TEST_F(EngineTest, DecimalsAddUpExactly) {
  import(
      "rate,201601,03400,,,0.1,,,,\n"
      "rate,201602,03400,,,0.2,,,,\n"
      "fastest,201601,03400,,,41570000.25,,,,\n");
  build();
  EXPECT_EQ(value("rate", "03400", "2016"), 0.15);
  EXPECT_EQ(value("fastest", "03400", "2016"), 41570000.25);
}

// ---- Lineage across the July 2025 merger -------------------------------------------------------

TEST_F(EngineTest, ANewProvinceOverOldYearsRollsUpTheProvincesItWasFormedFrom) {
  // Province 15 was Yên Bái until 30 June 2025; from 1 July 2025 it is the new Lào Cai,
  // formed from old Lào Cai (10) and Yên Bái (15). 02635 Phường Duyên Hải was in old Lào
  // Cai, 04249 Phường Yên Thịnh in Yên Bái.
  import("cases,2024,02635,,,11,,,,\n"
         "cases,2024,04249,,,5,,,,\n");
  build();
  EXPECT_EQ(value("cases", "10", "2024"), 11);
  EXPECT_EQ(value("cases", "15", "2024"), 5);                 // in 2024 code 15 is Yên Bái
  EXPECT_EQ(value("cases", "15", "2024", kJuly2025), 16);     // the new Lào Cai, as of July 2025
  EXPECT_EQ(value("cases", "15", "2025", kJuly2025), std::nullopt);
  const Aggregate a = aggregate("cases", "15", "2024", kJuly2025);
  EXPECT_FALSE(a.has_unallocated());
  EXPECT_FALSE(a.uses_shares);
}

TEST_F(EngineTest, AMergedCommuneOverOldYearsRollsUpItsOldCommunes) {
  // Lai Châu 03405 (July 2025) = old 03400 + 03405 + 03406, all whole.
  import(
      "cases,2024,03400,,,1,,,,\n"
      "cases,2024,03405,,,2,,,,\n"
      "cases,2024,03406,,,4,,,,\n"
      "cases,202508,03405,,,8,,,,\n");
  build();
  EXPECT_EQ(value("cases", "03405", "2024"), 2);               // the old commune of that code
  EXPECT_EQ(value("cases", "03405", "2024", kJuly2025), 7);    // the new one: its three parts
  EXPECT_EQ(value("cases", "03405", "2024..2025", kJuly2025), 15);
  EXPECT_EQ(value("cases", "12", "2024..2025"), 15);
}

TEST_F(EngineTest, ASplitCommuneWithoutShareIsReportedNotCounted) {
  // Hà Nội 00199 (July 2025) = all of 00187, part of 00025 (also into 00008 and 00199's
  // neighbours) and part of the old 00199.
  import(
      "cases,2024,00187,,,10,,,,\n"
      "cases,2024,00025,,,20,,,,\n"
      "cases,2024,00199,,,40,,,,\n");
  build();
  const Aggregate a = aggregate("cases", "00199", "2024", kJuly2025);
  EXPECT_EQ(a.value, 10);
  ASSERT_EQ(a.unallocated.size(), 2u);
  std::map<std::string, double> parts;
  for (const UnallocatedPart& p : a.unallocated) {
    EXPECT_EQ(p.into, "00199");
    parts[p.unit] = p.value;
  }
  EXPECT_EQ(parts, (std::map<std::string, double>{{"00025", 20}, {"00199", 40}}));
  // The province as a whole is exact: 00025 and 00199 stayed inside Hà Nội.
  EXPECT_EQ(value("cases", "01", "2024", kJuly2025), 70);
  EXPECT_FALSE(aggregate("cases", "01", "2024", kJuly2025).has_unallocated());

  // A user sets the shares (the generic lineage layout), and the figure uses them.
  const std::string shares = write("shares.csv",
                                   "old_code,new_code,kind,share,effective\n"
                                   "00025,00199,partial,0.25,2025-07-01\n"
                                   "00199,00199,partial,0.5,2025-07-01\n");
  Result<UnitImportResult> r = import_units(*store_, shares);
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  ASSERT_TRUE(engine_->reload_structure(*store_).is_ok());
  const Aggregate shared = aggregate("cases", "00199", "2024", kJuly2025);
  EXPECT_EQ(shared.value, 10 + 0.25 * 20 + 0.5 * 40);
  EXPECT_TRUE(shared.uses_shares);
  EXPECT_FALSE(shared.has_unallocated());
}

}  // namespace
}  // namespace qpan
