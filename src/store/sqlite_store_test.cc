// Tests of what only the SQLite store has: a database file (not created without asking, not
// a SQLite file refused), the WAL journal and its background checkpoints. What every store
// does is tested over both stores in store_test.cc.
#include "qpan/store.h"
#include "store/store_test_support.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace qpan {
namespace {

namespace fs = std::filesystem;

using SqliteStoreTest = StoreTest;

TEST_P(SqliteStoreTest, MissingDatabaseIsNotCreatedWithoutAsking) {
  Result<std::unique_ptr<Store>> s = open_sqlite_store((dir_ / "absent.db").string());
  ASSERT_FALSE(s.is_ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_NE(s.status().message().find("qpan init"), std::string::npos);
}

TEST_P(SqliteStoreTest, RejectsAFileThatIsNotADatabase) {
  const std::string junk = (dir_ / "junk.db").string();
  FILE* f = fopen(junk.c_str(), "w");
  fputs("this is not sqlite, just text that is long enough to have a header............", f);
  fclose(f);
  Result<std::unique_ptr<Store>> s = open_sqlite_store(junk);
  ASSERT_FALSE(s.is_ok());
  EXPECT_TRUE(s.status().is_user_error()) << s.status().message();
}

TEST_P(SqliteStoreTest, UsesWalJournal) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_P(SqliteStoreTest, BackgroundCheckpointsKeepTheLogShortAndLoseNothing) {
  add_units();
  add_catalogue();
  const ValueWrite base = value(element_id("crime.ttxh.cases"), 0);
  store_.reset();
  Result<std::unique_ptr<Store>> server = open_sqlite_store(path_, {.checkpoint_in_background = true});
  ASSERT_TRUE(server.is_ok()) << server.status().message();
  // Enough commits of enough pages to pass the writer's own checkpoint threshold (8,000
  // pages): every commit writes a fresh month of 2,400 comment-padded values (33 MiB in all).
  const std::string padding(200, 'x');
  for (int month = 0; month < 60; ++month) {
    std::vector<ValueWrite> rows;
    for (int element = 0; element < 2400; ++element) {
      ValueWrite w = base;
      w.integer = month;
      w.key.period = Period::month(2020 + month / 12, 1 + month % 12).key();
      w.key.option_id = element;  // distinct keys in order
      w.comment = padding;
      rows.push_back(w);
    }
    ASSERT_TRUE((*server)->write_values(rows, {"t", 0, "test"}).is_ok());
  }
  EXPECT_LT(fs::file_size(path_ + "-wal"), 40u << 20);
  server->reset();
  store_ = open();
  int64_t count = 0;
  ASSERT_TRUE(store_->scan_values({}, [&](const ValueKey&, const DataValue&) { ++count; }).is_ok());
  EXPECT_EQ(count, 60 * 2400);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteStoreTest, ::testing::Values(Backend::kSqlite), backend_name);

}  // namespace
}  // namespace qpan
