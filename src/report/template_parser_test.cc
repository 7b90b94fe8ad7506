// The report template language: what parses into what, and a golden table of templates
// refused with the file, line, column and reason of each error.
#include "report/template_parser.h"

#include <gtest/gtest.h>

#include "qpan/pack.h"
#include "qpan/report.h"

namespace qpan {
namespace {

constexpr std::string_view kHeader = "@period month_range\n@title Sơ kết\n";

CompiledTemplate parsed(std::string_view body) {
  Result<CompiledTemplate> t = parse_template_text(std::string(kHeader) + std::string(body), "t.txt");
  EXPECT_TRUE(t.is_ok()) << t.status().message();
  return t.is_ok() ? std::move(*t) : CompiledTemplate{};
}

TEST(TemplateParserTest, HeaderLinesFillTheTitleBlock) {
  Result<CompiledTemplate> t = parse_template_text(
      "// a comment\n@period month_range, five_year\n@title Sơ kết {period.label}\n@issuing_body UBND TỈNH "
      "{unit.short_upper}\n@recipient Như trên;\n@recipient Lưu: VT.\n@authority TM. ỦY BAN NHÂN DÂN\n@position CHỦ TỊCH\n",
      "t.txt");
  ASSERT_TRUE(t.is_ok()) << t.status().message();
  EXPECT_EQ(t->period_types, (std::vector<PeriodType>{PeriodType::kMonthRange, PeriodType::kFiveYear}));
  ASSERT_EQ(t->title.size(), 2u);
  EXPECT_EQ(t->title[0].text, "Sơ kết ");
  EXPECT_EQ(t->title[1].call.function, "period.label");
  EXPECT_EQ(t->recipients.size(), 2u);
  EXPECT_EQ(t->authority.size(), 1u);
  EXPECT_EQ(t->kind.front().text, "BÁO CÁO");  // the default kind
  EXPECT_TRUE(t->body.empty());
}

TEST(TemplateParserTest, LinesJoinIntoParagraphsAndPlaceholdersKeepTheirPositions) {
  CompiledTemplate t = parsed(
      "= I. TÌNH HÌNH\n"
      "Đã xảy ra {value(crime.ttxh.cases)} vụ,\n"
      "điều tra làm rõ {ratio(crime.ttxh.solved, crime.ttxh.cases)} vụ[ ({percent(crime.ttxh.solved, crime.ttxh.cases, "
      "decimals=1)})].\n"
      "\n"
      "== 1. Ma túy \\[mới\\]\n");
  ASSERT_EQ(t.body.size(), 3u);
  EXPECT_EQ(t.body[0].kind, TemplateBlock::Kind::kHeading);
  EXPECT_EQ(t.body[0].level, 1);
  const TemplateBlock& p = t.body[1];
  ASSERT_EQ(p.kind, TemplateBlock::Kind::kParagraph);
  ASSERT_EQ(p.text.size(), 7u);
  EXPECT_EQ(p.text[1].call.function, "value");
  EXPECT_EQ(p.text[1].call.at.line, 4);
  EXPECT_EQ(p.text[1].call.at.column, 12);  // after "Đã xảy ra {": characters, not bytes
  EXPECT_EQ(p.text[2].text, " vụ, điều tra làm rõ ");  // lines joined by one space
  EXPECT_EQ(p.text[3].call.arguments.size(), 2u);
  ASSERT_EQ(p.text[5].kind, InlinePart::Kind::kOptional);
  const TemplateCall& percent = p.text[5].parts[1].call;
  EXPECT_EQ(percent.option("decimals")->number, 1);
  EXPECT_EQ(t.body[2].level, 2);
  EXPECT_EQ(t.body[2].text.front().text, "1. Ma túy [mới]");
}

TEST(TemplateParserTest, ConditionsTablesAndCharts) {
  CompiledTemplate t = parsed(
      "@if value(drug.cases) > 0\n"
      "Có ma túy.\n"
      "@else\n"
      "Không có.\n"
      "@end\n"
      "@table \"Bảng 1. Tội phạm\" by=children total=\"Toàn tỉnh\" name=\"Tội phạm\"\n"
      "| Đơn vị | Số vụ |\n"
      "| {unit.short} | {value(crime.ttxh.cases)} |\n"
      "@end\n"
      "@chart line \"Biểu đồ 1\" by=years unit=\"vụ\"\n"
      "series \"Số vụ\" = value(crime.ttxh.cases)\n"
      "@end\n");
  ASSERT_EQ(t.body.size(), 3u);
  const TemplateBlock& condition = t.body[0];
  EXPECT_EQ(condition.condition.op, ">");
  EXPECT_EQ(condition.then_blocks.size(), 1u);
  EXPECT_EQ(condition.else_blocks.size(), 1u);
  const TemplateBlock& table = t.body[1];
  EXPECT_EQ(table.caption, "Bảng 1. Tội phạm");
  EXPECT_EQ(table.total, "Toàn tỉnh");
  EXPECT_EQ(table.name, "Tội phạm");
  ASSERT_EQ(table.header.size(), 2u);
  EXPECT_EQ(table.header[1].front().text, "Số vụ");
  EXPECT_EQ(table.cells[1].front().call.function, "value");
  const TemplateBlock& chart = t.body[2];
  EXPECT_EQ(chart.chart_kind, Chart::Kind::kLine);
  EXPECT_EQ(chart.by, RowsBy::kYears);
  EXPECT_EQ(chart.unit, "vụ");
  ASSERT_EQ(chart.series.size(), 1u);
  EXPECT_EQ(chart.series[0].call.positional()[0]->text, "crime.ttxh.cases");
  EXPECT_EQ(template_calls(t).size(), 4u);  // the condition, two cells, the series
}

// Each template (after the two header lines, so its first line is line 3) and the error.
struct Refusal {
  std::string_view body;
  std::string_view error;
};

TEST(TemplateParserTest, ErrorsNameTheLineColumnAndReason) {
  const Refusal kRefusals[] = {
      {"{valu(x)}", "t.txt:3:2: unknown function \"valu\" (known: value, ratio"},
      {"Có {value(a, b)} vụ", "t.txt:3:5: value takes 1 argument, not 2"},
      {"{ratio(a)}", "t.txt:3:2: ratio takes 2 arguments, not 1"},
      {"{value(a, decimals=9)}", "t.txt:3:11: value: decimals is a whole number from 0 to 6"},
      {"{value(a, pe=2022Q9)}", "t.txt:3:11: value: pe is a period code (2021, 2022Q1) or one of report, previous"},
      {"{value(a, colour=1)}", "t.txt:3:11: value: unknown option \"colour\" (known: decimals, scale, pe, zero)"},
      {"{value(\"a\")}", "t.txt:3:8: value: expected an element or indicator code, found \"a\""},
      {"{top(a, 0)}", "t.txt:3:9: top: expected a whole number > 0, found \"0\""},
      {"Đã xảy ra {value(a)", "t.txt:3:20: unclosed placeholder: a '}' is missing"},
      {"Có [{value(a)} vụ", "t.txt:3:4: unclosed '[': the optional part needs its ']'"},
      {"Có } vụ", "t.txt:3:4: '}' without '{' (write \\} for the character)"},
      {"{value(a, \"x)}", "t.txt:3:11: unterminated text: a closing \" is missing"},
      {"@if unit.name\n@end", "t.txt:3:5: unit.name gives text, not a number: @if needs a figure"},
      {"@if value(a) >\n@end", "t.txt:3:15: expected a code, a number or a \"text\""},
      {"@if value(a) > 0\nCó.", "t.txt:3:1: this block has no @end"},
      {"@end", "t.txt:3:1: @end without @if, @table or @chart"},
      {"@tabel \"x\"", "t.txt:3:1: unknown directive @tabel"},
      {"@table \"x\" by=districts\n| a |\n| b |\n@end", "t.txt:3:12: by: expected children, years, quarters or months"},
      {"@table \"x\"\n| a | b |\n| {unit.name} |\n@end", "t.txt:5:1: the row has 1 cells, the header 2"},
      {"@table \"x\"\n| a |\n@end", "t.txt:3:1: a table needs a header row and a row of cells"},
      {"@chart pie \"x\"\n@end", "t.txt:3:8: @chart: expected bar or line, then the caption"},
      {"@chart bar \"x\"\nseries \"a\" = top(a, 3)\n@end", "t.txt:4:14: top gives text, not a number: a series needs figures"},
      {"| a |", "t.txt:3:1: a table row outside @table … @end"},
      {"==== Mục", "t.txt:3:1: a heading is '= ', '== ' or '=== ' and its text"},
  };
  for (const Refusal& r : kRefusals) {
    Result<CompiledTemplate> t = parse_template_text(std::string(kHeader) + std::string(r.body), "t.txt");
    ASSERT_FALSE(t.is_ok()) << r.body;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidInput);
    EXPECT_TRUE(t.status().message().starts_with(r.error)) << r.body << "\n  got:  " << t.status().message()
                                                            << "\n  want: " << r.error;
  }
}

TEST(TemplateParserTest, TheHeaderMustNameThePeriodsAndTitle) {
  EXPECT_EQ(parse_template_text("@title X\n", "t.txt").status().message(),
            "t.txt:1:1: missing @period: name the period types the template is written for (month_range, quarter, "
            "year, five_year …)");
  EXPECT_EQ(parse_template_text("@period month_range\n", "t.txt").status().message(), "t.txt:1:1: missing @title");
  EXPECT_EQ(parse_template_text("@period fortnight\n@title X\n", "t.txt").status().message(),
            "t.txt:1:9: \"fortnight\" is not a period type (month, quarter, six_month, year, five_year, month_range)");
}

// The pack's own templates parse, and every code they name is in the pack.
TEST(TemplateParserTest, ThePacksTemplatesAreValid) {
  Result<PackReadResult> read = read_pack(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
  ASSERT_TRUE(read.is_ok()) << read.status().message();
  ASSERT_TRUE(read->problems.empty()) << read->problems.to_string();
  ASSERT_TRUE(read->pack.has_value());
  EXPECT_EQ(read->pack->report_templates.size(), 4u);
  for (const ReportTemplate& t : read->pack->report_templates) {
    EXPECT_FALSE(t.text.empty()) << t.code;
    EXPECT_TRUE(t.file.starts_with("reports/")) << t.file;
  }
  ImportProblems problems = check_report_templates(*read->pack);
  EXPECT_TRUE(problems.empty()) << problems.to_string();
}

TEST(TemplateParserTest, CodesTheTemplateNamesMustBeInThePack) {
  Result<PackReadResult> read = read_pack(std::string(QPAN_SOURCE_DIR) + "/packs/qpan-vn");
  ASSERT_TRUE(read.is_ok() && read->pack.has_value());
  ReportTemplate bad;
  bad.code = "rpt.bad";
  bad.file = "reports/bad.txt";
  bad.text = std::string(kHeader) +
             "{value(crime.ttxh.casez)} {value(foreign.in.delegations.van_nam)} {met(eval.drug_free)}\n"
             "{share_from_class(eval.movement_rating, tot_lam)} {transitions(eval.key_area.commune, on_list, gone)}\n";
  Result<ReportTemplateProgram> program = parse_report_template(bad);
  ASSERT_TRUE(program.is_ok()) << program.status().message();
  ImportProblems problems = check_report_template(*program, *read->pack);
  ASSERT_EQ(problems.total, 4) << problems.to_string();
  EXPECT_EQ(problems.shown[0].to_string(),
            "reports/bad.txt:3:8: value: no element, element.option or indicator \"crime.ttxh.casez\" in pack qpan-vn");
  EXPECT_EQ(problems.shown[1].to_string(), "reports/bad.txt:3:72: met: no evaluation set \"eval.drug_free\" in the pack");
  EXPECT_EQ(problems.shown[2].to_string(),
            "reports/bad.txt:4:41: share_from_class: set eval.movement_rating has no class \"tot_lam\"");
  EXPECT_EQ(problems.shown[3].to_string(),
            "reports/bad.txt:4:96: transitions: set eval.key_area.commune has no outcome \"gone\"");
}

}  // namespace
}  // namespace qpan
