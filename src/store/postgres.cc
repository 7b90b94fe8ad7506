// The libpq layer of the PostgreSQL store (see postgres.h).
#include "store/postgres.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace qpan::postgres {

Params& Params::add(int64_t v) { return add_text(std::to_string(v)); }

Params& Params::add(double v) {
  // 17 significant digits read back as the same double.
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return add_text(buffer);
}

Params& Params::add_null() {
  storage_.emplace_back(std::nullopt);
  return *this;
}

Params& Params::add_text(std::string_view v) {
  storage_.emplace_back(std::string(v));
  return *this;
}

std::vector<const char*> Params::values() const {
  std::vector<const char*> out;
  out.reserve(storage_.size());
  for (const std::optional<std::string>& v : storage_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

void ArrayParam::add(int64_t v) {
  separate();
  body_ += std::to_string(v);
}

void ArrayParam::add(double v) {
  separate();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  body_ += buffer;
}

void ArrayParam::add(std::string_view text) {
  separate();
  body_ += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') body_ += '\\';
    body_ += c;
  }
  body_ += '"';
}

void ArrayParam::add_bytes(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  separate();
  body_ += "\"\\\\x";  // quoted, the backslash of \x escaped for the array's syntax
  for (unsigned char c : bytes) {
    body_ += kHex[c >> 4];
    body_ += kHex[c & 15];
  }
  body_ += '"';
}

void ArrayParam::add_null() {
  separate();
  body_ += "NULL";
}

int64_t Rows::get_int(int row, int col) const {
  const std::string_view t = text(row, col);
  int64_t v = 0;
  std::from_chars(t.data(), t.data() + t.size(), v);
  return v;
}

double Rows::get_double(int row, int col) const {
  // PQgetvalue's text ends with a NUL, so strtod may read it in place.
  return std::strtod(PQgetvalue(result_.get(), row, col), nullptr);
}

std::string Rows::get_bytes(int row, int col) const {
  const std::string_view hex = text(row, col);
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  std::string bytes;
  if (!hex.starts_with("\\x")) return bytes;
  bytes.reserve((hex.size() - 2) / 2);
  for (size_t i = 2; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  }
  return bytes;
}

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

Result<Connection> Connection::open(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return Status::io_error("cannot connect to PostgreSQL: out of memory");
  Connection c(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = c.last_error();
    if (message.find("does not exist") != std::string::npos) {
      return Status::not_found("PostgreSQL database of " + conninfo + " does not exist (create it with createdb): " +
                               message);
    }
    return Status::io_error("cannot connect to PostgreSQL at " + conninfo + ": " + message);
  }
  // Times and numbers as this layer parses them, whatever the server's defaults.
  // Notices ("already exists, skipping") are not for qpan's users.
  QPAN_RETURN_IF_ERROR(
      c.exec("SET client_encoding = 'UTF8'; SET extra_float_digits = 3; SET client_min_messages = warning; "
             "SET bytea_output = 'hex'"));
  return c;
}

std::string Connection::last_error() const {
  std::string message = conn_ ? PQerrorMessage(conn_.get()) : "not connected";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

Status Connection::result_status(PGresult* result, std::string_view what) const {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::ok();
  std::string message = result ? PQresultErrorMessage(result) : last_error();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.empty()) message = last_error();
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string context(what.substr(0, 120));
  // Class 23: a constraint refused the change (the caller's input contradicts what is stored).
  if (state && std::string_view(state).starts_with("23")) {
    return Status::conflict("PostgreSQL refused the change (" + std::string(state) + "): " + message);
  }
  return Status::io_error("PostgreSQL error" + (state ? " " + std::string(state) : std::string()) + ": " +
                          message + " (in: " + context + ")");
}

Status Connection::exec(std::string_view sql) {
  PGresult* result = PQexec(conn_.get(), std::string(sql).c_str());
  Status s = result_status(result, sql);
  PQclear(result);
  return s;
}

Result<Rows> Connection::query(const std::string& sql, const Params& params) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "qpan_" + std::to_string(prepared_.size() + 1);
    PGresult* prepared = PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr);
    Status s = result_status(prepared, sql);
    PQclear(prepared);
    if (!s) return s;
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  const std::vector<const char*> values = params.values();
  PGresult* result = PQexecPrepared(conn_.get(), it->second.c_str(), params.size(), values.data(), nullptr,
                                    nullptr, 0);
  Status s = result_status(result, sql);
  if (!s) {
    PQclear(result);
    return s;
  }
  return Rows(result);
}

Status Connection::copy_out(const std::string& sql, const std::function<Status(std::string_view)>& take) {
  PGresult* started = PQexec(conn_.get(), sql.c_str());
  if (!started || PQresultStatus(started) != PGRES_COPY_OUT) {
    Status s = result_status(started, sql);
    PQclear(started);
    return s.is_ok() ? Status::internal("not a COPY … TO STDOUT: " + sql.substr(0, 120)) : s;
  }
  PQclear(started);
  Status outcome;
  for (;;) {
    char* piece = nullptr;
    const int length = PQgetCopyData(conn_.get(), &piece, 0);
    if (length == -1) break;  // the COPY is complete; its result follows
    if (length < 0) {
      outcome = Status::io_error("PostgreSQL error during COPY: " + last_error());
      break;
    }
    if (outcome.is_ok()) {
      outcome = take(std::string_view(piece, static_cast<size_t>(length)));
      // The rest would only be read and thrown away: the server stops sending it, and what
      // is already on its way is drained below.
      if (!outcome.is_ok()) {
        if (PGcancel* cancel = PQgetCancel(conn_.get())) {
          char error[256];
          (void)PQcancel(cancel, error, sizeof error);
          PQfreeCancel(cancel);
        }
      }
    }
    PQfreemem(piece);
  }
  // The COPY's own outcome; after a cancel it is the cancellation, and `outcome` says why.
  while (PGresult* result = PQgetResult(conn_.get())) {
    Status s = result_status(result, sql);
    if (outcome.is_ok()) outcome = s;
    PQclear(result);
  }
  return outcome;
}

Result<int64_t> Connection::run(const std::string& sql, const Params& params) {
  Result<Rows> rows = query(sql, params);
  if (!rows) return rows.status();
  return rows->affected();
}

}  // namespace qpan::postgres
