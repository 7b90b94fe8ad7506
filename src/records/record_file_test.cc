// Registry records as CSV and XLSX files: read by header names in either language, written
// and read back unchanged, problems named by file, line and column.
#include "qpan/record_file.h"

#include <gtest/gtest.h>

namespace qpan {
namespace {

RegistryField field(std::string code, std::string name_vi, RegistryFieldType type, bool required = false) {
  RegistryField f;
  f.code = std::move(code);
  f.name_vi = std::move(name_vi);
  f.name_en = f.code;
  f.type = type;
  f.required = required;
  return f;
}

RegistryDefinition teams() {
  RegistryDefinition r;
  r.code = "reg.team";
  r.name_vi = "Sổ tổ";
  r.fields = {field("name", "Tên tổ", RegistryFieldType::kText, true),
              field("established", "Ngày thành lập", RegistryFieldType::kDate, true),
              field("members", "Số thành viên", RegistryFieldType::kInteger, true),
              field("active", "Còn hoạt động", RegistryFieldType::kBoolean)};
  return r;
}

TEST(RecordFileTest, CsvHeadersAreMatchedByCodeOrNameWithoutAccents) {
  const std::string csv =
      "Ma don vi,ten to,NGÀY THÀNH LẬP,members,id,version\n"
      "03400,\"Tổ ANND, bản Hồ Pên\",20/12/2021,5,,\n"
      ",,,,,\n"
      "03400,Tổ 2,2021-01-01,6,17,3\n";
  RecordFile file = read_record_file(csv, "to.csv", RecordFileFormat::kCsv, teams()).value();
  ASSERT_TRUE(file.problems.empty()) << file.problems.to_string();
  ASSERT_EQ(file.changes.size(), 2u);  // the blank row is skipped
  EXPECT_EQ(file.changes[0].kind, RecordChange::Kind::kCreate);
  EXPECT_EQ(file.changes[0].record.org_unit, "03400");
  EXPECT_EQ(file.changes[0].record.fields.at("name"), "Tổ ANND, bản Hồ Pên");
  EXPECT_EQ(file.changes[0].record.fields.at("established"), "20/12/2021");  // checked by the writer
  EXPECT_EQ(file.changes[1].kind, RecordChange::Kind::kUpdate);
  EXPECT_EQ(file.changes[1].record.id, 17);
  EXPECT_EQ(file.changes[1].expected_version, 3);
  EXPECT_EQ(file.lines, (std::vector<int64_t>{2, 4}));
  const ImportProblem p = file.locate(1, "members");
  EXPECT_EQ(p.to_string().substr(0, 15), "to.csv:4:4: mem");
}

TEST(RecordFileTest, BadHeadersAndIdsAreProblemsOfTheFile) {
  RecordFile file = read_record_file("org_unit,name,colour,name\n03400,x,red,y\n", "to.csv", RecordFileFormat::kCsv, teams()).value();
  EXPECT_EQ(file.problems.to_string(),
            "to.csv:1:3: colour: unknown column: not a field of reg.team (nor id, org_unit, version)\n"
            "to.csv:1:4: name: repeats column 2 (name)\n");
  file = read_record_file("id,org_unit\nx,03400\n", "to.csv", RecordFileFormat::kCsv, teams()).value();
  EXPECT_EQ(file.problems.to_string(), "to.csv:2:1: id: expected a record id (a whole number > 0), found \"x\"\n");
}

TEST(RecordFileTest, XlsxRegistersRoundTripWithDatesAsExcelDates) {
  RegistryRecord r;
  r.id = 4;
  r.version = 2;
  r.registry = "reg.team";
  r.org_unit = "03400";
  r.fields = {{"name", "Tổ ANND bản Thượng"}, {"established", "2021-12-20"}, {"members", "5"}, {"active", "true"}};
  const OrgUnitIndex units({OrgUnitVersion{"03400", OrgUnitLevel::kCommune, "Xã Tả Lèng", "Xã", "106", std::nullopt, std::nullopt}});
  for (RecordFileFormat format : {RecordFileFormat::kCsv, RecordFileFormat::kXlsx}) {
    std::string bytes = write_record_file({r}, teams(), format, units, make_date(2024, 1, 1)).value();
    RecordFile back = read_record_file(bytes, "so", format, teams()).value();
    ASSERT_TRUE(back.problems.empty()) << back.problems.to_string();
    ASSERT_EQ(back.changes.size(), 1u);
    const RegistryRecord& read = back.changes[0].record;
    EXPECT_EQ(read.id, 4);
    EXPECT_EQ(back.changes[0].expected_version, 2);
    EXPECT_EQ(read.org_unit, "03400");
    RecordFields fields = read.fields;
    if (format == RecordFileFormat::kXlsx) {
      EXPECT_EQ(fields.at("active"), "Có");
      fields["active"] = "true";
    }
    EXPECT_EQ(fields, r.fields);
  }
}

}  // namespace
}  // namespace qpan
