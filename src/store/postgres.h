// Thin layer over libpq for the PostgreSQL store: a connection whose statements are all
// prepared (PQprepare once per connection and SQL text, then PQexecPrepared), parameters in
// text form collected by Params (values never enter SQL text), typed access to result rows,
// and transaction guards that roll back unless committed. Errors are Status values carrying
// the server's message.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qpan/status.h"

namespace qpan::postgres {

// The parameters of one statement, $1, $2, … in the order added, in PostgreSQL's text form.
class Params {
 public:
  Params& add(int64_t v);
  Params& add(int v) { return add(static_cast<int64_t>(v)); }
  Params& add(bool v) { return add_text(v ? "true" : "false"); }
  Params& add(double v);
  Params& add(std::string_view v) { return add_text(v); }
  Params& add(const char* v) { return add_text(v); }
  Params& add(const std::string& v) { return add_text(v); }
  Params& add_null();
  template <typename T>
  Params& add(const std::optional<T>& v) {
    return v ? add(*v) : add_null();
  }
  Params& add_text(std::string_view v);

  int size() const { return static_cast<int>(storage_.size()); }
  // Pointers into the stored texts (nullptr: NULL), valid until the next add.
  std::vector<const char*> values() const;

 private:
  std::vector<std::optional<std::string>> storage_;
};

// A PostgreSQL array literal in text form ("{1,2,NULL}"), for passing a column of many rows
// as one parameter (unnest($1::bigint[])): bulk writes with one fixed prepared statement.
class ArrayParam {
 public:
  void add(int64_t v);
  void add(double v);
  void add(std::string_view text);  // quoted and escaped
  void add_null();
  // Bytes for a bytea[] (hex form).
  void add_bytes(std::string_view bytes);
  std::string text() const { return body_ + "}"; }
  bool empty() const { return body_.size() == 1; }

 private:
  void separate() {
    if (body_.size() > 1) body_ += ',';
  }
  std::string body_ = "{";
};

// A query's result rows, in text form (PostgreSQL's output of each type).
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}

  int size() const { return PQntuples(result_.get()); }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const { return PQgetisnull(result_.get(), row, col) != 0; }
  int64_t get_int(int row, int col) const;
  double get_double(int row, int col) const;
  bool get_bool(int row, int col) const { return text(row, col) == "t"; }
  std::string_view text(int row, int col) const {
    return std::string_view(PQgetvalue(result_.get(), row, col),
                            static_cast<size_t>(PQgetlength(result_.get(), row, col)));
  }
  std::string get_text(int row, int col) const { return std::string(text(row, col)); }
  // A bytea column's bytes (the connection asks for the hex form).
  std::string get_bytes(int row, int col) const;
  // How many rows an INSERT / UPDATE / DELETE touched.
  int64_t affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class Connection {
 public:
  // Connects with a libpq connection string or URI ("postgresql:///qpan?host=/run/pg").
  static Result<Connection> open(const std::string& conninfo);
  Connection() = default;
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // Runs constant SQL without parameters (schema, BEGIN/COMMIT, LISTEN); may hold several
  // statements.
  Status exec(std::string_view sql);
  // Runs `sql` as a prepared statement (prepared on its first use on this connection).
  Result<Rows> query(const std::string& sql, const Params& params = {});
  // query() for statements whose rows are not needed; returns how many rows they touched.
  Result<int64_t> run(const std::string& sql, const Params& params = {});
  // Runs a constant `COPY … TO STDOUT` and hands `take` each piece of its output as libpq
  // receives it. An error from `take` cancels the COPY on the server and is returned.
  Status copy_out(const std::string& sql, const std::function<Status(std::string_view)>& take);

  bool in_transaction() const { return PQtransactionStatus(conn_.get()) != PQTRANS_IDLE; }
  PGconn* handle() const { return conn_.get(); }
  // The message of the connection's last error, e.g. for a lost connection.
  std::string last_error() const;

 private:
  explicit Connection(PGconn* conn) : conn_(conn, &PQfinish) {}
  Status result_status(PGresult* result, std::string_view what) const;

  std::unique_ptr<PGconn, void (*)(PGconn*)> conn_{nullptr, &PQfinish};
  // SQL text → name of its prepared statement on this connection.
  std::unordered_map<std::string, std::string> prepared_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() succeeded.
class Transaction {
 public:
  explicit Transaction(Connection& db) : db_(db) { begin_status_ = db_.exec("BEGIN"); }
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

 protected:
  Connection& db_;
  Status begin_status_;
  bool done_ = false;
};

}  // namespace qpan::postgres
