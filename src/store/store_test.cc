// Tests of every store, run over SQLite and PostgreSQL: schema on open, units and catalogue
// round trips, value writes (create / update with audit / unchanged), transactions shared by
// several writers and the group-commit queue over them, filtered scans, the audit history.
#include "qpan/store.h"
#include "qpan/write_queue.h"
#include "store/store_test_support.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace qpan {
namespace {

using StoreContractTest = StoreTest;

TEST_P(StoreContractTest, OpeningTwiceKeepsTheSchemaAndData) {
  add_units();
  store_.reset();
  store_ = open();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(store_->load_org_units()->versions().size(), 3u);
}

TEST_P(StoreContractTest, UnitsRoundTripAndSaveIsIdempotent) {
  add_units();
  OrgUnitVersion province{"12", OrgUnitLevel::kProvince, "Tỉnh Lai Châu", "Tỉnh", "", {}, {}};
  Result<UnitImportSummary> again = store_->save_org_units({province}, {});
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->versions_unchanged, 1);
  EXPECT_EQ(again->versions_added, 0);
  province.name = "Tỉnh Lai Châu (mới)";
  EXPECT_EQ(store_->save_org_units({province}, {})->versions_updated, 1);
  OrgUnitIndex index = *store_->load_org_units();
  const OrgUnitVersion* c = index.at("03397", make_date(2019, 5, 1));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->name, "Xã Sùng Phài");
  EXPECT_EQ(c->valid_until, make_date(2020, 2, 1));
  EXPECT_EQ(index.at("03397", make_date(2020, 2, 1)), nullptr);
}

TEST_P(StoreContractTest, SearchMatchesFoldedNames) {
  add_units();
  auto found = *store_->search_org_units("sung phai");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].code, "03397");
  EXPECT_TRUE(store_->search_org_units("100%")->empty());  // LIKE wildcards are escaped
}

TEST_P(StoreContractTest, LineageIsStoredWithKindAndShare) {
  add_units();
  OrgUnitVersion merged{"03390", OrgUnitLevel::kCommune, "Xã Bình Lư", "Xã", "12", make_date(2025, 7, 1), {}};
  LineageEdge edge{"03397", "03390", make_date(2025, 7, 1), LineageKind::kPartial, 0.25};
  ASSERT_TRUE(store_->save_org_units({merged}, {edge}).is_ok());
  OrgUnitIndex index = *store_->load_org_units();
  ASSERT_EQ(index.lineage().size(), 1u);
  EXPECT_EQ(index.lineage()[0].kind, LineageKind::kPartial);
  EXPECT_DOUBLE_EQ(index.lineage()[0].share.value_or(0), 0.25);
}

TEST_P(StoreContractTest, CatalogueRoundTripsWithIds) {
  add_catalogue();
  Catalogue c = *store_->load_catalogue();
  ASSERT_EQ(c.elements().size(), 3u);
  const DataElement* d = c.element("foreign.in.delegations");
  ASSERT_NE(d, nullptr);
  EXPECT_GT(d->id, 0);
  EXPECT_EQ(d->disaggregation, "partner");
  const Disaggregation* partner = c.disaggregation_of(*d);
  ASSERT_NE(partner, nullptr);
  ASSERT_EQ(partner->options.size(), 2u);
  EXPECT_EQ(partner->options[0].code, "van_nam");  // declaration order is kept
  EXPECT_GT(partner->option("bac_lao")->id, 0);
  // Saving again keeps ids.
  add_catalogue();
  EXPECT_EQ(store_->load_catalogue()->element("foreign.in.delegations")->id, d->id);
}

TEST_P(StoreContractTest, WritesCreateUpdateAndLeaveUnchanged) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  WriteContext ctx{"importer", 1700000000, "a.csv"};
  std::vector<ValueWrite> first = {value(cases, 5)};
  Result<ValueWriteSummary> s1 = store_->write_values(first, ctx);
  ASSERT_TRUE(s1.is_ok()) << s1.status().message();
  EXPECT_EQ(s1->created, 1);

  std::vector<ValueWrite> same = {value(cases, 5)};
  EXPECT_EQ(store_->write_values(same, ctx)->unchanged, 1);

  std::vector<ValueWrite> changed = {value(cases, 7, "đã sửa")};
  WriteContext ctx2{"reviewer", 1700000100, "b.csv"};
  Result<ValueWriteSummary> s3 = store_->write_values(changed, ctx2);
  EXPECT_EQ(s3->updated, 1);

  std::vector<DataValue> values = all_values();
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].value, "7");
  EXPECT_EQ(values[0].version, 2);
  EXPECT_EQ(values[0].comment, "đã sửa");
  EXPECT_EQ(values[0].org_unit, "03397");
  EXPECT_EQ(values[0].period, Period::month(2016, 1));

  std::vector<AuditEntry> audit = *store_->audit_entries({});
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, AuditAction::kCreate);
  EXPECT_EQ(audit[0].new_value, "5");
  EXPECT_EQ(audit[0].changed_by, "importer");
  EXPECT_EQ(audit[0].import_id, s1->import_id);
  EXPECT_EQ(audit[1].action, AuditAction::kUpdate);
  EXPECT_EQ(audit[1].old_value, "5");
  EXPECT_EQ(audit[1].new_value, "7");
  EXPECT_EQ(audit[1].changed_by, "reviewer");
  EXPECT_EQ(audit[1].changed_at, 1700000100);
}

TEST_P(StoreContractTest, ValuesKeepTheirTypes) {
  add_units();
  add_catalogue();
  Catalogue c = *store_->load_catalogue();
  ValueWrite text = value(c.element("note")->id, 0);
  text.kind = TypedValue::Kind::kText;
  text.text = "cửa khẩu Ma Lù Thàng";
  ValueWrite partner = value(c.element("foreign.in.delegations")->id, 36);
  partner.key.option_id = c.disaggregation("partner")->option("van_nam")->id;
  std::vector<ValueWrite> rows = {text, partner};
  std::sort(rows.begin(), rows.end(), [](const ValueWrite& a, const ValueWrite& b) { return a.key < b.key; });
  ASSERT_TRUE(store_->write_values(rows, {"t", 0, "x"}).is_ok());
  std::vector<DataValue> values = all_values();
  ASSERT_EQ(values.size(), 2u);
  for (const DataValue& v : values) {
    if (v.element == "note") {
      EXPECT_EQ(v.value, "cửa khẩu Ma Lù Thàng");
    }
    if (v.element == "foreign.in.delegations") {
      EXPECT_EQ(v.value, "36");
      EXPECT_EQ(v.option, "van_nam");
    }
  }
}

TEST_P(StoreContractTest, ScanFiltersByUnitAndPeriod) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  std::vector<ValueWrite> rows;
  for (int m = 1; m <= 3; ++m) {
    ValueWrite w = value(cases, m);
    w.key.period = Period::month(2016, m).key();
    rows.push_back(w);
  }
  ASSERT_TRUE(store_->write_values(rows, {"t", 0, "x"}).is_ok());
  ValueFilter feb;
  feb.period_key_ranges = {{Period::month(2016, 2).key(), Period::month(2016, 2).key()}};
  int n = 0;
  ASSERT_TRUE(store_->scan_values(feb, [&](const ValueKey&, const DataValue& v) {
    ++n;
    EXPECT_EQ(v.value, "2");
  }).is_ok());
  EXPECT_EQ(n, 1);
  ValueFilter other_unit;
  other_unit.unit_ids = {unit_id("12")};
  n = 0;
  ASSERT_TRUE(store_->scan_values(other_unit, [&](const ValueKey&, const DataValue&) { ++n; }).is_ok());
  EXPECT_EQ(n, 0);
}

// What an engine is built from: every number once (integers, yes/no, reals, options), in
// any order, and no text. PostgreSQL reads it as one binary COPY, SQLite as one scan.
TEST_P(StoreContractTest, ScanNumbersGivesEveryNumberOnceAndNoText) {
  add_units();
  add_catalogue();
  Catalogue c = *store_->load_catalogue();
  const int64_t cases = c.element("crime.ttxh.cases")->id;
  std::vector<ValueWrite> rows;
  ValueWrite negative = value(cases, -3);
  ValueWrite real = value(cases, 0);
  real.key.period = Period::month(2016, 2).key();
  real.kind = TypedValue::Kind::kReal;
  real.real = -2.75;
  ValueWrite large = value(cases, int64_t{1} << 40);
  large.key.period = Period::month(2016, 3).key();
  ValueWrite flag = value(cases, 1);
  flag.key.period = Period::month(2016, 4).key();
  flag.kind = TypedValue::Kind::kBoolean;
  ValueWrite partner = value(c.element("foreign.in.delegations")->id, 36);
  partner.key.option_id = c.disaggregation("partner")->option("van_nam")->id;
  ValueWrite text = value(c.element("note")->id, 0);
  text.kind = TypedValue::Kind::kText;
  text.text = "cửa khẩu Ma Lù Thàng";
  rows = {negative, real, large, flag, partner, text};
  std::sort(rows.begin(), rows.end(), [](const ValueWrite& a, const ValueWrite& b) { return a.key < b.key; });
  ASSERT_TRUE(store_->write_values(rows, {"t", 0, "x"}).is_ok());

  std::vector<std::string> seen;
  ASSERT_TRUE(store_->scan_numbers([&](std::span<const StoredNumber> batch) {
    for (const StoredNumber& n : batch) {
      seen.push_back(std::to_string(n.key.period) + "/" + std::to_string(n.key.unit_id) + "/" +
                     std::to_string(n.key.element_id) + "/" + std::to_string(n.key.option_id) + " " +
                     (n.is_real ? "real " + std::to_string(n.real) : std::to_string(n.integer)));
    }
  }).is_ok());
  std::sort(seen.begin(), seen.end());
  const auto expected = [&](const ValueWrite& w, const std::string& number) {
    return std::to_string(w.key.period) + "/" + std::to_string(w.key.unit_id) + "/" + std::to_string(w.key.element_id) +
           "/" + std::to_string(w.key.option_id) + " " + number;
  };
  std::vector<std::string> want = {expected(negative, "-3"), expected(real, "real -2.750000"),
                                   expected(large, "1099511627776"), expected(flag, "1"), expected(partner, "36")};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(seen, want);
}

// What a bulk build lays its lanes out by: each period that holds a value once, in key
// order, whatever the unit, element or type of period; none in an empty store.
TEST_P(StoreContractTest, StoredPeriodsAreEachPeriodWithAValueOnceInKeyOrder) {
  add_units();
  add_catalogue();
  ASSERT_TRUE(store_->stored_periods().is_ok());
  EXPECT_TRUE(store_->stored_periods()->empty());
  const int64_t cases = element_id("crime.ttxh.cases");
  std::vector<ValueWrite> rows;
  for (const Period& p : {Period::month(2016, 1), Period::month(2016, 1), Period::year(2015), Period::month(2025, 6),
                          Period::quarter(2020, 3), Period::month(2016, 1)}) {
    ValueWrite w = value(cases, static_cast<int64_t>(rows.size()));
    w.key.period = p.key();
    w.key.unit_id = unit_id(rows.size() % 2 == 0 ? "03397" : "12");
    w.key.option_id = static_cast<int32_t>(rows.size());  // distinct keys where the period repeats
    rows.push_back(w);
  }
  std::sort(rows.begin(), rows.end(), [](const ValueWrite& a, const ValueWrite& b) { return a.key < b.key; });
  ASSERT_TRUE(store_->write_values(rows, {"t", 0, "x"}).is_ok());
  std::vector<int64_t> want = {Period::month(2016, 1).key(), Period::year(2015).key(), Period::month(2025, 6).key(),
                               Period::quarter(2020, 3).key()};
  std::sort(want.begin(), want.end());
  Result<std::vector<int64_t>> periods = store_->stored_periods();
  ASSERT_TRUE(periods.is_ok()) << periods.status().message();
  EXPECT_EQ(*periods, want);
}

TEST_P(StoreContractTest, OneTransactionHoldsSeveralWritersInOrder) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  size_t notified = 0, notifications = 0;
  store_->set_commit_listener([&](std::span<const ValueWrite> rows, LogRange) {
    ++notifications;
    notified += rows.size();
  });
  WriteContext first{"xa.sungphai", 1700000000, "api:dataValueSets"};
  WriteContext second{"huyen.tamduong", 1700000050, "api:dataValueSets"};
  {
    Result<std::unique_ptr<ValueWriteTransaction>> tx = store_->begin_value_transaction();
    ASSERT_TRUE(tx.is_ok()) << tx.status().message();
    std::vector<ValueWrite> a = {value(cases, 5)};
    Result<ValueWriteSummary> sa = (*tx)->write(a, first);
    ASSERT_TRUE(sa.is_ok()) << sa.status().message();
    EXPECT_EQ(sa->created, 1);
    // The same key again: the later writer updates what the earlier one wrote.
    std::vector<ValueWrite> b = {value(cases, 8)};
    Result<ValueWriteSummary> sb = (*tx)->write(b, second);
    ASSERT_TRUE(sb.is_ok()) << sb.status().message();
    EXPECT_EQ(sb->updated, 1);
    EXPECT_NE(sa->import_id, sb->import_id);
    // A write the database refuses (a text without characters binds as NULL, and a value
    // may not be NULL) leaves nothing of itself, not even its import batch.
    ValueWrite valid = value(cases, 3);
    valid.key.period = Period::month(2016, 2).key();
    ValueWrite refused = value(cases, 0);
    refused.key.period = Period::month(2016, 3).key();
    refused.kind = TypedValue::Kind::kText;
    refused.text = std::string_view();
    std::vector<ValueWrite> c = {valid, refused};
    EXPECT_FALSE((*tx)->write(c, second).is_ok());
    // The statements the failure interrupted serve the next writer.
    ValueWrite after = value(cases, 4);
    after.key.period = Period::month(2016, 4).key();
    std::vector<ValueWrite> d = {after};
    ASSERT_TRUE((*tx)->write(d, second).is_ok());
    EXPECT_EQ(notifications, 0u);  // nothing is told before the commit
    ASSERT_TRUE((*tx)->commit().is_ok());
  }
  EXPECT_EQ(notifications, 1u);
  EXPECT_EQ(notified, 3u);
  std::vector<DataValue> values = all_values();
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].value, "8");
  EXPECT_EQ(values[0].version, 2);
  EXPECT_EQ(values[1].value, "4");
  std::vector<AuditEntry> audit = *store_->audit_entries({});
  ASSERT_EQ(audit.size(), 3u);
  EXPECT_EQ(audit[0].changed_by, "xa.sungphai");
  EXPECT_EQ(audit[1].old_value, "5");
  EXPECT_EQ(audit[1].changed_by, "huyen.tamduong");

  // Not committed: rolled back.
  {
    Result<std::unique_ptr<ValueWriteTransaction>> tx = store_->begin_value_transaction();
    ASSERT_TRUE(tx.is_ok());
    std::vector<ValueWrite> d = {value(cases, 9)};
    ASSERT_TRUE((*tx)->write(d, first).is_ok());
  }
  EXPECT_EQ(all_values()[0].value, "8");
  EXPECT_EQ(notifications, 1u);
}

TEST_P(StoreContractTest, QueueWritesConcurrentJobsInFewTransactions) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  const int64_t delegations = element_id("foreign.in.delegations");
  std::mutex store_mutex;
  std::atomic<int> succeeded = 0, refused = 0;
  std::vector<std::string> later_saw;
  {
    ValueWriteQueue queue(*store_, store_mutex);
    // While the test holds the store, jobs pile up: the writer must take them as few groups.
    std::unique_lock hold(store_mutex);
    constexpr int kThreads = 4, kJobsEach = 25;
    // Made here: value() reads the store, which only the queue's writer may use meanwhile.
    const ValueWrite base = value(cases, 0);
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&, t] {
        for (int j = 0; j < kJobsEach; ++j) {
          ValueWriteQueue::Job job;
          ValueWrite w = base;
          w.integer = t * 100 + j;
          w.key.period = Period::month(2016 + t, 1 + j % 12).key();  // jobs j and j + 12: one key
          job.rows = {w};
          job.context = {"writer" + std::to_string(t), 1700000000, "test"};
          if (j == 7) job.check = [](Store&) { return Status::conflict("đã bị thay đổi"); };
          job.done = [&](Result<ValueWriteSummary> r) { (r.is_ok() ? succeeded : refused)++; };
          queue.submit(std::move(job));
        }
      });
    }
    for (std::thread& w : writers) w.join();
    // A job whose check reads the store sees what earlier jobs wrote.
    ValueWriteQueue::Job first, second;
    first.rows = {value(delegations, 41)};
    first.context = {"a", 1700000000, "test"};
    second.rows = {value(delegations, 42)};
    second.context = {"b", 1700000000, "test"};
    second.check = [&](Store& store) {
      return store.scan_values({}, [&](const ValueKey& k, const DataValue& v) {
        if (k.element_id == delegations) later_saw.push_back(v.value);
      });
    };
    queue.submit(std::move(first));
    queue.submit(std::move(second));
    hold.unlock();
  }  // the queue's destructor writes everything queued
  EXPECT_EQ(succeeded.load(), 96);
  EXPECT_EQ(refused.load(), 4);
  EXPECT_EQ(later_saw, std::vector<std::string>{"41"});
  int64_t stored_cases = 0;
  ASSERT_TRUE(store_->scan_values({}, [&](const ValueKey& k, const DataValue&) {
    if (k.element_id == cases) ++stored_cases;
  }).is_ok());
  EXPECT_EQ(stored_cases, 4 * 12);  // 25 jobs a thread over 12 months: later months update earlier
}

TEST_P(StoreContractTest, QueueGroupsJobsThatWaitTogether) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  std::mutex store_mutex;
  ValueWriteQueue::Statistics statistics;
  {
    ValueWriteQueue queue(*store_, store_mutex);
    std::unique_lock hold(store_mutex);
    for (int m = 1; m <= 12; ++m) {
      ValueWriteQueue::Job job;
      ValueWrite w = value(cases, m);
      w.key.period = Period::month(2017, m).key();
      job.rows = {w};
      job.context = {"writer", 1700000000, "test"};
      queue.submit(std::move(job));
    }
    hold.unlock();
    // Once every job is in a group, the groups are what they will be.
    for (int i = 0; i < 1000 && queue.statistics().jobs < 12; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    statistics = queue.statistics();
  }
  EXPECT_EQ(statistics.jobs, 12u);
  // The writer may have taken the first jobs (as they came) before it waited for the store:
  // one group, then one with everything that arrived meanwhile, never more.
  EXPECT_LE(statistics.groups, 2u);
  EXPECT_GE(statistics.largest_group, 6u);
  EXPECT_EQ(all_values().size(), 12u);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreContractTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_name);

}  // namespace
}  // namespace qpan
