// Tests for the change log: every writer appends its entries in its own transaction (a
// rolled-back write leaves neither entries nor a gap), the states before and after (also
// of one write mixing new, changed and deleted values, in the rows' order), times
// that never decrease, finding the entry in force at a time, noticing another connection's
// commits, the follower applying them in order, and times as users write them; over SQLite
// and PostgreSQL.
#include "qpan/change_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "qpan/store.h"
#include "store/store_test_support.h"

namespace qpan {
namespace {

using ChangeLogTest = StoreTest;

std::vector<Change> all_changes(Store& store, int64_t after = 0) {
  std::vector<Change> out;
  Result<int64_t> n = store.read_changes(after, 1000000, [&](const Change& c) { out.push_back(c); });
  EXPECT_TRUE(n.is_ok()) << n.status().message();
  return out;
}

TEST_P(ChangeLogTest, EveryWriterAppendsItsChangesInOneGaplessSequence) {
  store_->set_change_actor("cli:tester");
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  const int64_t before_values = store_->log_end()->seq;
  EXPECT_GT(before_values, 0);  // the units and the catalogue

  const WriteContext commune{"xa.sungphai", 1700000000, "form"};
  ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{value(cases, 5)}, commune).is_ok());
  ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{value(cases, 5)}, commune).is_ok());  // unchanged
  const WriteContext district{"huyen.tamduong", 1700000100, "form"};
  ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{value(cases, 7)}, district).is_ok());
  ValueWrite removal = value(cases, 0);
  removal.deleted = true;
  ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{removal}, district).is_ok());

  ApprovalEventRow approval{0, "qpan.monthly", "03397", Period::month(2016, 1).key(), "draft", "submitted",
                            "submit", "xa.sungphai", 1700000200, ""};
  ASSERT_TRUE(store_->record_approval(approval).is_ok());

  RegistryRecord record;
  record.registry = "reg.delegation";
  record.org_unit = "03397";
  record.fields = {{"partner", "van_nam"}};
  ASSERT_TRUE(store_->insert_record(record, commune).is_ok());
  record.fields["partner"] = "bac_lao";
  record.version = 2;
  ASSERT_TRUE(store_->update_record(record, district).is_ok());

  AccountRecord account{0, "xa.sungphai", "Cán bộ xã", "commune_entry", "03397", make_date(2024, 1, 1),
                        "$argon2id$v=19$secret-hash", false, 1700000000};
  Result<int64_t> account_id = store_->add_account(account);
  ASSERT_TRUE(account_id.is_ok());
  account.id = *account_id;
  account.password_hash = "$argon2id$v=19$another-hash";
  ASSERT_TRUE(store_->update_account(account, true).is_ok());

  const std::vector<Change> log = all_changes(*store_);
  ASSERT_FALSE(log.empty());
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].seq, static_cast<int64_t>(i + 1)) << "no gaps";
    if (i > 0) {
      EXPECT_GE(log[i].at_ms, log[i - 1].at_ms) << "times never decrease";
    }
  }
  EXPECT_EQ(log.front().kind, ChangeKind::kUnits);
  EXPECT_EQ(log.front().actor, "cli:tester");
  EXPECT_EQ(log.front().subject, "unit/12/");

  std::vector<Change> rest(log.begin() + before_values, log.end());
  ASSERT_EQ(rest.size(), 8u);
  // Created: nothing before. Unchanged: no entry. Updated: 5 → 7. Deleted: 7 → none.
  EXPECT_EQ(rest[0].kind, ChangeKind::kValue);
  EXPECT_EQ(rest[0].actor, "xa.sungphai");
  EXPECT_TRUE(rest[0].before.deleted);
  EXPECT_EQ(rest[0].after.integer, 5);
  EXPECT_EQ(rest[0].after.key, value(cases, 0).key);
  EXPECT_EQ(rest[1].actor, "huyen.tamduong");
  EXPECT_EQ(rest[1].before.integer, 5);
  EXPECT_EQ(rest[1].after.integer, 7);
  EXPECT_EQ(rest[2].before.integer, 7);
  EXPECT_TRUE(rest[2].after.deleted);

  EXPECT_EQ(rest[3].kind, ChangeKind::kApproval);
  EXPECT_EQ(rest[3].subject, "form/qpan.monthly/03397/201601");
  EXPECT_EQ(rest[3].before_text, "draft");
  EXPECT_EQ(rest[3].after_text, "submitted");
  Result<FormKey> form = parse_approval_subject(rest[3].subject);
  ASSERT_TRUE(form.is_ok());
  EXPECT_EQ(form->data_set, "qpan.monthly");
  EXPECT_EQ(form->unit_code, "03397");
  EXPECT_EQ(form->period, Period::month(2016, 1).key());

  EXPECT_EQ(rest[4].kind, ChangeKind::kRecord);
  EXPECT_EQ(rest[4].subject, "record/reg.delegation/" + std::to_string(record.id));
  EXPECT_EQ(rest[4].before_text, "");
  EXPECT_NE(rest[4].after_text.find("van_nam"), std::string::npos);
  EXPECT_NE(rest[5].before_text.find("van_nam"), std::string::npos);
  EXPECT_NE(rest[5].after_text.find("bac_lao"), std::string::npos);
  EXPECT_EQ(rest[5].actor, "huyen.tamduong");

  EXPECT_EQ(rest[6].kind, ChangeKind::kAccount);
  EXPECT_EQ(rest[6].subject, "account/xa.sungphai");
  EXPECT_EQ(rest[6].actor, "cli:tester");
  EXPECT_NE(rest[7].after_text.find("\"password_changed\":true"), std::string::npos);
  for (const Change& c : rest) {
    EXPECT_EQ(c.before_text.find("argon2id"), std::string::npos) << "no secret in the log";
    EXPECT_EQ(c.after_text.find("argon2id"), std::string::npos) << "no secret in the log";
  }
}

// One write mixing, in key order, changed, unchanged, deleted and new values: the stores
// write runs of new values and runs of changed ones each with one statement, and the log
// must still follow the rows' order with each value's own states, as the audit trail does.
TEST_P(ChangeLogTest, OneWriteOfNewChangedAndDeletedValuesLogsEachInTheRowsOrder) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  const int64_t note = element_id("note");
  // Texts that an array literal must quote: quotes, a backslash, a comma, braces, NULL.
  const std::string kOldText = "số \"cũ\", {1}";
  const std::string kNewText = "số mới \\ NULL";
  auto at = [&](int month, int64_t element, int64_t v) {
    ValueWrite w = value(element, v);
    w.key.period = Period::month(2016, month).key();
    return w;
  };
  auto real_at = [&](int month, double v) {
    ValueWrite w = at(month, cases, 0);
    w.kind = TypedValue::Kind::kReal;
    w.real = v;
    return w;
  };
  auto text_at = [&](int month, std::string_view text) {
    ValueWrite w = at(month, note, 0);
    w.kind = TypedValue::Kind::kText;
    w.text = text;
    return w;
  };
  auto removal_at = [&](int month) {
    ValueWrite w = at(month, cases, 0);
    w.deleted = true;
    return w;
  };
  const WriteContext commune{"xa.sungphai", 1700000000, "form"};
  ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{at(1, cases, 10), at(2, cases, 20), real_at(3, 2.5),
                                                           at(4, cases, 30), text_at(8, kOldText)},
                                   commune)
                  .is_ok());
  const int64_t first = store_->log_end()->seq + 1;

  const WriteContext district{"huyen.tamduong", 1700000100, "review"};
  ValueWrite updated = at(1, cases, 11);
  updated.stored_by = "huyen.tamduong";
  Result<ValueWriteSummary> summary = store_->write_values(
      std::vector<ValueWrite>{updated, at(2, cases, 20), real_at(3, 3.75), removal_at(4), at(5, cases, 50),
                              removal_at(6), at(7, cases, 70), text_at(8, kNewText), at(9, cases, 90)},
      district);
  ASSERT_TRUE(summary.is_ok()) << summary.status().message();
  EXPECT_EQ(summary->created, 3);
  EXPECT_EQ(summary->updated, 3);
  EXPECT_EQ(summary->deleted, 1);
  EXPECT_EQ(summary->unchanged, 2);  // month 2 as stored; month 6 not stored, so nothing to delete

  const std::vector<Change> log = all_changes(*store_, first - 1);
  ASSERT_EQ(log.size(), 7u);
  const int months[] = {1, 3, 4, 5, 7, 8, 9};
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].seq, first + static_cast<int64_t>(i));
    EXPECT_EQ(log[i].kind, ChangeKind::kValue);
    EXPECT_EQ(log[i].actor, "huyen.tamduong");
    EXPECT_EQ(log[i].after.key.period, Period::month(2016, months[i]).key()) << "entry " << i;
  }
  EXPECT_EQ(log[0].before.integer, 10);
  EXPECT_EQ(log[0].after.integer, 11);
  EXPECT_EQ(log[1].before.kind, TypedValue::Kind::kReal);
  EXPECT_EQ(log[1].before.real, 2.5);
  EXPECT_EQ(log[1].after.real, 3.75);
  EXPECT_EQ(log[2].before.integer, 30);
  EXPECT_TRUE(log[2].after.deleted);
  EXPECT_TRUE(log[3].before.deleted);
  EXPECT_EQ(log[3].after.integer, 50);
  EXPECT_EQ(log[4].after.integer, 70);
  EXPECT_EQ(log[5].before.kind, TypedValue::Kind::kText);
  EXPECT_EQ(log[5].after.kind, TypedValue::Kind::kText);
  EXPECT_FALSE(log[5].after.deleted);
  EXPECT_EQ(log[6].after.integer, 90);

  std::map<std::pair<int64_t, AuditAction>, AuditEntry> audit;
  Result<std::vector<AuditEntry>> entries = store_->audit_entries({});
  ASSERT_TRUE(entries.is_ok()) << entries.status().message();
  for (const AuditEntry& e : *entries) audit[{e.period.key(), e.action}] = e;
  const AuditEntry& changed = audit.at({Period::month(2016, 1).key(), AuditAction::kUpdate});
  EXPECT_EQ(changed.old_value, "10");
  EXPECT_EQ(changed.new_value, "11");
  EXPECT_EQ(changed.changed_by, "huyen.tamduong");
  EXPECT_EQ(audit.at({Period::month(2016, 3).key(), AuditAction::kUpdate}).new_value, "3.75");
  EXPECT_EQ(audit.at({Period::month(2016, 4).key(), AuditAction::kDelete}).old_value, "30");
  EXPECT_EQ(audit.at({Period::month(2016, 8).key(), AuditAction::kUpdate}).old_value, kOldText);
  EXPECT_EQ(audit.at({Period::month(2016, 8).key(), AuditAction::kUpdate}).new_value, kNewText);
  EXPECT_EQ(audit.count({Period::month(2016, 2).key(), AuditAction::kUpdate}), 0u);
  EXPECT_EQ(audit.count({Period::month(2016, 6).key(), AuditAction::kDelete}), 0u);

  std::map<int64_t, DataValue> stored;
  for (const DataValue& v : all_values()) stored[v.period.key()] = v;
  ASSERT_EQ(stored.size(), 7u);  // months 1, 2, 3, 5, 7, 8, 9
  EXPECT_EQ(stored.at(Period::month(2016, 1).key()).version, 2);
  EXPECT_EQ(stored.at(Period::month(2016, 1).key()).stored_by, "huyen.tamduong");
  EXPECT_EQ(stored.at(Period::month(2016, 2).key()).version, 1);
  EXPECT_EQ(stored.at(Period::month(2016, 3).key()).value, "3.75");
  EXPECT_EQ(stored.count(Period::month(2016, 4).key()), 0u);
  EXPECT_EQ(stored.at(Period::month(2016, 8).key()).value, kNewText);
}

TEST_P(ChangeLogTest, AWriteThatFailsLeavesNoEntryAndNoGap) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  const int64_t start = store_->log_end()->seq;
  {
    Result<std::unique_ptr<ValueWriteTransaction>> tx = store_->begin_value_transaction();
    ASSERT_TRUE(tx.is_ok());
    ASSERT_TRUE((*tx)->write(std::vector<ValueWrite>{value(cases, 1)}, {"a", 1, ""}).is_ok());
    // Destroyed without commit: rolled back.
  }
  EXPECT_EQ(store_->log_end()->seq, start);
  ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{value(cases, 2)}, {"a", 1, ""}).is_ok());
  const std::vector<Change> log = all_changes(*store_, start);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].seq, start + 1);
  EXPECT_EQ(log[0].after.integer, 2);
}

TEST_P(ChangeLogTest, BulkImportsLogEveryValuePackedByChunkAndTheListenerGetsTheRange) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  LogRange range;
  store_->set_commit_listener([&](std::span<const ValueWrite>, LogRange r) { range = r; });
  // 200 months in key order: the bulk path (64 rows a statement) and its tail.
  std::vector<ValueWrite> rows;
  for (int m = 0; m < 200; ++m) {
    ValueWrite w = value(cases, m);
    w.key.period = Period::month(2000 + m / 12, m % 12 + 1).key();
    rows.push_back(w);
  }
  const int64_t start = store_->log_end()->seq;
  Result<std::unique_ptr<ValueWriteSession>> session = store_->begin_value_write({"import", 1, "file.csv"});
  ASSERT_TRUE(session.is_ok());
  ASSERT_TRUE((*session)->write(rows).is_ok());
  ASSERT_TRUE((*session)->commit().is_ok());
  // Three chunks of 64 are one packed entry each; the 8 of the tail one entry each.
  EXPECT_EQ(range.first, start + 1);
  EXPECT_EQ(range.last, start + 3 + 8);
  const std::vector<Change> log = all_changes(*store_, start);
  ASSERT_EQ(log.size(), 200u);
  for (int m = 0; m < 200; ++m) {
    EXPECT_EQ(log[m].seq, start + 1 + (m < 192 ? m / 64 : 3 + (m - 192))) << m;
    EXPECT_EQ(log[m].kind, ChangeKind::kValue);
    EXPECT_TRUE(log[m].before.deleted);
    EXPECT_EQ(log[m].before.key, rows[m].key);
    EXPECT_EQ(log[m].after.key, rows[m].key);
    EXPECT_EQ(log[m].after.integer, m);
    EXPECT_EQ(log[m].actor, "import");
  }
  // A limit counts entries, not the values packed in them.
  std::vector<Change> first_entry;
  ASSERT_EQ(*store_->read_changes(start, 1, [&](const Change& c) { first_entry.push_back(c); }), 1);
  EXPECT_EQ(first_entry.size(), 64u);
}

TEST_P(ChangeLogTest, TheEntryInForceAtATimeIsFoundByTime) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  // Three writes at known times, set through SQL: the times a year apart.
  for (int v = 1; v <= 3; ++v) {
    ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{value(cases, v)}, {"a", 1, ""}).is_ok());
  }
  const int64_t last = store_->log_end()->seq;
  run_sql("UPDATE change_log SET at = 1000 WHERE seq <= " + std::to_string(last - 3) +
          "; UPDATE change_log SET at = 2000 WHERE seq = " + std::to_string(last - 2) +
          "; UPDATE change_log SET at = 3000 WHERE seq = " + std::to_string(last - 1) +
          "; UPDATE change_log SET at = 4000 WHERE seq = " + std::to_string(last) +
          "; UPDATE change_log_start SET at = 500");
  EXPECT_EQ(*store_->last_change_at(999), 0);
  EXPECT_EQ(*store_->last_change_at(1000), last - 3);
  EXPECT_EQ(*store_->last_change_at(2000), last - 2);
  EXPECT_EQ(*store_->last_change_at(2999), last - 2);
  EXPECT_EQ(*store_->last_change_at(3500), last - 1);
  EXPECT_EQ(*store_->last_change_at(999999), last);
  // A database that held values before its log began cannot tell what was known earlier.
  run_sql(is_postgres() ? "UPDATE change_log_start SET values_before = true"
                        : "UPDATE change_log_start SET values_before = 1");
  EXPECT_EQ(store_->last_change_at(499).status().code(), StatusCode::kInvalidInput);
  EXPECT_EQ(*store_->last_change_at(2000), last - 2);
}

TEST_P(ChangeLogTest, AnotherConnectionsCommitIsNoticedWithoutReadingTables) {
  add_units();
  add_catalogue();
  std::unique_ptr<Store> watcher = open();
  ASSERT_TRUE(watcher->wait_for_commits(std::chrono::milliseconds(0)).is_ok());  // the first look
  EXPECT_FALSE(*watcher->wait_for_commits(std::chrono::milliseconds(20)));
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    EXPECT_TRUE(store_->write_values(std::vector<ValueWrite>{value(element_id("crime.ttxh.cases"), 4)}, {"a", 1, ""})
                    .is_ok());
  });
  const auto started = std::chrono::steady_clock::now();
  Result<bool> seen = watcher->wait_for_commits(std::chrono::milliseconds(5000));
  writer.join();
  ASSERT_TRUE(seen.is_ok());
  EXPECT_TRUE(*seen);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
}

TEST_P(ChangeLogTest, TheFollowerAppliesEveryCommitInOrder) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  std::mutex mutex;
  std::vector<int64_t> applied;
  std::map<ValueKey, int64_t> state;
  auto follower = std::make_unique<ChangeFollower>(open(), 0, [&](std::span<const Change> changes, Store&) {
    std::lock_guard lock(mutex);
    for (const Change& c : changes) {
      applied.push_back(c.seq);
      if (c.kind != ChangeKind::kValue) continue;
      if (c.after.deleted) state.erase(c.after.key); else state[c.after.key] = c.after.integer;
    }
    return Status::ok();
  });
  ASSERT_TRUE(follower->start().is_ok());
  const int64_t structure = store_->log_end()->seq;
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(static_cast<int64_t>(applied.size()), structure);  // caught up at start
  }
  // Another connection writes; the follower sees it within a few milliseconds.
  std::unique_ptr<Store> other = open();
  ASSERT_TRUE(other->write_values(std::vector<ValueWrite>{value(cases, 9)}, {"b", 1, ""}).is_ok());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    {
      std::lock_guard lock(mutex);
      if (state.size() == 1) break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the follower never saw the commit";
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(follower->health().position, structure + 1);
  EXPECT_EQ(follower->health().last, structure + 1);

  // An own commit right after the position moves it without reading; one after others'
  // commits the follower has not read yet reads them first, in order.
  bool own_applied = false;
  follower->own_commit({structure + 2, structure + 2}, [&] { own_applied = true; });
  EXPECT_TRUE(own_applied);
  EXPECT_EQ(follower->health().position, structure + 2);
  follower.reset();
  std::lock_guard lock(mutex);
  for (size_t i = 1; i < applied.size(); ++i) EXPECT_EQ(applied[i], applied[i - 1] + 1);
}

INSTANTIATE_TEST_SUITE_P(Stores, ChangeLogTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         backend_name);

TEST(AsOfTest, TimesAreVietnamsUnlessTheySayOtherwise) {
  // 2024-01-15T08:00 in Hà Nội is 01:00 UTC.
  EXPECT_EQ(*parse_as_of("2024-01-15T08:00"), 1705280400000);
  EXPECT_EQ(*parse_as_of("2024-01-15T08:00:30"), 1705280430000);
  EXPECT_EQ(*parse_as_of("2024-01-15T01:00Z"), 1705280400000);
  EXPECT_EQ(*parse_as_of("2024-01-15T08:00+07:00"), 1705280400000);
  EXPECT_EQ(*parse_as_of("2024-01-14T20:00-05:00"), 1705280400000);
  // A date alone: everything known by the end of that day in Vietnam.
  EXPECT_EQ(*parse_as_of("2024-01-15"), 1705338000000 - 1);
  EXPECT_EQ(format_as_of(1705280400000), "2024-01-15T08:00:00+07:00");
  for (const char* bad : {"", "15/01/2024", "2024-01-15T25:00", "2024-01-15 08", "yesterday"}) {
    Result<int64_t> r = parse_as_of(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidInput) << bad;
    EXPECT_NE(r.status().message().find("as-of"), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace qpan
