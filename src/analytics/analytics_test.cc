// Tests for analytics: roll-ups over the real units of Lai Châu (province 12; districts 105
// Thành phố Lai Châu and 106 Huyện Tam Đường) with hand-written values, every aggregation,
// every error, and the three output formats.
#include "qpan/analytics.h"

#include <boost/json.hpp>

#include <optional>
#include <string>

#include "exchange/exchange_test_support.h"
#include "exchange/xlsx_test_support.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {
namespace json = boost::json;

// Units used below (data/vn-admin):
//   106 Huyện Tam Đường: 03397 Xã Sùng Phài (until 2020-02-01), 03400 Xã Tả Lèng,
//       03405 Xã Giang Ma
//   105 Thành phố Lai Châu: 03386 Phường Quyết Thắng, 03403 (Xã Sùng Phài from 2020-02-01)
//   00004 Phường Trúc Bạch is in Hà Nội.
constexpr const char* kValues =
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
    "lastupdated,comment,followup\n"
    // Sums over units and months; a district's own yearly value; a value outside the range;
    // a unit of another province.
    "crime.solved,201601,03397,,,3,,,,\n"
    "crime.solved,201603,03400,,,5,,,,\n"
    "crime.solved,201602,03386,,,7,,,,\n"
    "crime.solved,201805,03397,,,4,,,,\n"
    "crime.solved,201807,03397,,,100,,,,\n"
    "crime.solved,2017,106,,,10,,,,\n"
    "crime.solved,201601,00004,,,50,,,,\n"
    // Xã Sùng Phài 03397 ended on 2020-02-01; the code 03403 carries the name after.
    "crime.solved,201912,03397,,,2,,,,\n"
    "crime.solved,202003,03403,,,1,,,,\n"
    // Disaggregation: crime category.
    "crime.occurred,201601,03397,drugs,,2,,,,\n"
    "crime.occurred,201601,03397,economic,,1,,,,\n"
    "crime.occurred,201602,03400,drugs,,4,,,,\n"
    // Stocks: the last value per unit, summed over units.
    "security.teams,201601,03400,,,5,,,,\n"
    "security.teams,201606,03400,,,7,,,,\n"
    "security.teams,201603,03405,,,3,,,,\n"
    "security.teams,2016Q2,03386,,,12,,,,\n"
    "security.teams,201606,03386,,,11,,,,\n"
    // count_true: the latest value per unit.
    "safe_commune,2016,03397,,,true,,,,\n"
    "safe_commune,2016Q2,03400,,,true,,,,\n"
    "safe_commune,2016,03400,,,false,,,,\n"
    "safe_commune,2016,03405,,,true,,,,\n"
    "safe_commune,2016,03386,,,true,,,,\n"
    // Averages.
    "solve_rate,2016,03397,,,97.8,,,,\n"
    "solve_rate,2016,03400,,,100,,,,\n"
    "solve_rate,2017,03397,,,87.5,,,,\n"
    "solve_rate,2017,03400,,,91.25,,,,\n"
    "solve_rate,2017,03405,,,41.57,,,,\n"
    "solve_rate,2018,03397,,,1,,,,\n"
    "solve_rate,2018,03400,,,1,,,,\n"
    "solve_rate,2018,03405,,,2,,,,\n"
    // Min and max, of numbers and of booleans.
    "response.fastest,2018,03397,,,12.5,,,,\n"
    "response.fastest,2018,03400,,,-3,,,,\n"
    "response.fastest,2018,03405,,,40,,,,\n"
    "response.slowest,2018,03397,,,12.5,,,,\n"
    "response.slowest,2018,03400,,,-3,,,,\n"
    "response.slowest,2018,03405,,,40,,,,\n"
    "drill.everywhere,2018,03397,,,false,,,,\n"
    "drill.everywhere,2018,03400,,,true,,,,\n"
    "drill.anywhere,2018,03397,,,false,,,,\n"
    "drill.anywhere,2018,03400,,,true,,,,\n"
    // Amounts: yearly values are not split into quarters; decimals sum exactly.
    "defence.budget,2021,105,,,67716000000,,,,\n"
    "defence.budget,202103,03400,,,41570000.25,,,,\n"
    "defence.budget,2021,03405,,,1009,,,,\n"
    "defence.budget,202205,03400,,,0.1,,,,\n"
    "defence.budget,202206,03405,,,0.2,,,,\n"
    // Negative numbers.
    "net_migration,202101,03400,,,-1234,,,,\n"
    "net_migration,202102,03405,,,-5,,,,\n"
    // An element code with dots, and its options.
    "foreign.in.delegations,202201,03400,van_nam,,3,,,,\n"
    "foreign.in.delegations,202202,03400,bac_lao,,2,,,,\n"
    "note,201601,03397,,,Diễn tập khu vực phòng thủ,,,,\n";

Catalogue test_catalogue() {
  std::vector<Disaggregation> disaggregations{
      {.code = "crime_category",
       .name_vi = "Loại tội phạm",
       .name_en = "Crime category",
       .options = {{.code = "drugs", .name_vi = "Ma túy", .name_en = "Drugs"},
                   {.code = "economic", .name_vi = "Kinh tế", .name_en = "Economic"},
                   {.code = "social_order", .name_vi = "Trật tự xã hội", .name_en = "Social order"}}},
      {.code = "partner",
       .name_vi = "Đối tác",
       .name_en = "Partner",
       .options = {{.code = "van_nam", .name_vi = "Vân Nam", .name_en = "Yunnan"},
                   {.code = "bac_lao", .name_vi = "Bắc Lào", .name_en = "Northern Laos"}}}};
  auto element = [](std::string code, std::string name_vi, ValueType type, AggregationType aggregation,
                    std::string disaggregation = "") {
    DataElement e;
    e.code = std::move(code);
    e.name_vi = std::move(name_vi);
    e.value_type = type;
    e.aggregation = aggregation;
    e.disaggregation = std::move(disaggregation);
    return e;
  };
  using enum ValueType;
  using enum AggregationType;
  std::vector<DataElement> elements{
      element("crime.solved", "Số vụ phạm tội đã điều tra làm rõ", kCount, kSum),
      element("crime.occurred", "Số vụ phạm tội xảy ra", kCount, kSum, "crime_category"),
      element("security.teams", "Số tổ an ninh nhân dân", kCount, kLast),
      element("safe_commune", "Xã đạt chuẩn an toàn về ANTT", kBoolean, kCountTrue),
      element("solve_rate", "Tỷ lệ điều tra khám phá", kPercentage, kAverage),
      element("response.fastest", "Thời gian phản ứng nhanh nhất", kNumber, kMin),
      element("response.slowest", "Thời gian phản ứng chậm nhất", kNumber, kMax),
      element("drill.everywhere", "Mọi xã đã diễn tập", kBoolean, kMin),
      element("drill.anywhere", "Có xã đã diễn tập", kBoolean, kMax),
      element("defence.budget", "Kinh phí quốc phòng", kAmountVnd, kSum),
      element("net_migration", "Biến động dân cư", kInteger, kSum),
      element("foreign.in.delegations", "Số đoàn khách nước ngoài vào", kCount, kSum, "partner"),
      element("note", "Ghi chú", kText, kNone),
  };
  elements[0].name_en = "Crimes solved";
  return Catalogue(std::move(disaggregations), std::move(elements));
}

class AnalyticsTest : public testing::ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    load_real_units();
    ASSERT_TRUE(store_->save_catalogue(test_catalogue()).is_ok());
    Result<WriteOutcome> r = import_value_file(*store_, write("values.csv", kValues), Writer::system("tester"));
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  }

  Result<AnalyticsResult> query(std::string_view dx, std::string_view ou, std::string_view pe) {
    Result<AnalyticsQuery> q = parse_analytics_query(dx, ou, pe);
    if (!q) return q.status();
    return run_analytics(*store_, *q);
  }

  // The result in a format; "" (and a test failure) on an error.
  std::string format(std::string_view dx, std::string_view ou, std::string_view pe,
                     AnalyticsFormat f = AnalyticsFormat::kCsv) {
    Result<AnalyticsResult> r = query(dx, ou, pe);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    return r.is_ok() ? format_analytics(*r, f) : "";
  }

  // The value of the single cell of a one-item query; nullopt when there is no cell.
  std::optional<double> value(std::string_view dx, std::string_view ou, std::string_view pe) {
    Result<AnalyticsResult> r = query(dx, ou, pe);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    if (!r.is_ok() || r->cells.empty()) return std::nullopt;
    EXPECT_EQ(r->cells.size(), 1u);
    return r->cells[0].value;
  }

  // The error of a query that must fail.
  Status error(std::string_view dx, std::string_view ou, std::string_view pe) {
    Result<AnalyticsResult> r = query(dx, ou, pe);
    EXPECT_FALSE(r.is_ok());
    return r.status();
  }
};

// ---- Semantics -------------------------------------------------------------------------------

TEST_F(AnalyticsTest, SumsOverDistrictAndProvinceForARange) {
  // 106: 3 (Jan 2016) + 5 (Mar 2016) + 4 (May 2018) + its own 10 for 2017; July 2018 is out.
  // 12 adds 7 of 03386 in district 105; 50 in Hà Nội is not in Lai Châu.
  EXPECT_EQ(format("crime.solved", "106,105,12", "201601..201806"),
            "dx,ou,pe,value\n"
            "crime.solved,106,201601..201806,22\n"
            "crime.solved,105,201601..201806,7\n"
            "crime.solved,12,201601..201806,29\n");
  EXPECT_EQ(value("crime.solved", "106", "2016Q1"), 8);
  EXPECT_EQ(value("crime.solved", "03397", "2016"), 3);
  EXPECT_EQ(value("crime.solved", "106", "2017"), 10);  // the district's own value
}

TEST_F(AnalyticsTest, EndedCommuneCountsUnderItsDistrictOfThatTime) {
  // 03397 Xã Sùng Phài (district 106) ended on 2020-02-01; its December 2019 value stays
  // with 106, and the 2020 value of 03403 (Xã Sùng Phài since, district 105) goes to 105.
  EXPECT_EQ(format("crime.solved", "106,105,12,03397", "2019,2020,201901..202012"),
            "dx,ou,pe,value\n"
            "crime.solved,106,2019,2\n"
            "crime.solved,106,201901..202012,2\n"
            "crime.solved,105,2020,1\n"
            "crime.solved,105,201901..202012,1\n"
            "crime.solved,12,2019,2\n"
            "crime.solved,12,2020,1\n"
            "crime.solved,12,201901..202012,3\n"
            "crime.solved,03397,2019,2\n"
            "crime.solved,03397,201901..202012,2\n");
}

TEST_F(AnalyticsTest, StocksTakeTheLastValuePerUnitAndSumOverUnits) {
  // 03400: 5 in January, 7 in June; 03405: 3 in March.
  EXPECT_EQ(value("security.teams", "106", "2016S1"), 10);
  EXPECT_EQ(value("security.teams", "106", "2016Q1"), 8);
  EXPECT_EQ(value("security.teams", "03400", "201601..201605"), 5);
  // 03386 has 12 for Q2 and 11 for June: both end on 30 June; the shorter period wins.
  EXPECT_EQ(value("security.teams", "105", "2016S1"), 11);
  EXPECT_EQ(value("security.teams", "12", "2016"), 21);
}

TEST_F(AnalyticsTest, CountTrueCountsUnitsWhoseLatestValueIsTrue) {
  // 03400 was true for Q2 but false for the year: the year is its latest value.
  EXPECT_EQ(value("safe_commune", "106", "2016"), 2);
  EXPECT_EQ(value("safe_commune", "12", "2016"), 3);
  EXPECT_EQ(value("safe_commune", "106", "2016S1"), 1);
  EXPECT_EQ(value("safe_commune", "03400", "2016"), 0);  // data, none true: a row with 0
}

TEST_F(AnalyticsTest, AverageIsTheMeanOfTheValues) {
  EXPECT_EQ(value("solve_rate", "106", "2016"), 98.9);
  EXPECT_EQ(value("solve_rate", "106", "2017"), 73.44);  // 220.32 / 3, not 73.44000000000001
  EXPECT_EQ(format("solve_rate", "106", "2018"), "dx,ou,pe,value\nsolve_rate,106,2018,1.3333333333\n");
  // Over several years every value counts once.
  EXPECT_EQ(value("solve_rate", "03397", "2016-2020"), (97.8 + 87.5 + 1) / 3);
}

TEST_F(AnalyticsTest, MinAndMaxOfNumbersAndBooleans) {
  EXPECT_EQ(value("response.fastest", "106", "2018"), -3);
  EXPECT_EQ(value("response.slowest", "106", "2018"), 40);
  EXPECT_EQ(value("response.slowest", "03397", "2018"), 12.5);
  EXPECT_EQ(value("drill.everywhere", "106", "2018"), 0);
  EXPECT_EQ(value("drill.anywhere", "106", "2018"), 1);
}

TEST_F(AnalyticsTest, DisaggregationOptionOrTotal) {
  EXPECT_EQ(format("crime.occurred.drugs,crime.occurred.economic,crime.occurred,crime.occurred.social_order",
                   "106", "2016Q1"),
            "dx,ou,pe,value\n"
            "crime.occurred.drugs,106,2016Q1,6\n"
            "crime.occurred.economic,106,2016Q1,1\n"
            "crime.occurred,106,2016Q1,7\n");
  // An element code with dots of its own.
  EXPECT_EQ(value("foreign.in.delegations.van_nam", "106", "2022Q1"), 3);
  EXPECT_EQ(value("foreign.in.delegations.bac_lao", "12", "2022"), 2);
  EXPECT_EQ(value("foreign.in.delegations", "106", "2022Q1"), 5);
}

TEST_F(AnalyticsTest, YearlyValuesAreNotSplitIntoQuarters) {
  // 03405's 1009 is for 2021 as a whole: it is in the year, not in any quarter.
  EXPECT_EQ(value("defence.budget", "106", "2021Q1"), 41570000.25);
  EXPECT_EQ(value("defence.budget", "106", "2021"), 41571009.25);
  EXPECT_EQ(value("defence.budget", "03405", "2021S1"), std::nullopt);
  EXPECT_EQ(value("defence.budget", "105", "2021Q4"), std::nullopt);
  EXPECT_EQ(value("defence.budget", "105", "2021"), 67716000000);
  EXPECT_EQ(value("defence.budget", "105", "2016-2020"), std::nullopt);
  EXPECT_EQ(value("defence.budget", "12", "202101..202212"), 67716000000 + 41571009.25 + 0.3);
}

TEST_F(AnalyticsTest, DecimalsSumExactly) {
  EXPECT_EQ(value("defence.budget", "106", "2022"), 0.3);  // 0.1 + 0.2
  EXPECT_EQ(format("defence.budget", "106", "2022"), "dx,ou,pe,value\ndefence.budget,106,2022,0.3\n");
}

TEST_F(AnalyticsTest, NoRowWithoutData) {
  Result<AnalyticsResult> r = query("crime.solved,security.teams", "105,03405", "2015,2016Q4");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_TRUE(r->cells.empty());
  // The requested items are still described.
  ASSERT_EQ(r->dx.size(), 2u);
  ASSERT_EQ(r->ou.size(), 2u);
  ASSERT_EQ(r->pe.size(), 2u);
  EXPECT_EQ(format_analytics(*r, AnalyticsFormat::kCsv), "dx,ou,pe,value\n");
}

TEST_F(AnalyticsTest, ResultDescribesItemsWithNamesInForce) {
  Result<AnalyticsResult> r =
      query("crime.solved,crime.occurred.drugs,crime.solved", "03403, 106", "2016,201601..201806");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(r->dx.size(), 2u);  // repeated items once
  EXPECT_EQ(r->dx[0].code, "crime.solved");
  EXPECT_EQ(r->dx[0].name_vi, "Số vụ phạm tội đã điều tra làm rõ");
  EXPECT_EQ(r->dx[0].name_en, "Crimes solved");
  EXPECT_EQ(r->dx[0].aggregation, AggregationType::kSum);
  EXPECT_EQ(r->dx[1].name_vi, "Số vụ phạm tội xảy ra (Ma túy)");
  ASSERT_EQ(r->ou.size(), 2u);
  // 03403 was Xã Nậm Loỏng until 2020-02-01: the name in force in the requested periods.
  EXPECT_EQ(r->ou[0].name_vi, "Xã Nậm Loỏng");
  EXPECT_EQ(r->ou[1].name_vi, "Huyện Tam Đường");
  ASSERT_EQ(r->pe.size(), 2u);
  EXPECT_EQ(r->pe[0].code, "2016");
  EXPECT_EQ(r->pe[0].name_vi, "năm 2016");
  EXPECT_EQ(r->pe[1].name_vi, "từ đầu năm 2016 đến tháng 6/2018");
  EXPECT_EQ(r->pe[1].name_en, Period::parse("201601..201806")->label_en());
  for (const AnalyticsCell& c : r->cells) EXPECT_EQ(c.value_type, ValueType::kCount);

  Result<AnalyticsResult> later = query("crime.solved", "03403", "2020");
  ASSERT_TRUE(later.is_ok()) << later.status().message();
  EXPECT_EQ(later->ou[0].name_vi, "Xã Sùng Phài");
}

// ---- Errors ----------------------------------------------------------------------------------

TEST_F(AnalyticsTest, ErrorsNameTheDimensionAndTheItem) {
  struct Case {
    const char* dx;
    const char* ou;
    const char* pe;
    StatusCode code;
    const char* message;
  };
  const Case cases[] = {
      {"nope", "106", "2016", StatusCode::kNotFound, "dx: unknown data element \"nope\""},
      {"crime.solved,nope.drugs", "106", "2016", StatusCode::kNotFound,
       "dx: unknown data element \"nope.drugs\""},
      {"crime.occurred.arson", "106", "2016", StatusCode::kNotFound,
       "dx: data element \"crime.occurred\" has no option \"arson\" (its options: drugs, economic, social_order)"},
      {"crime.solved.drugs", "106", "2016", StatusCode::kInvalidInput,
       "dx: data element \"crime.solved\" has no disaggregation, so no option \"drugs\""},
      {"note", "106", "2016", StatusCode::kInvalidInput,
       "dx: data element \"note\" does not aggregate (value type text, aggregation none)"},
      {"crime.solved", "99999", "2016", StatusCode::kNotFound, "ou: unknown org unit \"99999\""},
      {"crime.solved", "106,03397", "2019,2021", StatusCode::kNotFound,
       "ou: org unit \"03397\" is not in force during pe \"2021\" (năm 2021); it was in force: "
       "Xã Sùng Phài ..2020-01-31"},
      {"crime.solved", "106", "2025S2", StatusCode::kNotFound,
       "ou: org unit \"106\" is not in force during pe \"2025S2\""},
      {"crime.solved", "106", "2016,2022Q5", StatusCode::kInvalidInput,
       "pe: malformed period \"2022Q5\": "},
      {"crime.solved", "106", "2016-03", StatusCode::kInvalidInput, "pe: malformed period \"2016-03\""},
      {"", "106", "2016", StatusCode::kInvalidInput, "dx: give at least one data element"},
      {"crime.solved", " , ", "2016", StatusCode::kInvalidInput, "ou: give at least one org unit"},
      {"crime.solved", "106", "", StatusCode::kInvalidInput, "pe: give at least one period"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.dx) + " | " + c.ou + " | " + c.pe);
    Status s = error(c.dx, c.ou, c.pe);
    EXPECT_EQ(s.code(), c.code);
    EXPECT_TRUE(s.is_user_error());
    EXPECT_EQ(s.message().substr(0, std::string_view(c.message).size()), c.message) << s.message();
  }
}

// ---- Formats ---------------------------------------------------------------------------------

TEST_F(AnalyticsTest, CsvHasCodesAndMachineNumbers) {
  EXPECT_EQ(format("crime.solved,defence.budget,net_migration,solve_rate", "106,105", "2016Q1,2021"),
            "dx,ou,pe,value\n"
            "crime.solved,106,2016Q1,8\n"
            "crime.solved,105,2016Q1,7\n"
            "defence.budget,106,2021,41571009.25\n"
            "defence.budget,105,2021,67716000000\n"
            "net_migration,106,2021,-1239\n");
}

TEST_F(AnalyticsTest, TableIsVietnamese) {
  EXPECT_EQ(format("defence.budget,solve_rate,net_migration", "105,03405,106", "2016,2021Q1,2021",
                   AnalyticsFormat::kTable),
            "Chỉ tiêu                 Đơn vị              Kỳ                 Giá trị\n"
            "-----------------------  ------------------  ----------  --------------\n"
            "Kinh phí quốc phòng      Thành phố Lai Châu  năm 2021    67.716.000.000\n"
            "Kinh phí quốc phòng      Xã Giang Ma         năm 2021             1.009\n"
            "Kinh phí quốc phòng      Huyện Tam Đường     quý I/2021   41.570.000,25\n"
            "Kinh phí quốc phòng      Huyện Tam Đường     năm 2021     41.571.009,25\n"
            "Tỷ lệ điều tra khám phá  Huyện Tam Đường     năm 2016              98,9\n"
            "Biến động dân cư         Xã Giang Ma         quý I/2021              -5\n"
            "Biến động dân cư         Xã Giang Ma         năm 2021                -5\n"
            "Biến động dân cư         Huyện Tam Đường     quý I/2021          -1.239\n"
            "Biến động dân cư         Huyện Tam Đường     năm 2021            -1.239\n");
  // Without data: the header and a note.
  EXPECT_EQ(format("crime.solved", "105", "2015", AnalyticsFormat::kTable),
            "Chỉ tiêu  Đơn vị  Kỳ  Giá trị\n"
            "--------  ------  --  -------\n"
            "(không có số liệu)\n");
}

// The workbook as the web table: a row per item and unit, a column per period, numbers as
// numbers with the decimals they need; read back by an independent reader.
TEST_F(AnalyticsTest, WorkbookHasARowPerItemAndUnitAndAColumnPerPeriod) {
  Result<AnalyticsResult> r = query("defence.budget,solve_rate", "105,106", "2016,2021");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  Result<std::string> workbook = analytics_workbook(*r);
  ASSERT_TRUE(workbook.is_ok()) << workbook.status().message();
  EXPECT_EQ(testing::read_xlsx_cells(*workbook),
            "Số liệu\tA1\tTổng hợp số liệu (qpan)\t\n"
            "Số liệu\tA3\tChỉ tiêu\t\n"
            "Số liệu\tB3\tMã chỉ tiêu\t\n"
            "Số liệu\tC3\tĐơn vị\t\n"
            "Số liệu\tD3\tMã đơn vị\t\n"
            "Số liệu\tE3\tnăm 2016\t\n"
            "Số liệu\tF3\tnăm 2021\t\n"
            "Số liệu\tA4\tKinh phí quốc phòng\t\n"
            "Số liệu\tB4\tdefence.budget\t\n"
            "Số liệu\tC4\tThành phố Lai Châu\t\n"
            "Số liệu\tD4\t105\t\n"
            "Số liệu\tF4\t67716000000\t#,##0\n"
            "Số liệu\tA5\tKinh phí quốc phòng\t\n"
            "Số liệu\tB5\tdefence.budget\t\n"
            "Số liệu\tC5\tHuyện Tam Đường\t\n"
            "Số liệu\tD5\t106\t\n"
            "Số liệu\tF5\t41571009.25\t#,##0.00\n"
            "Số liệu\tA6\tTỷ lệ điều tra khám phá\t\n"
            "Số liệu\tB6\tsolve_rate\t\n"
            "Số liệu\tC6\tHuyện Tam Đường\t\n"
            "Số liệu\tD6\t106\t\n"
            "Số liệu\tE6\t98.9\t#,##0.0\n");
  Result<AnalyticsResult> none = query("crime.solved", "105", "2015");
  ASSERT_TRUE(none.is_ok());
  Result<std::string> empty = analytics_workbook(*none);
  ASSERT_TRUE(empty.is_ok());
  EXPECT_NE(testing::read_xlsx_cells(*empty).find("(không có số liệu)"), std::string::npos);
}

TEST_F(AnalyticsTest, JsonHasTheShapeOfDhis2) {
  EXPECT_EQ(
      format("crime.occurred.drugs", "106", "2016Q1", AnalyticsFormat::kJson),
      R"j({"headers":[)j"
      R"j({"name":"dx","column":"Data","valueType":"TEXT","type":"java.lang.String","hidden":false,"meta":true},)j"
      R"j({"name":"ou","column":"Organisation unit","valueType":"TEXT","type":"java.lang.String","hidden":false,"meta":true},)j"
      R"j({"name":"pe","column":"Period","valueType":"TEXT","type":"java.lang.String","hidden":false,"meta":true},)j"
      R"j({"name":"value","column":"Value","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false}],)j"
      R"j("metaData":{"items":{"dx":{"name":"Data"},"ou":{"name":"Organisation unit"},"pe":{"name":"Period"},)j"
      R"j("crime.occurred.drugs":{"name":"Số vụ phạm tội xảy ra (Ma túy)"},"106":{"name":"Huyện Tam Đường"},)j"
      R"j("2016Q1":{"name":"quý I/2016"}},)j"
      R"j("dimensions":{"dx":["crime.occurred.drugs"],"ou":["106"],"pe":["2016Q1"],"co":[]}},)j"
      R"j("rows":[["crime.occurred.drugs","106","2016Q1","6"]],"height":1,"width":4,"headerWidth":4})j"
      "\n");
  // Values as strings in machine form; no rows, height 0.
  const std::string amounts = format("defence.budget", "106,105", "2021,2015", AnalyticsFormat::kJson);
  EXPECT_NE(amounts.find(R"j("rows":[["defence.budget","106","2021","41571009.25"],)j"
                         R"j(["defence.budget","105","2021","67716000000"]],"height":2,)j"),
            std::string::npos)
      << amounts;
  const std::string none = format("crime.solved", "105", "2015", AnalyticsFormat::kJson);
  EXPECT_NE(none.find(R"j("rows":[],"height":0,"width":4)j"), std::string::npos) << none;
}

// DHIS2's layout options (qpan/dhis2.h reads them from a request): columns in the order
// asked, a filter out of the rows, English names, names as ids, the units' ancestors,
// period codes as DHIS2 named them, no metaData, and cells kept by their values.
TEST_F(AnalyticsTest, JsonLayoutFollowsTheRequest) {
  Result<AnalyticsResult> r = query("security.teams", "03400", "201601,201606");
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  ASSERT_EQ(r->cells.size(), 2u) << format_analytics(*r, AnalyticsFormat::kCsv);
  using D = AnalyticsLayout::Dimension;
  AnalyticsLayout layout;
  layout.columns = {D::kPe, D::kDx};
  layout.english = true;
  layout.hierarchy_meta = true;
  layout.period_codes = {"201601", "2016June"};  // as if DHIS2 had named the second so
  r->dx[0].name_en = "People's security teams";  // the test's element files have none
  const json::value laid_out = json::parse(format_analytics_json(*r, layout));
  const json::array& headers = laid_out.at("headers").as_array();
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].at("name"), "pe");
  EXPECT_EQ(headers[1].at("name"), "dx");
  EXPECT_EQ(headers[2].at("name"), "value");
  EXPECT_EQ(laid_out.at("width"), 3);
  const json::array& rows = laid_out.at("rows").as_array();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].at(0), "2016June");
  EXPECT_EQ(rows[1].at(1), "security.teams");
  EXPECT_EQ(rows[1].at(2), json::string(format_number_machine(r->cells[1].value)));
  const json::object& meta = laid_out.at("metaData").as_object();
  EXPECT_EQ(meta.at("items").at("security.teams").at("name"), json::string(r->dx[0].name_en));
  EXPECT_EQ(meta.at("items").at("2016June").at("name"), json::string(r->pe[1].name_en));
  EXPECT_EQ(meta.at("dimensions").at("ou"), json::array{"03400"});  // the filter, in the metaData
  EXPECT_EQ(meta.at("ouHierarchy").at("03400"), "12/106");

  AnalyticsLayout by_name;
  by_name.names_as_ids = true;
  const json::value named = json::parse(format_analytics_json(*r, by_name));
  EXPECT_EQ(named.at("rows").at(0).at(1), json::string(r->ou[0].name_vi));
  EXPECT_EQ(named.at("metaData").at("dimensions").at("pe").at(0), "tháng 1/2016");

  AnalyticsLayout bare;
  bare.skip_meta = true;
  const json::value skipped = json::parse(format_analytics_json(*r, bare));
  EXPECT_FALSE(skipped.as_object().contains("metaData"));
  EXPECT_EQ(skipped.at("height"), 2);
  bare.skip_data = true;
  EXPECT_EQ(json::parse(format_analytics_json(*r, bare)).at("rows"), json::array());

  const double first = r->cells[0].value, second = r->cells[1].value;
  ASSERT_NE(first, second);
  keep_cells_meeting(*r, {{MeasureCriterion::Operator::kGe, std::max(first, second)}});
  ASSERT_EQ(r->cells.size(), 1u);
  EXPECT_EQ(r->cells[0].value, std::max(first, second));
}

// The JSON is written without a DOM: read back by Boost.JSON (the oracle), every name and
// code is what was given, whatever characters it holds, and the notes on split units are there.
TEST(AnalyticsJson, ReadsBackAsWrittenWhateverTheNames) {
  const std::string awkward = "Đồn \"Biên phòng\" A\\B\ttab\nline\x01\x1f end";
  AnalyticsResult r;
  AnalyticsDataItem element;
  element.code = "2016";  // coded like a period below: its item is named once
  element.name_vi = awkward;
  r.dx.push_back(element);
  r.ou.push_back({"03405", "Xã Giang Ma", "Xã Giang Ma", {}});
  r.ou.push_back({"106", "Huyện Tam Đường", "Huyện Tam Đường", {}});
  r.pe.push_back({"2016", "năm 2016", "năm 2016", {}});
  r.cells.push_back({0, 0, 0, 41570000.25, ValueType::kAmountVnd, false, {}});
  r.cells.push_back({0, 1, 0, -1239, ValueType::kInteger, true, {{"03397", "03403", 12.5}, {"03401", "03403", 5}}});

  const boost::json::object o = boost::json::parse(format_analytics(r, AnalyticsFormat::kJson)).as_object();
  const boost::json::object& items = o.at("metaData").at("items").as_object();
  EXPECT_EQ(items.size(), 3u + 3u);  // dx, ou, pe; "2016" once, with the element's name
  EXPECT_EQ(items.at("2016").at("name").as_string(), awkward);
  EXPECT_EQ(items.at("106").at("name").as_string(), "Huyện Tam Đường");
  EXPECT_EQ(o.at("metaData").at("dimensions").at("ou"), boost::json::parse(R"(["03405","106"])"));
  EXPECT_EQ(o.at("rows"), boost::json::parse(R"([["2016","03405","2016","41570000.25"],["2016","106","2016","-1239"]])"));
  EXPECT_EQ(o.at("height").as_int64(), 2);
  EXPECT_EQ(o.at("qpanNotes"), boost::json::parse(R"([{"dx":"2016","ou":"106","pe":"2016","usesShares":true,
      "unallocated":[{"unit":"03397","into":"03403","value":12.5},{"unit":"03401","into":"03403","value":5}]}])"));
}

TEST(NumberFormat, Vietnamese) {
  EXPECT_EQ(format_number_vi(0, 2), "0");
  EXPECT_EQ(format_number_vi(449, 2), "449");
  EXPECT_EQ(format_number_vi(1009, 2), "1.009");
  EXPECT_EQ(format_number_vi(41570000, 2), "41.570.000");
  EXPECT_EQ(format_number_vi(67716000000, 2), "67.716.000.000");
  EXPECT_EQ(format_number_vi(98.9, 2), "98,9");
  EXPECT_EQ(format_number_vi(41570000.25, 2), "41.570.000,25");
  EXPECT_EQ(format_number_vi(-1234.5, 2), "-1.234,5");
  EXPECT_EQ(format_number_vi(-1239, 2), "-1.239");
  EXPECT_EQ(format_number_vi(-0.001, 2), "0");
  EXPECT_EQ(format_number_vi(2.675, 2), "2,68");  // half away from zero on the decimal digits
  EXPECT_EQ(format_number_vi(-2.675, 2), "-2,68");
  EXPECT_EQ(format_number_vi(999.996, 2), "1.000");
  EXPECT_EQ(format_number_vi(1.3333333333, 2), "1,33");
  EXPECT_EQ(format_number_vi(1.5, 0), "2");
  EXPECT_EQ(format_number_vi(123456.789, 4), "123.456,789");
  EXPECT_EQ(format_number_vi(9007199254740992.0, 2), "9.007.199.254.740.992");
}

TEST(NumberFormat, Machine) {
  EXPECT_EQ(format_number_machine(0), "0");
  EXPECT_EQ(format_number_machine(-0.0), "0");
  EXPECT_EQ(format_number_machine(449), "449");
  EXPECT_EQ(format_number_machine(41570000), "41570000");
  EXPECT_EQ(format_number_machine(98.9), "98.9");
  EXPECT_EQ(format_number_machine(-1234.5), "-1234.5");
  EXPECT_EQ(format_number_machine(67716000000.0), "67716000000");
  EXPECT_EQ(format_number_machine(9007199254740992.0), "9007199254740992");  // 2^53
  EXPECT_EQ(format_number_machine(1e-7), "0.0000001");
}

}  // namespace
}  // namespace qpan
