// The PostgreSQL store (see qpan/store.h): one connection holding every concern
// (postgres_units.cc, postgres_catalogue.cc, postgres_values.cc, postgres_accounts.cc,
// postgres_approvals.cc, postgres_registry.cc) and the change log they append to
// (postgres_change_log.cc), the schema migrated on open under an advisory lock.
#include <iterator>

#include "qpan/store.h"
#include "store/postgres.h"
#include "store/postgres_schema.h"
#include "store/postgres_stores.h"

namespace qpan {
namespace postgres {
namespace {

// The connection, a base of PostgresStore so that it is opened before the concerns that use
// it and closed after them.
struct PostgresConnection {
  explicit PostgresConnection(Connection connection) : db(std::move(connection)), log(db) {}
  Connection db;
  ChangeLogWriter log;  // the change log entries every concern appends
};

class PostgresStore final : private PostgresConnection,
                            public Store,
                            public PostgresUnitStore,
                            public PostgresCatalogueStore,
                            public PostgresValueStore,
                            public PostgresAccountStore,
                            public PostgresApprovalStore,
                            public PostgresRegistryStore,
                            public PostgresChangeLogStore {
 public:
  explicit PostgresStore(Connection connection)
      : PostgresConnection(std::move(connection)),
        PostgresUnitStore(db, log),
        PostgresCatalogueStore(db, log),
        PostgresValueStore(db, log),
        PostgresAccountStore(db, log),
        PostgresApprovalStore(db, log),
        PostgresRegistryStore(db, log),
        PostgresChangeLogStore(db) {
    log.set_default_actor(&change_actor());
  }

  bool read_only() const override { return in_recovery_; }

  // Brings the schema up to date. Reads the version first without a lock, so that an
  // up-to-date database opens without writing (also on a read-only hot standby).
  Status migrate() {
    Result<Rows> recovery = db.query("SELECT pg_is_in_recovery()");
    if (!recovery) return recovery.status();
    in_recovery_ = recovery->get_bool(0, 0);
    const int64_t latest = std::size(postgres_schema::kMigrations);
    Result<int64_t> current = schema_version();
    if (!current) return current.status();
    if (*current == latest) return Status::ok();
    if (*current > latest) return newer_than_this_qpan(*current, latest);
    if (in_recovery_) {
      return Status::read_only("the database is a hot standby at schema version " + std::to_string(*current) +
                               ", and this qpan needs version " + std::to_string(latest) +
                               ": open the primary with this qpan first (the standby follows it)");
    }
    Transaction tx(db);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    // Another server may be migrating: wait for it, then read again what it left.
    QPAN_RETURN_IF_ERROR(db.exec("SELECT pg_advisory_xact_lock(" + std::to_string(postgres_schema::kMigrationLock) +
                                 ")"));  // a compile-time constant, not input
    QPAN_RETURN_IF_ERROR(db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
    current = schema_version();
    if (!current) return current.status();
    if (*current > latest) return newer_than_this_qpan(*current, latest);
    for (int64_t v = *current; v < latest; ++v) {
      QPAN_RETURN_IF_ERROR(db.exec(postgres_schema::kMigrations[v]));
    }
    QPAN_RETURN_IF_ERROR(db.run("DELETE FROM schema_version").status());
    QPAN_RETURN_IF_ERROR(db.run("INSERT INTO schema_version (version) VALUES ($1)", Params().add(latest)).status());
    return tx.commit();
  }

 private:
  bool in_recovery_ = false;  // a hot standby: read-only

  // The schema's version (0: none yet).
  Result<int64_t> schema_version() {
    Result<Rows> exists = db.query("SELECT to_regclass('schema_version') IS NOT NULL");
    if (!exists) return exists.status();
    if (!exists->get_bool(0, 0)) return int64_t{0};
    Result<Rows> version = db.query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (!version) return version.status();
    return version->get_int(0, 0);
  }

  static Status newer_than_this_qpan(int64_t current, int64_t latest) {
    return Status::conflict("database schema version " + std::to_string(current) + " is newer than this qpan (" +
                            std::to_string(latest) + "); upgrade qpan");
  }
};

}  // namespace
}  // namespace postgres

bool is_postgres_url(std::string_view db) {
  return db.starts_with("postgresql://") || db.starts_with("postgres://");
}

Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo, const StoreOptions&) {
  // create_if_missing: the schema is created in an existing database; the database itself is
  // the administrator's to create (createdb), with its owner and locale.
  // checkpoint_in_background: SQLite's write-ahead log only; the server checkpoints its own.
  Result<postgres::Connection> connection = postgres::Connection::open(conninfo);
  if (!connection) return connection.status();
  auto store = std::make_unique<postgres::PostgresStore>(std::move(*connection));
  QPAN_RETURN_IF_ERROR(store->migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace qpan
