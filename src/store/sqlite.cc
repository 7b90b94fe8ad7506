// RAII wrappers over the SQLite C API (see sqlite.h).
#include "store/sqlite.h"

namespace qpan::sqlite {

Result<Database> Database::open(const std::string& path, bool create_if_missing) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (create_if_missing) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    if (rc == SQLITE_CANTOPEN) {
      if (!create_if_missing) {
        return Status::not_found("database " + path + " does not exist (create it with `qpan init --db " + path + "`)");
      }
      return Status::invalid_input("cannot create database " + path +
                                   ": check that its folder exists and is writable");
    }
    return Status::io_error("cannot open database " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  return Database(db);
}

Database::~Database() { sqlite3_close(db_); }

Status Database::error(std::string_view what) const {
  return Status::io_error(std::string(what) + ": " + sqlite3_errmsg(db_));
}

Status Database::exec(std::string_view sql) {
  char* err = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::io_error("database error: " + msg);
  }
  return Status::ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    return Status::internal("cannot prepare statement: " + std::string(sqlite3_errmsg(db_)));
  }
  return Statement(stmt);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) {
    status_ = Status::io_error(std::string("database error: ") +
                               sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }
  return false;
}

Status Statement::run() {
  int rc = sqlite3_step(stmt_);
  Status s;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    s = Status::io_error(std::string("database error: ") + sqlite3_errmsg(sqlite3_db_handle(stmt_)));
  }
  sqlite3_reset(stmt_);
  return s;
}

}  // namespace qpan::sqlite
