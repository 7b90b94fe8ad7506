// Thin RAII layer over the SQLite C API: a connection, prepared statements with typed
// binding, and a transaction guard that rolls back unless committed. Only prepared
// statements are offered; SQL text never carries values.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "qpan/status.h"

namespace qpan::sqlite {

class Statement;

class Database {
 public:
  static Result<Database> open(const std::string& path, bool create_if_missing);
  Database() = default;
  Database(Database&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Database& operator=(Database&& o) noexcept {
    std::swap(db_, o.db_);
    return *this;
  }
  ~Database();

  // Runs SQL without parameters (schema, pragmas, BEGIN/COMMIT).
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  int64_t changes() const { return sqlite3_changes64(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  sqlite3* handle() const { return db_; }
  Status error(std::string_view what) const;

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}
  Statement& operator=(Statement&& o) noexcept {
    std::swap(stmt_, o.stmt_);
    return *this;
  }
  ~Statement() { sqlite3_finalize(stmt_); }

  // Parameters are 1-based, as in SQLite.
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, int v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  // For text that outlives the next step() (saves a copy in bulk writes).
  void bind_static(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  // Bytes stored as a BLOB (copied).
  void bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, const char* v) { bind(i, std::string_view(v)); }
  void bind(int i, const std::string& v) { bind(i, std::string_view(v)); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }
  // Column `col` of the current row of `from`, whatever its type (copied).
  void bind_column(int i, const Statement& from, int col) {
    sqlite3_bind_value(stmt_, i, sqlite3_column_value(from.stmt_, col));
  }
  template <typename T>
  void bind(int i, const std::optional<T>& v) {
    if (v) bind(i, *v); else bind_null(i);
  }

  // Returns true while a row is available; an error ends iteration and is kept in status().
  bool step();
  // Runs a statement that returns no rows; resets it for reuse.
  Status run();
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Status status() const { return status_; }

  int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string_view column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string_view(p, sqlite3_column_bytes(stmt_, i)) : std::string_view();
  }
  std::string_view column_blob(int i) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
    return p ? std::string_view(p, sqlite3_column_bytes(stmt_, i)) : std::string_view();
  }
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  int column_type(int i) const { return sqlite3_column_type(stmt_, i); }

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Database& db) : db_(db) { begin_status_ = db_.exec("BEGIN IMMEDIATE"); }
  ~Transaction() {
    if (begin_status_.is_ok() && !done_) (void)db_.exec("ROLLBACK");
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  Status begin_status() const { return begin_status_; }
  Status commit() {
    Status s = db_.exec("COMMIT");
    done_ = s.is_ok();
    return s;
  }

 private:
  Database& db_;
  Status begin_status_;
  bool done_ = false;
};

}  // namespace qpan::sqlite
