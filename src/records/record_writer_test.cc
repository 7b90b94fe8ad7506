// The record write path on a real database (the real units and the qpan-vn pack): records
// written, refused for each reason in order, and the values counted from them stored in the
// same transaction and seen by a following engine.
#include "qpan/record_writer.h"

#include <gtest/gtest.h>

#include "qpan/aggregation.h"
#include "write/write_test_support.h"

namespace qpan {
namespace {

using write_test::kNow;  // 14 Nov 2023
using write_test::commune_officer;
using write_test::viewer;
User province_admin() { return {4, "tinh", "", Role::kProvinceAdmin, "12", write_test::kScopeAt, false, kNow}; }

// The writer fixture (a copy of a database with the real units and the qpan-vn pack per
// test) with a record writer beside its value writer.
class RecordWriterTest : public write_test::WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    RecordWriterOptions options;
    options.clock = [] { return kNow; };
    records_ = RecordWriter::create(*store_, store_mutex_, *workflow_, options).value();
  }
  void TearDown() override {
    records_.reset();
    WriterTest::TearDown();
  }

  static RecordChange create(std::string unit, RecordFields fields) {
    RecordChange c;
    c.record.org_unit = std::move(unit);
    c.record.fields = std::move(fields);
    return c;
  }
  static RecordFields delegation(std::string partner, std::string arrived, std::string persons,
                                                       bool worked_with = true) {
    return {{"partner", std::move(partner)}, {"delegation", "Đoàn công tác"}, {"head_title", "Phó Chủ tịch"},
            {"date_from", arrived}, {"date_to", arrived}, {"purpose", "Trao đổi hợp tác"},
            {"persons", std::move(persons)}, {"worked_with", worked_with ? "true" : "false"}};
  }
  RecordWriteOutcome write(const Writer& writer, const std::string& registry, std::vector<RecordChange> changes) {
    RecordWrite request;
    request.writer = writer;
    request.registry = registry;
    request.changes = std::move(changes);
    request.source = "test";
    Result<RecordWriteOutcome> outcome = records_->write(request);
    EXPECT_TRUE(outcome.is_ok()) << outcome.status().message();
    return outcome.is_ok() ? std::move(*outcome) : RecordWriteOutcome{};
  }
  // The figure `series` for `unit` over `period` from an engine built on the store now.
  std::optional<double> figure(const std::string& series, const std::string& unit, const std::string& period) {
    std::unique_ptr<AggregationEngine> engine = AggregationEngine::build(*store_).value();
    Result<Aggregate> a = engine->aggregate(engine->series(series).value(), {unit, std::nullopt}, Period::parse(period).value());
    EXPECT_TRUE(a.is_ok()) << a.status().message();
    return a.is_ok() ? a->value : std::nullopt;
  }

  std::unique_ptr<RecordWriter> records_;
};

TEST_F(RecordWriterTest, RecordsAreCountedIntoTheirElementsInTheSameTransaction) {
  RecordWriteOutcome out = write(Writer::system("so.ngoai.vu"), "reg.foreign.delegation_in",
                                 {create("12", delegation("van_nam", "2022-01-10", "12")),
                                  create("12", delegation("van_nam", "2022-02-03", "8")),
                                  create("12", delegation("bac_lao", "2022-03-20", "5", false))});
  ASSERT_TRUE(out.written()) << out.message << out.problems.to_string();
  EXPECT_EQ(out.created, 3);
  ASSERT_EQ(out.records.size(), 3u);
  EXPECT_GT(out.records[0].id, 0);
  EXPECT_EQ(out.records[0].version, 1);
  // by partner (2 + 1); worked with only (2 delegations, 20 persons); per month by the
  // Gregorian calendar of ds.foreign.province.monthly.
  EXPECT_EQ(figure("foreign.in.delegations", "12", "2022Q1"), 3);
  EXPECT_EQ(figure("foreign.in.delegations.van_nam", "12", "2022Q1"), 2);
  EXPECT_EQ(figure("foreign.in.delegations.bac_lao", "12", "202203"), 1);
  EXPECT_EQ(figure("foreign.in.delegations_total", "12", "2022Q1"), 2);
  EXPECT_EQ(figure("foreign.in.persons", "12", "2022"), 20);

  // An unchanged record's trail is its creation.
  std::vector<RecordAuditEntry> created = store_->record_audit(out.records[1].id).value();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].action, RecordAuditAction::kCreate);
  EXPECT_EQ(created[0].changed_by, "so.ngoai.vu");
  EXPECT_EQ(created[0].state.fields.at("persons"), "8");

  // A following engine has each later write in its next answer.
  std::unique_ptr<AggregationEngine> engine = AggregationEngine::build(*store_).value();
  engine->follow(*store_);
  RecordChange removal;
  removal.kind = RecordChange::Kind::kDelete;
  removal.record.id = out.records[1].id;
  RecordWriteOutcome removed = write(Writer::system("so.ngoai.vu"), "reg.foreign.delegation_in", {removal});
  ASSERT_TRUE(removed.written()) << removed.message;
  EXPECT_EQ(removed.deleted, 1);
  EXPECT_EQ(removed.counted.deleted, 3);  // February: by partner, worked with, persons
  const SeriesRef persons = engine->series("foreign.in.persons").value();
  EXPECT_EQ(engine->aggregate(persons, {"12", std::nullopt}, Period::year(2022)).value().value, 12);
  store_->set_commit_listener({});

  // The audit trail keeps the deleted record's last state.
  std::vector<RecordAuditEntry> trail = store_->record_audit(out.records[1].id).value();
  ASSERT_EQ(trail.size(), 2u);
  EXPECT_EQ(trail[0].action, RecordAuditAction::kCreate);  // written when the record first changed
  EXPECT_EQ(trail[0].state.version, 1);
  EXPECT_EQ(trail[1].action, RecordAuditAction::kDelete);
  EXPECT_EQ(trail[1].state.fields.at("persons"), "8");
  EXPECT_EQ(trail[1].changed_by, "so.ngoai.vu");
}

TEST_F(RecordWriterTest, TeamsInForceAreAStockUntilTheyAreDissolved) {
  RecordWriteOutcome out = write(Writer::system("cong.an"), "reg.movement.team",
                                 {create("03400", {{"kind", "security"}, {"name", "Tổ ANND bản Tả Lèng"},
                                                   {"established", "2018-05-02"}, {"members", "5"},
                                                   {"dissolved", "15/03/2020"}}),
                                  create("03400", {{"kind", "security"}, {"name", "Tổ ANND bản Hồ Pên"},
                                                   {"established", "2019-02-10"}, {"members", "6"}})});
  ASSERT_TRUE(out.written()) << out.message << out.problems.to_string();
  EXPECT_EQ(out.records[0].fields.at("dissolved"), "2020-03-15");
  // ds.movement.commune.quarterly counts quarters by the cut-off calendar.
  EXPECT_EQ(figure("movement.security_teams", "03400", "2019"), 2);
  EXPECT_EQ(figure("movement.security_teams", "03400", "2020"), 1);
  EXPECT_EQ(figure("movement.security_team_members", "03400", "2019"), 11);
  EXPECT_EQ(figure("movement.security_teams", "12", "2023Q3"), 1);  // rolls up, through today
  EXPECT_EQ(figure("movement.security_teams", "03400", "2024"), std::nullopt);  // not yet
}

TEST_F(RecordWriterTest, InvalidRecordsAreRefusedNamingTheChangeAndTheField) {
  RecordWrite request;
  request.writer = Writer::system("t");
  request.registry = "reg.foreign.delegation_in";
  RecordFields bad = delegation("lao", "2022-13-01", "many");
  bad.erase("purpose");
  request.changes = {create("12", delegation("van_nam", "2022-01-10", "3")), create("99999", bad)};
  request.locate = [](size_t change, std::string_view field) {
    return ImportProblem{"so.csv", static_cast<int64_t>(change + 2), 0, std::string(field), ""};
  };
  RecordWriteOutcome out = records_->write(request).value();
  EXPECT_EQ(out.refusal, Refusal::kInvalid);
  EXPECT_EQ(out.problems.to_string(),
            "so.csv:3: org_unit: unknown org unit \"99999\"\n"
            "so.csv:3: partner: unknown code \"lao\" (expected one of: van_nam, bac_lao, dai_su_quan, to_chuc_nn, khac)\n"
            "so.csv:3: date_from: expected a date (2021-12-20 or 20/12/2021), found \"2022-13-01\"\n"
            "so.csv:3: date_to: expected a date (2021-12-20 or 20/12/2021), found \"2022-13-01\"\n"
            "so.csv:3: purpose: required: Mục đích, nội dung làm việc (Purpose)\n"
            "so.csv:3: persons: expected a whole number, found \"many\"\n");
  RecordQuery delegations;
  delegations.registry = "reg.foreign.delegation_in";
  EXPECT_EQ(store_->count_registry_records(delegations).value(), 0);

  // A date counted when the owner was not in force: Xã Tả Lèng's first version begins later.
  const OrgUnitIndex units = store_->load_org_units().value();
  RecordWriteOutcome early = write(Writer::system("t"), "reg.movement.team",
                                   {create("03400", {{"kind", "security"}, {"name", "Tổ"}, {"established", "2010-01-01"},
                                                     {"members", "5"}})});
  EXPECT_TRUE(early.written()) << early.problems.to_string();  // a stock only counts while the unit is in force

  RecordWriteOutcome unknown = records_->write({Writer::system("t"), "reg.nope", {}, "test", {}}).value();
  EXPECT_EQ(unknown.refusal, Refusal::kInvalid);
  EXPECT_TRUE(unknown.not_found);
}

TEST_F(RecordWriterTest, RolesScopesVersionsAndClosedFormsAreCheckedInOrder) {
  // A viewer may not write at all; a commune officer not for the province.
  EXPECT_EQ(write(Writer::user(viewer()), "reg.foreign.delegation_in", {create("12", delegation("van_nam", "2022-01-10", "3"))})
                .refusal,
            Refusal::kForbidden);
  RecordWriteOutcome outside = write(Writer::user(commune_officer()), "reg.foreign.delegation_in",
                                     {create("12", delegation("van_nam", "2022-01-10", "3"))});
  EXPECT_EQ(outside.refusal, Refusal::kForbidden);
  ASSERT_EQ(outside.problems.shown.size(), 1u);
  EXPECT_EQ(outside.problems.shown[0].field, "org_unit");

  RecordWriteOutcome made = write(Writer::user(province_admin()), "reg.foreign.delegation_in",
                                  {create("12", delegation("van_nam", "2022-01-10", "3"))});
  ASSERT_TRUE(made.written()) << made.message << made.problems.to_string();
  // An update read at an older version is a conflict, with the stored record.
  RecordChange update = create("12", delegation("van_nam", "2022-01-10", "4"));
  update.kind = RecordChange::Kind::kUpdate;
  update.record.id = made.records[0].id;
  update.expected_version = 1;
  RecordWriteOutcome updated = write(Writer::user(province_admin()), "reg.foreign.delegation_in", {update});
  ASSERT_TRUE(updated.written()) << updated.message;
  EXPECT_EQ(updated.records[0].version, 2);
  EXPECT_EQ(updated.counted.updated, 1);  // persons 3 → 4
  RecordWriteOutcome stale = write(Writer::user(province_admin()), "reg.foreign.delegation_in", {update});
  EXPECT_EQ(stale.refusal, Refusal::kChanged);
  ASSERT_TRUE(stale.current.has_value());
  EXPECT_EQ(stale.current->version, 2);

  // Once January's form is approved, a record counted in it is refused; other months are not.
  const OrgUnitIndex units = store_->load_org_units().value();
  for (ApprovalAction action : {ApprovalAction::kSubmit, ApprovalAction::kApprove}) {
    Result<ApprovalRecord> moved = workflow_->transition(province_admin(), action, "ds.foreign.province.monthly", "12",
                                                         Period::month(2022, 1), "", units, kNow);
    ASSERT_TRUE(moved.is_ok()) << moved.status().message();
  }
  RecordWriteOutcome closed = write(Writer::system("t"), "reg.foreign.delegation_in",
                                    {create("12", delegation("bac_lao", "2022-01-20", "3"))});
  EXPECT_EQ(closed.refusal, Refusal::kFormClosed);
  EXPECT_NE(closed.message.find("foreign.in.delegations"), std::string::npos) << closed.message;
  EXPECT_TRUE(write(Writer::system("t"), "reg.foreign.delegation_in", {create("12", delegation("bac_lao", "2022-02-20", "3"))})
                  .written());
}

TEST_F(RecordWriterTest, CountedElementsAreNotWrittenAsValues) {
  ValueWriter::Entries entries;
  entries.writer = Writer::system("t");
  EntryText persons;
  persons.data_element = "foreign.in.persons";
  persons.period = "202201";
  persons.org_unit = "12";
  persons.value = "5";
  entries.entries = {persons};
  std::optional<WriteOutcome> outcome;
  writer_->write(std::move(entries), [&](Result<WriteOutcome> r) { outcome = r.value(); });
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->refusal, Refusal::kInvalid);
  EXPECT_EQ(outcome->problems.shown.at(0).reason,
            "data element \"foreign.in.persons\" is counted from the records of registry reg.foreign.delegation_in: "
            "write the records instead (qpan registry import, /api/registries/reg.foreign.delegation_in/records)");
}

TEST_F(RecordWriterTest, RecountReplacesTypedValuesOfCountedElements) {
  // A value stored before the element was counted (as an older pack allowed) goes at the
  // recount; the records' counts come in.
  ASSERT_TRUE(write(Writer::system("t"), "reg.defzone.work",
                    {create("12", {{"name", "Đường tuần tra"}, {"approved", "2021-04-01"}, {"budget_vnd", "12500000000"},
                                   {"status", "building"}})})
                  .written());
  EXPECT_EQ(figure("defzone.works.budget_vnd", "12", "2021"), 12500000000.0);
  Result<ValueWriteSummary> again = records_->recount(Writer::system("t"));
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(again->created + again->updated + again->deleted, 0);  // nothing to change
}

TEST_F(RecordWriterTest, AStartRecountExtendsStocksInForceIntoTheNewPeriods) {
  ASSERT_TRUE(write(Writer::system("cong.an"), "reg.movement.team",
                    {create("03400", {{"kind", "security"}, {"name", "Tổ ANND bản Hồ Pên"}, {"established", "2019-02-10"},
                                      {"members", "6"}})})
                  .written());
  EXPECT_EQ(figure("movement.security_teams", "03400", "2024"), std::nullopt);  // 14 Nov 2023: not yet
  // Half a year later a server starts: the stock is counted through the new quarters.
  RecordWriterOptions later;
  later.clock = [] { return kNow + 180 * 86400; };
  std::unique_ptr<RecordWriter> restarted = RecordWriter::create(*store_, store_mutex_, *workflow_, later).value();
  Result<ValueWriteSummary> extended = restarted->recount(Writer::system("qpan serve"), RecordWriter::Recount::kInForce);
  ASSERT_TRUE(extended.is_ok()) << extended.status().message();
  EXPECT_EQ(extended->created, 4);  // 2024Q1 and 2024Q2: teams and their members
  EXPECT_EQ(figure("movement.security_teams", "03400", "2024"), 1);
  EXPECT_EQ(figure("movement.security_team_members", "03400", "2024Q2"), 6);
  Result<ValueWriteSummary> again = restarted->recount(Writer::system("qpan serve"), RecordWriter::Recount::kAll);
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(again->created + again->updated + again->deleted, 0);
}

}  // namespace
}  // namespace qpan
