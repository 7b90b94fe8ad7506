// The SQLite store (see qpan/store.h): one connection in WAL mode holding every concern
// (sqlite_units.cc, sqlite_catalogue.cc, sqlite_values.cc, sqlite_accounts.cc,
// sqlite_approvals.cc, sqlite_registry.cc) and the change log they append to
// (sqlite_change_log.cc), the schema migrated on open, and the write-ahead log checkpointed
// in the background for a server's writer.
#include <condition_variable>
#include <iterator>
#include <mutex>
#include <thread>

#include "qpan/store.h"
#include "store/sqlite.h"
#include "store/sqlite_stores.h"
#include "store/schema.h"

namespace qpan {
namespace sqlite {
namespace {

// Copies the write-ahead log back into the database file on a connection and thread of its
// own, so that a commit seldom waits for it: SQLite would otherwise checkpoint inside the
// commit that takes the log past 1000 pages, stalling every request of that group. PASSIVE
// checkpoints never block the writer, but under steady writes they never reach the end of
// the log, so it would never start over and would grow without end (slowing every look-up
// in it). So once the log passes kWriterCheckpointPages the writer checkpoints itself right
// after its commit: only what the background has not copied yet, and then the log starts
// over.
class BackgroundCheckpointer {
 public:
  static constexpr int kStartPages = 1000;
  static constexpr int kWriterCheckpointPages = 8000;  // 31 MiB of 4 KiB pages
  BackgroundCheckpointer(Database db, sqlite3* writer) : db_(std::move(db)), writer_(writer) {
    sqlite3_wal_hook(writer_, &BackgroundCheckpointer::on_commit, this);
    thread_ = std::thread([this] { run(); });
  }
  ~BackgroundCheckpointer() {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }
  BackgroundCheckpointer(const BackgroundCheckpointer&) = delete;
  BackgroundCheckpointer& operator=(const BackgroundCheckpointer&) = delete;

 private:
  // SQLite calls this after every commit, with the log's size in pages.
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages) {
    auto* c = static_cast<BackgroundCheckpointer*>(self);
    if (pages >= kWriterCheckpointPages) {
      (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    } else if (pages >= kStartPages) {
      {
        std::lock_guard lock(c->mutex_);
        c->wanted_ = true;
      }
      c->wake_.notify_one();
    }
    return SQLITE_OK;
  }

  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || wanted_; });
      if (stopping_) return;
      wanted_ = false;
      lock.unlock();
      // A failure (busy, I/O) leaves the log as it is: the next commit asks again.
      (void)sqlite3_wal_checkpoint_v2(db_.handle(), "main", SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      lock.lock();
    }
  }

  Database db_;
  sqlite3* writer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool wanted_ = false, stopping_ = false;
  std::thread thread_;
};

// The connection, a base of SqliteStore so that it is opened before the concerns that use it
// and closed after them.
struct SqliteConnection {
  explicit SqliteConnection(Database db) : db(std::move(db)), log(this->db) {}
  Database db;
  ChangeLogWriter log;  // the change log entries every concern appends
};

class SqliteStore final : private SqliteConnection,
                          public Store,
                          public SqliteUnitStore,
                          public SqliteCatalogueStore,
                          public SqliteValueStore,
                          public SqliteAccountStore,
                          public SqliteApprovalStore,
                          public SqliteRegistryStore,
                          public SqliteChangeLogStore {
 public:
  explicit SqliteStore(Database database)
      : SqliteConnection(std::move(database)),
        SqliteUnitStore(db, log),
        SqliteCatalogueStore(db, log),
        SqliteValueStore(db, log),
        SqliteAccountStore(db, log),
        SqliteApprovalStore(db, log),
        SqliteRegistryStore(db, log),
        SqliteChangeLogStore(db) {
    log.set_default_actor(&change_actor());
  }

  // See StoreOptions::checkpoint_in_background.
  Status checkpoint_in_background(const std::string& path) {
    Result<Database> own = Database::open(path, false);
    if (!own) return own.status();
    checkpointer_ = std::make_unique<BackgroundCheckpointer>(std::move(*own), db.handle());
    return Status::ok();
  }

  Status initialize() {
    // WAL: readers never block the writer; a killed writer leaves no trace. FULL makes a
    // committed import survive a power cut too (one fsync per transaction).
    QPAN_RETURN_IF_ERROR(db.exec("PRAGMA journal_mode=WAL"));
    QPAN_RETURN_IF_ERROR(db.exec("PRAGMA synchronous=FULL"));
    QPAN_RETURN_IF_ERROR(db.exec("PRAGMA foreign_keys=ON"));
    // Pages are allocated lazily, so a small database never uses this much; a national
    // import keeps its B-tree in memory instead of spilling half-written pages.
    QPAN_RETURN_IF_ERROR(db.exec("PRAGMA cache_size=-1048576"));
    QPAN_RETURN_IF_ERROR(db.exec("PRAGMA temp_store=MEMORY"));
    return migrate();
  }

 private:
  Status migrate() {
    auto version = db.prepare("PRAGMA user_version");
    if (!version) return version.status();
    if (!version->step()) return db.error("cannot read schema version");
    const int64_t current = version->column_int(0);
    version->reset();
    const int64_t latest = std::size(sqlite_schema::kMigrations);
    if (current > latest) {
      return Status::conflict("database schema version " + std::to_string(current) +
                              " is newer than this qpan (" + std::to_string(latest) +
                              "); upgrade qpan");
    }
    if (current == latest) return Status::ok();
    Transaction tx(db);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    for (int64_t v = current; v < latest; ++v) {
      QPAN_RETURN_IF_ERROR(db.exec(sqlite_schema::kMigrations[v]));
    }
    // PRAGMA takes no parameters; `latest` is a compile-time count, not input.
    QPAN_RETURN_IF_ERROR(db.exec("PRAGMA user_version = " + std::to_string(latest)));
    return tx.commit();
  }

  std::unique_ptr<BackgroundCheckpointer> checkpointer_;  // stops before the connection closes
};

}  // namespace
}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const StoreOptions& options) {
  Result<sqlite::Database> db = sqlite::Database::open(path, options.create_if_missing);
  if (!db) return db.status();
  auto store = std::make_unique<sqlite::SqliteStore>(std::move(*db));
  Status s = store->initialize();
  if (!s) {
    if (s.code() == StatusCode::kIoError && s.message().find("file is not a database") != std::string::npos) {
      return Status::invalid_input(path + " is not a qpan database (not an SQLite file)");
    }
    return s;
  }
  if (options.checkpoint_in_background) QPAN_RETURN_IF_ERROR(store->checkpoint_in_background(path));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace qpan
