// The fixture the store's tests share, run over each store (a value-parameterised test:
// sqlite, postgresql): a database of its own, with a few real units (Lai Châu), a small
// catalogue and helpers to write and read values. The PostgreSQL side runs on a private
// cluster the test binary starts on first use (PostgresCluster, a gtest global environment
// that stops it at the end); each test gets a fresh database in it. Without PostgreSQL's
// binaries (in /usr/lib/postgresql/15/bin, or QPAN_TEST_POSTGRES_BIN) the PostgreSQL cases
// fail, saying so, unless QPAN_TEST_POSTGRES=off.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/store.h"
#include "store/postgres.h"

namespace qpan {

namespace fs = std::filesystem;

enum class Backend { kSqlite, kPostgres };

inline void PrintTo(Backend backend, std::ostream* out) {
  *out << (backend == Backend::kSqlite ? "sqlite" : "postgresql");
}

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgresql";
}

// A PostgreSQL cluster in a temporary folder, reached only through a Unix socket there,
// started by the first test that needs it and stopped when the binary ends.
class PostgresCluster : public ::testing::Environment {
 public:
  // PostgreSQL 15's programs: Debian's folder, or QPAN_TEST_POSTGRES_BIN.
  PostgresCluster() {
    const char* bin = std::getenv("QPAN_TEST_POSTGRES_BIN");
    bin_ = bin && *bin ? bin : "/usr/lib/postgresql/15/bin";
  }

  // The connection string of a new, empty database; an error naming what is missing when
  // the cluster cannot run.
  Result<std::string> create_database() {
    QPAN_RETURN_IF_ERROR(start());
    Result<postgres::Connection> admin = postgres::Connection::open(conninfo("postgres"));
    if (!admin) return admin.status();
    // A database name is an identifier, not a value: it cannot be a parameter. It is made
    // of a counter here, never of input.
    const std::string name = "t_" + std::to_string(++databases_);
    QPAN_RETURN_IF_ERROR(admin->exec("CREATE DATABASE " + name));
    return conninfo(name);
  }

  // Drops a database create_database() made (the cluster stays small, so a standby's base
  // backup stays quick). Connections left open to it are ended.
  void drop_database(const std::string& conninfo) {
    const std::string prefix = "postgresql:///";
    const std::string name = conninfo.substr(prefix.size(), conninfo.find('?') - prefix.size());
    Result<postgres::Connection> admin = postgres::Connection::open(this->conninfo("postgres"));
    if (admin) (void)admin->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");  // our own t_<n>
  }

  // The connection string of `conninfo`'s database on a hot standby of the cluster (started
  // on first use, streaming from it; a database created on the primary appears there soon).
  Result<std::string> standby_of(const std::string& conninfo) {
    QPAN_RETURN_IF_ERROR(start());
    if (!standby_started_) {
      const std::string standby = (dir_ / "standby").string();
      // A fast checkpoint (the default spreads it over minutes), no fsync: a test's copy.
      if (run_as_postgres(bin_ + "/pg_basebackup --checkpoint=fast --no-sync -D " + standby + " -R -h " +
                          dir_.string() + " -U postgres >" + (dir_ / "basebackup.log").string() + " 2>&1") != 0) {
        return Status::io_error("pg_basebackup failed; see " + (dir_ / "basebackup.log").string());
      }
      if (run_as_postgres(bin_ + "/pg_ctl -D " + standby + " -l " + (dir_ / "standby.log").string() +
                          " -w -o \"-c listen_addresses='' -c port=5433 -c unix_socket_directories=" +
                          dir_.string() + " -c hot_standby=on\" start >/dev/null") != 0) {
        return Status::io_error("the standby did not start; see " + (dir_ / "standby.log").string());
      }
      standby_started_ = true;
    }
    return conninfo + "&port=5433";
  }

  void TearDown() override {
    if (!started_) return;
    if (standby_started_) {
      (void)run_as_postgres(bin_ + "/pg_ctl -D " + (dir_ / "standby").string() +
                            " -m fast -w stop >/dev/null 2>&1");
      standby_started_ = false;
    }
    (void)run_as_postgres(bin_ + "/pg_ctl -D " + (dir_ / "data").string() +
                          " -m fast -w stop >/dev/null 2>&1");
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    started_ = false;
  }

 private:
  std::string conninfo(const std::string& database) const {
    return "postgresql:///" + database + "?host=" + dir_.string() + "&user=postgres";
  }

  // PostgreSQL refuses to run as root: as root, commands run as the postgres user.
  static int run_as_postgres(const std::string& command) {
    const std::string line = ::geteuid() == 0 ? "cd / && runuser -u postgres -- " + command : command;
    return std::system(line.c_str());
  }

  Status start() {
    if (started_) return Status::ok();
    if (failure_) return *failure_;
    failure_ = start_cluster();
    if (failure_->is_ok()) {
      started_ = true;
      failure_.reset();
      return Status::ok();
    }
    return *failure_;
  }

  // A test binary that crashed never stopped its cluster: the clusters of test processes
  // that are gone (qpan-pg-<pid>) are stopped and removed.
  void stop_abandoned_clusters() {
    std::error_code ignored;
    for (const fs::directory_entry& entry : fs::directory_iterator(fs::temp_directory_path(), ignored)) {
      const std::string name = entry.path().filename().string();
      if (!name.starts_with("qpan-pg-") || name.size() == 8 ||
          name.find_first_not_of("0123456789", 8) != std::string::npos) {
        continue;
      }
      const pid_t owner = static_cast<pid_t>(std::stol(name.substr(8)));
      if (::kill(owner, 0) == 0 || errno != ESRCH) continue;  // its test binary still runs
      (void)run_as_postgres(bin_ + "/pg_ctl -D " + (entry.path() / "data").string() +
                            " -m immediate -w stop >/dev/null 2>&1");
      fs::remove_all(entry.path(), ignored);
    }
  }

  Status start_cluster() {
    if (!fs::exists(fs::path(bin_) / "initdb") || !fs::exists(fs::path(bin_) / "pg_ctl")) {
      return Status::not_found("PostgreSQL 15 is not installed (no " + bin_ +
                               "/initdb): install postgresql-15 (scripts/install-deps.sh), or set "
                               "QPAN_TEST_POSTGRES=off to leave the PostgreSQL cases out");
    }
    stop_abandoned_clusters();
    dir_ = fs::temp_directory_path() / ("qpan-pg-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    if (::geteuid() == 0 && std::system(("chown postgres: " + dir_.string()).c_str()) != 0) {
      return Status::io_error("cannot give " + dir_.string() + " to the postgres user");
    }
    const std::string data = (dir_ / "data").string(), log = (dir_ / "server.log").string();
    if (run_as_postgres(bin_ + "/initdb -D " + data + " -U postgres --auth=trust -E UTF8 --locale=C >" +
                        (dir_ / "initdb.log").string() + " 2>&1") != 0) {
      return Status::io_error("initdb failed; see " + (dir_ / "initdb.log").string());
    }
    // Sockets only, in the private folder; fsync off: a test's data need not survive a crash.
    if (run_as_postgres(bin_ + "/pg_ctl -D " + data + " -l " + log + " -w -o \"-c listen_addresses='' " +
                        "-c unix_socket_directories=" + dir_.string() + " -c fsync=off " +
                        "-c synchronous_commit=off -c full_page_writes=off\" start >/dev/null") != 0) {
      std::ifstream server_log(log);
      std::string text((std::istreambuf_iterator<char>(server_log)), std::istreambuf_iterator<char>());
      return Status::io_error("PostgreSQL did not start: " + text);
    }
    return Status::ok();
  }

  std::string bin_;
  fs::path dir_;
  bool started_ = false, standby_started_ = false;
  std::optional<Status> failure_;
  int databases_ = 0;
};

// The one cluster of the test binary (registered once, however many files include this).
inline PostgresCluster* const postgres_cluster =
    static_cast<PostgresCluster*>(::testing::AddGlobalTestEnvironment(new PostgresCluster));

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
      const char* wanted = std::getenv("QPAN_TEST_POSTGRES");
      if (wanted && std::string_view(wanted) == "off") GTEST_SKIP() << "QPAN_TEST_POSTGRES=off";
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
