// Filling templates in from a table of figures (a fake ReportData): the text each function
// writes, figures marked with their question, optional parts left out without data, tables
// and charts over units and years, and the refusals of build_report.
#include <gtest/gtest.h>

#include <map>

#include "qpan/report.h"

namespace qpan {
namespace {

class TableData final : public ReportData {
 public:
  std::map<std::tuple<std::string, std::string, std::string>, double> figures;  // (dx, ou, pe) → value
  std::vector<std::string> asked;

  Result<std::optional<double>> figure(const std::string& dx, const std::string& ou, const Period& pe) override {
    asked.push_back(dx + "|" + ou + "|" + pe.code());
    if (dx.starts_with("unknown")) return Status::invalid_input("dx: unknown data element \"" + dx + "\"");
    auto it = figures.find({dx, ou, pe.code()});
    if (it == figures.end()) return std::optional<double>();
    return std::optional<double>(it->second);
  }
  int decimals(const std::string& dx) override { return dx == "foreign.aid.vnd" ? 0 : (dx.ends_with("rate") ? 1 : 0); }
  Result<EvaluationReport> evaluate(const std::vector<std::string>&, const std::string&,
                                    const std::vector<Period>&) override {
    return Status::internal("no evaluation in this test");
  }
  Result<ReportUnit> unit(const std::string& ou, Date) override {
    if (ou == "12") return ReportUnit{"12", "Tỉnh Lai Châu", OrgUnitLevel::kProvince};
    return Status::not_found("ou: unknown org unit \"" + ou + "\"");
  }
  Result<std::vector<ReportUnit>> children(const std::string&, Date) override {
    return std::vector<ReportUnit>{{"105", "Thành phố Lai Châu", OrgUnitLevel::kDistrict},
                                   {"106", "Huyện Tam Đường", OrgUnitLevel::kDistrict},
                                   {"107", "Huyện Mường Tè", OrgUnitLevel::kDistrict}};
  }
};

ReportTemplate definition(std::string body) {
  ReportTemplate t;
  t.code = "rpt.test";
  t.file = "reports/test.txt";
  t.text = "@period month_range, year\n@title Sơ kết {period.label}\n@subtitle {period.title}\n@place {unit.short}\n"
           "@issuing_body UBND {unit.upper}\n@recipient Như trên;\n@authority TM. ỦY BAN NHÂN DÂN\n@position CHỦ TỊCH\n" +
           body;
  return t;
}

class ReportBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string pe = "201601..201806";
    data_.figures = {{{"crime.ttxh.cases", "12", pe}, 449},
                     {{"crime.ttxh.solved", "12", pe}, 364},
                     {{"crime.ttxh.cases", "12", "201307..201512"}, 470},
                     {{"foreign.aid.vnd", "12", pe}, 67716000000},
                     {{"foreign.exit.persons", "12", pe}, 1009},
                     {{"crime.ttxh.cases", "105", pe}, 80},
                     {{"crime.ttxh.cases", "106", pe}, 60},
                     {{"crime.ttxh.cases", "107", pe}, 95},
                     {{"crime.ttxh.cases", "12", "2016"}, 170},
                     {{"crime.ttxh.cases", "12", "2017"}, 180},
                     {{"crime.ttxh.cases", "12", "2018S1"}, 99},
                     {{"fire.cases", "12", pe}, 0}};
  }

  ReportDocument build(std::string body, std::string pe = "201601..201806") {
    Result<ReportTemplateProgram> program = parse_report_template(definition(std::move(body)));
    EXPECT_TRUE(program.is_ok()) << program.status().message();
    ReportRequest request;
    request.ou = "12";
    request.pe = Period::parse(pe).value();
    Result<ReportDocument> d = build_report(*program, request, data_);
    EXPECT_TRUE(d.is_ok()) << d.status().message();
    return d.is_ok() ? std::move(*d) : ReportDocument{};
  }

  static std::string text(const ReportBlock& block) {
    std::string out;
    for (const TextRun& r : std::get<Paragraph>(block).runs) out += r.text;
    return out;
  }

  TableData data_;
};

TEST_F(ReportBuilderTest, TheTitleBlockNamesTheUnitAndPeriod) {
  ReportDocument d = build("");
  EXPECT_EQ(d.header.title, "Sơ kết từ đầu năm 2016 đến tháng 6/2018");
  EXPECT_EQ(d.header.subtitle, "Từ đầu năm 2016 đến tháng 6/2018");
  EXPECT_EQ(d.header.place, "Lai Châu");
  EXPECT_EQ(d.header.issuing_body, "UBND TỈNH LAI CHÂU");
  EXPECT_EQ(d.header.kind, "BÁO CÁO");
  EXPECT_EQ(d.recipients, std::vector<std::string>{"Như trên;"});
  EXPECT_EQ(d.signature.position, "CHỦ TỊCH");
}

// Each sentence and what it becomes from the figures above.
TEST_F(ReportBuilderTest, FunctionsWriteVietnameseFigures) {
  const std::pair<std::string, std::string> kSentences[] = {
      {"Xảy ra {value(crime.ttxh.cases)} vụ.", "Xảy ra 449 vụ."},
      {"Làm rõ {ratio(crime.ttxh.solved, crime.ttxh.cases)} vụ.", "Làm rõ 364/449 vụ."},
      {"Đạt {percent(crime.ttxh.solved, crime.ttxh.cases)}.", "Đạt 81,1%."},
      {"Viện trợ {value(foreign.aid.vnd, scale=1e9, decimals=3)} tỷ đồng.", "Viện trợ 67,716 tỷ đồng."},
      {"Xuất cảnh {value(foreign.exit.persons)} lượt.", "Xuất cảnh 1.009 lượt."},
      {"Trên địa bàn {unit.lower}.", "Trên địa bàn tỉnh Lai Châu."},
      {"So với kỳ trước {change(crime.ttxh.cases, \"vụ\")}.", "So với kỳ trước giảm 21 vụ."},
      {"So với kỳ trước {change_percent(crime.ttxh.cases)}.", "So với kỳ trước giảm 4,5%."},
      {"Cao nhất: {top(crime.ttxh.cases, 2, \"vụ\")}.", "Cao nhất: Mường Tè (95 vụ) và Lai Châu (80 vụ)."},
      {"Năm 2017: {value(crime.ttxh.cases, pe=2017)} vụ.", "Năm 2017: 180 vụ."},
      {"{period.title(pe=before_last_year)}: {value(crime.ttxh.cases, pe=before_last_year)} vụ.", "Năm 2017: 180 vụ."},
      {"{value(crime.ttxh.cases, pe=2019, zero=\"Không có\")} vụ.", "… vụ."},  // no data is not zero
      {"{value(fire.cases, zero=\"Không có\")} vụ cháy.", "Không có vụ cháy."},
      {"Có {value(drug.cases)} vụ ma túy.", "Có … vụ ma túy."},  // no data: a blank to fill in
      {"Xảy ra {value(crime.ttxh.cases)} vụ[, trong đó {value(drug.cases)} vụ ma túy].", "Xảy ra 449 vụ."},
      {"Xảy ra {value(crime.ttxh.cases)} vụ[ (làm rõ {value(crime.ttxh.solved)})].", "Xảy ra 449 vụ (làm rõ 364)."},
  };
  for (const auto& [sentence, expected] : kSentences) {
    ReportDocument d = build(sentence);
    ASSERT_EQ(d.body.size(), 1u) << sentence;
    EXPECT_EQ(text(d.body[0]), expected) << sentence;
  }
}

TEST_F(ReportBuilderTest, FiguresCarryTheQuestionThatProducedThem) {
  ReportDocument d = build("Làm rõ {ratio(crime.ttxh.solved, crime.ttxh.cases)} vụ, {change(crime.ttxh.cases)}.");
  const Paragraph& p = std::get<Paragraph>(d.body.at(0));
  ASSERT_EQ(p.runs.size(), 5u);
  EXPECT_FALSE(p.runs[0].figure.has_value());
  ASSERT_TRUE(p.runs[1].figure.has_value());
  EXPECT_EQ(p.runs[1].figure->dx, "crime.ttxh.solved,crime.ttxh.cases");
  EXPECT_EQ(p.runs[1].figure->ou, "12");
  EXPECT_EQ(p.runs[1].figure->pe, "201601..201806");
  EXPECT_EQ(p.runs[3].figure->pe, "201307..201512,201601..201806");  // the period before, then the report's
}

TEST_F(ReportBuilderTest, ConditionsChooseTheirBranch) {
  ReportDocument d = build("@if value(crime.ttxh.cases) > 400\nNhiều.\n@else\nÍt.\n@end\n"
                           "@if value(drug.cases)\nCó ma túy.\n@else\nKhông có số liệu ma túy.\n@end\n");
  ASSERT_EQ(d.body.size(), 2u);
  EXPECT_EQ(text(d.body[0]), "Nhiều.");
  EXPECT_EQ(text(d.body[1]), "Không có số liệu ma túy.");
}

TEST_F(ReportBuilderTest, TablesRunOverUnitsAndYearsWithATotal) {
  ReportDocument d = build(
      "@table \"Bảng 1. Tội phạm theo huyện\" by=children total=\"Toàn tỉnh\"\n"
      "| Đơn vị | Số vụ |\n| {unit.short} | {value(crime.ttxh.cases)} |\n@end\n"
      "@table \"Bảng 2. Theo năm\" by=years\n| Kỳ | Số vụ |\n| {period.title} | {value(crime.ttxh.cases)} |\n@end\n");
  ASSERT_EQ(d.body.size(), 2u);
  const Table& units = std::get<Table>(d.body[0]);
  EXPECT_EQ(units.name, "Bảng 1. Tội phạm theo huyện");
  EXPECT_EQ(units.header, (std::vector<std::string>{"Đơn vị", "Số vụ"}));
  ASSERT_EQ(units.rows.size(), 4u);
  EXPECT_EQ(units.rows[1][0].text, "Tam Đường");
  EXPECT_EQ(units.rows[1][1].text, "60");
  EXPECT_EQ(units.rows[1][1].number, 60);
  EXPECT_EQ(units.rows[1][1].figure->ou, "106");
  EXPECT_EQ(units.rows[3][0].text, "Toàn tỉnh");
  EXPECT_EQ(units.rows[3][1].number, 449);
  const Table& years = std::get<Table>(d.body[1]);
  ASSERT_EQ(years.rows.size(), 3u);  // 2016, 2017 and the first half of 2018
  EXPECT_EQ(years.rows[0][0].text, "Năm 2016");
  EXPECT_EQ(years.rows[2][0].text, "6 tháng đầu năm 2018");
  EXPECT_EQ(years.rows[2][1].number, 99);
}

TEST_F(ReportBuilderTest, ChartsHaveAPointPerRowAndGapsWithoutData) {
  ReportDocument d = build("@chart bar \"Biểu đồ 1\" by=children unit=\"vụ\"\n"
                           "series \"Số vụ\" = value(crime.ttxh.cases)\nseries \"Ma túy\" = value(drug.cases)\n@end\n");
  const Chart& chart = std::get<Chart>(d.body.at(0));
  EXPECT_EQ(chart.labels, (std::vector<std::string>{"Lai Châu", "Tam Đường", "Mường Tè"}));
  ASSERT_EQ(chart.series.size(), 2u);
  EXPECT_EQ(chart.series[0].values, (std::vector<std::optional<double>>{80, 60, 95}));
  EXPECT_EQ(chart.series[1].values, (std::vector<std::optional<double>>{std::nullopt, std::nullopt, std::nullopt}));
  EXPECT_EQ(chart.unit, "vụ");
}

TEST_F(ReportBuilderTest, RefusalsNameTheReason) {
  Result<ReportTemplateProgram> program = parse_report_template(definition("{value(unknown.code)}"));
  ASSERT_TRUE(program.is_ok());
  ReportRequest request;
  request.ou = "12";
  request.pe = Period::parse("2022Q1").value();
  EXPECT_EQ(build_report(*program, request, data_).status().message(),
            "pe: report rpt.test is written for periods of type month_range, year; 2022Q1 is a quarter");
  request.pe = Period::parse("2021").value();
  request.ou = "99";
  EXPECT_EQ(build_report(*program, request, data_).status().message(), "ou: unknown org unit \"99\"");
  request.ou = "12";
  EXPECT_EQ(build_report(*program, request, data_).status().message(),
            "reports/test.txt:9:8: dx: unknown data element \"unknown.code\"");
}

}  // namespace
}  // namespace qpan
