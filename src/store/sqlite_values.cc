// The value concern of the SQLite store (see qpan/value_store.h): data values keyed by
// (period, unit, element, option, attribute), import batches, the audit trail of every
// change, its entries in the change log, and the two kinds of write transaction (a streamed
// import; a group of writers).
#include <algorithm>
#include <map>
#include <unordered_map>

#include "qpan/store.h"
#include "store/packed_values.h"
#include "store/shared_sql.h"
#include "store/sqlite.h"
#include "store/sqlite_stores.h"

namespace qpan::sqlite {
namespace {

void bind_value(Statement& stmt, int index, const ValueWrite& row) {
  switch (row.kind) {
    case TypedValue::Kind::kInteger:
    case TypedValue::Kind::kBoolean: stmt.bind(index, row.integer); break;
    case TypedValue::Kind::kReal: stmt.bind(index, row.real); break;
    case TypedValue::Kind::kText: stmt.bind_static(index, row.text); break;
  }
}

// The value key in columns first..first+4 (period, unit, element, option, attribute).
ValueKey key_at(const Statement& stmt, int first) {
  return {stmt.column_int(first), static_cast<int32_t>(stmt.column_int(first + 1)),
          static_cast<int32_t>(stmt.column_int(first + 2)), static_cast<int32_t>(stmt.column_int(first + 3)),
          static_cast<int32_t>(stmt.column_int(first + 4))};
}

// True when the stored column `col` of `stmt` holds the same value as `row`.
bool same_value(const Statement& stmt, int col, const ValueWrite& row) {
  switch (row.kind) {
    case TypedValue::Kind::kInteger:
    case TypedValue::Kind::kBoolean:
      return stmt.column_type(col) == SQLITE_INTEGER && stmt.column_int(col) == row.integer;
    case TypedValue::Kind::kReal:
      return stmt.column_type(col) == SQLITE_FLOAT && stmt.column_double(col) == row.real;
    case TypedValue::Kind::kText:
      return stmt.column_type(col) == SQLITE_TEXT && stmt.column_text(col) == row.text;
  }
  return false;
}

// The machine form of a stored value, given its element's type.
std::string value_text(const Statement& stmt, int col, ValueType type) {
  switch (stmt.column_type(col)) {
    case SQLITE_INTEGER:
      if (type == ValueType::kBoolean) return stmt.column_int(col) != 0 ? "true" : "false";
      return std::to_string(stmt.column_int(col));
    case SQLITE_FLOAT: {
      TypedValue v;
      v.kind = TypedValue::Kind::kReal;
      v.real = stmt.column_double(col);
      return v.to_string();
    }
    default: return std::string(stmt.column_text(col));
  }
}

}  // namespace

// The statements of value writes, prepared once per connection and used by every
// transaction and import batch on it (preparing them for each group of requests cost a
// tenth of the writer's time). Kept together so the bulk path (multi-row inserts) and the
// careful path (compare, keep the previous state, update) share binding.
class ValueStatements {
 public:
  static constexpr size_t kChunk = 64;  // rows per multi-row INSERT (11 parameters each)
  enum class Outcome { kCreated, kUpdated, kUnchanged, kDeleted };

  ValueStatements(Database& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Status prepare() {
    constexpr std::string_view kColumns =
        "INSERT INTO data_value (period, unit_id, element_id, option_id, attribute_id, value, "
        "stored_by, last_updated, comment, followup, import_id) VALUES ";
    std::string many(kColumns);
    for (size_t i = 0; i < kChunk; ++i) many += i == 0 ? "(?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?)";
    auto s1 = db_.prepare(many);
    auto s2 = db_.prepare(std::string(kColumns) + "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    auto s3 = db_.prepare(
        "SELECT 1 FROM data_value WHERE (period, unit_id, element_id, option_id, attribute_id) "
        ">= (?1, ?2, ?3, ?4, ?5) AND (period, unit_id, element_id, option_id, attribute_id) "
        "<= (?6, ?7, ?8, ?9, ?10) LIMIT 1");
    auto s4 = db_.prepare(
        "SELECT value, comment, followup, stored_by, last_updated, version, import_id FROM data_value "
        "WHERE period = ?1 AND unit_id = ?2 AND element_id = ?3 AND option_id = ?4 AND attribute_id = ?5");
    // The previous state as read by s4 (one look-up of the row, not two).
    auto s5 = db_.prepare(
        "INSERT INTO data_value_audit (period, unit_id, element_id, option_id, attribute_id, "
        "value, comment, followup, stored_by, last_updated, version, import_id, action, "
        "changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'update', ?13, ?14)");
    auto s6 = db_.prepare(
        "UPDATE data_value SET value = ?6, stored_by = ?7, last_updated = ?8, comment = ?9, "
        "followup = ?10, import_id = ?11, version = version + 1 WHERE period = ?1 "
        "AND unit_id = ?2 AND element_id = ?3 AND option_id = ?4 AND attribute_id = ?5");
    auto s7 = db_.prepare("INSERT INTO import_batch (kind, source, imported_by, imported_at) VALUES ('values', ?1, ?2, ?3)");
    auto s8 = db_.prepare("UPDATE import_batch SET created = ?2, updated = ?3, unchanged = ?4 WHERE id = ?1");
    auto s9 = db_.prepare("SAVEPOINT value_batch");
    auto s10 = db_.prepare("RELEASE value_batch");
    auto s11 = db_.prepare("ROLLBACK TO value_batch");
    auto s12 = db_.prepare(
        "INSERT INTO data_value_audit (period, unit_id, element_id, option_id, attribute_id, "
        "value, comment, followup, stored_by, last_updated, version, import_id, action, "
        "changed_by, changed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'delete', ?13, ?14)");
    auto s13 = db_.prepare(
        "DELETE FROM data_value WHERE period = ?1 AND unit_id = ?2 AND element_id = ?3 AND option_id = ?4 "
        "AND attribute_id = ?5");
    // The change log's entries: new values in bulk, packed into one entry per chunk
    // (packed_values.h: a row per value tripled an import's time), and one change.
    auto s14 = db_.prepare("INSERT INTO change_log (at, actor, kind, after) VALUES (?1, ?2, 'values', ?3)");
    auto s15 = db_.prepare(
        "INSERT INTO change_log (at, actor, kind, period, unit_id, element_id, option_id, attribute_id, before, after) "
        "VALUES (?1, ?2, 'value', ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (auto* s : {&s1, &s2, &s3, &s4, &s5, &s6, &s7, &s8, &s9, &s10, &s11, &s12, &s13, &s14, &s15}) {
      if (!*s) return s->status();
    }
    insert_many_ = std::move(*s1);
    insert_one_ = std::move(*s2);
    probe_ = std::move(*s3);
    current_ = std::move(*s4);
    keep_previous_ = std::move(*s5);
    update_ = std::move(*s6);
    open_batch_ = std::move(*s7);
    close_batch_ = std::move(*s8);
    savepoint_ = std::move(*s9);
    release_ = std::move(*s10);
    rollback_to_ = std::move(*s11);
    keep_deleted_ = std::move(*s12);
    delete_ = std::move(*s13);
    log_packed_ = std::move(*s14);
    log_one_ = std::move(*s15);
    return Status::ok();
  }

  // Statements an error left half-run are made ready again (at every transaction's start).
  void reset_all() {
    for (Statement* s : {&insert_many_, &insert_one_, &probe_, &current_, &keep_previous_, &update_, &open_batch_,
                         &close_batch_, &savepoint_, &release_, &rollback_to_, &keep_deleted_, &delete_, &log_packed_,
                         &log_one_}) {
      s->reset();
    }
  }

  // Adds the import_batch row of `context`'s writes and directs the rows to it.
  Result<int64_t> open_batch(const WriteContext& context) {
    open_batch_.bind(1, context.source);
    open_batch_.bind(2, context.changed_by);
    open_batch_.bind(3, context.changed_at);
    QPAN_RETURN_IF_ERROR(open_batch_.run());
    import_id_ = db_.last_insert_rowid();
    context_ = &context;
    Result<int64_t> at = log_.entry_time();
    if (!at) return at.status();
    Result<int64_t> actor = log_.actor_id(context.changed_by);
    if (!actor) return actor.status();
    log_at_ = *at;
    log_actor_ = *actor;
    return import_id_;
  }

  Status close_batch(const ValueWriteSummary& summary) {
    close_batch_.bind(1, summary.import_id);
    close_batch_.bind(2, summary.created);
    close_batch_.bind(3, summary.updated);
    close_batch_.bind(4, summary.unchanged);
    return close_batch_.run();
  }

  Status savepoint() { return savepoint_.run(); }
  Status release() { return release_.run(); }
  Status rollback_to() { return rollback_to_.run(); }

  // True when a stored value has a key in [first, last].
  Result<bool> any_stored_between(const ValueKey& first, const ValueKey& last) {
    bind_key(probe_, first, 1);
    bind_key(probe_, last, 6);
    bool found = probe_.step();
    QPAN_RETURN_IF_ERROR(probe_.status());
    probe_.reset();
    return found;
  }

  // Inserts kChunk rows known not to exist.
  template <typename ActorId>
  Status insert_chunk(std::span<const ValueWrite> chunk, ActorId&& actor_id) {
    int base = 0;
    for (const ValueWrite& row : chunk) {
      Result<int64_t> actor = actor_id(row.stored_by);
      if (!actor) return actor.status();
      bind_row(insert_many_, base, row, *actor);
      base += 11;
    }
    QPAN_RETURN_IF_ERROR(insert_many_.run());
    log_packed_.bind(1, log_at_);
    log_packed_.bind(2, log_actor_);
    log_packed_.bind_blob(3, pack_created_values(chunk));
    return log_packed_.run();
  }

  Result<Outcome> upsert(const ValueWrite& row, int64_t actor) {
    bind_key(current_, row.key, 1);
    if (!current_.step()) {
      QPAN_RETURN_IF_ERROR(current_.status());
      current_.reset();
      if (row.deleted) return Outcome::kUnchanged;  // nothing to delete
      bind_row(insert_one_, 0, row, actor);
      QPAN_RETURN_IF_ERROR(insert_one_.run());
      log_one_.bind_null(8);
      QPAN_RETURN_IF_ERROR(log_change(row));
      return Outcome::kCreated;
    }
    const bool same = same_value(current_, 0, row) &&
                      (row.comment.empty() ? current_.column_is_null(1)
                                           : current_.column_text(1) == row.comment) &&
                      current_.column_int(2) == static_cast<int64_t>(row.followup);
    if (row.deleted) {
      log_one_.bind_column(8, current_, 0);
      QPAN_RETURN_IF_ERROR(keep_current(keep_deleted_, row.key));
      bind_key(delete_, row.key, 1);
      QPAN_RETURN_IF_ERROR(delete_.run());
      QPAN_RETURN_IF_ERROR(log_change(row));
      return Outcome::kDeleted;
    }
    if (same) {
      current_.reset();
      return Outcome::kUnchanged;
    }
    log_one_.bind_column(8, current_, 0);
    QPAN_RETURN_IF_ERROR(keep_current(keep_previous_, row.key));
    bind_row(update_, 0, row, actor);
    QPAN_RETURN_IF_ERROR(update_.run());
    QPAN_RETURN_IF_ERROR(log_change(row));
    return Outcome::kUpdated;
  }

 private:
  // The state current_ has just read into the audit trail, by `statement` (an update's or
  // a delete's).
  Status keep_current(Statement& statement, const ValueKey& key) {
    bind_key(statement, key, 1);
    for (int col = 0; col < 7; ++col) statement.bind_column(6 + col, current_, col);
    statement.bind(13, context_->changed_by);
    statement.bind(14, context_->changed_at);
    current_.reset();
    return statement.run();
  }

  // The change log's entry for `row`, its state before bound already (parameter 8).
  Status log_change(const ValueWrite& row) {
    log_one_.bind(1, log_at_);
    log_one_.bind(2, log_actor_);
    bind_key(log_one_, row.key, 3);
    if (row.deleted) log_one_.bind_null(9); else bind_value(log_one_, 9, row);
    return log_one_.run();
  }

  static void bind_key(Statement& s, const ValueKey& k, int first) {
    s.bind(first, k.period);
    s.bind(first + 1, k.unit_id);
    s.bind(first + 2, k.element_id);
    s.bind(first + 3, k.option_id);
    s.bind(first + 4, k.attribute_id);
  }

  // Binds the 11 columns of a data_value row starting after parameter `base`.
  void bind_row(Statement& s, int base, const ValueWrite& row, int64_t actor) {
    bind_key(s, row.key, base + 1);
    bind_value(s, base + 6, row);
    s.bind(base + 7, actor);
    s.bind(base + 8, row.last_updated);
    if (row.comment.empty()) s.bind_null(base + 9); else s.bind_static(base + 9, row.comment);
    s.bind(base + 10, static_cast<int64_t>(row.followup));
    s.bind(base + 11, import_id_);
  }

  Database& db_;
  ChangeLogWriter& log_;
  int64_t import_id_ = 0;
  const WriteContext* context_ = nullptr;
  int64_t log_at_ = 0, log_actor_ = 0;  // the change log's time and actor of the batch's entries
  Statement insert_many_, insert_one_, probe_, current_, keep_previous_, update_, open_batch_, close_batch_, savepoint_,
      release_, rollback_to_, keep_deleted_, delete_, log_packed_, log_one_;
};

namespace {

// What both kinds of value transaction share: the transaction, the statements, import
// batches, the actor ids, and the rows kept for the commit listener.
class ValueTransactionBase {
 protected:
  // `statements`: the connection's, prepared by the first transaction.
  ValueTransactionBase(Database& db, ChangeLogWriter& log, std::unique_ptr<ValueStatements>& statements,
                       const ValueStore::CommitListener& listener)
      : db_(db), log_(log), tx_(db), statements_(statements), listener_(listener) {}

  Status begin() {
    QPAN_RETURN_IF_ERROR(tx_.begin_status());
    Result<int64_t> last = log_.last_seq();
    if (!last) return last.status();
    logged_.first = *last + 1;
    if (!statements_) {
      statements_ = std::make_unique<ValueStatements>(db_, log_);
      if (Status s = statements_->prepare(); !s) {
        statements_.reset();
        return s;
      }
    }
    writer_ = statements_.get();
    writer_->reset_all();
    return Status::ok();
  }

  // Writes rows in key order. Where no stored value can fall within a chunk's key range
  // (`none_stored`, or the probe says so: always for a month not imported before) the chunk
  // is inserted with one multi-row statement; otherwise each row is compared with what is
  // stored.
  Status write_rows(std::span<const ValueWrite> rows, bool none_stored, ValueWriteSummary& summary) {
    if (listener_) {
      for (ValueWrite row : rows) {
        row.text = row.stored_by = row.comment = {};  // the views end with this call
        written_.push_back(row);
      }
    }
    for (size_t start = 0; start < rows.size(); start += ValueStatements::kChunk) {
      std::span<const ValueWrite> chunk = rows.subspan(start, std::min(ValueStatements::kChunk, rows.size() - start));
      bool clash = true;
      const bool deletes = std::any_of(chunk.begin(), chunk.end(), [](const ValueWrite& r) { return r.deleted; });
      if (chunk.size() == ValueStatements::kChunk && !deletes) {
        clash = false;
        if (!none_stored) {
          Result<bool> stored = writer_->any_stored_between(chunk.front().key, chunk.back().key);
          if (!stored) return stored.status();
          clash = *stored;
        }
      }
      if (!clash) {
        QPAN_RETURN_IF_ERROR(writer_->insert_chunk(chunk, [&](std::string_view n) { return actor_id(n); }));
        summary.created += static_cast<int64_t>(chunk.size());
        continue;
      }
      for (const ValueWrite& row : chunk) {
        Result<int64_t> actor = actor_id(row.stored_by);
        if (!actor) return actor.status();
        Result<ValueStatements::Outcome> outcome = writer_->upsert(row, *actor);
        if (!outcome) return outcome.status();
        switch (*outcome) {
          case ValueStatements::Outcome::kCreated: ++summary.created; break;
          case ValueStatements::Outcome::kUpdated: ++summary.updated; break;
          case ValueStatements::Outcome::kUnchanged: ++summary.unchanged; break;
          case ValueStatements::Outcome::kDeleted: ++summary.deleted; break;
        }
      }
    }
    return Status::ok();
  }

  Status commit_all() {
    if (committed_) return Status::internal("commit after commit");
    Result<int64_t> last = log_.last_seq();
    if (!last) return last.status();
    logged_.last = *last;
    QPAN_RETURN_IF_ERROR(tx_.commit());
    committed_ = true;
    if (listener_) listener_(written_, logged_);
    written_ = {};
    return Status::ok();
  }

  Database& db_;
  ChangeLogWriter& log_;
  Transaction tx_;
  LogRange logged_;  // this transaction's entries in the change log
  std::unique_ptr<ValueStatements>& statements_;
  ValueStatements* writer_ = nullptr;
  bool committed_ = false;
  const ValueStore::CommitListener& listener_;
  std::vector<ValueWrite> written_;  // for the listener, when there is one

 private:
  Result<int64_t> actor_id(std::string_view name) {
    if (last_actor_ != 0 && name == last_actor_name_) return last_actor_;
    if (auto it = actors_.find(std::string(name)); it != actors_.end()) {
      last_actor_name_ = it->first;
      last_actor_ = it->second;
      return it->second;
    }
    auto add = db_.prepare(
        "INSERT INTO actor (name) VALUES (?1) ON CONFLICT (name) DO UPDATE SET name = name "
        "RETURNING id");
    if (!add) return add.status();
    add->bind(1, name);
    if (!add->step()) return db_.error("cannot record actor");
    int64_t id = add->column_int(0);
    actors_[std::string(name)] = id;
    return id;
  }

  std::unordered_map<std::string, int64_t> actors_;
  std::string last_actor_name_;
  int64_t last_actor_ = 0;
};

// A write transaction fed in sorted pieces, one import batch (see ValueWriteSession in
// qpan/store.h).
class SqliteValueWriteSession final : public ValueWriteSession, ValueTransactionBase {
 public:
  SqliteValueWriteSession(Database& db, ChangeLogWriter& log, std::unique_ptr<ValueStatements>& statements,
                          const WriteContext& context, const ValueStore::CommitListener& listener)
      : ValueTransactionBase(db, log, statements, listener), context_(context) {}

  Status begin() {
    QPAN_RETURN_IF_ERROR(ValueTransactionBase::begin());
    Result<int64_t> id = writer_->open_batch(context_);
    if (!id) return id.status();
    summary_.import_id = *id;
    // Keys only grow within a session, so into a table that was empty no row can clash
    // with a stored one and every chunk takes the bulk path without probing.
    auto any = db_.prepare("SELECT 1 FROM data_value LIMIT 1");
    if (!any) return any.status();
    table_was_empty_ = !any->step();
    return any->status();
  }

  Status write(std::span<const ValueWrite> rows) override {
    if (committed_) return Status::internal("write after commit");
    return write_rows(rows, table_was_empty_, summary_);
  }

  Result<ValueWriteSummary> commit() override {
    QPAN_RETURN_IF_ERROR(writer_->close_batch(summary_));
    QPAN_RETURN_IF_ERROR(commit_all());
    return summary_;
  }

 private:
  WriteContext context_;
  ValueWriteSummary summary_;
  bool table_was_empty_ = false;
};

// Several writers' import batches in one transaction (see ValueWriteTransaction); each in
// a savepoint, so that one that fails leaves the others.
class SqliteValueWriteTransaction final : public ValueWriteTransaction, ValueTransactionBase {
 public:
  SqliteValueWriteTransaction(Database& db, ChangeLogWriter& log, std::unique_ptr<ValueStatements>& statements,
                              const ValueStore::CommitListener& listener)
      : ValueTransactionBase(db, log, statements, listener) {}

  using ValueTransactionBase::begin;

  Result<ValueWriteSummary> write(std::span<const ValueWrite> rows, const WriteContext& context) override {
    if (committed_) return Status::internal("write after commit");
    QPAN_RETURN_IF_ERROR(writer_->savepoint());
    const size_t kept = written_.size();
    Result<ValueWriteSummary> summary = write_batch(rows, context);
    if (!summary) {
      writer_->reset_all();  // what failed may be half-run
      (void)writer_->rollback_to();
      (void)writer_->release();
      written_.resize(kept);
      return summary.status();
    }
    QPAN_RETURN_IF_ERROR(writer_->release());
    return summary;
  }

  Status commit() override { return commit_all(); }

 private:
  Result<ValueWriteSummary> write_batch(std::span<const ValueWrite> rows, const WriteContext& context) {
    ValueWriteSummary summary;
    Result<int64_t> id = writer_->open_batch(context);
    if (!id) return id.status();
    summary.import_id = *id;
    QPAN_RETURN_IF_ERROR(write_rows(rows, false, summary));
    QPAN_RETURN_IF_ERROR(writer_->close_batch(summary));
    return summary;
  }
};

}  // namespace

SqliteValueStore::SqliteValueStore(Database& db, ChangeLogWriter& log) : db_(db), log_(log) {}
SqliteValueStore::~SqliteValueStore() = default;

Result<std::optional<DataValue>> SqliteValueStore::find_value(const ValueKey& key) {
  if (!find_value_) {
    auto stmt = db_.prepare(
        "SELECT v.value, a.name, v.last_updated, v.comment, v.followup, v.version, e.code, e.value_type, "
        "k.code, COALESCE(o.code, '') FROM data_value v JOIN actor a ON a.id = v.stored_by "
        "JOIN data_element e ON e.id = v.element_id JOIN unit_key k ON k.id = v.unit_id "
        "LEFT JOIN disaggregation_option o ON o.id = v.option_id "
        "WHERE v.period = ?1 AND v.unit_id = ?2 AND v.element_id = ?3 AND v.option_id = ?4 "
        "AND v.attribute_id = ?5");
    if (!stmt) return stmt.status();
    find_value_.emplace(std::move(*stmt));
  }
  Statement& stmt = *find_value_;
  stmt.reset();
  stmt.bind(1, key.period);
  stmt.bind(2, key.unit_id);
  stmt.bind(3, key.element_id);
  stmt.bind(4, key.option_id);
  stmt.bind(5, key.attribute_id);
  if (!stmt.step()) {
    QPAN_RETURN_IF_ERROR(stmt.status());
    stmt.reset();
    return std::optional<DataValue>();
  }
  Result<Period> period = Period::from_key(key.period);
  Result<ValueType> type = parse_value_type(stmt.column_text(7));
  if (!period || !type) return Status::internal("corrupt value row");
  DataValue v;
  v.element = stmt.column_text(6);
  v.period = *period;
  v.org_unit = stmt.column_text(8);
  v.option = stmt.column_text(9);
  v.value = value_text(stmt, 0, *type);
  v.stored_by = stmt.column_text(1);
  v.last_updated = stmt.column_int(2);
  v.comment = stmt.column_text(3);
  v.followup = stmt.column_int(4) != 0;
  v.version = static_cast<int32_t>(stmt.column_int(5));
  stmt.reset();
  return std::optional<DataValue>(std::move(v));
}

Result<std::unordered_map<std::string, int64_t>> SqliteValueStore::value_counts_by_element() {
  auto stmt = db_.prepare(
      "SELECT e.code, c.n FROM (SELECT element_id, count(*) AS n FROM data_value "
      "GROUP BY element_id) c JOIN data_element e ON e.id = c.element_id");
  if (!stmt) return stmt.status();
  std::unordered_map<std::string, int64_t> counts;
  while (stmt->step()) counts.emplace(std::string(stmt->column_text(0)), stmt->column_int(1));
  QPAN_RETURN_IF_ERROR(stmt->status());
  return counts;
}

Result<std::unique_ptr<ValueWriteSession>> SqliteValueStore::begin_value_write(const WriteContext& context) {
  auto session = std::make_unique<SqliteValueWriteSession>(db_, log_, value_statements_, context, commit_listener_);
  QPAN_RETURN_IF_ERROR(session->begin());
  return std::unique_ptr<ValueWriteSession>(std::move(session));
}

Result<std::unique_ptr<ValueWriteTransaction>> SqliteValueStore::begin_value_transaction() {
  auto transaction = std::make_unique<SqliteValueWriteTransaction>(db_, log_, value_statements_, commit_listener_);
  QPAN_RETURN_IF_ERROR(transaction->begin());
  return std::unique_ptr<ValueWriteTransaction>(std::move(transaction));
}

Status SqliteValueStore::scan_values(const ValueFilter& filter,
                   const std::function<void(const ValueKey&, const DataValue&)>& visit) {
  Result<Names> names = load_names();
  if (!names) return names.status();
  auto [where, params] = filter_clause(filter, "v.");
  auto stmt = db_.prepare(
      "SELECT v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id, v.value, "
      "a.name, v.last_updated, v.comment, v.followup, v.version "
      "FROM data_value v JOIN actor a ON a.id = v.stored_by " + where +
      " ORDER BY v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id");
  if (!stmt) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) stmt->bind(static_cast<int>(i + 1), params[i]);
  DataValue dv;
  ValueKey key;
  while (stmt->step()) {
    key = key_at(*stmt, 0);
    Result<Period> period = Period::from_key(key.period);
    if (!period) return Status::internal("corrupt period key in data_value");
    const ElementName& element = names->elements[key.element_id];
    dv.element = element.code;
    dv.period = *period;
    dv.org_unit = names->units[key.unit_id];
    dv.option = key.option_id == 0 ? std::string() : names->options[key.option_id];
    dv.attribute.clear();
    dv.value = value_text(*stmt, 5, element.type);
    dv.stored_by = stmt->column_text(6);
    dv.last_updated = stmt->column_int(7);
    dv.comment = stmt->column_text(8);
    dv.followup = stmt->column_int(9) != 0;
    dv.version = static_cast<int32_t>(stmt->column_int(10));
    visit(key, dv);
  }
  return stmt->status();
}

Status SqliteValueStore::scan_numbers(const std::function<void(std::span<const StoredNumber>)>& visit) {
  // No join and no ORDER BY beyond the primary key: this reads the table in its own order.
  auto stmt = db_.prepare(
      "SELECT period, unit_id, element_id, option_id, attribute_id, value FROM data_value "
      "ORDER BY period, unit_id, element_id, option_id, attribute_id");
  if (!stmt) return stmt.status();
  constexpr size_t kBatch = 4096;
  std::vector<StoredNumber> batch;
  batch.reserve(kBatch);
  while (stmt->step()) {
    StoredNumber n;
    switch (stmt->column_type(5)) {
      case SQLITE_INTEGER: n.integer = stmt->column_int(5); break;
      case SQLITE_FLOAT: n.is_real = true, n.real = stmt->column_double(5); break;
      default: continue;  // text
    }
    n.key = key_at(*stmt, 0);
    batch.push_back(n);
    if (batch.size() == kBatch) {
      visit(batch);
      batch.clear();
    }
  }
  QPAN_RETURN_IF_ERROR(stmt->status());
  if (!batch.empty()) visit(batch);
  return Status::ok();
}

Result<std::vector<int64_t>> SqliteValueStore::stored_periods() {
  auto stmt = db_.prepare(store_detail::kStoredPeriodsQuery);
  if (!stmt) return stmt.status();
  std::vector<int64_t> periods;
  while (stmt->step()) periods.push_back(stmt->column_int(0));
  QPAN_RETURN_IF_ERROR(stmt->status());
  return periods;
}

Result<std::vector<AuditEntry>> SqliteValueStore::audit_entries(const ValueFilter& filter) {
  Result<Names> names = load_names();
  if (!names) return names.status();
  std::unordered_map<int64_t, store_detail::ImportStamp> batches;
  {
    auto stmt = db_.prepare("SELECT id, imported_by, imported_at FROM import_batch");
    if (!stmt) return stmt.status();
    while (stmt->step()) {
      batches[stmt->column_int(0)] = {std::string(stmt->column_text(1)), stmt->column_int(2)};
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
  }
  // Each value's states in version order: superseded ones from the audit table, then
  // the current one.
  std::map<ValueKey, std::vector<store_detail::StoredValueState>> history;
  auto [where, params] = filter_clause(filter, "v.");
  const std::string columns =
      "v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id, v.value, a.name, "
      "v.last_updated, COALESCE(v.import_id, 0)";
  for (int pass = 0; pass < 2; ++pass) {
    std::string sql =
        pass == 0 ? "SELECT " + columns + ", v.action, v.changed_by, v.changed_at "
                    "FROM data_value_audit v JOIN actor a ON a.id = v.stored_by " + where +
                    " ORDER BY v.id"
                  : "SELECT " + columns + ", '', '', 0 FROM data_value v "
                    "JOIN actor a ON a.id = v.stored_by " + where;
    auto stmt = db_.prepare(sql);
    if (!stmt) return stmt.status();
    for (size_t i = 0; i < params.size(); ++i) stmt->bind(static_cast<int>(i + 1), params[i]);
    while (stmt->step()) {
      ValueKey key = key_at(*stmt, 0);
      store_detail::StoredValueState s;
      s.value = value_text(*stmt, 5, names->elements[key.element_id].type);
      s.stored_by = stmt->column_text(6);
      s.last_updated = stmt->column_int(7);
      s.import_id = stmt->column_int(8);
      s.action = stmt->column_text(9);
      s.superseded_by = stmt->column_text(10);
      s.superseded_at = stmt->column_int(11);
      history[key].push_back(std::move(s));
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
  }
  return store_detail::audit_trail(history, *names, batches);
}

Result<SqliteValueStore::Names> SqliteValueStore::load_names() {
  Names names;
  auto el = db_.prepare("SELECT id, code, value_type FROM data_element");
  if (!el) return el.status();
  while (el->step()) {
    Result<ValueType> type = parse_value_type(el->column_text(2));
    names.elements[el->column_int(0)] = {std::string(el->column_text(1)),
                                         type ? *type : ValueType::kText};
  }
  auto units = db_.prepare("SELECT id, code FROM unit_key");
  if (!units) return units.status();
  while (units->step()) names.units[units->column_int(0)] = units->column_text(1);
  auto opts = db_.prepare("SELECT id, code FROM disaggregation_option");
  if (!opts) return opts.status();
  while (opts->step()) names.options[opts->column_int(0)] = opts->column_text(1);
  QPAN_RETURN_IF_ERROR(el->status());
  QPAN_RETURN_IF_ERROR(units->status());
  QPAN_RETURN_IF_ERROR(opts->status());
  return names;
}

// A WHERE clause with numbered parameters for `filter`, and the values to bind.
std::pair<std::string, std::vector<int64_t>> SqliteValueStore::filter_clause(const ValueFilter& filter,
                                                                  const std::string& alias) {
  std::vector<std::string> parts;
  std::vector<int64_t> params;
  auto param = [&](int64_t v) {
    params.push_back(v);
    std::string placeholder = "?";
    placeholder += std::to_string(params.size());
    return placeholder;
  };
  if (!filter.period_key_ranges.empty()) {
    std::string any;
    for (const auto& [lo, hi] : filter.period_key_ranges) {
      if (!any.empty()) any += " OR ";
      any += alias + "period BETWEEN " + param(lo) + " AND " + param(hi);
    }
    parts.push_back("(" + any + ")");
  }
  if (!filter.unit_ids.empty()) {
    std::string in;
    for (int64_t id : filter.unit_ids) {
      if (!in.empty()) in += ", ";
      in += param(id);
    }
    parts.push_back(alias + "unit_id IN (" + in + ")");
  }
  if (!filter.element_ids.empty()) {
    std::string in;
    for (int64_t id : filter.element_ids) {
      if (!in.empty()) in += ", ";
      in += param(id);
    }
    parts.push_back(alias + "element_id IN (" + in + ")");
  }
  std::string where;
  for (const std::string& p : parts) where += (where.empty() ? "WHERE " : " AND ") + p;
  return {where, params};
}

}  // namespace qpan::sqlite
