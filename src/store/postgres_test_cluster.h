// The PostgreSQL cluster the C++ tests run their PostgreSQL cases on, and the parameter
// that runs a test over each store (Backend: sqlite, postgresql). Without PostgreSQL's
// binaries (in /usr/lib/postgresql/15/bin, or QPAN_TEST_POSTGRES_BIN) the PostgreSQL cases
// fail, saying so, unless QPAN_TEST_POSTGRES=off.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>

#include "qpan/status.h"
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

// A PostgreSQL cluster reached only through a Unix socket: the cluster of the whole CTest
// run when QPAN_TEST_POSTGRES_SOCKET names its socket folder (tests/cli/pg_cluster.sh, a
// CTest fixture), or else one in a temporary folder, started by the first test that needs
// it and stopped when the binary ends.
class PostgresCluster : public ::testing::Environment {
 public:
  // PostgreSQL 15's programs: Debian's folder, or QPAN_TEST_POSTGRES_BIN.
  PostgresCluster() {
    const char* bin = std::getenv("QPAN_TEST_POSTGRES_BIN");
    bin_ = bin && *bin ? bin : "/usr/lib/postgresql/15/bin";
    const char* shared = std::getenv("QPAN_TEST_POSTGRES_SOCKET");
    if (shared && *shared) shared_dir_ = shared;
  }

  // Whether the PostgreSQL cases are left out (QPAN_TEST_POSTGRES=off).
  static bool turned_off() {
    const char* wanted = std::getenv("QPAN_TEST_POSTGRES");
    return wanted && std::string_view(wanted) == "off";
  }

  // The connection string of a new, empty database; an error naming what is missing when
  // the cluster cannot run.
  Result<std::string> create_database() {
    QPAN_RETURN_IF_ERROR(start());
    Result<postgres::Connection> admin = postgres::Connection::open(conninfo("postgres"));
    if (!admin) return admin.status();
    // A database name is an identifier, not a value: it cannot be a parameter. It is made
    // of a counter here, never of input.
    const std::string name = new_database_name();
    QPAN_RETURN_IF_ERROR(admin->exec("CREATE DATABASE " + name));
    return conninfo(name);
  }

  // The connection string of a new database copied from the template database `name`
  // (CREATE DATABASE … TEMPLATE, a file copy: much quicker than filling one again). The
  // first test process that asks builds the template: `fill` fills an empty database given
  // its connection string and closes its connections. An advisory lock makes the others
  // wait for it; the template is renamed into place only when whole.
  Result<std::string> create_database_like(const std::string& name,
                                           const std::function<Status(const std::string& conninfo)>& fill) {
    QPAN_RETURN_IF_ERROR(start());
    Result<postgres::Connection> admin = postgres::Connection::open(conninfo("postgres"));
    if (!admin) return admin.status();
    // Identifiers below are the caller's constant `name` and counters, never input.
    QPAN_RETURN_IF_ERROR(admin->query("SELECT pg_advisory_lock(hashtext($1))", postgres::Params().add(name)).status());
    Result<postgres::Rows> present =
        admin->query("SELECT 1 FROM pg_database WHERE datname = $1", postgres::Params().add(name));
    if (!present) return present.status();
    if (present->empty()) {
      const std::string building = name + "_building_" + std::to_string(::getpid());
      QPAN_RETURN_IF_ERROR(admin->exec("DROP DATABASE IF EXISTS " + building + " WITH (FORCE)"));
      QPAN_RETURN_IF_ERROR(admin->exec("CREATE DATABASE " + building));
      Status filled = fill(conninfo(building));
      if (!filled.is_ok()) {
        (void)admin->exec("DROP DATABASE IF EXISTS " + building + " WITH (FORCE)");
        return Status(filled.code(), "template database " + name + ": " + filled.message());
      }
      QPAN_RETURN_IF_ERROR(once_unused(*admin, "ALTER DATABASE " + building + " RENAME TO " + name));
    }
    QPAN_RETURN_IF_ERROR(admin->query("SELECT pg_advisory_unlock(hashtext($1))", postgres::Params().add(name)).status());
    const std::string copy = new_database_name();
    QPAN_RETURN_IF_ERROR(once_unused(*admin, "CREATE DATABASE " + copy + " TEMPLATE " + name));
    return conninfo(copy);
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
  // The run's shared cluster has no standby: a test binary that needs one runs without
  // QPAN_TEST_POSTGRES_SOCKET (tests/CMakeLists.txt gives it only to the API tests).
  Result<std::string> standby_of(const std::string& conninfo) {
    QPAN_RETURN_IF_ERROR(start());
    if (!shared_dir_.empty()) {
      return Status::invalid_input("a standby needs a private cluster, not the shared one of QPAN_TEST_POSTGRES_SOCKET=" +
                                   shared_dir_.string());
    }
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
    if (!started_ || !shared_dir_.empty()) return;  // the shared cluster is its fixture's to stop
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
  // Runs `sql`, which needs a database nobody is connected to: the server ends the backend of
  // a closed connection a moment after the client left, so "being accessed by other users"
  // is waited out (up to 5 s).
  static Status once_unused(postgres::Connection& admin, const std::string& sql) {
    Status s = admin.exec(sql);
    for (int attempt = 0; attempt < 100 && !s.is_ok() && s.message().find("being accessed by other users") != std::string::npos;
         ++attempt) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      s = admin.exec(sql);
    }
    return s;
  }

  // t_<pid>_<n>: unique among the test processes sharing a cluster.
  std::string new_database_name() {
    return "t_" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  }

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
    if (!shared_dir_.empty()) {
      if (!fs::exists(shared_dir_ / ".s.PGSQL.5432")) {
        failure_ = Status::not_found("no PostgreSQL socket in QPAN_TEST_POSTGRES_SOCKET=" + shared_dir_.string() +
                                     " (started by the CTest fixture cli.pg.cluster.start)");
        return *failure_;
      }
      dir_ = shared_dir_;
      started_ = true;
      return Status::ok();
    }
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
  fs::path dir_, shared_dir_;
  bool started_ = false, standby_started_ = false;
  std::optional<Status> failure_;
  int databases_ = 0;
};

// The one cluster of the test binary (registered once, however many files include this).
inline PostgresCluster* const postgres_cluster =
    static_cast<PostgresCluster*>(::testing::AddGlobalTestEnvironment(new PostgresCluster));

}  // namespace qpan
