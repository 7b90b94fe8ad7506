// The XLSX reader on workbooks of every shape the programs that fill forms write: parts
// packed here with libzip from XML written by hand (shared and inline strings, rich text
// with phonetic runs, booleans, errors, formula results, cells without references, the
// strict namespace, parts in other folders), qpan's own writer's output, and hostile files
// (not a zip, a part missing, malformed XML, a bad reference, a zip bomb).
#include "exchange/xlsx_reader.h"

#include <gtest/gtest.h>
#include <zip.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>

#include "exchange/xlsx_workbook.h"

namespace qpan {
namespace {

// A zip package of the given parts, as bytes (libzip writes to a file: a temporary one).
std::string package(const std::map<std::string, std::string>& parts) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("qpan-xlsx-reader-" + std::to_string(::getpid()) + ".zip")).string();
  std::remove(path.c_str());
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(z, nullptr);
  for (const auto& [name, bytes] : parts) {
    zip_source_t* s = zip_source_buffer(z, bytes.data(), bytes.size(), 0);
    EXPECT_GE(zip_file_add(z, name.c_str(), s, ZIP_FL_ENC_UTF_8), 0);
  }
  EXPECT_EQ(zip_close(z), 0);
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  std::remove(path.c_str());
  return out.str();
}

constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string root_rels(const std::string& workbook) {
  return std::string(R"(<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)") +
         R"(<Relationship Id="rId1" Type=")" + kRel + R"(/officeDocument" Target=")" + workbook + R"("/></Relationships>)";
}

// A workbook of one sheet "Trang 1" (and a hidden "qpan") with these cells and shared strings.
std::map<std::string, std::string> one_sheet(const std::string& cells, const std::string& shared) {
  return {
      {"_rels/.rels", root_rels("xl/workbook.xml")},
      {"xl/workbook.xml", std::string(R"(<workbook xmlns=")") + kMain + R"(" xmlns:r=")" + kRel +
                              R"("><sheets><sheet name="Trang 1" sheetId="1" r:id="rId1"/>)"
                              R"(<sheet name="qpan" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>)"},
      {"xl/_rels/workbook.xml.rels",
       std::string(R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">)") +
           R"(<Relationship Id="rId1" Type=")" + kRel + R"(/worksheet" Target="worksheets/sheet1.xml"/>)" +
           R"(<Relationship Id="rId2" Type=")" + kRel + R"(/worksheet" Target="/xl/worksheets/keys.xml"/>)" +
           R"(<Relationship Id="rId3" Type=")" + kRel + R"(/sharedStrings" Target="sharedStrings.xml"/>)" +
           R"(<Relationship Id="rId4" Type=")" + kRel + R"(/hyperlink" Target="https://example.org" TargetMode="External"/>)" +
           "</Relationships>"},
      {"xl/worksheets/sheet1.xml", std::string(R"(<worksheet xmlns=")") + kMain + R"("><sheetData>)" + cells + "</sheetData></worksheet>"},
      {"xl/worksheets/keys.xml", std::string(R"(<worksheet xmlns=")") + kMain +
                                     R"("><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>dataSet</t></is></c></row></sheetData></worksheet>)"},
      {"xl/sharedStrings.xml", std::string(R"(<sst xmlns=")") + kMain + R"(">)" + shared + "</sst>"},
  };
}

std::string value_of(const XlsxReadSheet& sheet, int row, int column) {
  const XlsxReadCell* c = sheet.find(row, column);
  return c == nullptr ? "<none>" : c->value.text;
}

TEST(XlsxReaderTest, EveryKindOfCell) {
  const std::string cells =
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Mường Tè</t></is></c></row>)"
      R"(<row r="3"><c r="A3"><v>1009</v></c><c r="B3" t="n"><v>67.71599999999999</v></c><c r="C3" t="b"><v>1</v></c>)"
      R"(<c r="D3" t="e"><v>#DIV/0!</v></c><c r="E3" t="str"><f>A1&amp;"x"</f><v>Thượngx</v></c><c r="F3" s="2"/></row>)"
      R"(<row><c><v>7</v></c><c t="s"><v>2</v></c></row>)"
      R"(<row r="14"><c r="AB14"><v>-2.5E-3</v></c></row>)";
  const std::string shared =
      R"(<si><t>Thượng</t></si><si><r><t>Đoàn </t></r><r><rPr><b/></rPr><t xml:space="preserve">vào </t></r>)"
      R"(<rPh sb="0" eb="1"><t>phonetic</t></rPh><r><t>Vân Nam</t></r></si><si><t/></si>)";
  Result<XlsxReadBook> book = read_xlsx(package(one_sheet(cells, shared)), "t.xlsx");
  ASSERT_TRUE(book.is_ok()) << book.status().message();
  ASSERT_EQ(book->sheets.size(), 2u);
  const XlsxReadSheet& s = book->sheets[0];
  EXPECT_EQ(s.name, "Trang 1");
  EXPECT_FALSE(s.hidden);
  EXPECT_TRUE(book->sheets[1].hidden);
  ASSERT_NE(book->sheet("qpan"), nullptr);
  EXPECT_EQ(value_of(*book->sheet("qpan"), 0, 0), "dataSet");

  EXPECT_EQ(value_of(s, 0, 0), "Thượng");
  EXPECT_EQ(value_of(s, 0, 1), "Đoàn vào Vân Nam");  // runs joined, the phonetic guide left out
  EXPECT_EQ(value_of(s, 0, 2), "Mường Tè");
  ASSERT_NE(s.find(2, 0), nullptr);
  EXPECT_EQ(s.find(2, 0)->value.kind, XlsxValue::Kind::kNumber);
  EXPECT_EQ(s.find(2, 0)->value.number, 1009);
  EXPECT_DOUBLE_EQ(s.find(2, 1)->value.number, 67.716);
  EXPECT_EQ(s.find(2, 2)->value.kind, XlsxValue::Kind::kBoolean);
  EXPECT_EQ(s.find(2, 2)->value.number, 1);
  EXPECT_EQ(s.find(2, 3)->value.kind, XlsxValue::Kind::kError);
  EXPECT_EQ(value_of(s, 2, 3), "#DIV/0!");
  EXPECT_EQ(value_of(s, 2, 4), "Thượngx");  // a formula's cached text
  EXPECT_EQ(s.find(2, 5), nullptr);         // formatted, no value
  // Row 4 and its cells without references follow the previous ones.
  EXPECT_EQ(s.find(3, 0)->value.number, 7);
  EXPECT_EQ(value_of(s, 3, 1), "");
  EXPECT_EQ(s.find(13, 27)->value.number, -0.0025);
  EXPECT_EQ(s.cells.size(), 11u);
}

TEST(XlsxReaderTest, QpansOwnWorkbookReadsBack) {
  XlsxSheet sheet;
  sheet.name = "Số liệu";
  sheet.title = "Tổng hợp";
  sheet.header = {"Chỉ tiêu", "năm 2021"};
  sheet.rows = {{XlsxCell::of_text("Số vụ"), XlsxCell::of_number(1009, 0)},
                {XlsxCell::of_text("Kinh phí"), XlsxCell::of_number(67.716, 3)}};
  Result<std::string> bytes = write_xlsx_workbook({sheet}, "t");
  ASSERT_TRUE(bytes.is_ok());
  Result<XlsxReadBook> book = read_xlsx(*bytes, "t.xlsx");
  ASSERT_TRUE(book.is_ok()) << book.status().message();
  ASSERT_EQ(book->sheets.size(), 1u);
  const XlsxReadSheet& s = book->sheets[0];
  EXPECT_EQ(s.name, "Số liệu");
  EXPECT_EQ(value_of(s, 0, 0), "Tổng hợp");
  EXPECT_EQ(value_of(s, 2, 1), "năm 2021");
  EXPECT_EQ(s.find(3, 1)->value.number, 1009);
  EXPECT_DOUBLE_EQ(s.find(4, 1)->value.number, 67.716);
}

TEST(XlsxReaderTest, BrokenWorkbooksAreRefusedWithTheReason) {
  struct Case {
    std::string bytes;
    std::string expected;
  };
  std::map<std::string, std::string> no_sheet = one_sheet("", "");
  no_sheet.erase("xl/worksheets/sheet1.xml");
  std::map<std::string, std::string> no_workbook = one_sheet("", "");
  no_workbook.erase("xl/workbook.xml");
  const std::vector<Case> cases = {
      {"not a zip at all", "bad.xlsx: not an XLSX workbook (not a zip package"},
      {package({{"hello.txt", "hi"}}), "bad.xlsx: not an XLSX workbook (no part xl/workbook.xml)"},
      {package(no_workbook), "bad.xlsx: not an XLSX workbook (no part xl/workbook.xml)"},
      {package(no_sheet), "bad.xlsx: not an XLSX workbook (no part xl/worksheets/sheet1.xml)"},
      {package(one_sheet(R"(<row r="1"><c r="A1"><v>1</v></row>)", "")),
       "bad.xlsx: xl/worksheets/sheet1.xml:1: not well-formed XML"},
      {package(one_sheet(R"(<row r="1"><c r="1A"><v>1</v></c></row>)", "")),
       "bad.xlsx: xl/worksheets/sheet1.xml:1: cell \"1A\": not a cell reference"},
      {package(one_sheet(R"(<row r="1"><c r="A1" t="s"><v>5</v></c></row>)", "<si><t>x</t></si>")),
       "cell A1: shared string \"5\" does not exist"},
      {package(one_sheet(R"(<row r="1"><c r="A1"><v>abc</v></c></row>)", "")), "cell A1: \"abc\" is not a number"},
      {package(one_sheet(R"(<row r="1"><c r="A1" t="zz"><v>1</v></c></row>)", "")), "cell A1: unknown cell type \"zz\""},
  };
  for (const Case& c : cases) {
    Result<XlsxReadBook> book = read_xlsx(c.bytes, "bad.xlsx");
    ASSERT_FALSE(book.is_ok()) << c.expected;
    EXPECT_EQ(book.status().code(), StatusCode::kInvalidInput);
    EXPECT_NE(book.status().message().find(c.expected), std::string::npos) << book.status().message();
  }
}

TEST(XlsxReaderTest, AZipBombCostsNothing) {
  // 80 MiB of one character packs into well under 100 KiB.
  const std::string huge = "<si><t>" + std::string(80u << 20, 'a') + "</t></si>";
  const std::string bytes = package(one_sheet("", huge));
  EXPECT_LT(bytes.size(), 1u << 20);
  Result<XlsxReadBook> book = read_xlsx(bytes, "bomb.xlsx");
  ASSERT_FALSE(book.is_ok());
  EXPECT_NE(book.status().message().find("bomb.xlsx: the workbook unpacks to more than 64 MiB; refused"), std::string::npos)
      << book.status().message();
}

TEST(XlsxReaderTest, CellNamesAndReferences) {
  EXPECT_EQ(xlsx_cell_name(13, 3), "D14");
  EXPECT_EQ(xlsx_cell_name(0, 25), "Z1");
  EXPECT_EQ(xlsx_cell_name(0, 26), "AA1");
  EXPECT_EQ(xlsx_cell_name(9, 16383), "XFD10");
  EXPECT_EQ(xlsx_cell_reference("Sheet1", 13, 3), "Sheet1!D14");
  EXPECT_EQ(xlsx_cell_reference("Biểu mẫu", 13, 3), "'Biểu mẫu'!D14");
  EXPECT_EQ(xlsx_cell_reference("Nam's", 0, 0), "'Nam''s'!A1");
  EXPECT_EQ(xlsx_cell_reference("2016", 0, 0), "'2016'!A1");
}

}  // namespace
}  // namespace qpan
