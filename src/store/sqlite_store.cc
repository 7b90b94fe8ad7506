// SQLite implementation of the Store interface: WAL mode, schema migrations on open,
// prepared statements only, one transaction per write call.
#include <algorithm>
#include <condition_variable>
#include <iterator>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "qpan/store.h"
#include "qpan/text.h"
#include "store/schema.h"
#include "store/sqlite.h"

namespace qpan {
namespace {

using sqlite::Database;
using sqlite::Statement;
using sqlite::Transaction;

std::string date_text(const std::optional<Date>& d) { return d ? format_date(*d) : std::string(); }

Result<std::optional<Date>> date_from_text(std::string_view text) {
  if (text.empty()) return std::optional<Date>();
  Result<Date> d = parse_date(text);
  if (!d) return d.status();
  return std::optional<Date>(*d);
}

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

// The statements of value writes, prepared once per connection and used by every
// transaction and import batch on it (preparing them for each group of requests cost a
// tenth of the writer's time). Kept together so the bulk path (multi-row inserts) and the
// careful path (compare, keep the previous state, update) share binding.
class ValueWriter {
 public:
  static constexpr size_t kChunk = 64;  // rows per multi-row INSERT (11 parameters each)
  enum class Outcome { kCreated, kUpdated, kUnchanged };

  explicit ValueWriter(Database& db) : db_(db) {}

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
    for (auto* s : {&s1, &s2, &s3, &s4, &s5, &s6, &s7, &s8, &s9, &s10, &s11}) {
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
    return Status::ok();
  }

  // Statements an error left half-run are made ready again (at every transaction's start).
  void reset_all() {
    for (Statement* s : {&insert_many_, &insert_one_, &probe_, &current_, &keep_previous_, &update_, &open_batch_,
                         &close_batch_, &savepoint_, &release_, &rollback_to_}) {
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
    return insert_many_.run();
  }

  Result<Outcome> upsert(const ValueWrite& row, int64_t actor) {
    bind_key(current_, row.key, 1);
    if (!current_.step()) {
      QPAN_RETURN_IF_ERROR(current_.status());
      current_.reset();
      bind_row(insert_one_, 0, row, actor);
      QPAN_RETURN_IF_ERROR(insert_one_.run());
      return Outcome::kCreated;
    }
    const bool same = same_value(current_, 0, row) &&
                      (row.comment.empty() ? current_.column_is_null(1)
                                           : current_.column_text(1) == row.comment) &&
                      current_.column_int(2) == static_cast<int64_t>(row.followup);
    if (same) {
      current_.reset();
      return Outcome::kUnchanged;
    }
    bind_key(keep_previous_, row.key, 1);
    for (int col = 0; col < 7; ++col) keep_previous_.bind_column(6 + col, current_, col);
    keep_previous_.bind(13, context_->changed_by);
    keep_previous_.bind(14, context_->changed_at);
    current_.reset();
    QPAN_RETURN_IF_ERROR(keep_previous_.run());
    bind_row(update_, 0, row, actor);
    QPAN_RETURN_IF_ERROR(update_.run());
    return Outcome::kUpdated;
  }

 private:
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
  int64_t import_id_ = 0;
  const WriteContext* context_ = nullptr;
  Statement insert_many_, insert_one_, probe_, current_, keep_previous_, update_, open_batch_, close_batch_, savepoint_,
      release_, rollback_to_;
};

// What both kinds of value transaction share: the transaction, the statements, import
// batches, the actor ids, and the rows kept for the commit listener.
class ValueTransactionBase {
 protected:
  // `statements`: the connection's, prepared by the first transaction.
  ValueTransactionBase(Database& db, std::optional<ValueWriter>& statements, const Store::CommitListener& listener)
      : db_(db), tx_(db), statements_(statements), listener_(listener) {}

  Status begin() {
    QPAN_RETURN_IF_ERROR(tx_.begin_status());
    if (!statements_) {
      statements_.emplace(db_);
      if (Status s = statements_->prepare(); !s) {
        statements_.reset();
        return s;
      }
    }
    writer_ = &*statements_;
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
    for (size_t start = 0; start < rows.size(); start += ValueWriter::kChunk) {
      std::span<const ValueWrite> chunk = rows.subspan(start, std::min(ValueWriter::kChunk, rows.size() - start));
      bool clash = true;
      if (chunk.size() == ValueWriter::kChunk) {
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
        Result<ValueWriter::Outcome> outcome = writer_->upsert(row, *actor);
        if (!outcome) return outcome.status();
        switch (*outcome) {
          case ValueWriter::Outcome::kCreated: ++summary.created; break;
          case ValueWriter::Outcome::kUpdated: ++summary.updated; break;
          case ValueWriter::Outcome::kUnchanged: ++summary.unchanged; break;
        }
      }
    }
    return Status::ok();
  }

  Status commit_all() {
    if (committed_) return Status::internal("commit after commit");
    QPAN_RETURN_IF_ERROR(tx_.commit());
    committed_ = true;
    if (listener_) listener_(written_);
    written_ = {};
    return Status::ok();
  }

  Database& db_;
  Transaction tx_;
  std::optional<ValueWriter>& statements_;
  ValueWriter* writer_ = nullptr;
  bool committed_ = false;
  const Store::CommitListener& listener_;
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
  SqliteValueWriteSession(Database& db, std::optional<ValueWriter>& statements, const WriteContext& context,
                          const Store::CommitListener& listener)
      : ValueTransactionBase(db, statements, listener), context_(context) {}

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
  SqliteValueWriteTransaction(Database& db, std::optional<ValueWriter>& statements, const Store::CommitListener& listener)
      : ValueTransactionBase(db, statements, listener) {}

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

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(Database db) : db_(std::move(db)) {}

  // See StoreOptions::checkpoint_in_background.
  Status checkpoint_in_background(const std::string& path) {
    Result<Database> own = Database::open(path, false);
    if (!own) return own.status();
    checkpointer_ = std::make_unique<BackgroundCheckpointer>(std::move(*own), db_.handle());
    return Status::ok();
  }

  Status initialize() {
    // WAL: readers never block the writer; a killed writer leaves no trace. FULL makes a
    // committed import survive a power cut too (one fsync per transaction).
    QPAN_RETURN_IF_ERROR(db_.exec("PRAGMA journal_mode=WAL"));
    QPAN_RETURN_IF_ERROR(db_.exec("PRAGMA synchronous=FULL"));
    QPAN_RETURN_IF_ERROR(db_.exec("PRAGMA foreign_keys=ON"));
    // Pages are allocated lazily, so a small database never uses this much; a national
    // import keeps its B-tree in memory instead of spilling half-written pages.
    QPAN_RETURN_IF_ERROR(db_.exec("PRAGMA cache_size=-1048576"));
    QPAN_RETURN_IF_ERROR(db_.exec("PRAGMA temp_store=MEMORY"));
    return migrate();
  }

  Result<UnitImportSummary> save_org_units(const std::vector<OrgUnitVersion>& versions,
                                           const std::vector<LineageEdge>& lineage) override {
    UnitImportSummary summary;
    Transaction tx(db_);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    auto find = db_.prepare(
        "SELECT level, name, type, parent_code, valid_until FROM org_unit "
        "WHERE code = ?1 AND valid_from = ?2");
    auto upsert = db_.prepare(
        "INSERT INTO org_unit (code, level, name, type, parent_code, valid_from, valid_until, "
        "search_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT (code, valid_from) DO UPDATE SET level = excluded.level, "
        "name = excluded.name, type = excluded.type, parent_code = excluded.parent_code, "
        "valid_until = excluded.valid_until, search_key = excluded.search_key");
    auto add_key = db_.prepare("INSERT OR IGNORE INTO unit_key (code) VALUES (?1)");
    auto find_edge = db_.prepare(
        "SELECT kind, share FROM org_unit_lineage WHERE old_code = ?1 AND new_code = ?2 "
        "AND effective = ?3");
    auto add_edge = db_.prepare(
        "INSERT INTO org_unit_lineage (old_code, new_code, effective, kind, share) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (old_code, new_code, effective) "
        "DO UPDATE SET kind = excluded.kind, share = excluded.share");
    for (auto* s : {&find, &upsert, &add_key, &find_edge, &add_edge}) {
      if (!*s) return s->status();
    }
    for (const OrgUnitVersion& v : versions) {
      const std::string from = date_text(v.valid_from);
      const std::string until = date_text(v.valid_until);
      find->bind(1, v.code);
      find->bind(2, from);
      bool exists = find->step();
      bool same = exists && find->column_text(0) == level_name(v.level) &&
                  find->column_text(1) == v.name && find->column_text(2) == v.type &&
                  find->column_text(3) == v.parent_code && find->column_text(4) == until;
      QPAN_RETURN_IF_ERROR(find->status());
      find->reset();
      if (same) {
        ++summary.versions_unchanged;
        continue;
      }
      exists ? ++summary.versions_updated : ++summary.versions_added;
      upsert->bind(1, v.code);
      upsert->bind(2, level_name(v.level));
      upsert->bind(3, v.name);
      upsert->bind(4, v.type);
      upsert->bind(5, v.parent_code);
      upsert->bind(6, from);
      upsert->bind(7, until);
      upsert->bind(8, search_key(v.name));
      QPAN_RETURN_IF_ERROR(upsert->run());
      add_key->bind(1, v.code);
      QPAN_RETURN_IF_ERROR(add_key->run());
    }
    for (const LineageEdge& e : lineage) {
      find_edge->bind(1, e.old_code);
      find_edge->bind(2, e.new_code);
      find_edge->bind(3, format_date(e.effective));
      const bool exists = find_edge->step();
      const bool same = exists && find_edge->column_text(0) == lineage_kind_name(e.kind) &&
                        (e.share ? !find_edge->column_is_null(1) && find_edge->column_double(1) == *e.share
                                 : find_edge->column_is_null(1));
      QPAN_RETURN_IF_ERROR(find_edge->status());
      find_edge->reset();
      if (same) {
        ++summary.lineage_unchanged;
        continue;
      }
      exists ? ++summary.lineage_updated : ++summary.lineage_added;
      add_edge->bind(1, e.old_code);
      add_edge->bind(2, e.new_code);
      add_edge->bind(3, format_date(e.effective));
      add_edge->bind(4, lineage_kind_name(e.kind));
      add_edge->bind(5, e.share);
      QPAN_RETURN_IF_ERROR(add_edge->run());
    }
    QPAN_RETURN_IF_ERROR(tx.commit());
    return summary;
  }

  Result<OrgUnitIndex> load_org_units() override {
    Result<std::vector<OrgUnitVersion>> versions = select_units("", "");
    if (!versions) return versions.status();
    auto stmt = db_.prepare(
        "SELECT old_code, new_code, effective, kind, share FROM org_unit_lineage "
        "ORDER BY effective, old_code, new_code");
    if (!stmt) return stmt.status();
    std::vector<LineageEdge> lineage;
    while (stmt->step()) {
      LineageEdge e;
      e.old_code = stmt->column_text(0);
      e.new_code = stmt->column_text(1);
      Result<Date> effective = parse_date(stmt->column_text(2));
      Result<LineageKind> kind = parse_lineage_kind(stmt->column_text(3));
      if (!effective || !kind) return Status::internal("corrupt lineage row " + e.old_code);
      e.effective = *effective;
      e.kind = *kind;
      if (!stmt->column_is_null(4)) e.share = stmt->column_double(4);
      lineage.push_back(std::move(e));
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
    return OrgUnitIndex(std::move(*versions), std::move(lineage));
  }

  Result<std::vector<OrgUnitVersion>> search_org_units(std::string_view key_fragment) override {
    std::string pattern = "%";
    for (char c : key_fragment) {
      if (c == '%' || c == '_' || c == '\\') pattern += '\\';
      pattern += c;
    }
    pattern += '%';
    return select_units("WHERE search_key LIKE ?1 ESCAPE '\\'", pattern);
  }

  Result<std::unordered_map<std::string, int64_t>> unit_ids() override {
    auto stmt = db_.prepare("SELECT id, code FROM unit_key");
    if (!stmt) return stmt.status();
    std::unordered_map<std::string, int64_t> ids;
    while (stmt->step()) ids.emplace(std::string(stmt->column_text(1)), stmt->column_int(0));
    QPAN_RETURN_IF_ERROR(stmt->status());
    return ids;
  }

  Status save_catalogue(const Catalogue& catalogue) override {
    Transaction tx(db_);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    QPAN_RETURN_IF_ERROR(upsert_catalogue(catalogue, std::nullopt));
    return tx.commit();
  }

  Result<std::optional<std::string>> loaded_pack_version(const std::string& pack_code) override {
    auto stmt = db_.prepare("SELECT version FROM pack WHERE code = ?1");
    if (!stmt) return stmt.status();
    stmt->bind(1, pack_code);
    std::optional<std::string> version;
    if (stmt->step()) version = std::string(stmt->column_text(0));
    QPAN_RETURN_IF_ERROR(stmt->status());
    return version;
  }

  Result<std::vector<std::string>> pack_element_codes(const std::string& pack_code) override {
    auto stmt = db_.prepare("SELECT code FROM data_element WHERE pack = ?1 ORDER BY code");
    if (!stmt) return stmt.status();
    stmt->bind(1, pack_code);
    std::vector<std::string> codes;
    while (stmt->step()) codes.emplace_back(stmt->column_text(0));
    QPAN_RETURN_IF_ERROR(stmt->status());
    return codes;
  }

  Result<std::unordered_map<std::string, int64_t>> value_counts_by_element() override {
    auto stmt = db_.prepare(
        "SELECT e.code, c.n FROM (SELECT element_id, count(*) AS n FROM data_value "
        "GROUP BY element_id) c JOIN data_element e ON e.id = c.element_id");
    if (!stmt) return stmt.status();
    std::unordered_map<std::string, int64_t> counts;
    while (stmt->step()) counts.emplace(std::string(stmt->column_text(0)), stmt->column_int(1));
    QPAN_RETURN_IF_ERROR(stmt->status());
    return counts;
  }

  Status save_pack(const Pack& pack, const std::vector<std::string>& removed_elements,
                   int64_t loaded_at) override {
    Transaction tx(db_);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    auto upsert_pack = db_.prepare(
        "INSERT INTO pack (code, version, name_vi, name_en, description, loaded_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (code) DO UPDATE SET "
        "version = excluded.version, name_vi = excluded.name_vi, name_en = excluded.name_en, "
        "description = excluded.description, loaded_at = excluded.loaded_at");
    auto clear = db_.prepare("DELETE FROM pack_definition WHERE pack = ?1");
    auto define = db_.prepare(
        "INSERT INTO pack_definition (kind, code, pack, definition) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (kind, code) DO UPDATE SET pack = excluded.pack, definition = excluded.definition");
    auto remove = db_.prepare("DELETE FROM data_element WHERE code = ?1 AND pack = ?2");
    for (auto* stmt : {&upsert_pack, &clear, &define, &remove}) {
      if (!*stmt) return stmt->status();
    }
    upsert_pack->bind(1, pack.info.code);
    upsert_pack->bind(2, pack.info.version);
    upsert_pack->bind(3, pack.info.name_vi);
    upsert_pack->bind(4, pack.info.name_en);
    upsert_pack->bind(5, pack.info.description);
    upsert_pack->bind(6, loaded_at);
    QPAN_RETURN_IF_ERROR(upsert_pack->run());
    QPAN_RETURN_IF_ERROR(upsert_catalogue(pack.catalogue, pack.info.code));
    for (const std::string& code : removed_elements) {
      remove->bind(1, code);
      remove->bind(2, pack.info.code);
      QPAN_RETURN_IF_ERROR(remove->run());
    }
    clear->bind(1, pack.info.code);
    QPAN_RETURN_IF_ERROR(clear->run());
    for (const PackDefinition& d : pack.definitions) {
      define->bind(1, d.kind);
      define->bind(2, d.code);
      define->bind(3, pack.info.code);
      define->bind(4, d.json);
      QPAN_RETURN_IF_ERROR(define->run());
    }
    return tx.commit();
  }

  Result<std::vector<PackDefinition>> pack_definitions(const std::string& kind) override {
    auto stmt = db_.prepare("SELECT code, definition FROM pack_definition WHERE kind = ?1 ORDER BY code");
    if (!stmt) return stmt.status();
    stmt->bind(1, kind);
    std::vector<PackDefinition> out;
    while (stmt->step()) out.push_back({kind, std::string(stmt->column_text(0)), std::string(stmt->column_text(1))});
    QPAN_RETURN_IF_ERROR(stmt->status());
    return out;
  }

  Result<Catalogue> load_catalogue() override {
    std::vector<Disaggregation> disaggregations;
    std::unordered_map<int64_t, std::string> dis_code;
    auto dis = db_.prepare("SELECT id, code, name_vi, name_en FROM disaggregation ORDER BY code");
    if (!dis) return dis.status();
    while (dis->step()) {
      Disaggregation d;
      d.id = dis->column_int(0);
      d.code = dis->column_text(1);
      d.name_vi = dis->column_text(2);
      d.name_en = dis->column_text(3);
      dis_code[d.id] = d.code;
      disaggregations.push_back(std::move(d));
    }
    QPAN_RETURN_IF_ERROR(dis->status());
    auto opt = db_.prepare(
        "SELECT id, disaggregation_id, code, name_vi, name_en FROM disaggregation_option "
        "ORDER BY disaggregation_id, sort_order");
    if (!opt) return opt.status();
    while (opt->step()) {
      DisaggregationOption o;
      o.id = opt->column_int(0);
      o.code = opt->column_text(2);
      o.name_vi = opt->column_text(3);
      o.name_en = opt->column_text(4);
      for (Disaggregation& d : disaggregations) {
        if (d.id == opt->column_int(1)) d.options.push_back(o);
      }
    }
    QPAN_RETURN_IF_ERROR(opt->status());
    std::vector<DataElement> elements;
    auto el = db_.prepare(
        "SELECT id, code, name_vi, name_en, value_type, aggregation, disaggregation_id, "
        "description, area FROM data_element ORDER BY code");
    if (!el) return el.status();
    while (el->step()) {
      DataElement e;
      e.id = el->column_int(0);
      e.code = el->column_text(1);
      e.name_vi = el->column_text(2);
      e.name_en = el->column_text(3);
      Result<ValueType> type = parse_value_type(el->column_text(4));
      Result<AggregationType> agg = parse_aggregation(el->column_text(5));
      if (!type || !agg) return Status::internal("corrupt data element row " + e.code);
      e.value_type = *type;
      e.aggregation = *agg;
      if (!el->column_is_null(6)) e.disaggregation = dis_code[el->column_int(6)];
      e.description = el->column_text(7);
      e.area = el->column_text(8);
      elements.push_back(std::move(e));
    }
    QPAN_RETURN_IF_ERROR(el->status());
    return Catalogue(std::move(disaggregations), std::move(elements));
  }

  Result<std::unique_ptr<ValueWriteSession>> begin_value_write(const WriteContext& context) override {
    auto session = std::make_unique<SqliteValueWriteSession>(db_, value_statements_, context, commit_listener_);
    QPAN_RETURN_IF_ERROR(session->begin());
    return std::unique_ptr<ValueWriteSession>(std::move(session));
  }

  Result<std::unique_ptr<ValueWriteTransaction>> begin_value_transaction() override {
    auto transaction = std::make_unique<SqliteValueWriteTransaction>(db_, value_statements_, commit_listener_);
    QPAN_RETURN_IF_ERROR(transaction->begin());
    return std::unique_ptr<ValueWriteTransaction>(std::move(transaction));
  }

  Status scan_values(const ValueFilter& filter,
                     const std::function<void(const ValueKey&, const DataValue&)>& visit) override {
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

  Status scan_numbers(const std::function<void(std::span<const StoredNumber>)>& visit) override {
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

  Result<std::vector<AuditEntry>> audit_entries(const ValueFilter& filter) override {
    Result<Names> names = load_names();
    if (!names) return names.status();
    std::unordered_map<int64_t, std::pair<std::string, int64_t>> batches;  // id → by, at
    {
      auto stmt = db_.prepare("SELECT id, imported_by, imported_at FROM import_batch");
      if (!stmt) return stmt.status();
      while (stmt->step()) {
        batches[stmt->column_int(0)] = {std::string(stmt->column_text(1)), stmt->column_int(2)};
      }
      QPAN_RETURN_IF_ERROR(stmt->status());
    }
    // Each value's states in version order: superseded ones from the audit table, then
    // the current one. A state's "changed_by/at" is who replaced it.
    struct State {
      std::string value, stored_by, superseded_by, action;
      int64_t last_updated = 0, superseded_at = 0, import_id = 0;
    };
    std::map<ValueKey, std::vector<State>> history;
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
        State s;
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
    std::vector<AuditEntry> entries;
    for (const auto& [key, states] : history) {
      Result<Period> period = Period::from_key(key.period);
      if (!period) return Status::internal("corrupt period key in audit");
      AuditEntry base;
      base.element = names->elements[key.element_id].code;
      base.period = *period;
      base.org_unit = names->units[key.unit_id];
      base.option = key.option_id == 0 ? std::string() : names->options[key.option_id];
      // Creation: by the importer of the first state's batch, else its stored_by.
      AuditEntry created = base;
      created.action = AuditAction::kCreate;
      created.new_value = states.front().value;
      created.import_id = states.front().import_id;
      if (auto it = batches.find(created.import_id); it != batches.end()) {
        created.changed_by = it->second.first;
        created.changed_at = it->second.second;
      } else {
        created.changed_by = states.front().stored_by;
        created.changed_at = states.front().last_updated;
      }
      entries.push_back(created);
      for (size_t i = 0; i < states.size(); ++i) {
        if (states[i].action.empty()) break;  // the current state: nothing replaced it
        AuditEntry change = base;
        change.old_value = states[i].value;
        change.changed_by = states[i].superseded_by;
        change.changed_at = states[i].superseded_at;
        if (states[i].action == "delete") {
          change.action = AuditAction::kDelete;
        } else {
          change.action = AuditAction::kUpdate;
          if (i + 1 < states.size()) {
            change.new_value = states[i + 1].value;
            change.import_id = states[i + 1].import_id;
          }
        }
        entries.push_back(change);
      }
    }
    std::stable_sort(entries.begin(), entries.end(), [](const AuditEntry& a, const AuditEntry& b) {
      return a.changed_at < b.changed_at;
    });
    return entries;
  }

  // Accounts

  Result<int64_t> add_account(const AccountRecord& a) override {
    auto stmt = db_.prepare(
        "INSERT INTO user_account (username, display_name, role, scope_code, password_hash, "
        "disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING");
    if (!stmt) return stmt.status();
    stmt->bind(1, a.username);
    stmt->bind(2, a.display_name);
    stmt->bind(3, a.role);
    stmt->bind(4, a.scope_code);
    stmt->bind(5, a.password_hash);
    stmt->bind(6, static_cast<int64_t>(a.disabled));
    stmt->bind(7, a.created_at);
    QPAN_RETURN_IF_ERROR(stmt->run());
    if (db_.changes() == 0) {
      return Status::conflict("tên đăng nhập " + a.username + " đã có — username " + a.username +
                              " is taken");
    }
    return db_.last_insert_rowid();
  }

  Result<std::optional<AccountRecord>> find_account(std::string_view username) override {
    return one_account("WHERE username = ?1", [&](Statement& s) { s.bind(1, username); });
  }

  Result<std::optional<AccountRecord>> account_by_id(int64_t id) override {
    return one_account("WHERE id = ?1", [&](Statement& s) { s.bind(1, id); });
  }

  Result<std::vector<AccountRecord>> list_accounts() override {
    return accounts("ORDER BY username", [](Statement&) {});
  }

  Status update_account(const AccountRecord& a, bool end_sessions) override {
    Transaction tx(db_);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    auto update = db_.prepare(
        "UPDATE user_account SET display_name = ?2, role = ?3, scope_code = ?4, "
        "password_hash = ?5, disabled = ?6 WHERE id = ?1");
    if (!update) return update.status();
    update->bind(1, a.id);
    update->bind(2, a.display_name);
    update->bind(3, a.role);
    update->bind(4, a.scope_code);
    update->bind(5, a.password_hash);
    update->bind(6, static_cast<int64_t>(a.disabled));
    QPAN_RETURN_IF_ERROR(update->run());
    if (db_.changes() == 0) return Status::not_found("no account with id " + std::to_string(a.id));
    if (end_sessions) {
      auto end = db_.prepare("DELETE FROM user_session WHERE user_id = ?1");
      if (!end) return end.status();
      end->bind(1, a.id);
      QPAN_RETURN_IF_ERROR(end->run());
    }
    return tx.commit();
  }

  Status add_session(const SessionRecord& s) override {
    auto stmt = db_.prepare(
        "INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at, "
        "remote_address) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt) return stmt.status();
    stmt->bind(1, s.token_hash);
    stmt->bind(2, s.user_id);
    stmt->bind(3, s.created_at);
    stmt->bind(4, s.last_seen_at);
    stmt->bind(5, s.expires_at);
    stmt->bind(6, s.remote_address);
    return stmt->run();
  }

  Result<std::optional<SessionRecord>> find_session(std::string_view token_hash) override {
    auto stmt = db_.prepare(
        "SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at, remote_address "
        "FROM user_session WHERE token_hash = ?1");
    if (!stmt) return stmt.status();
    stmt->bind(1, token_hash);
    if (!stmt->step()) {
      QPAN_RETURN_IF_ERROR(stmt->status());
      return std::optional<SessionRecord>();
    }
    SessionRecord s;
    s.id = stmt->column_int(0);
    s.token_hash = stmt->column_text(1);
    s.user_id = stmt->column_int(2);
    s.created_at = stmt->column_int(3);
    s.last_seen_at = stmt->column_int(4);
    s.expires_at = stmt->column_int(5);
    s.remote_address = stmt->column_text(6);
    return std::optional<SessionRecord>(std::move(s));
  }

  Status touch_session(int64_t session_id, int64_t last_seen_at) override {
    auto stmt = db_.prepare("UPDATE user_session SET last_seen_at = ?2 WHERE id = ?1");
    if (!stmt) return stmt.status();
    stmt->bind(1, session_id);
    stmt->bind(2, last_seen_at);
    return stmt->run();
  }

  Status delete_session(std::string_view token_hash) override {
    auto stmt = db_.prepare("DELETE FROM user_session WHERE token_hash = ?1");
    if (!stmt) return stmt.status();
    stmt->bind(1, token_hash);
    return stmt->run();
  }

  Status delete_expired_sessions(int64_t idle_before, int64_t now) override {
    auto stmt = db_.prepare("DELETE FROM user_session WHERE last_seen_at < ?1 OR expires_at <= ?2");
    if (!stmt) return stmt.status();
    stmt->bind(1, idle_before);
    stmt->bind(2, now);
    return stmt->run();
  }

  Status add_api_token(const ApiTokenRecord& t) override {
    auto stmt = db_.prepare(
        "INSERT INTO api_token (token_hash, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT DO NOTHING");
    if (!stmt) return stmt.status();
    stmt->bind(1, t.token_hash);
    stmt->bind(2, t.user_id);
    stmt->bind(3, t.name);
    stmt->bind(4, t.created_at);
    QPAN_RETURN_IF_ERROR(stmt->run());
    if (db_.changes() == 0) {
      return Status::conflict("đã có mã truy cập tên " + t.name + " — an active token named " +
                              t.name + " exists");
    }
    return Status::ok();
  }

  Result<std::optional<ApiTokenRecord>> find_api_token(std::string_view token_hash) override {
    Result<std::vector<ApiTokenRecord>> found =
        api_token_rows("WHERE token_hash = ?1 AND revoked_at IS NULL",
                       [&](Statement& s) { s.bind(1, token_hash); });
    if (!found) return found.status();
    if (found->empty()) return std::optional<ApiTokenRecord>();
    return std::optional<ApiTokenRecord>(std::move(found->front()));
  }

  Result<std::vector<ApiTokenRecord>> api_tokens(int64_t user_id) override {
    return api_token_rows("WHERE user_id = ?1 AND revoked_at IS NULL ORDER BY name",
                          [&](Statement& s) { s.bind(1, user_id); });
  }

  Result<bool> revoke_api_token(int64_t user_id, std::string_view name, int64_t at) override {
    auto stmt = db_.prepare(
        "UPDATE api_token SET revoked_at = ?3 WHERE user_id = ?1 AND name = ?2 "
        "AND revoked_at IS NULL");
    if (!stmt) return stmt.status();
    stmt->bind(1, user_id);
    stmt->bind(2, name);
    stmt->bind(3, at);
    QPAN_RETURN_IF_ERROR(stmt->run());
    return db_.changes() > 0;
  }

  Status touch_api_token(int64_t token_id, int64_t last_used_at) override {
    auto stmt = db_.prepare("UPDATE api_token SET last_used_at = ?2 WHERE id = ?1");
    if (!stmt) return stmt.status();
    stmt->bind(1, token_id);
    stmt->bind(2, last_used_at);
    return stmt->run();
  }

  Status add_login_failure(std::string_view username, std::string_view address, int64_t at,
                           int64_t forget_before) override {
    Transaction tx(db_);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    auto forget = db_.prepare("DELETE FROM login_failure WHERE failed_at < ?1");
    auto add = db_.prepare(
        "INSERT INTO login_failure (username, address, failed_at) VALUES (?1, ?2, ?3)");
    for (auto* s : {&forget, &add}) {
      if (!*s) return s->status();
    }
    forget->bind(1, forget_before);
    QPAN_RETURN_IF_ERROR(forget->run());
    add->bind(1, username);
    add->bind(2, address);
    add->bind(3, at);
    QPAN_RETURN_IF_ERROR(add->run());
    return tx.commit();
  }

  Result<LoginFailures> login_failures(std::string_view username, std::string_view address,
                                       int64_t since) override {
    LoginFailures out;
    for (int pass = 0; pass < 2; ++pass) {
      auto stmt = db_.prepare(pass == 0 ? "SELECT failed_at FROM login_failure WHERE username = ?1 "
                                          "AND failed_at >= ?2 ORDER BY failed_at"
                                        : "SELECT failed_at FROM login_failure WHERE address = ?1 "
                                          "AND failed_at >= ?2 ORDER BY failed_at");
      if (!stmt) return stmt.status();
      stmt->bind(1, pass == 0 ? username : address);
      stmt->bind(2, since);
      std::vector<int64_t>& times = pass == 0 ? out.account : out.address;
      while (stmt->step()) times.push_back(stmt->column_int(0));
      QPAN_RETURN_IF_ERROR(stmt->status());
    }
    return out;
  }

  Status clear_login_failures(std::string_view username) override {
    auto stmt = db_.prepare("DELETE FROM login_failure WHERE username = ?1");
    if (!stmt) return stmt.status();
    stmt->bind(1, username);
    return stmt->run();
  }

  // Approvals

  Result<std::optional<ApprovalRow>> find_approval(std::string_view data_set,
                                                   std::string_view unit_code,
                                                   int64_t period) override {
    Result<std::vector<ApprovalRow>> found = approval_rows(
        "WHERE a.data_set = ?1 AND k.code = ?2 AND a.period = ?3", [&](Statement& s) {
          s.bind(1, data_set);
          s.bind(2, unit_code);
          s.bind(3, period);
        });
    if (!found) return found.status();
    if (found->empty()) return std::optional<ApprovalRow>();
    return std::optional<ApprovalRow>(std::move(found->front()));
  }

  Result<std::vector<ApprovalRow>> approvals(std::string_view data_set, int64_t period) override {
    return approval_rows("WHERE a.data_set = ?1 AND a.period = ?2 ORDER BY k.code",
                         [&](Statement& s) {
                           s.bind(1, data_set);
                           s.bind(2, period);
                         });
  }

  Result<std::vector<ApprovalRow>> approvals_in_states(
      const std::vector<std::string>& states) override {
    std::vector<ApprovalRow> out;
    for (const std::string& state : states) {
      Result<std::vector<ApprovalRow>> found =
          approval_rows("WHERE a.state = ?1", [&](Statement& s) { s.bind(1, state); });
      if (!found) return found.status();
      std::move(found->begin(), found->end(), std::back_inserter(out));
    }
    return out;
  }

  Result<int64_t> record_approval(const ApprovalEventRow& e) override {
    Transaction tx(db_);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    auto unit = db_.prepare("SELECT id FROM unit_key WHERE code = ?1");
    auto current = db_.prepare(
        "SELECT state FROM approval WHERE data_set = ?1 AND unit_id = ?2 AND period = ?3");
    auto upsert = db_.prepare(
        "INSERT INTO approval (data_set, unit_id, period, state, changed_by, changed_at, comment) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (data_set, unit_id, period) DO UPDATE "
        "SET state = excluded.state, changed_by = excluded.changed_by, "
        "changed_at = excluded.changed_at, comment = excluded.comment");
    auto event = db_.prepare(
        "INSERT INTO approval_event (data_set, unit_id, period, from_state, to_state, action, "
        "actor, at, comment) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    for (auto* s : {&unit, &current, &upsert, &event}) {
      if (!*s) return s->status();
    }
    unit->bind(1, e.unit_code);
    if (!unit->step()) {
      QPAN_RETURN_IF_ERROR(unit->status());
      return Status::not_found("không có đơn vị mã " + e.unit_code + " — no unit with code " +
                               e.unit_code);
    }
    const int64_t unit_id = unit->column_int(0);
    current->bind(1, e.data_set);
    current->bind(2, unit_id);
    current->bind(3, e.period);
    std::string stored = "draft";
    if (current->step()) stored = current->column_text(0);
    QPAN_RETURN_IF_ERROR(current->status());
    if (stored != e.from_state) {
      return Status::conflict("trạng thái đã đổi thành " + stored + " (không còn là " +
                              e.from_state + ") — the state changed to " + stored +
                              " (no longer " + e.from_state + ")");
    }
    upsert->bind(1, e.data_set);
    upsert->bind(2, unit_id);
    upsert->bind(3, e.period);
    upsert->bind(4, e.to_state);
    upsert->bind(5, e.actor);
    upsert->bind(6, e.at);
    upsert->bind(7, e.comment);
    QPAN_RETURN_IF_ERROR(upsert->run());
    event->bind(1, e.data_set);
    event->bind(2, unit_id);
    event->bind(3, e.period);
    event->bind(4, e.from_state);
    event->bind(5, e.to_state);
    event->bind(6, e.action);
    event->bind(7, e.actor);
    event->bind(8, e.at);
    event->bind(9, e.comment);
    QPAN_RETURN_IF_ERROR(event->run());
    const int64_t id = db_.last_insert_rowid();
    QPAN_RETURN_IF_ERROR(tx.commit());
    return id;
  }

  Result<std::vector<ApprovalEventRow>> approval_events(std::string_view data_set,
                                                        std::string_view unit_code,
                                                        int64_t period) override {
    auto stmt = db_.prepare(
        "SELECT e.id, e.data_set, k.code, e.period, e.from_state, e.to_state, e.action, e.actor, "
        "e.at, e.comment FROM approval_event e JOIN unit_key k ON k.id = e.unit_id "
        "WHERE e.data_set = ?1 AND e.period = ?2 AND k.code = ?3 ORDER BY e.id");
    if (!stmt) return stmt.status();
    stmt->bind(1, data_set);
    stmt->bind(2, period);
    stmt->bind(3, unit_code);
    std::vector<ApprovalEventRow> out;
    while (stmt->step()) {
      ApprovalEventRow r;
      r.id = stmt->column_int(0);
      r.data_set = stmt->column_text(1);
      r.unit_code = stmt->column_text(2);
      r.period = stmt->column_int(3);
      r.from_state = stmt->column_text(4);
      r.to_state = stmt->column_text(5);
      r.action = stmt->column_text(6);
      r.actor = stmt->column_text(7);
      r.at = stmt->column_int(8);
      r.comment = stmt->column_text(9);
      out.push_back(std::move(r));
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
    return out;
  }

  Result<std::unordered_map<std::string, int64_t>> first_approval_times(
      std::string_view data_set, int64_t period, std::string_view to_state) override {
    auto stmt = db_.prepare(
        "SELECT k.code, MIN(e.at) FROM approval_event e JOIN unit_key k ON k.id = e.unit_id "
        "WHERE e.data_set = ?1 AND e.period = ?2 AND e.to_state = ?3 GROUP BY k.code");
    if (!stmt) return stmt.status();
    stmt->bind(1, data_set);
    stmt->bind(2, period);
    stmt->bind(3, to_state);
    std::unordered_map<std::string, int64_t> out;
    while (stmt->step()) out.emplace(stmt->column_text(0), stmt->column_int(1));
    QPAN_RETURN_IF_ERROR(stmt->status());
    return out;
  }

 private:
  // Accounts: the rows matching `where` (after FROM user_account), parameters bound by `bind`.
  template <typename Bind>
  Result<std::vector<AccountRecord>> accounts(const std::string& where, Bind&& bind) {
    auto stmt = db_.prepare(
        "SELECT id, username, display_name, role, scope_code, password_hash, disabled, created_at "
        "FROM user_account " + where);
    if (!stmt) return stmt.status();
    bind(*stmt);
    std::vector<AccountRecord> out;
    while (stmt->step()) {
      AccountRecord a;
      a.id = stmt->column_int(0);
      a.username = stmt->column_text(1);
      a.display_name = stmt->column_text(2);
      a.role = stmt->column_text(3);
      a.scope_code = stmt->column_text(4);
      a.password_hash = stmt->column_text(5);
      a.disabled = stmt->column_int(6) != 0;
      a.created_at = stmt->column_int(7);
      out.push_back(std::move(a));
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
    return out;
  }

  template <typename Bind>
  Result<std::optional<AccountRecord>> one_account(const std::string& where, Bind&& bind) {
    Result<std::vector<AccountRecord>> found = accounts(where, std::forward<Bind>(bind));
    if (!found) return found.status();
    if (found->empty()) return std::optional<AccountRecord>();
    return std::optional<AccountRecord>(std::move(found->front()));
  }

  // Approvals: the rows matching `where` (over approval a JOIN unit_key k).
  template <typename Bind>
  Result<std::vector<ApprovalRow>> approval_rows(const std::string& where, Bind&& bind) {
    auto stmt = db_.prepare(
        "SELECT a.data_set, k.code, a.period, a.state, a.changed_by, a.changed_at, a.comment "
        "FROM approval a JOIN unit_key k ON k.id = a.unit_id " + where);
    if (!stmt) return stmt.status();
    bind(*stmt);
    std::vector<ApprovalRow> out;
    while (stmt->step()) {
      ApprovalRow r;
      r.data_set = stmt->column_text(0);
      r.unit_code = stmt->column_text(1);
      r.period = stmt->column_int(2);
      r.state = stmt->column_text(3);
      r.changed_by = stmt->column_text(4);
      r.changed_at = stmt->column_int(5);
      r.comment = stmt->column_text(6);
      out.push_back(std::move(r));
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
    return out;
  }

  template <typename Bind>
  Result<std::vector<ApiTokenRecord>> api_token_rows(const std::string& where, Bind&& bind) {
    auto stmt = db_.prepare(
        "SELECT id, token_hash, user_id, name, created_at, last_used_at FROM api_token " + where);
    if (!stmt) return stmt.status();
    bind(*stmt);
    std::vector<ApiTokenRecord> out;
    while (stmt->step()) {
      ApiTokenRecord t;
      t.id = stmt->column_int(0);
      t.token_hash = stmt->column_text(1);
      t.user_id = stmt->column_int(2);
      t.name = stmt->column_text(3);
      t.created_at = stmt->column_int(4);
      if (!stmt->column_is_null(5)) t.last_used_at = stmt->column_int(5);
      out.push_back(std::move(t));
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
    return out;
  }

  // Adds or updates disaggregations and elements by code; `pack` marks the elements as a
  // pack's (nullopt: imported on their own). Runs inside the caller's transaction.
  Status upsert_catalogue(const Catalogue& catalogue, const std::optional<std::string>& pack) {
    auto upsert_dis = db_.prepare(
        "INSERT INTO disaggregation (code, name_vi, name_en) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en "
        "RETURNING id");
    auto upsert_option = db_.prepare(
        "INSERT INTO disaggregation_option (disaggregation_id, code, name_vi, name_en, sort_order) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (disaggregation_id, code) DO UPDATE SET "
        "name_vi = excluded.name_vi, name_en = excluded.name_en, sort_order = excluded.sort_order");
    auto upsert_element = db_.prepare(
        "INSERT INTO data_element (code, name_vi, name_en, value_type, aggregation, "
        "disaggregation_id, description, area, pack) VALUES (?1, ?2, ?3, ?4, ?5, "
        "(SELECT id FROM disaggregation WHERE code = ?6), ?7, ?8, ?9) "
        "ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, "
        "value_type = excluded.value_type, aggregation = excluded.aggregation, "
        "disaggregation_id = excluded.disaggregation_id, description = excluded.description, "
        "area = excluded.area, pack = excluded.pack");
    for (auto* s : {&upsert_dis, &upsert_option, &upsert_element}) {
      if (!*s) return s->status();
    }
    for (const Disaggregation& d : catalogue.disaggregations()) {
      upsert_dis->bind(1, d.code);
      upsert_dis->bind(2, d.name_vi);
      upsert_dis->bind(3, d.name_en);
      if (!upsert_dis->step()) return db_.error("cannot save disaggregation " + d.code);
      int64_t id = upsert_dis->column_int(0);
      upsert_dis->reset();
      for (size_t i = 0; i < d.options.size(); ++i) {
        const DisaggregationOption& o = d.options[i];
        upsert_option->bind(1, id);
        upsert_option->bind(2, o.code);
        upsert_option->bind(3, o.name_vi);
        upsert_option->bind(4, o.name_en);
        upsert_option->bind(5, static_cast<int64_t>(i));
        QPAN_RETURN_IF_ERROR(upsert_option->run());
      }
    }
    for (const DataElement& e : catalogue.elements()) {
      upsert_element->bind(1, e.code);
      upsert_element->bind(2, e.name_vi);
      upsert_element->bind(3, e.name_en);
      upsert_element->bind(4, value_type_name(e.value_type));
      upsert_element->bind(5, aggregation_name(e.aggregation));
      if (e.disaggregation.empty()) {
        upsert_element->bind_null(6);
      } else {
        upsert_element->bind(6, e.disaggregation);
      }
      upsert_element->bind(7, e.description);
      upsert_element->bind(8, e.area);
      upsert_element->bind(9, pack);
      QPAN_RETURN_IF_ERROR(upsert_element->run());
    }
    return Status::ok();
  }

  struct ElementName {
    std::string code;
    ValueType type = ValueType::kText;
  };
  // id → code maps for turning stored keys back into exchange form.
  struct Names {
    std::unordered_map<int64_t, ElementName> elements;
    std::unordered_map<int64_t, std::string> units;
    std::unordered_map<int64_t, std::string> options;
  };

  Status migrate() {
    auto version = db_.prepare("PRAGMA user_version");
    if (!version) return version.status();
    if (!version->step()) return db_.error("cannot read schema version");
    const int64_t current = version->column_int(0);
    version->reset();
    const int64_t latest = std::size(sqlite_schema::kMigrations);
    if (current > latest) {
      return Status::conflict("database schema version " + std::to_string(current) +
                              " is newer than this qpan (" + std::to_string(latest) +
                              "); upgrade qpan");
    }
    if (current == latest) return Status::ok();
    Transaction tx(db_);
    QPAN_RETURN_IF_ERROR(tx.begin_status());
    for (int64_t v = current; v < latest; ++v) {
      QPAN_RETURN_IF_ERROR(db_.exec(sqlite_schema::kMigrations[v]));
    }
    // PRAGMA takes no parameters; `latest` is a compile-time count, not input.
    QPAN_RETURN_IF_ERROR(db_.exec("PRAGMA user_version = " + std::to_string(latest)));
    return tx.commit();
  }

  Result<Names> load_names() {
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
  static std::pair<std::string, std::vector<int64_t>> filter_clause(const ValueFilter& filter,
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
    std::string where;
    for (const std::string& p : parts) where += (where.empty() ? "WHERE " : " AND ") + p;
    return {where, params};
  }

  Result<std::vector<OrgUnitVersion>> select_units(const std::string& where,
                                                   const std::string& param) {
    auto stmt = db_.prepare(
        "SELECT code, level, name, type, parent_code, valid_from, valid_until FROM org_unit " +
        where + " ORDER BY code, valid_from");
    if (!stmt) return stmt.status();
    if (!param.empty()) stmt->bind(1, param);
    std::vector<OrgUnitVersion> out;
    while (stmt->step()) {
      OrgUnitVersion v;
      v.code = stmt->column_text(0);
      Result<OrgUnitLevel> level = parse_level(stmt->column_text(1));
      Result<std::optional<Date>> from = date_from_text(stmt->column_text(5));
      Result<std::optional<Date>> until = date_from_text(stmt->column_text(6));
      if (!level || !from || !until) return Status::internal("corrupt org unit row " + v.code);
      v.level = *level;
      v.name = stmt->column_text(2);
      v.type = stmt->column_text(3);
      v.parent_code = stmt->column_text(4);
      v.valid_from = *from;
      v.valid_until = *until;
      out.push_back(std::move(v));
    }
    QPAN_RETURN_IF_ERROR(stmt->status());
    return out;
  }

  Database db_;
  std::optional<ValueWriter> value_statements_;  // after db_: finalised before it closes
  std::unique_ptr<BackgroundCheckpointer> checkpointer_;  // after db_: stops before it closes
};

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path, const StoreOptions& options) {
  Result<sqlite::Database> db = sqlite::Database::open(path, options.create_if_missing);
  if (!db) return db.status();
  auto store = std::make_unique<SqliteStore>(std::move(*db));
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
