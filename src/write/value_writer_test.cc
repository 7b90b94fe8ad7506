// Tests of the write path's contract (qpan/value_writer.h) on the real units and the
// qpan-vn pack: the order of the checks (the role before any entry), the problem cap, scope,
// duplicates, closed forms for entries and files alike, If-Match versions, the same reason
// for the same bad entry through entries and files, group commit, warnings, and DHIS2's
// import options (dry runs, deletes, skipped entries).
#include "qpan/value_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "write/write_test_support.h"

namespace qpan {
namespace {

namespace fs = std::filesystem;

using write_test::commune_officer;
using write_test::district_reviewer;
using write_test::kHeader;
using write_test::kNow;
using write_test::viewer;

class ValueWriterTest : public write_test::WriterTest {};

TEST_F(ValueWriterTest, TheRoleIsCheckedBeforeAnyEntryIsRead) {
  // A viewer's batch of 250.000 empty entries: one refusal, no problem listed for them.
  std::vector<std::vector<std::string>> rows(250000, std::vector<std::string>(5));
  WriteOutcome outcome = write(entries(Writer::user(viewer()), rows));
  EXPECT_EQ(outcome.refusal, Refusal::kForbidden);
  EXPECT_TRUE(outcome.problems.empty());
  EXPECT_NE(outcome.message.find("viewer may not write data"), std::string::npos) << outcome.message;
  WriteOutcome file = import(Writer::user(viewer()), "crime.ttxh.cases,201601,03400,,,4,,,,\n");
  EXPECT_EQ(file.refusal, Refusal::kForbidden);
  EXPECT_TRUE(file.problems.empty());
}

TEST_F(ValueWriterTest, ProblemsAreCappedAtAHundredAndCounted) {
  std::vector<std::vector<std::string>> rows(250, {"crime.ttxh.cases", "201601", "03400", "", "many"});
  WriteOutcome outcome = write(entries(Writer::system("cli"), rows));
  EXPECT_EQ(outcome.refusal, Refusal::kInvalid);
  EXPECT_EQ(outcome.problems.total, 250);
  EXPECT_EQ(outcome.problems.shown.size(), 100u);
  EXPECT_EQ(outcome.problems.shown[7].field, "dataValues[7].value");
}

TEST_F(ValueWriterTest, UnitsOutsideTheScopeAreForbiddenAndNothingIsWritten) {
  WriteOutcome outcome = write(entries(Writer::user(commune_officer()), {{"crime.ttxh.cases", "201601", "03400", "", "4"},
                                                                         {"crime.ttxh.cases", "201601", "02635", "", "7"}}));
  EXPECT_EQ(outcome.refusal, Refusal::kForbidden);
  ASSERT_EQ(outcome.problems.total, 1);
  EXPECT_EQ(outcome.problems.shown[0].field, "dataValues[1].orgUnit");
  EXPECT_NE(outcome.problems.shown[0].reason.find("outside its scope"), std::string::npos);
  EXPECT_FALSE(stored("crime.ttxh.cases", "201601", "03400"));
  // The same rows in a file.
  WriteOutcome file = import(Writer::user(commune_officer()),
                             "crime.ttxh.cases,201601,03400,,,4,,,,\ncrime.ttxh.cases,201601,02635,,,7,,,,\n");
  EXPECT_EQ(file.refusal, Refusal::kForbidden);
  ASSERT_EQ(file.problems.total, 1);
  EXPECT_EQ(file.problems.shown[0].line, 3);
  EXPECT_EQ(file.problems.shown[0].reason, outcome.problems.shown[0].reason);
  EXPECT_FALSE(stored("crime.ttxh.cases", "201601", "03400"));
}

TEST_F(ValueWriterTest, TheSameBadEntryGetsTheSameReasonAsEntryAndAsFileRow) {
  const std::vector<std::vector<std::string>> bad = {
      {"crime.ttxh.cases", "201601", "03400", "", "-3"},        // not a count
      {"crime.ttxh.nothing", "201601", "03400", "", "3"},       // unknown element
      {"crime.ttxh.cases", "2016-01", "03400", "", "3"},        // malformed period
      {"crime.ttxh.cases", "201601..201603", "03400", "", "3"}, // a range
      {"crime.ttxh.cases", "201601", "99999", "", "3"},         // unknown unit
      {"crime.ttxh.cases", "202601", "03400", "", "3"},         // not in force then
      {"crime.ttxh.cases", "201601", "03400", "van_nam", "3"},  // no disaggregation
  };
  for (const std::vector<std::string>& row : bad) {
    WriteOutcome entry = write(entries(Writer::system("cli"), {row}));
    WriteOutcome file = import(Writer::system("cli"), row[0] + "," + row[1] + "," + row[2] + "," + row[3] + ",," + row[4] + ",,,,\n");
    ASSERT_EQ(entry.problems.total, 1) << row[0] << " " << row[1] << " " << row[2];
    ASSERT_EQ(file.problems.total, 1) << file.problems.to_string();
    EXPECT_EQ(entry.refusal, Refusal::kInvalid);
    EXPECT_EQ(file.refusal, Refusal::kInvalid);
    EXPECT_EQ(entry.problems.shown[0].reason, file.problems.shown[0].reason);
    // The same field, named the way each format names it.
    const std::string json_field = entry.problems.shown[0].field;
    const std::string csv_field = file.problems.shown[0].field;
    EXPECT_EQ([&] { std::string s = json_field; for (char& c : s) c = static_cast<char>(std::tolower(c)); return s; }(), csv_field);
  }
}

TEST_F(ValueWriterTest, AKeyGivenTwiceIsRefusedNamingBoth) {
  WriteOutcome outcome = write(entries(Writer::system("cli"), {{"crime.ttxh.cases", "201601", "03400", "", "4"},
                                                               {"crime.ttxh.solved", "201601", "03400", "", "3"},
                                                               {"crime.ttxh.cases", "201601", "03400", "", "5"}}));
  EXPECT_EQ(outcome.refusal, Refusal::kInvalid);
  ASSERT_EQ(outcome.problems.total, 1);
  EXPECT_EQ(outcome.problems.shown[0].field, "dataValues[2]");
  EXPECT_NE(outcome.problems.shown[0].reason.find("duplicate of dataValues[0]"), std::string::npos);
  WriteOutcome file = import(Writer::system("cli"), "crime.ttxh.cases,201601,03400,,,4,,,,\ncrime.ttxh.cases,201601,03400,,,5,,,,\n");
  ASSERT_EQ(file.problems.total, 1);
  EXPECT_NE(file.problems.shown[0].reason.find("duplicate of line 2"), std::string::npos);
}

TEST_F(ValueWriterTest, AClosedFormRefusesEntriesAndFilesAlikeEvenFromTheCommandLine) {
  ASSERT_TRUE(import(Writer::system("setup"), "crime.ttxh.cases,201601,03400,,,4,,,,\n").written());
  approve("03400", "201601");
  const std::string form = "ds.antt.commune.monthly cho đơn vị 03400";
  WriteOutcome entry = write(entries(Writer::system("cli"), {{"crime.ttxh.cases", "201601", "03400", "", "9"}}));
  EXPECT_EQ(entry.refusal, Refusal::kFormClosed);
  ASSERT_EQ(entry.problems.total, 1);
  EXPECT_EQ(entry.problems.shown[0].field, "period");
  EXPECT_NE(entry.problems.shown[0].reason.find(form), std::string::npos) << entry.problems.shown[0].reason;
  EXPECT_NE(entry.problems.shown[0].reason.find("tháng 1/2016"), std::string::npos);
  WriteOutcome file = import(Writer::system("cli"), "crime.ttxh.cases,201601,03400,,,9,,,,\n");
  EXPECT_EQ(file.refusal, Refusal::kFormClosed);
  ASSERT_EQ(file.problems.total, 1);
  EXPECT_EQ(file.problems.shown[0].reason, entry.problems.shown[0].reason);
  EXPECT_EQ(stored("crime.ttxh.cases", "201601", "03400")->value, "4");
  // Other months and units are open.
  EXPECT_TRUE(import(Writer::system("cli"), "crime.ttxh.cases,201602,03400,,,9,,,,\n").written());
}

TEST_F(ValueWriterTest, IfMatchVersionsDecideAndTheNewVersionComesBack) {
  auto one = [&](const std::string& value, ExpectedVersion expected) {
    return write(entries(Writer::user(commune_officer()), {{"crime.ttxh.cases", "201601", "03400", "", value}}, {expected}));
  };
  WriteOutcome created = one("4", ExpectedVersion::absent());
  ASSERT_TRUE(created.written()) << created.message;
  EXPECT_EQ(created.version, 1);
  WriteOutcome again = one("5", ExpectedVersion::absent());  // someone created it meanwhile
  EXPECT_EQ(again.refusal, Refusal::kChanged);
  ASSERT_EQ(again.conflicts.size(), 1u);
  EXPECT_EQ(again.conflicts[0].current->value, "4");
  EXPECT_EQ(again.conflicts[0].current->version, 1);
  WriteOutcome updated = one("5", ExpectedVersion::of(1));
  ASSERT_TRUE(updated.written());
  EXPECT_EQ(updated.version, 2);
  EXPECT_EQ(one("6", ExpectedVersion::of(1)).refusal, Refusal::kChanged);
  WriteOutcome same = one("5", ExpectedVersion::of(2));
  ASSERT_TRUE(same.written());
  EXPECT_EQ(same.summary.unchanged, 1);
  EXPECT_EQ(same.version, 2);
  EXPECT_EQ(stored("crime.ttxh.cases", "201601", "03400")->version, 2);
}

TEST_F(ValueWriterTest, GroupCommitWritesThroughTheQueueWithTheSameChecks) {
  make_writer(true);
  WriteOutcome written = write(entries(Writer::user(commune_officer()), {{"crime.ttxh.cases", "201601", "03400", "", "4"},
                                                                         {"crime.ttxh.solved", "201601", "03400", "", "3"}}));
  ASSERT_TRUE(written.written()) << written.message;
  EXPECT_EQ(written.summary.created, 2);
  approve("03400", "201601");
  EXPECT_EQ(write(entries(Writer::user(commune_officer()), {{"crime.ttxh.cases", "201601", "03400", "", "9"}})).refusal,
            Refusal::kFormClosed);
  EXPECT_GE(writer_->statistics().jobs, 2u);
}

TEST_F(ValueWriterTest, RulesReadingAWrittenElementComeBackAsWarnings) {
  WriteOutcome outcome = write(entries(Writer::system("cli"), {{"crime.ttxh.cases", "201601", "03400", "", "2"},
                                                               {"crime.ttxh.solved", "201601", "03400", "", "3"}}));
  ASSERT_TRUE(outcome.written());
  ASSERT_EQ(outcome.cells.size(), 1u);
  EXPECT_EQ(outcome.cells[0].unit, "03400");
  Result<WriteWarnings> warnings = writer_->warnings(outcome);
  ASSERT_TRUE(warnings.is_ok()) << warnings.status().message();
  ASSERT_EQ(warnings->report.violations.size(), 1u);
  EXPECT_EQ(warnings->report.rules[warnings->report.violations[0].rule].code, "vr.crime.ttxh.solved_le_cases");
  // The same from a file.
  WriteOutcome file = import(Writer::system("cli"), "crime.ttxh.cases,201602,03400,,,1,,,,\ncrime.ttxh.solved,201602,03400,,,2,,,,\n");
  ASSERT_TRUE(file.written());
  Result<WriteWarnings> file_warnings = writer_->warnings(file);
  ASSERT_TRUE(file_warnings.is_ok());
  EXPECT_EQ(file_warnings->report.violations.size(), 1u);
}

// DHIS2's import options on the one write path: a dry run checks everything and writes
// nothing; a delete removes what it names (its last state kept in the audit trail), and a
// file row with deleted=true does the same; skipping refused entries writes the others and
// names each one left out with its first problem, closed forms included.
TEST_F(ValueWriterTest, DryRunsDeletesAndSkippedEntries) {
  ASSERT_TRUE(write(entries(Writer::system("cli"), {{"crime.ttxh.cases", "201601", "03400", "", "4"}})).written());

  ValueWriter::Entries dry = entries(Writer::system("cli"), {{"crime.ttxh.cases", "201601", "03400", "", "5"},
                                                             {"crime.ttxh.solved", "201601", "03400", "", "3"}});
  dry.dry_run = true;
  WriteOutcome tried = write(std::move(dry));
  ASSERT_TRUE(tried.written()) << tried.message;
  EXPECT_EQ(tried.summary.updated, 1);
  EXPECT_EQ(tried.summary.created, 1);
  EXPECT_EQ(stored("crime.ttxh.cases", "201601", "03400")->value, "4");
  EXPECT_FALSE(stored("crime.ttxh.solved", "201601", "03400"));
  // A dry run is refused for the same reasons as the write.
  ValueWriter::Entries dry_bad = entries(Writer::user(commune_officer()), {{"crime.ttxh.cases", "201601", "02635", "", "5"}});
  dry_bad.dry_run = true;
  EXPECT_EQ(write(std::move(dry_bad)).refusal, Refusal::kForbidden);

  ValueWriter::Entries removal = entries(Writer::user(commune_officer()), {{"crime.ttxh.cases", "201601", "03400", "", ""},
                                                                           {"crime.ttxh.solved", "201601", "03400", "", ""}});
  removal.deleting = true;
  WriteOutcome removed = write(std::move(removal));
  ASSERT_TRUE(removed.written()) << removed.message << removed.problems.to_string();
  EXPECT_EQ(removed.summary.deleted, 1);
  EXPECT_EQ(removed.summary.unchanged, 1);  // nothing stored: nothing to delete
  EXPECT_FALSE(stored("crime.ttxh.cases", "201601", "03400"));
  {
    std::lock_guard lock(store_mutex_);
    std::vector<AuditEntry> audit = store_->audit_entries({}).value();
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit.back().action, AuditAction::kDelete);
    EXPECT_EQ(audit.back().old_value, "4");
    EXPECT_EQ(audit.back().changed_by, "canbo.xa");
  }
  // A file row marked deleted (DHIS2's current header ends with the column).
  ASSERT_TRUE(import(Writer::system("cli"), "crime.ttxh.cases,201602,03400,,,6,,,,\n").written());
  const std::string path = (dir_ / "deleted.csv").string();
  std::ofstream(path, std::ios::binary) << "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
                                           "storedby,lastupdated,comment,followup,deleted\n"
                                           "crime.ttxh.cases,201602,03400,,,,,,,,true\n";
  Result<WriteOutcome> file = writer_->import_file(Writer::system("cli"), path, "deleted.csv");
  ASSERT_TRUE(file.is_ok() && file->written()) << (file.is_ok() ? file->problems.to_string() : file.status().message());
  EXPECT_EQ(file->summary.deleted, 1);
  EXPECT_FALSE(stored("crime.ttxh.cases", "201602", "03400"));

  approve("03400", "201603");
  ValueWriter::Entries mixed = entries(Writer::user(commune_officer()), {{"crime.ttxh.cases", "201604", "03400", "", "2"},
                                                                         {"crime.ttxh.nothing", "201604", "03400", "", "1"},
                                                                         {"crime.ttxh.cases", "201603", "03400", "", "9"},
                                                                         {"crime.ttxh.cases", "201604", "02635", "", "1"},
                                                                         {"crime.ttxh.cases", "201604", "03400", "", "3"}});
  mixed.skip_refused = true;
  WriteOutcome some = write(std::move(mixed));
  ASSERT_TRUE(some.written()) << some.message;
  EXPECT_EQ(some.summary.created, 1);
  ASSERT_EQ(some.skipped.size(), 4u);
  EXPECT_EQ(some.skipped[0].entry, 1u);
  EXPECT_EQ(some.skipped[0].field, "dataValues[1].dataElement");
  EXPECT_EQ(some.skipped[1].entry, 2u);
  EXPECT_EQ(some.skipped[1].kind, Refusal::kFormClosed);
  EXPECT_EQ(some.skipped[2].entry, 3u);
  EXPECT_EQ(some.skipped[2].kind, Refusal::kForbidden);
  EXPECT_EQ(some.skipped[3].entry, 4u);  // the key again: the first one stands
  EXPECT_EQ(stored("crime.ttxh.cases", "201604", "03400")->value, "2");
}

}  // namespace
}  // namespace qpan
