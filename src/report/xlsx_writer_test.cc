// Tests of the XLSX writer: workbooks read back with libzip and libxml2 (sheet names, cell
// types, number formats, the caption, header and frozen panes) and cross-checked with the
// project's independent reader script (tests/tools/xlsx_cells.py).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "exchange/xlsx_test_support.h"
#include "qpan/report_render.h"
#include "report/ooxml_test_support.h"

namespace qpan {
namespace {

using testing::XmlPart;
using testing::zip_part;

TableCell text(std::string value) { return {std::move(value), std::nullopt, 0, std::nullopt}; }
TableCell number(std::string shown, double value, int decimals = 0) {
  return {std::move(shown), value, decimals, FigureSource{"crime.cases", "LaiChau", "2018"}};
}

Table district_table(std::string name) {
  return Table{std::move(name),
               "Bảng 1. Tình hình tội phạm và thiệt hại theo huyện, từ đầu năm 2016 đến tháng 6/2018",
               {"Huyện", "Số vụ", "Thiệt hại (tỷ đồng)", "Tỷ lệ (%)"},
               {{text("Mường Tè"), number("1.009", 1009), number("67,716", 67.716, 3), number("98,9", 98.9, 1)},
                {text("Nậm Nhùn"), number("449", 449), number("2,5", 2.5, 1), text("")},
                {text("Thượng tầng"), number("41.570.000", 41570000)}}};
}

ReportDocument report_with_tables(std::vector<Table> tables) {
  ReportDocument document;
  document.header.issuing_body = "BAN CHỈ HUY QUÂN SỰ TỈNH";
  document.header.title = "Kết quả công tác quốc phòng";
  document.header.subtitle = "Từ đầu năm 2016 đến tháng 6/2018";
  document.body.push_back(Heading{1, "I. KẾT QUẢ"});
  for (Table& table : tables) {
    document.body.push_back(Paragraph{{{"Số liệu ở Mường Tè.", false, false, std::nullopt}}});
    document.body.push_back(std::move(table));
  }
  return document;
}

// A cell as the workbook stores it, its style resolved.
struct StoredCell {
  bool is_number = false;
  std::string value;           // the number as written, or the text
  std::string format;          // the number format's code, "General" when none
  bool bold = false;
  bool bordered = false;
  bool wrapped = false;
};

// A workbook read back part by part.
class StoredWorkbook {
 public:
  explicit StoredWorkbook(std::string package) : package_(std::move(package)) {
    workbook_ = part("xl/workbook.xml");
    const XmlPart rels = part("xl/_rels/workbook.xml.rels");
    const XmlPart shared = part("xl/sharedStrings.xml");
    strings_ = shared.strings("//s:si");
    styles_ = part("xl/styles.xml");
    const std::vector<std::string> names = workbook_.strings("//s:sheets/s:sheet/@name");
    const std::vector<std::string> ids = workbook_.strings("//s:sheets/s:sheet/@r:id");
    for (size_t i = 0; i < names.size() && i < ids.size(); ++i) {
      const std::string target = rels.string("//rel:Relationship[@Id='" + ids[i] + "']/@Target");
      sheets_.emplace(names[i], part(target.starts_with("/") ? target.substr(1) : "xl/" + target));
    }
  }

  std::vector<std::string> sheet_names() const { return workbook_.strings("//s:sheets/s:sheet/@name"); }

  const XmlPart& sheet(const std::string& name) const {
    static const XmlPart kMissing("");
    const auto found = sheets_.find(name);
    EXPECT_NE(found, sheets_.end()) << "no sheet " << name;
    return found == sheets_.end() ? kMissing : found->second;
  }

  std::optional<StoredCell> cell(const std::string& sheet_name, const std::string& reference) const {
    const XmlPart& s = sheet(sheet_name);
    const std::string c = "//s:sheetData/s:row/s:c[@r='" + reference + "']";
    if (s.number("count(" + c + ")") != 1) return std::nullopt;
    StoredCell out;
    const std::string type = s.string(c + "/@t");
    const std::string v = s.string(c + "/s:v");
    out.is_number = (type.empty() || type == "n") && !v.empty();
    if (type == "s") {
      const size_t index = std::stoul(v);
      out.value = index < strings_.size() ? strings_[index] : "<bad shared string>";
    } else {
      out.value = v;
    }
    const std::string style_index = s.string(c + "/@s");
    const std::string xf = "//s:cellXfs/s:xf[" + std::to_string(style_index.empty() ? 1 : std::stoi(style_index) + 1) + "]";
    const std::string format_id = styles_.string(xf + "/@numFmtId");
    out.format = format_id == "0" || format_id.empty()
                     ? "General"
                     : styles_.string("//s:numFmts/s:numFmt[@numFmtId='" + format_id + "']/@formatCode");
    const int font = std::stoi("0" + styles_.string(xf + "/@fontId"));
    out.bold = styles_.number("count(//s:fonts/s:font[" + std::to_string(font + 1) + "]/s:b)") == 1;
    const int border = std::stoi("0" + styles_.string(xf + "/@borderId"));
    out.bordered = styles_.number("count(//s:borders/s:border[" + std::to_string(border + 1) + "]/s:left[@style])") == 1;
    out.wrapped = styles_.string(xf + "/s:alignment/@wrapText") == "1";
    return out;
  }

 private:
  XmlPart part(const std::string& name) const {
    const std::optional<std::string> bytes = zip_part(package_, name);
    EXPECT_TRUE(bytes.has_value()) << "no part " << name;
    XmlPart parsed(bytes.value_or(""));
    EXPECT_TRUE(parsed.ok()) << name << " is not well-formed";
    return parsed;
  }

  std::string package_;
  XmlPart workbook_{""};
  XmlPart styles_{""};
  std::vector<std::string> strings_;
  std::map<std::string, XmlPart> sheets_;
};

StoredWorkbook render(const ReportDocument& document) {
  Result<std::string> xlsx = render_xlsx(document);
  EXPECT_TRUE(xlsx.is_ok()) << xlsx.status().message();
  return StoredWorkbook(xlsx.is_ok() ? *xlsx : std::string());
}

TEST(XlsxWriterTest, OneSheetPerTableInBodyOrder) {
  const StoredWorkbook book = render(report_with_tables({district_table("Tội phạm"), district_table("Ma túy")}));
  EXPECT_EQ(book.sheet_names(), (std::vector<std::string>{"Tội phạm", "Ma túy"}));
}

TEST(XlsxWriterTest, SheetNamesAreMadeValidAndUnique) {
  const StoredWorkbook book = render(report_with_tables({
      district_table("Tội phạm theo huyện"),
      district_table("Tội phạm theo huyện"),
      district_table("TỘI PHẠM THEO HUYỆN"),  // Excel compares names without case
      district_table("Ma túy: [2018]/*?\\"),
      district_table("Kết quả tuyển chọn và gọi công dân nhập ngũ năm 2018"),
      district_table("Kết quả tuyển chọn và gọi công dân nhập ngũ năm 2019"),
      district_table(""),
      district_table("'Trích dẫn'"),
      district_table("history"),
  }));
  EXPECT_EQ(book.sheet_names(), (std::vector<std::string>{
                                    "Tội phạm theo huyện",
                                    "Tội phạm theo huyện (2)",
                                    "TỘI PHẠM THEO HUYỆN (3)",
                                    "Ma túy- -2018-----",
                                    "Kết quả tuyển chọn và gọi công",  // 31 characters, the last a space
                                    "Kết quả tuyển chọn và gọi c (2)",  // 31 with the suffix
                                    "Bảng 7",
                                    "Trích dẫn",
                                    "history (2)",
                                }));
}

TEST(XlsxWriterTest, CaptionHeaderAndRowsAreLaidOutWithNumbersAsNumbers) {
  const StoredWorkbook book = render(report_with_tables({district_table("Tội phạm")}));
  const std::string sheet = "Tội phạm";

  const std::optional<StoredCell> caption = book.cell(sheet, "A1");
  ASSERT_TRUE(caption);
  EXPECT_EQ(caption->value, "Bảng 1. Tình hình tội phạm và thiệt hại theo huyện, từ đầu năm 2016 đến tháng 6/2018");
  EXPECT_TRUE(caption->bold);
  EXPECT_EQ(book.sheet(sheet).strings("//s:mergeCells/s:mergeCell/@ref"), std::vector<std::string>{"A1:D1"})
      << "the caption spans the table";
  EXPECT_FALSE(book.cell(sheet, "A2")) << "a blank row under the caption";

  const std::vector<std::string> header = {"Huyện", "Số vụ", "Thiệt hại (tỷ đồng)", "Tỷ lệ (%)"};
  for (size_t c = 0; c < header.size(); ++c) {
    const std::string reference = std::string(1, static_cast<char>('A' + c)) + "3";
    const std::optional<StoredCell> cell = book.cell(sheet, reference);
    ASSERT_TRUE(cell) << reference;
    EXPECT_EQ(cell->value, header[c]);
    EXPECT_FALSE(cell->is_number);
    EXPECT_TRUE(cell->bold && cell->bordered && cell->wrapped) << reference;
  }

  struct Expected {
    const char* reference;
    bool is_number;
    double number;
    const char* text_or_format;
  };
  for (const Expected& e : {Expected{"A4", false, 0, "Mường Tè"}, Expected{"B4", true, 1009, "#,##0"},
                            Expected{"C4", true, 67.716, "#,##0.000"}, Expected{"D4", true, 98.9, "#,##0.0"},
                            Expected{"A5", false, 0, "Nậm Nhùn"}, Expected{"B5", true, 449, "#,##0"},
                            Expected{"C5", true, 2.5, "#,##0.0"}, Expected{"A6", false, 0, "Thượng tầng"},
                            Expected{"B6", true, 41570000, "#,##0"}}) {
    const std::optional<StoredCell> cell = book.cell(sheet, e.reference);
    ASSERT_TRUE(cell) << e.reference;
    EXPECT_EQ(cell->is_number, e.is_number) << e.reference << " " << cell->value;
    EXPECT_TRUE(cell->bordered) << e.reference;
    if (e.is_number) {
      EXPECT_DOUBLE_EQ(std::stod(cell->value), e.number) << e.reference;
      EXPECT_EQ(cell->format, e.text_or_format) << e.reference;
    } else {
      EXPECT_EQ(cell->value, e.text_or_format) << e.reference;
    }
  }
  EXPECT_EQ(book.cell(sheet, "D5")->value, "") << "an empty cell keeps its border, no value";
  EXPECT_TRUE(book.cell(sheet, "D6")->bordered) << "a short row is filled out with bordered blanks";

  const XmlPart& s = book.sheet(sheet);
  EXPECT_EQ(s.string("//s:sheetView/s:pane/@state"), "frozen");
  EXPECT_EQ(s.string("//s:sheetView/s:pane/@ySplit"), "3") << "frozen under the header";
  EXPECT_EQ(s.string("//s:sheetView/s:pane/@topLeftCell"), "A4");
  EXPECT_EQ(s.string("//s:pageSetup/@paperSize"), "9") << "A4";
}

TEST(XlsxWriterTest, ColumnsAreWideEnoughForTheirText) {
  const StoredWorkbook book = render(report_with_tables({district_table("Tội phạm")}));
  const XmlPart& s = book.sheet("Tội phạm");
  const auto width = [&](int column) {
    return s.number("//s:cols/s:col[@min <= " + std::to_string(column) + " and @max >= " + std::to_string(column) + "]/@width");
  };
  EXPECT_GE(width(1), 11) << "\"Thượng tầng\" is 11 characters";
  EXPECT_GE(width(2), 10) << "\"41.570.000\"";
  EXPECT_LE(width(2), 20);
  EXPECT_GE(width(3), 8);
  for (int column = 1; column <= 4; ++column) EXPECT_LE(width(column), 52);
}

TEST(XlsxWriterTest, IndependentReaderSeesNumbersAndFormats) {
  Result<std::string> xlsx = render_xlsx(report_with_tables({district_table("Tội phạm")}));
  ASSERT_TRUE(xlsx.is_ok()) << xlsx.status().message();
  const std::string cells = qpan::testing::read_xlsx_cells(*xlsx);
  EXPECT_NE(cells.find("Tội phạm\tB4\t1009\t#,##0\n"), std::string::npos) << cells;
  EXPECT_NE(cells.find("Tội phạm\tC4\t67.716\t#,##0.000\n"), std::string::npos) << cells;
  EXPECT_NE(cells.find("Tội phạm\tD4\t98.9\t#,##0.0\n"), std::string::npos) << cells;
  EXPECT_NE(cells.find("Tội phạm\tA4\tMường Tè\t\n"), std::string::npos) << cells;
}

TEST(XlsxWriterTest, ReportWithoutTablesGetsItsTextOnOneSheet) {
  ReportDocument document = report_with_tables({});
  document.body.push_back(Paragraph{{{"Huyện Nậm Nhùn ", false, false, std::nullopt},
                                     {"449", true, false, FigureSource{"crime.cases", "NamNhun", "2018"}},
                                     {" vụ.", false, false, std::nullopt}}});
  const StoredWorkbook book = render(document);
  ASSERT_EQ(book.sheet_names(), std::vector<std::string>{"Báo cáo"});
  EXPECT_EQ(book.cell("Báo cáo", "A1")->value, "Kết quả công tác quốc phòng");
  EXPECT_TRUE(book.cell("Báo cáo", "A1")->bold);
  EXPECT_EQ(book.cell("Báo cáo", "A2")->value, "Từ đầu năm 2016 đến tháng 6/2018");
  EXPECT_EQ(book.cell("Báo cáo", "A4")->value, "I. KẾT QUẢ");
  EXPECT_EQ(book.cell("Báo cáo", "A5")->value, "Huyện Nậm Nhùn 449 vụ.");
  EXPECT_TRUE(book.cell("Báo cáo", "A5")->wrapped);
  EXPECT_GE(book.sheet("Báo cáo").number("//s:cols/s:col[@min=1]/@width"), 80);

  document.language = "en";
  EXPECT_EQ(render(document).sheet_names(), std::vector<std::string>{"Report"});
}

TEST(XlsxWriterTest, DocumentPropertiesNameTheReport) {
  Result<std::string> xlsx = render_xlsx(report_with_tables({district_table("Tội phạm")}));
  ASSERT_TRUE(xlsx.is_ok());
  const XmlPart core(zip_part(*xlsx, "docProps/core.xml").value_or(""));
  EXPECT_EQ(core.string("//dc:title"), "Kết quả công tác quốc phòng");
  EXPECT_EQ(core.string("//dc:subject"), "Từ đầu năm 2016 đến tháng 6/2018");
}

}  // namespace
}  // namespace qpan
