// The fixture the store's tests share, run over each store (a value-parameterised test:
// sqlite, postgresql): a database of its own, with a few real units (Lai Châu), a small
// catalogue and helpers to write and read values. The PostgreSQL side runs on the test
// cluster of store/postgres_test_cluster.h; each test gets a fresh database in it.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/store.h"
#include "store/postgres.h"
#include "store/postgres_test_cluster.h"

namespace qpan {

namespace fs = std::filesystem;

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    dir_ = fs::temp_directory_path() / ("qpan-store-test-" + std::to_string(::getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "q.db").string();
    if (is_postgres()) {
      if (PostgresCluster::turned_off()) GTEST_SKIP() << "QPAN_TEST_POSTGRES=off";
      Result<std::string> database = postgres_cluster->create_database();
      if (!database) GTEST_FAIL() << "PostgreSQL case: " << database.status().message();
      conninfo_ = *database;
    }
    store_ = open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    if (!conninfo_.empty()) postgres_cluster->drop_database(conninfo_);
    fs::remove_all(dir_);
  }

  bool is_postgres() const { return GetParam() == Backend::kPostgres; }

  // Another connection to the test's database.
  std::unique_ptr<Store> open() {
    Result<std::unique_ptr<Store>> s = is_postgres() ? open_postgres_store(conninfo_, {.create_if_missing = true})
                                                     : open_sqlite_store(path_, {.create_if_missing = true});
    EXPECT_TRUE(s.is_ok()) << s.status().message();
    return s.is_ok() ? std::move(*s) : nullptr;
  }

  // Runs SQL on the database through a connection of its own (what another program or an
  // older qpan would do).
  void run_sql(const std::string& sql) {
    if (is_postgres()) {
      Result<postgres::Connection> db = postgres::Connection::open(conninfo_);
      ASSERT_TRUE(db.is_ok()) << db.status().message();
      Status s = db->exec(sql);
      EXPECT_TRUE(s.is_ok()) << s.message();
      return;
    }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  void add_units() {
    OrgUnitVersion province{"12", OrgUnitLevel::kProvince, "Tỉnh Lai Châu", "Tỉnh", "", {}, {}};
    OrgUnitVersion district{"106", OrgUnitLevel::kDistrict, "Huyện Tam Đường", "Huyện", "12", {},
                            make_date(2025, 7, 1)};
    OrgUnitVersion commune{"03397", OrgUnitLevel::kCommune, "Xã Sùng Phài", "Xã", "106", {},
                           make_date(2020, 2, 1)};
    ASSERT_TRUE(store_->save_org_units({province, district, commune}, {}).is_ok());
  }

  void add_catalogue() {
    Disaggregation partner{0, "partner", "Đối tác", "Partner",
                           {{0, "van_nam", "Vân Nam", "Yunnan"}, {0, "bac_lao", "Bắc Lào", "Northern Laos"}}};
    DataElement cases{0, "crime.ttxh.cases", "Số vụ", "Cases", ValueType::kCount, AggregationType::kSum, "", "", ""};
    DataElement delegations{0, "foreign.in.delegations", "Đoàn vào", "Delegations in",
                            ValueType::kCount, AggregationType::kSum, "partner", "", ""};
    DataElement note{0, "note", "Ghi chú", "Note", ValueType::kText, AggregationType::kNone, "", "", ""};
    ASSERT_TRUE(store_->save_catalogue(Catalogue({partner}, {cases, delegations, note})).is_ok());
  }

  // A write of one integer value for element `element_id`, unit 03397, month 2016-01.
  ValueWrite value(int64_t element_id, int64_t v, std::string_view comment = "") {
    ValueWrite w;
    w.key.period = Period::month(2016, 1).key();
    w.key.unit_id = unit_id("03397");
    w.key.element_id = element_id;
    w.integer = v;
    w.stored_by = "xa.sungphai";
    w.last_updated = 1454630400;  // 2016-02-05
    w.comment = comment;
    return w;
  }

  int64_t unit_id(const std::string& code) { return store_->unit_ids()->at(code); }
  int64_t element_id(const std::string& code) {
    return store_->load_catalogue()->element(code)->id;
  }

  std::vector<DataValue> all_values() {
    std::vector<DataValue> out;
    EXPECT_TRUE(store_->scan_values({}, [&](const ValueKey&, const DataValue& v) { out.push_back(v); }).is_ok());
    return out;
  }

  fs::path dir_;
  std::string path_;
  std::string conninfo_;  // the PostgreSQL database's
  std::unique_ptr<Store> store_;
};

}  // namespace qpan
