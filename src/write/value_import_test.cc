// Tests for the dataValueSets CSV import through the write path, and the export: every
// class of bad input is reported with its line, column and reason and writes nothing; good
// files round-trip exactly.
#include <sstream>

#include "exchange/exchange_test_support.h"
#include "qpan/pack.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {

constexpr const char* kHeader =
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,"
    "lastupdated,comment,followup\n";

constexpr const char* kElements = R"json({
  "disaggregations": [{"code": "partner", "name_vi": "Đối tác", "name_en": "Partner",
    "options": [{"code": "van_nam", "name_vi": "Vân Nam", "name_en": "Yunnan"},
                {"code": "bac_lao", "name_vi": "Bắc Lào", "name_en": "Northern Laos"}]}],
  "elements": [
    {"code": "crime.ttxh.cases", "name_vi": "Số vụ phạm tội về TTXH", "name_en": "Social order crimes",
     "value_type": "count", "aggregation": "sum"},
    {"code": "foreign.in.delegations", "name_vi": "Số đoàn vào", "name_en": "Delegations received",
     "value_type": "count", "aggregation": "sum", "disaggregation": "partner"},
    {"code": "mil.recruit.rate", "name_vi": "Tỷ lệ", "name_en": "Rate", "value_type": "percentage",
     "aggregation": "average"},
    {"code": "drug.free", "name_vi": "Xã không có ma túy", "name_en": "Drug-free",
     "value_type": "boolean", "aggregation": "count_true"},
    {"code": "border.gate.name", "name_vi": "Tên cửa khẩu", "name_en": "Gate name",
     "value_type": "text", "aggregation": "none"}
  ]})json";

ValueWriterOptions fixed_clock() {
  ValueWriterOptions options;
  options.clock = [] { return int64_t{1700000000}; };
  return options;
}

class ValueImportTest : public testing::ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    load_real_units();
    Result<ElementImportResult> e = import_elements(*store_, write("elements.json", kElements));
    ASSERT_TRUE(e.is_ok() && e->problems.empty()) << e->problems.to_string();
  }

  Result<WriteOutcome> import(const std::string& body, const std::string& name = "v.csv") {
    return import_value_file(*store_, write(name, body), Writer::system("tester"), fixed_clock());
  }

  std::string export_all(ValueExportOptions options = {}) {
    std::ostringstream out;
    Result<int64_t> n = export_values_csv(*store_, out, options);
    EXPECT_TRUE(n.is_ok()) << n.status().message();
    return out.str();
  }

  // Imports `body` expecting exactly one problem; returns it.
  ImportProblem single_problem(const std::string& body) {
    const std::string before = export_all();
    Result<WriteOutcome> r = import(body);
    EXPECT_TRUE(r.is_ok()) << r.status().message();
    if (!r.is_ok()) return {};
    EXPECT_EQ(r->problems.total, 1) << r->problems.to_string();
    EXPECT_EQ(export_all(), before) << "a rejected import must write nothing";
    return r->problems.shown.empty() ? ImportProblem{} : r->problems.shown[0];
  }
};

struct BadRow {
  const char* row;
  int column;
  const char* field;
  const char* reason_part;
};

TEST_F(ValueImportTest, EveryBadRowIsNamedByLineColumnAndReason) {
  const BadRow cases[] = {
      {"crime.nope,201601,03397,,,1,,,,", 1, "dataelement", "unknown data element \"crime.nope\""},
      {"crime.ttxh.cases,201601,99999,,,1,,,,", 3, "orgunit", "unknown org unit \"99999\""},
      // Xã Sùng Phài (03397) ended on 1 Feb 2020.
      {"crime.ttxh.cases,202003,03397,,,1,,,,", 3, "orgunit", "not in force in period 202003"},
      {"crime.ttxh.cases,2022Q5,03397,,,1,,,,", 2, "period", "quarter must be 1–4"},
      {"crime.ttxh.cases,202213,03397,,,1,,,,", 2, "period", "202213"},
      {"crime.ttxh.cases,2016-03,03397,,,1,,,,", 2, "period", "2016-03"},
      {"crime.ttxh.cases,201601..201606,03397,,,1,,,,", 2, "period", "is a range"},
      {"crime.ttxh.cases,201601,03397,,,-1,,,,", 6, "value", "expected a whole number >= 0"},
      {"crime.ttxh.cases,201601,03397,,,1.5,,,,", 6, "value", "not a valid count value"},
      {"crime.ttxh.cases,201601,03397,,,abc,,,,", 6, "value", "not a valid count value"},
      {"crime.ttxh.cases,201601,03397,,,,,,,", 6, "value", "empty"},
      {"mil.recruit.rate,201601,03397,,,120,,,,", 6, "value", "between 0 and 100"},
      {"drug.free,201601,03397,,,maybe,,,,", 6, "value", "true or false"},
      {"foreign.in.delegations,201601,03397,my_tho,,1,,,,", 4, "categoryoptioncombo", "unknown option \"my_tho\""},
      {"crime.ttxh.cases,201601,03397,van_nam,,1,,,,", 4, "categoryoptioncombo", "has no disaggregation"},
      {"crime.ttxh.cases,201601,03397,,attr,1,,,,", 5, "attributeoptioncombo", "not used"},
      {"crime.ttxh.cases,201601,03397,,,1,,yesterday,,", 8, "lastupdated", "timestamp"},
      {"crime.ttxh.cases,201601,03397,,,1,,,,perhaps", 10, "followup", "not true or false"},
      {"crime.ttxh.cases,201601,03397,,,1,,,", 0, "", "expected 10 columns as in the header, found 9"},
      {"crime.ttxh.cases,201601,03397,,,\"1,,,,", 6, "", "unterminated quoted field"},
  };
  for (const BadRow& c : cases) {
    SCOPED_TRACE(c.row);
    ImportProblem p = single_problem(std::string(kHeader) + "crime.ttxh.cases,201601,03397,,,1,,,,\n" + c.row + "\n");
    EXPECT_EQ(p.file, "v.csv");
    EXPECT_EQ(p.line, 3);
    EXPECT_EQ(p.column, c.column);
    EXPECT_EQ(p.field, c.field);
    EXPECT_NE(p.reason.find(c.reason_part), std::string::npos) << p.to_string();
  }
}

TEST_F(ValueImportTest, UnitMustBeInForceInThePeriod) {
  // 03397 reported for January 2020 (its last month) is fine; the July-2025 commune
  // 03390 Xã Bình Lư reused the code of Thị trấn Tam Đường, which was in force in 2024.
  Result<WriteOutcome> ok = import(std::string(kHeader) +
                                        "crime.ttxh.cases,202001,03397,,,1,,,,\n"
                                        "crime.ttxh.cases,202401,03390,,,1,,,,\n"
                                        "crime.ttxh.cases,202508,03390,,,1,,,,\n");
  ASSERT_TRUE(ok.is_ok());
  EXPECT_TRUE(ok->problems.empty()) << ok->problems.to_string();
  // District 106 ended on 1 Jul 2025.
  ImportProblem p = single_problem(std::string(kHeader) + "crime.ttxh.cases,202507,106,,,1,,,,\n");
  EXPECT_EQ(p.line, 2);
  EXPECT_NE(p.reason.find("Huyện Tam Đường"), std::string::npos) << p.reason;
  EXPECT_NE(p.reason.find("tháng 7/2025"), std::string::npos) << p.reason;
}

TEST_F(ValueImportTest, DuplicateKeysNameBothLines) {
  ImportProblem p = single_problem(std::string(kHeader) +
                                   "crime.ttxh.cases,201601,03397,,,1,,,,\n"
                                   "crime.ttxh.cases,201602,03397,,,1,,,,\n"
                                   "crime.ttxh.cases,201601,03397,,,2,,,,\n");
  EXPECT_EQ(p.line, 4);
  EXPECT_NE(p.reason.find("duplicate of line 2"), std::string::npos) << p.reason;
}

TEST_F(ValueImportTest, HeaderProblems) {
  ImportProblem missing = single_problem("dataelement,period,orgunit\ncrime.ttxh.cases,201601,03397\n");
  EXPECT_EQ(missing.line, 1);
  EXPECT_NE(missing.reason.find("missing column \"value\""), std::string::npos);
  ImportProblem unknown = single_problem("dataelement,period,orgunit,value,colour\n");
  EXPECT_EQ(unknown.column, 5);
  EXPECT_NE(unknown.reason.find("unknown column \"colour\""), std::string::npos);
  ImportProblem empty = single_problem("");
  EXPECT_NE(empty.reason.find("empty"), std::string::npos);
}

TEST_F(ValueImportTest, InvalidUtf8IsReportedPerLine) {
  ImportProblem p = single_problem(std::string(kHeader) + "crime.ttxh.cases,201601,03397,,,1,,,bad \xFF here,\n");
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 9);
  EXPECT_NE(p.reason.find("invalid UTF-8 (byte 0xFF)"), std::string::npos);
}

TEST_F(ValueImportTest, ShowsTheFirstHundredProblemsAndCountsTheRest) {
  std::string body = kHeader;
  for (int i = 0; i < 150; ++i) body += "crime.ttxh.cases,201601,99999,,,1,,,,\n";
  Result<WriteOutcome> r = import(body);
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ(r->problems.total, 150);
  EXPECT_EQ(r->problems.shown.size(), 100u);
  EXPECT_NE(r->problems.to_string().find("… and 50 more problems"), std::string::npos);
}

TEST_F(ValueImportTest, ColumnsMayComeInAnyOrderAndOptionalOnesMayBeMissing) {
  Result<WriteOutcome> r = import(
      "orgunit,period,value,dataelement\n03397,201601,4,crime.ttxh.cases\n");
  ASSERT_TRUE(r.is_ok());
  ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  EXPECT_EQ(r->summary.created, 1);
  const std::string out = export_all();
  // storedby and lastupdated default to the importing user and the import time.
  EXPECT_NE(out.find("crime.ttxh.cases,201601,03397,,,4,tester,2023-11-14T22:13:20Z,,false"),
            std::string::npos) << out;
}

TEST_F(ValueImportTest, TextIsNormalisedToNfc) {
  Result<WriteOutcome> r = import(std::string(kHeader) +
                                       "border.gate.name,2021,12,,,Ma Lu\xCC\x80 Tha\xCC\x80ng,,,Cha\xCC\x82u,\n");
  ASSERT_TRUE(r.is_ok() && r->problems.empty()) << r->problems.to_string();
  EXPECT_NE(export_all().find("Ma Lù Thàng,tester,2023-11-14T22:13:20Z,Châu,false"), std::string::npos);
}

TEST_F(ValueImportTest, ExportImportExportIsByteIdentical) {
  std::string body = std::string("\xEF\xBB\xBF") + kHeader;
  body += "crime.ttxh.cases,201601,03397,,,3,xa.sungphai,2016-02-05T08:00:00Z,\"ghi chú, có \"\"ngoặc\"\"\nhai dòng\",true\r\n";
  body += "crime.ttxh.cases,201602,03397,,,0,xa.sungphai,2016-03-05T08:00:00+07:00,,false\r\n";
  body += "foreign.in.delegations,2016Q1,12,van_nam,,36,so.ngoai.vu,2016-04-10,,\r\n";
  body += "foreign.in.delegations,2016Q1,12,bac_lao,,22,so.ngoai.vu,2016-04-10,,\r\n";
  body += "mil.recruit.rate,2022,12,,,98.9,bo.chqs,2022-12-31T00:00:00Z,,\r\n";
  body += "drug.free,2016S1,03397,,,true,,,,\r\n";
  Result<WriteOutcome> r = import(body);
  ASSERT_TRUE(r.is_ok() && r->problems.empty()) << r->problems.to_string();
  EXPECT_EQ(r->summary.created, 6);
  const std::string first = export_all();
  EXPECT_NE(first.find("2016-03-05T01:00:00Z"), std::string::npos) << first;  // offset → UTC
  EXPECT_NE(first.find(",98.9,"), std::string::npos);

  // Into a second, fresh database.
  Result<std::unique_ptr<Store>> other = open_sqlite_store((dir_ / "b.db").string(), {.create_if_missing = true});
  ASSERT_TRUE(other.is_ok());
  ASSERT_TRUE(import_units(**other, vn_admin()).is_ok());
  ASSERT_TRUE(import_elements(**other, (dir_ / "elements.json").string()).is_ok());
  Result<WriteOutcome> again = import_value_file(**other, write("export.csv", first), Writer::system("x"));
  ASSERT_TRUE(again.is_ok() && again->problems.empty()) << again->problems.to_string();
  std::ostringstream second;
  ASSERT_TRUE(export_values_csv(**other, second, {}).is_ok());
  EXPECT_EQ(second.str(), first);
  // Importing the export into the same database changes nothing.
  Result<WriteOutcome> same = import(first, "same.csv");
  EXPECT_EQ(same->summary.unchanged, 6);
}

TEST_F(ValueImportTest, ExportFiltersBySubtreeAtThePeriodAndByPeriod) {
  Result<WriteOutcome> r = import(std::string(kHeader) +
                                       "crime.ttxh.cases,201601,03397,,,1,,,,\n"   // in 106
                                       "crime.ttxh.cases,201607,03397,,,2,,,,\n"
                                       "crime.ttxh.cases,2016Q3,03397,,,3,,,,\n"
                                       "crime.ttxh.cases,2016,03397,,,6,,,,\n"
                                       "crime.ttxh.cases,201601,03391,,,4,,,,\n"   // in 109
                                       "crime.ttxh.cases,202508,03390,,,5,,,,\n");  // under 12
  ASSERT_TRUE(r.is_ok() && r->problems.empty()) << r->problems.to_string();
  auto options = [](std::optional<std::string> unit, std::optional<Period> period) {
    ValueExportOptions o;
    o.org_unit = std::move(unit);
    o.period = period;
    return o;
  };
  auto rows = [&](ValueExportOptions o) {
    std::string out = export_all(o);
    return std::count(out.begin(), out.end(), '\n') - 1;
  };
  EXPECT_EQ(rows(options("106", std::nullopt)), 4);
  EXPECT_EQ(rows(options("109", std::nullopt)), 1);
  EXPECT_EQ(rows(options("12", std::nullopt)), 6);
  EXPECT_EQ(rows(options(std::nullopt, Period::parse("201601..201606").value())), 2);
  EXPECT_EQ(rows(options(std::nullopt, Period::year(2016))), 5);  // months, the quarter, the year
  EXPECT_EQ(rows(options(std::nullopt, Period::parse("2016S2").value())), 2);
  EXPECT_EQ(rows(options("106", Period::parse("2016Q3").value())), 2);
  ValueExportOptions unknown = options("00000", std::nullopt);
  std::ostringstream out;
  EXPECT_EQ(export_values_csv(*store_, out, unknown).status().code(), StatusCode::kNotFound);
}

TEST_F(ValueImportTest, SortedAndShuffledFilesGiveTheSameValues) {
  // Every commune of Lai Châu × 12 months × 2 elements: several batches of the streamed
  // path when in key order, the in-memory path (read in parallel parts) when shuffled.
  std::vector<std::string> communes;
  OrgUnitIndex index = *store_->load_org_units();
  for (const OrgUnitVersion* d : index.children("12", make_date(2016, 1, 1))) {
    for (const OrgUnitVersion* c : index.children(d->code, make_date(2016, 1, 1))) communes.push_back(c->code);
  }
  std::vector<std::string> lines;
  for (int month = 1; month <= 12; ++month) {
    for (const std::string& c : communes) {
      for (const char* e : {"crime.ttxh.cases", "drug.free"}) {
        std::string value = e[0] == 'c' ? std::to_string((month * 7 + c.back()) % 5) : (month % 2 ? "true" : "false");
        lines.push_back(std::string(e) + ",2016" + (month < 10 ? "0" : "") + std::to_string(month) + "," + c + ",,," + value + ",x,2016-12-31,,\n");
      }
    }
  }
  std::string sorted = kHeader, shuffled = kHeader;
  for (const std::string& l : lines) sorted += l;
  std::vector<std::string> mixed = lines;
  for (size_t i = 0; i < mixed.size(); ++i) std::swap(mixed[i], mixed[(i * 7919) % mixed.size()]);
  for (const std::string& l : mixed) shuffled += l;

  Result<WriteOutcome> a = import(sorted, "sorted.csv");
  ASSERT_TRUE(a.is_ok() && a->problems.empty()) << a->problems.to_string();
  EXPECT_EQ(a->summary.created, static_cast<int64_t>(lines.size()));
  const std::string from_sorted = export_all();

  Result<std::unique_ptr<Store>> other = open_sqlite_store((dir_ / "b.db").string(), {.create_if_missing = true});
  ASSERT_TRUE(other.is_ok());
  ASSERT_TRUE(import_units(**other, vn_admin()).is_ok());
  ASSERT_TRUE(import_elements(**other, (dir_ / "elements.json").string()).is_ok());
  ValueWriterOptions options = fixed_clock();
  options.bytes_per_read_part = 4096;
  Result<WriteOutcome> b = import_value_file(**other, write("shuffled.csv", shuffled), Writer::system("tester"), options);
  ASSERT_TRUE(b.is_ok() && b->problems.empty()) << b->problems.to_string();
  std::ostringstream from_shuffled;
  ASSERT_TRUE(export_values_csv(**other, from_shuffled, {}).is_ok());
  EXPECT_EQ(from_shuffled.str(), from_sorted);
}

TEST_F(ValueImportTest, ProblemsInPartsAndBatchesKeepTheirLineNumbers) {
  std::string body = kHeader;
  for (int i = 0; i < 40000; ++i) body += "crime.ttxh.cases,201601,03397,,,1,,,,\n";  // duplicates
  body.insert(body.size() - 1, "x");  // the last row's followup is now "x"
  Result<WriteOutcome> r = import(body);
  ASSERT_TRUE(r.is_ok());
  // Rows 3..40000 repeat row 2; the last row is rejected for its followup instead.
  EXPECT_EQ(r->problems.total, 39998 + 1);
  EXPECT_NE(r->problems.to_string().find("… and 39899 more problems"), std::string::npos);
  EXPECT_EQ(r->problems.shown.front().line, 3);
  EXPECT_NE(r->problems.shown.front().reason.find("duplicate of line 2"), std::string::npos);
  EXPECT_TRUE(export_all().find("03397") == std::string::npos) << "nothing may be written";
}

TEST_F(ValueImportTest, UpdatesAreAuditedWithThePreviousValue) {
  ASSERT_TRUE(import(std::string(kHeader) + "crime.ttxh.cases,201601,03397,,,1,,,,\n")->problems.empty());
  Result<WriteOutcome> changed = import(std::string(kHeader) + "crime.ttxh.cases,201601,03397,,,2,,,,\n");
  EXPECT_EQ(changed->summary.updated, 1);
  std::vector<AuditEntry> audit = *store_->audit_entries({});
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[1].action, AuditAction::kUpdate);
  EXPECT_EQ(audit[1].old_value, "1");
  EXPECT_EQ(audit[1].new_value, "2");
}

}  // namespace
}  // namespace qpan
