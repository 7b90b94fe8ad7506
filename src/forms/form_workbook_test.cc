// Tests of Excel forms (qpan/form_workbook.h) on the real units and the qpan-vn pack: the
// workbook read by an independent reader (tests/tools/xlsx_cells.py, Python's zipfile and
// XML parser) shows the form's titles, sections, values and keys where a commune officer and
// the reader expect them; read back, it gives an entry per filled input cell named by sheet
// and cell; a workbook that is not a qpan form says so. Filling the workbook with another
// library (openpyxl) and uploading it is the end-to-end test's (tests/cli/form_test.sh).
#include "qpan/form_workbook.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "exchange/xlsx_test_support.h"
#include "exchange/xlsx_workbook.h"
#include "write/write_test_support.h"

namespace qpan {
namespace {

class FormWorkbookTest : public write_test::WriterTest {
 protected:
  EntryForm form(std::string_view data_set, std::string_view unit, std::string_view period) {
    units_ = store_->load_org_units().value();
    catalogue_ = store_->load_catalogue().value();
    pack_ = read_loaded_pack(*store_).value();
    const EntryFormSources sources{*workflow_, *writer_, *store_, store_mutex_, catalogue_, units_};
    Result<EntryForm> f = read_entry_form(sources, data_set, unit, Period::parse(period).value());
    EXPECT_TRUE(f.is_ok()) << f.status().message();
    return std::move(*f);
  }

  // The workbook's cells as the independent reader prints them: "sheet\tcell" → "value\tformat".
  static std::map<std::string, std::string> cells(const std::string& bytes) {
    std::map<std::string, std::string> out;
    std::istringstream lines(testing::read_xlsx_cells(bytes));
    std::string line;
    while (std::getline(lines, line)) {
      const size_t first = line.find('\t');
      const size_t second = line.find('\t', first + 1);
      if (first == std::string::npos || second == std::string::npos) {
        ADD_FAILURE() << line;
        continue;
      }
      out[line.substr(0, second)] = line.substr(second + 1);
    }
    return out;
  }

  OrgUnitIndex units_;
  Catalogue catalogue_;
  Pack pack_;
};

TEST_F(FormWorkbookTest, TheWorkbookShowsTheFormAndReadsBackAsItsValues) {
  const Writer system = Writer::system("test");
  write(entries(system, {{"crime.ttxh.cases", "202401", "03400", "", "5"},
                         {"crime.ttxh.cases", "202312", "03400", "", "3"},
                         {"crime.ttxh.cases", "202301", "03400", "", "2"},
                         {"drug.heroin_g", "202401", "03400", "", "67.716"},
                         {"traffic.damage_vnd", "202401", "03400", "", "41570000"}}));
  const EntryForm f = form("ds.antt.commune.monthly", "03400", "202401");
  Result<std::string> bytes = write_form_workbook(f, pack_.areas);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  EXPECT_EQ(form_workbook_file_name(f), "bieu-ds.antt.commune.monthly-03400-202401.xlsx");

  const std::map<std::string, std::string> c = cells(*bytes);
  auto at = [&](const std::string& sheet_cell) {
    auto it = c.find(sheet_cell);
    return it == c.end() ? std::string("<none>") : it->second;
  };
  EXPECT_EQ(at("Biểu mẫu\tA1"), f.data_set->name_vi + "\t");
  EXPECT_EQ(at("Biểu mẫu\tA2"), "Đơn vị báo cáo: Xã Tả Lèng (mã 03400)\t");
  EXPECT_NE(at("Biểu mẫu\tA3").find("Kỳ báo cáo: tháng 1/2024"), std::string::npos) << at("Biểu mẫu\tA3");
  EXPECT_EQ(at("Biểu mẫu\tD6"), "Kỳ này (tháng 1/2024)\t");
  EXPECT_EQ(at("Biểu mẫu\tE6"), "Kỳ trước (tháng 12/2023)\t");
  EXPECT_EQ(at("Biểu mẫu\tA7"), "I. Tội phạm\t");  // the pack's area name
  // The first element's row: its name, this period's value, the previous period's, last year's.
  EXPECT_EQ(at("Biểu mẫu\tB8"), catalogue_.element("crime.ttxh.cases")->name_vi + "\t");
  EXPECT_EQ(at("Biểu mẫu\tD8"), "5\t#,##0");
  EXPECT_EQ(at("Biểu mẫu\tE8"), "3\t#,##0");
  EXPECT_EQ(at("Biểu mẫu\tF8"), "2\t#,##0");
  EXPECT_EQ(at("Biểu mẫu\tG8"), "Số nguyên ≥ 0\t");
  EXPECT_EQ(at("Biểu mẫu\tH8"), "crime.ttxh.cases\t");
  EXPECT_EQ(at("qpan\tB2"), "ds.antt.commune.monthly\t");
  EXPECT_EQ(at("qpan\tB3"), "03400\t");
  EXPECT_EQ(at("qpan\tB4"), "202401\t");

  // Read back: the three stored values of the period, each named by its input cell.
  DocumentEntries read = read_form_workbook(*bytes, "form.xlsx", catalogue_, pack_.data_sets);
  ASSERT_TRUE(read.problems.empty()) << read.problems.to_string();
  std::map<std::string, std::string> values;
  for (size_t i = 0; i < read.entries.size(); ++i) {
    const EntryText& e = read.entries[i];
    EXPECT_EQ(e.period, "202401");
    EXPECT_EQ(e.org_unit, "03400");
    values[std::string(e.data_element)] = std::string(e.value);
  }
  EXPECT_EQ(values, (std::map<std::string, std::string>{
                        {"crime.ttxh.cases", "5"}, {"drug.heroin_g", "67.716"}, {"traffic.damage_vnd", "41570000"}}));
  ASSERT_FALSE(read.positions.empty());
  EXPECT_EQ(read.positions[0], "form.xlsx: 'Biểu mẫu'!D8: ");
}

TEST_F(FormWorkbookTest, EveryInputCellIsNamedByItsRow) {
  write(entries(Writer::system("test"), {{"border.gate.trade_usd", "202401", "12", "ma_lu_thang", "3"},
                                         {"border.gate.persons", "202401", "12", "ma_lu_thang", "1500"}}));
  const EntryForm f = form("ds.border.gate.monthly", "12", "202401");
  Result<std::string> bytes = write_form_workbook(f, pack_.areas);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  const std::map<std::string, std::string> c = cells(*bytes);
  DocumentEntries read = read_form_workbook(*bytes, "f.xlsx", catalogue_, pack_.data_sets);
  ASSERT_TRUE(read.problems.empty()) << read.problems.to_string();
  ASSERT_EQ(read.entries.size(), 2u);
  for (size_t i = 0; i < read.entries.size(); ++i) {
    // The named cell is the input of the entry's row: H and I of that row hold its keys.
    const std::string& position = read.positions[i];
    const std::string row = position.substr(position.find("!D") + 2, position.size() - position.find("!D") - 4);
    EXPECT_EQ(c.at("Biểu mẫu\tH" + row), std::string(read.entries[i].data_element) + "\t");
    EXPECT_EQ(c.at("Biểu mẫu\tD" + row).substr(0, read.entries[i].value.size()), read.entries[i].value);
    if (!read.entries[i].option.empty()) {
      EXPECT_EQ(c.at("Biểu mẫu\tI" + row), std::string(read.entries[i].option) + "\t");
      EXPECT_EQ(c.at("Biểu mẫu\tC" + row), "Cửa khẩu quốc tế Ma Lù Thàng\t");
    }
  }
}

// An element counted from registry records is shown, locked, without the keys that would read
// it back as an entry: its figures change through the records.
TEST_F(FormWorkbookTest, ACountedCellIsShownButNotReadBack) {
  const EntryForm f = form("ds.foreign.province.monthly", "12", "202401");
  const auto counted = std::find_if(f.cells.begin(), f.cells.end(), [](const EntryFormCell& c) {
    return c.element->code == "foreign.in.delegations";
  });
  ASSERT_NE(counted, f.cells.end());
  EXPECT_EQ(counted->counted_from, "reg.foreign.delegation_in");
  Result<std::string> bytes = write_form_workbook(f, pack_.areas);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  const std::string shown = testing::read_xlsx_cells(*bytes);
  EXPECT_NE(shown.find("Đếm từ sổ reg.foreign.delegation_in, không nhập"), std::string::npos);
  EXPECT_EQ(shown.find("\tforeign.in.delegations\t"), std::string::npos);
  EXPECT_NE(shown.find("\tforeign.aid.vnd\t"), std::string::npos);  // reported: an input with its key
}

TEST_F(FormWorkbookTest, ABooleanShowsAsCoOrKhongAndReadsBackAsTrueOrFalse) {
  write(entries(Writer::system("test"), {{"antt.registered", "2023", "03400", "", "true"},
                                         {"antt.resolution_and_plan", "2023", "03400", "", "false"}}));
  const EntryForm f = form("ds.antt.commune.yearly", "03400", "2023");
  Result<std::string> bytes = write_form_workbook(f, pack_.areas);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  const std::string shown = testing::read_xlsx_cells(*bytes);
  EXPECT_NE(shown.find("\tCó\t"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\tKhông\t"), std::string::npos) << shown;
  DocumentEntries read = read_form_workbook(*bytes, "f.xlsx", catalogue_, pack_.data_sets);
  ASSERT_TRUE(read.problems.empty()) << read.problems.to_string();
  std::map<std::string, std::string> values;
  for (const EntryText& e : read.entries) values[std::string(e.data_element)] = std::string(e.value);
  EXPECT_EQ(values["antt.registered"], "true");
  EXPECT_EQ(values["antt.resolution_and_plan"], "false");
}

TEST_F(FormWorkbookTest, AClosedFormSaysSo) {
  write(entries(Writer::system("test"), {{"crime.ttxh.cases", "201601", "03400", "", "4"}}));
  approve("03400", "201601");
  const EntryForm f = form("ds.antt.commune.monthly", "03400", "201601");
  Result<std::string> bytes = write_form_workbook(f, pack_.areas);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  EXPECT_NE(testing::read_xlsx_cells(*bytes).find("Biểu mẫu\tA4\tBiểu đã đóng, chỉ để xem"), std::string::npos);
}

TEST_F(FormWorkbookTest, AWorkbookThatIsNoQpanFormIsRefused) {
  const EntryForm f = form("ds.antt.commune.monthly", "03400", "202401");
  XlsxSheet sheet;
  sheet.name = "Sheet1";
  sheet.rows = {{XlsxCell::of_text("crime.ttxh.cases"), XlsxCell::of_number(4, 0)}};
  const std::string plain = write_xlsx_workbook({sheet}, "t").value();
  auto problems = [&](const std::string& bytes) {
    return read_form_workbook(bytes, "x.xlsx", catalogue_, pack_.data_sets).problems.to_string();
  };
  EXPECT_NE(problems(plain).find("x.xlsx: not a qpan form (no sheet \"qpan\" naming the form)"), std::string::npos)
      << problems(plain);
  EXPECT_NE(problems("PK but not really").find("x.xlsx: not an XLSX workbook"), std::string::npos);
}

}  // namespace
}  // namespace qpan
