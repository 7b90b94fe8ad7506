// The store: where org units, the catalogue, data values and their audit trail, user
// accounts and approvals live durably. One interface per concern — UnitStore,
// CatalogueStore, ValueStore, AccountStore, ApprovalStore, RegistryStore, ChangeLogStore (their headers
// say what each keeps) — so that a module depends only on what it uses and a second store can be
// written one concern at a time; `Store` is all of them over one database, which is what
// the shells open. SQLite (one file, WAL mode) is the embedded default;
// PostgreSQL serves several processes and machines. Every write call
// is one transaction: it happens whole or not at all, also when the process is killed
// half-way.
//
// Thread-safety: a Store object is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "qpan/account_store.h"
#include "qpan/approval_store.h"
#include "qpan/catalogue_store.h"
#include "qpan/change_log.h"
#include "qpan/registry_store.h"
#include "qpan/status.h"
#include "qpan/unit_store.h"
#include "qpan/value_store.h"

namespace qpan {

// Every concern over one database. The concerns are virtual bases so that an
// implementation can be assembled from one class per concern.
class Store : public virtual UnitStore,
              public virtual CatalogueStore,
              public virtual ValueStore,
              public virtual AccountStore,
              public virtual ApprovalStore,
              public virtual RegistryStore,
              public virtual ChangeLogStore {
 public:
  ~Store() override = default;

  // Whether the database takes no writes: a PostgreSQL hot standby (pg_is_in_recovery() when
  // the store was opened). Its readers see the primary's commits; writes fail there.
  virtual bool read_only() const { return false; }
};

struct StoreOptions {
  bool create_if_missing = false;
  // Copy the write-ahead log into the database on a thread and connection of its own instead
  // of inside the commit that fills it (for a server's writer connection).
  bool checkpoint_in_background = false;
};

// Opens (or creates) a SQLite database file and brings its schema up to date.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const StoreOptions& options = {});

// Opens a PostgreSQL database (a libpq connection URI or string, e.g.
// "postgresql:///qpan?host=/run/postgresql") and brings its schema up to date; the database
// must exist (createdb). The same semantics as the SQLite store, over a server that several
// qpan processes share; writers take turns through the change log's head row.
Result<std::unique_ptr<Store>> open_postgres_store(const std::string& conninfo,
                                                   const StoreOptions& options = {});

// True when `db` names a PostgreSQL database ("postgresql://…" or "postgres://…") rather than
// a SQLite file.
bool is_postgres_url(std::string_view db);

}  // namespace qpan
