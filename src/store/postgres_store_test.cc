// Tests of what only the PostgreSQL store has: servers starting at once migrate the schema
// once, connections writing at once share one gap-free log in commit order, a commit is
// noticed through NOTIFY, and on a hot standby (no NOTIFY there) by looking at the log,
// errors that name the server's cause, a bulk import leaves the table with statistics, a
// COPY stopped by its reader leaves the connection usable. What
// every store does is tested in store_test.cc and change_log_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "qpan/store.h"
#include "store/postgres.h"
#include "store/postgres_copy.h"
#include "store/store_test_support.h"

namespace qpan {
namespace {

using PostgresStoreTest = StoreTest;

TEST_P(PostgresStoreTest, ServersStartingAtOnceMigrateOnce) {
  // A database no store has opened yet: several open it at once.
  Result<std::string> fresh = postgres_cluster->create_database();
  ASSERT_TRUE(fresh.is_ok()) << fresh.status().message();
  constexpr int kServers = 4;
  std::atomic<int> opened = 0;
  std::vector<std::thread> servers;
  for (int i = 0; i < kServers; ++i) {
    servers.emplace_back([&] {
      Result<std::unique_ptr<Store>> s = open_postgres_store(*fresh);
      EXPECT_TRUE(s.is_ok()) << s.status().message();
      if (s.is_ok()) ++opened;
    });
  }
  for (std::thread& t : servers) t.join();
  EXPECT_EQ(opened.load(), kServers);
}

TEST_P(PostgresStoreTest, ConnectionsWritingAtOnceShareOneGaplessLog) {
  add_units();
  add_catalogue();
  const int64_t cases = element_id("crime.ttxh.cases");
  const ValueWrite base = value(cases, 0);
  const int64_t start = store_->log_end()->seq;
  constexpr int kWriters = 4, kWritesEach = 20;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::unique_ptr<Store> own = open();
      ASSERT_NE(own, nullptr);
      for (int i = 0; i < kWritesEach; ++i) {
        ValueWrite row = base;
        row.integer = i;
        row.key.period = Period::month(2000 + w, 1 + i % 12).key();  // months repeat: updates too
        Result<ValueWriteSummary> s =
            own->write_values(std::vector<ValueWrite>{row}, {"writer" + std::to_string(w), 1700000000, "test"});
        EXPECT_TRUE(s.is_ok()) << s.status().message();
      }
    });
  }
  for (std::thread& t : writers) t.join();
  std::vector<int64_t> seqs;
  int64_t last_at = 0;
  ASSERT_TRUE(store_->read_changes(start, 1000000, [&](const Change& c) {
    seqs.push_back(c.seq);
    EXPECT_GE(c.at_ms, last_at);
    last_at = c.at_ms;
  }).is_ok());
  ASSERT_EQ(seqs.size(), static_cast<size_t>(kWriters * kWritesEach));
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], start + 1 + static_cast<int64_t>(i));
}

TEST_P(PostgresStoreTest, ABulkImportLeavesTheTableWithStatistics) {
  add_units();
  add_catalogue();
  // last_analyze: set by ANALYZE only, never by autovacuum (last_autoanalyze).
  auto analyzed = [&] {
    Result<postgres::Connection> db = postgres::Connection::open(conninfo_);
    EXPECT_TRUE(db.is_ok());
    if (!db) return false;
    Result<postgres::Rows> rows =
        db->query("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'data_value'");
    return rows.is_ok() && !rows->empty() && rows->text(0, 0) == "t";
  };
  const int64_t cases = element_id("crime.ttxh.cases");
  auto days_from = [&](const char* first, int n) {
    std::vector<ValueWrite> rows;
    for (int i = 0; i < n; ++i) {
      ValueWrite row = value(cases, i);
      row.key.period = Period::day(add_days(*parse_date(first), i)).key();
      rows.push_back(row);
    }
    return rows;
  };
  // As `qpan values import` writes: one session.
  auto import = [&](const std::vector<ValueWrite>& rows) -> Result<ValueWriteSummary> {
    Result<std::unique_ptr<ValueWriteSession>> session = store_->begin_value_write({"importer", 1700000000, "test"});
    if (!session) return session.status();
    QPAN_RETURN_IF_ERROR((*session)->write(rows));
    return (*session)->commit();
  };
  ASSERT_TRUE(import(days_from("1960-01-01", 100)).is_ok());
  EXPECT_FALSE(analyzed());  // a hundred values: left to autovacuum
  Result<ValueWriteSummary> bulk = import(days_from("2000-01-01", 10'000));
  ASSERT_TRUE(bulk.is_ok()) << bulk.status().message();
  EXPECT_EQ(bulk->created, 10'000);
  bool done = false;
  for (int i = 0; i < 100 && !(done = analyzed()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(done);
}

TEST_P(PostgresStoreTest, AStandbyNoticesCommitsWithoutNotifications) {
  add_units();
  add_catalogue();
  Result<std::string> standby_conninfo = postgres_cluster->standby_of(conninfo_);
  ASSERT_TRUE(standby_conninfo.is_ok()) << standby_conninfo.status().message();
  // The database reaches the standby a moment after it was made.
  std::unique_ptr<Store> standby;
  for (int attempt = 0; attempt < 100 && !standby; ++attempt) {
    Result<std::unique_ptr<Store>> s = open_postgres_store(*standby_conninfo);
    if (s.is_ok()) standby = std::move(*s); else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(standby, nullptr) << "the standby never had the test's database";
  // A store says whether its database takes writes (`qpan serve` turns read-only on it).
  EXPECT_TRUE(standby->read_only());
  EXPECT_FALSE(store_->read_only());
  ASSERT_TRUE(standby->wait_for_commits(std::chrono::milliseconds(0)).is_ok());  // the first look
  EXPECT_FALSE(*standby->wait_for_commits(std::chrono::milliseconds(20)));
  ASSERT_TRUE(store_->write_values(std::vector<ValueWrite>{value(element_id("crime.ttxh.cases"), 4)}, {"a", 1, ""})
                  .is_ok());
  const int64_t written = store_->log_end()->seq;
  Result<bool> seen = standby->wait_for_commits(std::chrono::milliseconds(5000));
  ASSERT_TRUE(seen.is_ok()) << seen.status().message();
  EXPECT_TRUE(*seen);
  EXPECT_EQ(standby->log_end()->seq, written);
}

// The engine's start-up reads the values as one binary COPY; a reader that gives up (a broken
// stream) cancels it, gets its own reason back, and the connection serves the next statement.
TEST_P(PostgresStoreTest, ACopyStoppedByItsReaderLeavesTheConnectionUsable) {
  Result<postgres::Connection> db = postgres::Connection::open(conninfo_);
  ASSERT_TRUE(db.is_ok()) << db.status().message();
  int pieces = 0;
  Status stopped = db->copy_out("COPY (SELECT g, g * 2 FROM generate_series(1, 200000) g) TO STDOUT (FORMAT binary)",
                                [&](std::string_view) {
                                  ++pieces;
                                  return Status::internal("the reader stops here");
                                });
  EXPECT_EQ(stopped.message(), "the reader stops here");
  EXPECT_EQ(pieces, 1);
  Result<postgres::Rows> after = db->query("SELECT 41 + 1");
  ASSERT_TRUE(after.is_ok()) << after.status().message();
  EXPECT_EQ(after->get_int(0, 0), 42);

  int64_t rows = 0;
  postgres::BinaryCopyParser parser;
  ASSERT_TRUE(db->copy_out("COPY (SELECT g FROM generate_series(1, 1000) g) TO STDOUT (FORMAT binary)",
                           [&](std::string_view piece) {
                             return parser.feed(piece, [&](const postgres::BinaryCopyRow& row) {
                               EXPECT_EQ(row.integer(0), ++rows);
                               return Status::ok();
                             });
                           }).is_ok());
  EXPECT_TRUE(parser.finish().is_ok());
  EXPECT_EQ(rows, 1000);
  EXPECT_FALSE(db->copy_out("SELECT 1", [](std::string_view) { return Status::ok(); }).is_ok())
      << "only a COPY … TO STDOUT is read this way";
}

TEST_P(PostgresStoreTest, ErrorsNameTheCause) {
  Result<std::unique_ptr<Store>> absent = open_postgres_store(conninfo_ + "&dbname=no_such_database");
  ASSERT_FALSE(absent.is_ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
  EXPECT_NE(absent.status().message().find("no_such_database"), std::string::npos) << absent.status().message();
  Result<std::unique_ptr<Store>> no_server = open_postgres_store("postgresql:///qpan?host=/nonexistent-socket-dir");
  ASSERT_FALSE(no_server.is_ok());
  EXPECT_EQ(no_server.status().code(), StatusCode::kIoError);
  EXPECT_NE(no_server.status().message().find("/nonexistent-socket-dir"), std::string::npos);
}

TEST(PostgresUrlTest, OnlyPostgresUrlsArePostgres) {
  EXPECT_TRUE(is_postgres_url("postgresql:///qpan?host=/run/postgresql"));
  EXPECT_TRUE(is_postgres_url("postgres://qpan@db.example/qpan"));
  EXPECT_FALSE(is_postgres_url("qpan.db"));
  EXPECT_FALSE(is_postgres_url("/var/lib/qpan/postgresql.db"));
}

INSTANTIATE_TEST_SUITE_P(Postgres, PostgresStoreTest, ::testing::Values(Backend::kPostgres), backend_name);

}  // namespace
}  // namespace qpan
