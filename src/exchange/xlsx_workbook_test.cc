// The XLSX writer read back by an independent reader (tests/tools/xlsx_cells.py: Python's
// zipfile and XML parser): every cell where it was put, numbers as numbers with their
// format, text in UTF-8, and the sheet-name rules Excel enforces refused with the sheet named.
#include "exchange/xlsx_workbook.h"

#include <gtest/gtest.h>

#include <string>

#include "exchange/xlsx_test_support.h"

namespace qpan {
namespace {

using testing::read_xlsx_cells;

XlsxSheet sheet_named(std::string name) {
  XlsxSheet sheet;
  sheet.name = std::move(name);
  return sheet;
}

TEST(XlsxWorkbookTest, CellsReadBackWithTheirFormats) {
  XlsxSheet sheet;
  sheet.name = "Số liệu";
  sheet.title = "Tổng hợp số liệu — Lai Châu";
  sheet.header = {"Chỉ tiêu", "Đơn vị", "năm 2021"};
  sheet.numeric_columns = {2};
  sheet.rows = {
      {XlsxCell::of_text("Số vụ phạm tội"), XlsxCell::of_text("Mường Tè"), XlsxCell::of_number(1009, 0)},
      {XlsxCell::of_text("Kinh phí (tỷ đồng)"), XlsxCell::of_text("Thượng"), XlsxCell::of_number(67.716, 3)},
      {XlsxCell::of_text("Tỷ lệ"), XlsxCell::empty(), XlsxCell::of_number(98.9, 1)},
  };
  sheet.notes = {"* ghi chú"};
  XlsxSheet second = sheet_named("Câu hỏi");
  second.rows = {{XlsxCell::of_text("dx"), XlsxCell::of_text("crime.cases")}};
  Result<std::string> bytes = write_xlsx_workbook({sheet, second}, "Tổng hợp");
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  ASSERT_GE(bytes->size(), 4u);
  EXPECT_EQ(bytes->substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_EQ(read_xlsx_cells(*bytes),
            "Số liệu\tA1\tTổng hợp số liệu — Lai Châu\t\n"
            "Số liệu\tA3\tChỉ tiêu\t\n"
            "Số liệu\tB3\tĐơn vị\t\n"
            "Số liệu\tC3\tnăm 2021\t\n"
            "Số liệu\tA4\tSố vụ phạm tội\t\n"
            "Số liệu\tB4\tMường Tè\t\n"
            "Số liệu\tC4\t1009\t#,##0\n"
            "Số liệu\tA5\tKinh phí (tỷ đồng)\t\n"
            "Số liệu\tB5\tThượng\t\n"
            "Số liệu\tC5\t67.716\t#,##0.000\n"
            "Số liệu\tA6\tTỷ lệ\t\n"
            "Số liệu\tC6\t98.9\t#,##0.0\n"
            "Số liệu\tA8\t* ghi chú\t\n"
            "Câu hỏi\tA1\tdx\t\n"
            "Câu hỏi\tB1\tcrime.cases\t\n");
}

TEST(XlsxWorkbookTest, SheetNamesExcelRefusesAreNamed) {
  const XlsxSheet ok = sheet_named("Số liệu");
  Result<std::string> none = write_xlsx_workbook({}, "t");
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidInput);

  Result<std::string> slash = write_xlsx_workbook({ok, sheet_named("2021/2022")}, "t");
  ASSERT_FALSE(slash.is_ok());
  EXPECT_EQ(slash.status().code(), StatusCode::kInvalidInput);
  EXPECT_NE(slash.status().message().find("sheet 2 \"2021/2022\""), std::string::npos) << slash.status().message();

  Result<std::string> long_name = write_xlsx_workbook({sheet_named(std::string(32, 'a'))}, "t");
  EXPECT_EQ(long_name.status().code(), StatusCode::kInvalidInput);

  Result<std::string> twice = write_xlsx_workbook({ok, ok}, "t");
  ASSERT_FALSE(twice.is_ok());
  EXPECT_NE(twice.status().message().find("another sheet has this name"), std::string::npos);

  Result<std::string> unnamed = write_xlsx_workbook({sheet_named("")}, "t");
  EXPECT_EQ(unnamed.status().code(), StatusCode::kInvalidInput);
}

TEST(XlsxWorkbookTest, DecimalsNeeded) {
  struct Case {
    double value;
    int max;
    int expected;
  };
  for (const Case& c : {Case{1009, 4, 0}, Case{67.716, 4, 3}, Case{98.9, 4, 1}, Case{0.1 + 0.2, 4, 1},
                        Case{1.23456, 4, 4}, Case{2.5, 0, 0}, Case{-12.25, 4, 2}}) {
    EXPECT_EQ(decimals_needed(c.value, c.max), c.expected) << c.value << " at most " << c.max;
  }
}

}  // namespace
}  // namespace qpan
