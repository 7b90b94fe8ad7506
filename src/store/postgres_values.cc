// The value concern of the PostgreSQL store (see qpan/value_store.h): data values keyed by
// (period, unit, element, option, attribute), import batches, the audit trail of every
// change, its entries in the change log (one per change; values created together 64 to a
// packed entry, as the SQLite store logs them), and the two kinds of write transaction (a
// streamed import; a group of writers).
//
// Writes go 1,024 rows at a time: one query reads the stored states of their keys (an
// array per key column, unnest), one fixed prepared statement inserts the new values and their
// change log entries together, and another keeps the changed values' previous states in the
// audit trail, updates or deletes them and logs them.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <unordered_map>

#include "store/packed_values.h"
#include "store/postgres_copy.h"
#include "store/postgres_stores.h"
#include "store/shared_sql.h"

namespace qpan::postgres {
namespace {

constexpr size_t kChunk = 1024;  // rows per bulk statement: 16 packed entries
// Values created by one import beyond which the table's statistics are refreshed at once.
constexpr int64_t kAnalyzeAfterCreated = 10'000;
constexpr size_t kPage = 20000;  // rows per page of a scan
// Values created together per packed change log entry: SQLite's bulk chunk, so that both
// stores log an import alike.
constexpr size_t kPackedValues = 64;

// The key columns, in the primary key's order.
constexpr std::string_view kKey = "period, unit_id, element_id, option_id, attribute_id";

Params& add_key(Params& params, const ValueKey& k) {
  return params.add(k.period).add(static_cast<int64_t>(k.unit_id)).add(static_cast<int64_t>(k.element_id))
      .add(static_cast<int64_t>(k.option_id)).add(static_cast<int64_t>(k.attribute_id));
}

// Rows' key columns as arrays, for unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::int[]).
struct KeyArrays {
  ArrayParam period, unit, element, option, attribute;

  void add(const ValueKey& k) {
    period.add(k.period);
    unit.add(static_cast<int64_t>(k.unit_id));
    element.add(static_cast<int64_t>(k.element_id));
    option.add(static_cast<int64_t>(k.option_id));
    attribute.add(static_cast<int64_t>(k.attribute_id));
  }
  Params& add_to(Params& params) const {
    for (const ArrayParam* column : {&period, &unit, &element, &option, &attribute}) params.add(column->text());
    return params;
  }
};

// The columns a write sets, as arrays in the table's order: the key, value_int, value_real,
// value_text (one set; none for a deletion), stored_by, last_updated, comment, followup —
// parameters $1…$12 (bigint, int × 4, bigint, float8, text, bigint, bigint, text, int) of the
// statements that unnest them.
struct RowArrays {
  KeyArrays key;
  ArrayParam value_int, value_real, value_text, stored_by, last_updated, comment, followup;

  void add(const ValueWrite& row, int64_t stored_by_id) {
    key.add(row.key);
    const bool integer = row.kind == TypedValue::Kind::kInteger || row.kind == TypedValue::Kind::kBoolean;
    !row.deleted && integer ? value_int.add(row.integer) : value_int.add_null();
    !row.deleted && row.kind == TypedValue::Kind::kReal ? value_real.add(row.real) : value_real.add_null();
    // A text without characters (a null view) is NULL, which the table refuses, as SQLite does.
    !row.deleted && row.kind == TypedValue::Kind::kText && row.text.data() != nullptr ? value_text.add(row.text)
                                                                                      : value_text.add_null();
    stored_by.add(stored_by_id);
    last_updated.add(row.last_updated);
    row.comment.empty() ? comment.add_null() : comment.add(row.comment);
    followup.add(static_cast<int64_t>(row.followup));
  }
  Params& add_to(Params& params) const {
    key.add_to(params);
    for (const ArrayParam* column : {&value_int, &value_real, &value_text, &stored_by, &last_updated, &comment,
                                     &followup}) {
      params.add(column->text());
    }
    return params;
  }
};

ValueKey key_at(const Rows& rows, int r, int first) {
  return {rows.get_int(r, first), static_cast<int32_t>(rows.get_int(r, first + 1)),
          static_cast<int32_t>(rows.get_int(r, first + 2)), static_cast<int32_t>(rows.get_int(r, first + 3)),
          static_cast<int32_t>(rows.get_int(r, first + 4))};
}

// A stored value's state as the write path compares it: its three value columns (int, real,
// text; one set) in text form, comment and follow-up flag.
struct StoredState {
  std::optional<std::string> value[3];
  std::optional<std::string> comment;
  bool followup = false;
};

// True when `stored` holds the same value, comment and flag as `row`.
bool same_state(const StoredState& stored, const ValueWrite& row) {
  bool same_value = false;
  switch (row.kind) {
    case TypedValue::Kind::kInteger:
    case TypedValue::Kind::kBoolean:
      same_value = stored.value[0] && std::strtoll(stored.value[0]->c_str(), nullptr, 10) == row.integer;
      break;
    case TypedValue::Kind::kReal:
      same_value = stored.value[1] && std::strtod(stored.value[1]->c_str(), nullptr) == row.real;
      break;
    case TypedValue::Kind::kText: same_value = stored.value[2] && *stored.value[2] == row.text; break;
  }
  return same_value && (row.comment.empty() ? !stored.comment : stored.comment == row.comment) &&
         stored.followup == row.followup;
}

// The machine form of the stored value in columns col..col + 2, given its element's type.
std::string value_text(const Rows& rows, int r, int col, ValueType type) {
  if (!rows.is_null(r, col)) {
    if (type == ValueType::kBoolean) return rows.get_int(r, col) != 0 ? "true" : "false";
    return std::string(rows.text(r, col));
  }
  if (!rows.is_null(r, col + 1)) {
    TypedValue v;
    v.kind = TypedValue::Kind::kReal;
    v.real = rows.get_double(r, col + 1);
    return v.to_string();
  }
  return rows.get_text(r, col + 2);
}

// What both kinds of value transaction share: the writing transaction, import batches, the
// actor ids, the bulk and the careful write paths, and the rows kept for the commit listener.
class ValueTransactionBase {
 protected:
  ValueTransactionBase(Connection& db, ChangeLogWriter& log, const ValueStore::CommitListener& listener)
      : db_(db), log_(log), tx_(db, log), listener_(listener) {}

  Status begin() {
    QPAN_RETURN_IF_ERROR(tx_.begin_status());
    logged_.first = tx_.last_seq_at_begin() + 1;
    return Status::ok();
  }

  // Adds the import_batch row of `context`'s writes and directs the rows to it.
  Result<int64_t> open_batch(const WriteContext& context) {
    Result<Rows> batch = db_.query(
        "INSERT INTO import_batch (id, kind, source, imported_by, imported_at) VALUES "
        "((SELECT COALESCE(MAX(id), 0) + 1 FROM import_batch), 'values', $1, $2, $3) RETURNING id",
        Params().add(context.source).add(context.changed_by).add(context.changed_at));
    if (!batch) return batch.status();
    import_id_ = batch->get_int(0, 0);
    context_ = &context;
    Result<int64_t> actor = log_.actor_id(context.changed_by);
    if (!actor) return actor.status();
    log_actor_ = *actor;
    return import_id_;
  }

  Status close_batch(const ValueWriteSummary& summary) {
    return db_.run("UPDATE import_batch SET created = $2, updated = $3, unchanged = $4 WHERE id = $1",
                   Params().add(summary.import_id).add(summary.created).add(summary.updated).add(summary.unchanged))
        .status();
  }

  // Writes rows in key order, a chunk at a time: the stored states of the chunk's keys are
  // read in one query (none when `none_stored`: a session into an empty table), values
  // stored already are compared, and each run of new values goes in with one statement, each
  // run of changed ones is updated or deleted with one. Log entries keep the rows' order.
  Status write_rows(std::span<const ValueWrite> rows, bool none_stored, ValueWriteSummary& summary) {
    if (listener_) {
      for (ValueWrite row : rows) {
        row.text = row.stored_by = row.comment = {};  // the views end with this call
        written_.push_back(row);
      }
    }
    std::vector<const ValueWrite*> fresh;
    std::vector<std::pair<const ValueWrite*, const StoredState*>> changed;
    auto insert_fresh = [&]() -> Status {
      if (fresh.empty()) return Status::ok();
      QPAN_RETURN_IF_ERROR(insert_rows(fresh));
      summary.created += static_cast<int64_t>(fresh.size());
      fresh.clear();
      return Status::ok();
    };
    auto change_stored = [&]() -> Status {
      QPAN_RETURN_IF_ERROR(change_rows(changed, summary));
      changed.clear();
      return Status::ok();
    };
    for (size_t start = 0; start < rows.size(); start += kChunk) {
      std::span<const ValueWrite> chunk = rows.subspan(start, std::min(kChunk, rows.size() - start));
      std::map<ValueKey, StoredState> stored;
      if (!none_stored) {
        Result<std::map<ValueKey, StoredState>> read = stored_states(chunk);
        if (!read) return read.status();
        stored = std::move(*read);
      }
      for (const ValueWrite& row : chunk) {
        auto found = stored.find(row.key);
        if (found == stored.end()) {
          if (row.deleted) {
            ++summary.unchanged;  // nothing to delete
          } else {
            QPAN_RETURN_IF_ERROR(change_stored());
            fresh.push_back(&row);
          }
          continue;
        }
        if (!row.deleted && same_state(found->second, row)) {
          ++summary.unchanged;
          continue;
        }
        QPAN_RETURN_IF_ERROR(insert_fresh());
        changed.emplace_back(&row, &found->second);
      }
      // Both runs end with the chunk, whose stored states `changed` points into.
      QPAN_RETURN_IF_ERROR(insert_fresh());
      QPAN_RETURN_IF_ERROR(change_stored());
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

  // After a rollback to a savepoint: actors added since may be gone.
  void forget_actors() {
    actors_.clear();
    last_actor_ = 0;
  }

  Connection& db_;
  ChangeLogWriter& log_;
  WriteTransaction tx_;
  LogRange logged_;  // this transaction's entries in the change log
  bool committed_ = false;
  const ValueStore::CommitListener& listener_;
  std::vector<ValueWrite> written_;  // for the listener, when there is one

 private:
  // The stored states of the chunk's keys.
  Result<std::map<ValueKey, StoredState>> stored_states(std::span<const ValueWrite> chunk) {
    KeyArrays keys;
    for (const ValueWrite& row : chunk) keys.add(row.key);
    Params params;
    Result<Rows> rows = db_.query(
        "SELECT d.period, d.unit_id, d.element_id, d.option_id, d.attribute_id, d.value_int, d.value_real, "
        "d.value_text, d.comment, d.followup FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::int[]) "
        "AS k(period, unit_id, element_id, option_id, attribute_id) JOIN data_value d ON d.period = k.period AND "
        "d.unit_id = k.unit_id AND d.element_id = k.element_id AND d.option_id = k.option_id AND "
        "d.attribute_id = k.attribute_id",
        keys.add_to(params));
    if (!rows) return rows.status();
    std::map<ValueKey, StoredState> states;
    for (int r = 0; r < rows->size(); ++r) {
      StoredState state;
      for (int col = 0; col < 3; ++col) {
        if (!rows->is_null(r, 5 + col)) state.value[col] = rows->get_text(r, 5 + col);
      }
      if (!rows->is_null(r, 8)) state.comment = rows->get_text(r, 8);
      state.followup = rows->get_bool(r, 9);
      states.emplace(key_at(*rows, r, 0), std::move(state));
    }
    return states;
  }

  // Inserts rows known not to exist, and their change log entries, in one statement. As the
  // SQLite store logs them, each 64 values created together are one packed entry
  // (packed_values.h) and the values after the last 64 are an entry each.
  Status insert_rows(const std::vector<const ValueWrite*>& chunk) {
    RowArrays columns;
    ArrayParam packed;
    for (const ValueWrite* row : chunk) {
      Result<int64_t> actor = actor_id(row->stored_by);
      if (!actor) return actor.status();
      columns.add(*row, *actor);
    }
    const size_t packs = chunk.size() / kPackedValues;
    std::vector<ValueWrite> pack;
    for (size_t p = 0; p < packs; ++p) {
      pack.clear();
      for (size_t i = p * kPackedValues; i < (p + 1) * kPackedValues; ++i) pack.push_back(*chunk[i]);
      packed.add_bytes(pack_created_values(pack));
    }
    const size_t packed_rows = packs * kPackedValues;
    const int64_t entries = static_cast<int64_t>(packs + (chunk.size() - packed_rows));
    static const std::string kInsert =
        "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::int[], $6::bigint[], "
        "$7::float8[], $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::int[]) WITH ORDINALITY "
        "AS t(period, unit_id, element_id, option_id, attribute_id, value_int, value_real, value_text, stored_by, "
        "last_updated, comment, followup, n)), "
        "stored AS (INSERT INTO data_value (period, unit_id, element_id, option_id, attribute_id, value_int, "
        "value_real, value_text, stored_by, last_updated, comment, followup, import_id) SELECT period, unit_id, "
        "element_id, option_id, attribute_id, value_int, value_real, value_text, stored_by, last_updated, comment, "
        "followup <> 0, $13 FROM v ORDER BY n), "
        "head AS (UPDATE change_log_head SET seq = seq + $14, at = GREATEST(at, $15) RETURNING seq - $14 AS base, at), "
        "packs AS (INSERT INTO change_log (seq, at, actor, kind, packed) SELECT head.base + p.n, head.at, $16, "
        "'values', p.bytes FROM head, unnest($17::bytea[]) WITH ORDINALITY AS p(bytes, n)) "
        "INSERT INTO change_log (seq, at, actor, kind, period, unit_id, element_id, option_id, attribute_id, "
        "after_int, after_real, after) SELECT head.base + $18 + (v.n - $19), head.at, $16, 'value', v.period, "
        "v.unit_id, v.element_id, v.option_id, v.attribute_id, v.value_int, v.value_real, v.value_text "
        "FROM head, v WHERE v.n > $19";
    Params params;
    columns.add_to(params).add(import_id_).add(entries).add(clock_ms()).add(log_actor_).add(packed.text())
        .add(static_cast<int64_t>(packs)).add(static_cast<int64_t>(packed_rows));
    return db_.run(kInsert, params).status();
  }

  // Updates or deletes stored values that changed, given their stored states, in one
  // statement: each keeps its previous state in the audit trail and has its entry in the
  // change log, in the rows' order. One round trip instead of one per value: a request of
  // 100 changed values held the change log's head for 100 statements.
  Status change_rows(const std::vector<std::pair<const ValueWrite*, const StoredState*>>& changes,
                     ValueWriteSummary& summary) {
    if (changes.empty()) return Status::ok();
    RowArrays columns;
    ArrayParam before[3], deleted;
    for (const auto& [row, stored] : changes) {
      Result<int64_t> actor = actor_id(row->stored_by);
      if (!actor) return actor.status();
      columns.add(*row, *actor);
      for (int col = 0; col < 3; ++col) {
        stored->value[col] ? before[col].add(*stored->value[col]) : before[col].add_null();
      }
      deleted.add(static_cast<int64_t>(row->deleted));
      ++(row->deleted ? summary.deleted : summary.updated);
    }
    // Every part of the statement sees the rows as they were before it, so the audit rows
    // copy the previous states; the log's "before" is the state read with the chunk.
    static const std::string kMatch =
        "d.period = v.period AND d.unit_id = v.unit_id AND d.element_id = v.element_id AND "
        "d.option_id = v.option_id AND d.attribute_id = v.attribute_id";
    static const std::string kChange =
        "WITH v AS (SELECT * FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[], $5::int[], $6::bigint[], "
        "$7::float8[], $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::int[], $13::bigint[], "
        "$14::float8[], $15::text[], $16::int[]) WITH ORDINALITY AS t(period, unit_id, element_id, option_id, "
        "attribute_id, value_int, value_real, value_text, stored_by, last_updated, comment, followup, before_int, "
        "before_real, before_text, deleted, n)), "
        "kept AS (INSERT INTO data_value_audit (period, unit_id, element_id, option_id, attribute_id, value_int, "
        "value_real, value_text, comment, followup, stored_by, last_updated, version, import_id, action, changed_by, "
        "changed_at) SELECT d.period, d.unit_id, d.element_id, d.option_id, d.attribute_id, d.value_int, "
        "d.value_real, d.value_text, d.comment, d.followup, d.stored_by, d.last_updated, d.version, d.import_id, "
        "CASE WHEN v.deleted <> 0 THEN 'delete' ELSE 'update' END, $17, $18 FROM v JOIN data_value d ON " + kMatch +
        " ORDER BY v.n), "
        "changed AS (UPDATE data_value d SET value_int = v.value_int, value_real = v.value_real, "
        "value_text = v.value_text, stored_by = v.stored_by, last_updated = v.last_updated, comment = v.comment, "
        "followup = v.followup <> 0, import_id = $19, version = d.version + 1 FROM v WHERE v.deleted = 0 AND " +
        kMatch + "), "
        "gone AS (DELETE FROM data_value d USING v WHERE v.deleted <> 0 AND " + kMatch + "), "
        "head AS (UPDATE change_log_head SET seq = seq + $20, at = GREATEST(at, $21) RETURNING seq - $20 AS base, at) "
        "INSERT INTO change_log (seq, at, actor, kind, period, unit_id, element_id, option_id, attribute_id, "
        "before_int, before_real, before, after_int, after_real, after) SELECT head.base + v.n, head.at, $22, "
        "'value', v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id, v.before_int, v.before_real, "
        "v.before_text, v.value_int, v.value_real, v.value_text FROM head, v";
    Params params;
    columns.add_to(params).add(before[0].text()).add(before[1].text()).add(before[2].text()).add(deleted.text());
    params.add(context_->changed_by).add(context_->changed_at).add(import_id_)
        .add(static_cast<int64_t>(changes.size())).add(clock_ms()).add(log_actor_);
    return db_.run(kChange, params).status();
  }

  Result<int64_t> actor_id(std::string_view name) {
    if (last_actor_ != 0 && name == last_actor_name_) return last_actor_;
    if (auto it = actors_.find(std::string(name)); it != actors_.end()) {
      last_actor_name_ = it->first;
      last_actor_ = it->second;
      return it->second;
    }
    Result<int64_t> id = log_.actor_id(name);
    if (!id) return id.status();
    actors_[std::string(name)] = *id;
    return *id;
  }

  static int64_t clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  int64_t import_id_ = 0;
  const WriteContext* context_ = nullptr;
  int64_t log_actor_ = 0;  // the change log's actor of the batch's entries
  std::unordered_map<std::string, int64_t> actors_;
  std::string last_actor_name_;
  int64_t last_actor_ = 0;
};

// A write transaction fed in sorted pieces, one import batch (see ValueWriteSession).
class PostgresValueWriteSession final : public ValueWriteSession, ValueTransactionBase {
 public:
  PostgresValueWriteSession(Connection& db, ChangeLogWriter& log, const WriteContext& context,
                            const ValueStore::CommitListener& listener)
      : ValueTransactionBase(db, log, listener), context_(context) {}

  Status begin() {
    QPAN_RETURN_IF_ERROR(ValueTransactionBase::begin());
    Result<int64_t> id = open_batch(context_);
    if (!id) return id.status();
    summary_.import_id = *id;
    // Keys only grow within a session, so into a table that was empty no row can clash
    // with a stored one and every chunk takes the bulk path without probing.
    Result<Rows> any = db_.query("SELECT 1 FROM data_value LIMIT 1");
    if (!any) return any.status();
    table_was_empty_ = any->empty();
    return Status::ok();
  }

  Status write(std::span<const ValueWrite> rows) override {
    if (committed_) return Status::internal("write after commit");
    return write_rows(rows, table_was_empty_, summary_);
  }

  Result<ValueWriteSummary> commit() override {
    QPAN_RETURN_IF_ERROR(close_batch(summary_));
    QPAN_RETURN_IF_ERROR(commit_all());
    // A bulk load leaves the planner without statistics until autovacuum comes round, and
    // until then every page of a server's start-up scan is planned as a scan of the whole
    // table (785 ms a page instead of 29 on 0.85 M values). The import is committed:
    // statistics are only an optimisation, so a failure here is not the import's.
    if (summary_.created >= kAnalyzeAfterCreated) (void)db_.exec("ANALYZE data_value");
    return summary_;
  }

 private:
  WriteContext context_;
  ValueWriteSummary summary_;
  bool table_was_empty_ = false;
};

// Several writers' import batches in one transaction (see ValueWriteTransaction); each in
// a savepoint, so that one that fails leaves the others.
class PostgresValueWriteTransaction final : public ValueWriteTransaction, ValueTransactionBase {
 public:
  PostgresValueWriteTransaction(Connection& db, ChangeLogWriter& log, const ValueStore::CommitListener& listener)
      : ValueTransactionBase(db, log, listener) {}

  using ValueTransactionBase::begin;

  Result<ValueWriteSummary> write(std::span<const ValueWrite> rows, const WriteContext& context) override {
    if (committed_) return Status::internal("write after commit");
    QPAN_RETURN_IF_ERROR(db_.exec("SAVEPOINT value_batch"));
    const size_t kept = written_.size();
    Result<ValueWriteSummary> summary = write_batch(rows, context);
    if (!summary) {
      (void)db_.exec("ROLLBACK TO SAVEPOINT value_batch");
      (void)db_.exec("RELEASE SAVEPOINT value_batch");
      written_.resize(kept);
      forget_actors();
      return summary.status();
    }
    QPAN_RETURN_IF_ERROR(db_.exec("RELEASE SAVEPOINT value_batch"));
    return summary;
  }

  Status commit() override { return commit_all(); }

 private:
  Result<ValueWriteSummary> write_batch(std::span<const ValueWrite> rows, const WriteContext& context) {
    ValueWriteSummary summary;
    Result<int64_t> id = open_batch(context);
    if (!id) return id.status();
    summary.import_id = *id;
    QPAN_RETURN_IF_ERROR(write_rows(rows, false, summary));
    QPAN_RETURN_IF_ERROR(close_batch(summary));
    return summary;
  }
};

}  // namespace

Result<std::optional<DataValue>> PostgresValueStore::find_value(const ValueKey& key) {
  Params params;
  add_key(params, key);
  Result<Rows> rows = db_.query(
      "SELECT v.value_int, v.value_real, v.value_text, a.name, v.last_updated, v.comment, v.followup, v.version, "
      "e.code, e.value_type, k.code, COALESCE(o.code, '') FROM data_value v JOIN actor a ON a.id = v.stored_by "
      "JOIN data_element e ON e.id = v.element_id JOIN unit_key k ON k.id = v.unit_id "
      "LEFT JOIN disaggregation_option o ON o.id = v.option_id "
      "WHERE v.period = $1 AND v.unit_id = $2 AND v.element_id = $3 AND v.option_id = $4 AND v.attribute_id = $5",
      params);
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<DataValue>();
  Result<Period> period = Period::from_key(key.period);
  Result<ValueType> type = parse_value_type(rows->text(0, 9));
  if (!period || !type) return Status::internal("corrupt value row");
  DataValue v;
  v.element = rows->get_text(0, 8);
  v.period = *period;
  v.org_unit = rows->get_text(0, 10);
  v.option = rows->get_text(0, 11);
  v.value = value_text(*rows, 0, 0, *type);
  v.stored_by = rows->get_text(0, 3);
  v.last_updated = rows->get_int(0, 4);
  v.comment = rows->get_text(0, 5);
  v.followup = rows->get_bool(0, 6);
  v.version = static_cast<int32_t>(rows->get_int(0, 7));
  return std::optional<DataValue>(std::move(v));
}

Result<std::unordered_map<std::string, int64_t>> PostgresValueStore::value_counts_by_element() {
  Result<Rows> rows = db_.query(
      "SELECT e.code, c.n FROM (SELECT element_id, count(*) AS n FROM data_value GROUP BY element_id) c "
      "JOIN data_element e ON e.id = c.element_id");
  if (!rows) return rows.status();
  std::unordered_map<std::string, int64_t> counts;
  for (int r = 0; r < rows->size(); ++r) counts.emplace(rows->get_text(r, 0), rows->get_int(r, 1));
  return counts;
}

Result<std::unique_ptr<ValueWriteSession>> PostgresValueStore::begin_value_write(const WriteContext& context) {
  auto session = std::make_unique<PostgresValueWriteSession>(db_, log_, context, commit_listener_);
  QPAN_RETURN_IF_ERROR(session->begin());
  return std::unique_ptr<ValueWriteSession>(std::move(session));
}

Result<std::unique_ptr<ValueWriteTransaction>> PostgresValueStore::begin_value_transaction() {
  auto transaction = std::make_unique<PostgresValueWriteTransaction>(db_, log_, commit_listener_);
  QPAN_RETURN_IF_ERROR(transaction->begin());
  return std::unique_ptr<ValueWriteTransaction>(std::move(transaction));
}

namespace {

// Reads `select` (columns starting with the value key as v.<key>, its WHERE clause
// `where` with `filter_params`) page by page in key order, so that a national table is never
// held in memory whole; `visit_page` gets each page's rows.
template <typename VisitPage>
Status scan_in_pages(Connection& db, const std::string& select, const std::string& where, const Params& filter_params,
                     VisitPage&& visit_page) {
  std::optional<ValueKey> after;
  for (;;) {
    Params params = filter_params;
    std::string sql = select + " " + where;
    if (after) {
      const int first = params.size() + 1;
      add_key(params, *after);
      sql += (where.empty() ? " WHERE " : " AND ");
      sql += "(v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id) > ($" + std::to_string(first) + ", $" +
             std::to_string(first + 1) + ", $" + std::to_string(first + 2) + ", $" + std::to_string(first + 3) +
             ", $" + std::to_string(first + 4) + ")";
    }
    sql += " ORDER BY v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id LIMIT " + std::to_string(kPage);
    Result<Rows> rows = db.query(sql, params);
    if (!rows) return rows.status();
    QPAN_RETURN_IF_ERROR(visit_page(*rows));
    if (static_cast<size_t>(rows->size()) < kPage) return Status::ok();
    after = key_at(*rows, rows->size() - 1, 0);
  }
}

}  // namespace

Status PostgresValueStore::scan_values(const ValueFilter& filter,
                                       const std::function<void(const ValueKey&, const DataValue&)>& visit) {
  // Codes by join, not by maps of every unit read first: the record writer scans one unit's
  // few values per record, and reading 17,000 unit codes each time would cost more than the
  // scan.
  Params params;
  const std::string where = filter_clause(filter, "v.", params);
  DataValue dv;
  return scan_in_pages(
      db_,
      "SELECT v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id, v.value_int, v.value_real, "
      "v.value_text, a.name, v.last_updated, v.comment, v.followup, v.version, COALESCE(e.code, ''), "
      "COALESCE(e.value_type, ''), COALESCE(k.code, ''), COALESCE(o.code, '') "
      "FROM data_value v JOIN actor a ON a.id = v.stored_by LEFT JOIN data_element e ON e.id = v.element_id "
      "LEFT JOIN unit_key k ON k.id = v.unit_id LEFT JOIN disaggregation_option o ON o.id = v.option_id",
      where, params, [&](const Rows& rows) -> Status {
        for (int r = 0; r < rows.size(); ++r) {
          const ValueKey key = key_at(rows, r, 0);
          Result<Period> period = Period::from_key(key.period);
          if (!period) return Status::internal("corrupt period key in data_value");
          Result<ValueType> type = parse_value_type(rows.text(r, 14));
          dv.element = rows.get_text(r, 13);
          dv.period = *period;
          dv.org_unit = rows.get_text(r, 15);
          dv.option = key.option_id == 0 ? std::string() : rows.get_text(r, 16);
          dv.attribute.clear();
          dv.value = value_text(rows, r, 5, type ? *type : ValueType::kText);
          dv.stored_by = rows.get_text(r, 8);
          dv.last_updated = rows.get_int(r, 9);
          dv.comment = rows.get_text(r, 10);
          dv.followup = rows.get_bool(r, 11);
          dv.version = static_cast<int32_t>(rows.get_int(r, 12));
          visit(key, dv);
        }
        return Status::ok();
      });
}

Status PostgresValueStore::scan_numbers(const std::function<void(std::span<const StoredNumber>)>& visit) {
  // One COPY of the table in binary, in its own order (after a bulk import, the import's:
  // grouped by period and unit, as the engine likes them), instead of pages in key order:
  // no page is planned, walked through an index or printed as text (PostgreSQL's part alone,
  // on 20 M values: 17 s in binary against 36 s in text). The table itself rather than a
  // SELECT leaving out text, so that the server only reads and sends: a text value's row
  // has neither number (the CHECK allows one value column) and is skipped here.
  constexpr size_t kBatch = 4096;
  std::vector<StoredNumber> batch;
  batch.reserve(kBatch);
  BinaryCopyParser parser;
  const auto take_row = [&](const BinaryCopyRow& row) -> Status {
    std::optional<int64_t> key[5];
    for (int i = 0; i < 5; ++i) key[i] = row.size() == 7 ? row.integer(i) : std::nullopt;
    if (!key[0] || !key[1] || !key[2] || !key[3] || !key[4]) {
      return Status::internal("data_value row " + std::to_string(parser.rows()) + " of the COPY is not a value key");
    }
    StoredNumber n;
    n.key = {*key[0], static_cast<int32_t>(*key[1]), static_cast<int32_t>(*key[2]), static_cast<int32_t>(*key[3]),
             static_cast<int32_t>(*key[4])};
    if (std::optional<int64_t> integer = row.integer(5)) {
      n.integer = *integer;
    } else if (std::optional<double> real = row.real(6)) {
      n.is_real = true;
      n.real = *real;
    } else if (row.is_null(5) && row.is_null(6)) {
      return Status::ok();  // a text value
    } else {
      return Status::internal("data_value row " + std::to_string(parser.rows()) + " of the COPY has a number of " +
                              "another width");
    }
    batch.push_back(n);
    if (batch.size() == kBatch) {
      visit(batch);
      batch.clear();
    }
    return Status::ok();
  };
  QPAN_RETURN_IF_ERROR(db_.copy_out(
      "COPY data_value (period, unit_id, element_id, option_id, attribute_id, value_int, value_real) "
      "TO STDOUT (FORMAT binary)",
      [&](std::string_view piece) { return parser.feed(piece, take_row); }));
  QPAN_RETURN_IF_ERROR(parser.finish());
  if (!batch.empty()) visit(batch);
  return Status::ok();
}

Result<std::vector<int64_t>> PostgresValueStore::stored_periods() {
  Result<Rows> rows = db_.query(store_detail::kStoredPeriodsQuery);
  if (!rows) return rows.status();
  std::vector<int64_t> periods;
  periods.reserve(static_cast<size_t>(rows->size()));
  for (int r = 0; r < rows->size(); ++r) periods.push_back(rows->get_int(r, 0));
  return periods;
}

Result<std::vector<AuditEntry>> PostgresValueStore::audit_entries(const ValueFilter& filter) {
  Result<Names> names = load_names();
  if (!names) return names.status();
  std::unordered_map<int64_t, store_detail::ImportStamp> batches;
  {
    Result<Rows> rows = db_.query("SELECT id, imported_by, imported_at FROM import_batch");
    if (!rows) return rows.status();
    for (int r = 0; r < rows->size(); ++r) batches[rows->get_int(r, 0)] = {rows->get_text(r, 1), rows->get_int(r, 2)};
  }
  // Each value's states in version order: superseded ones from the audit table, then
  // the current one.
  std::map<ValueKey, std::vector<store_detail::StoredValueState>> history;
  Params params;
  const std::string where = filter_clause(filter, "v.", params);
  const std::string columns =
      "v.period, v.unit_id, v.element_id, v.option_id, v.attribute_id, v.value_int, v.value_real, v.value_text, "
      "a.name, v.last_updated, COALESCE(v.import_id, 0)";
  for (int pass = 0; pass < 2; ++pass) {
    const std::string sql =
        pass == 0 ? "SELECT " + columns + ", v.action, v.changed_by, v.changed_at FROM data_value_audit v "
                    "JOIN actor a ON a.id = v.stored_by " + where + " ORDER BY v.id"
                  : "SELECT " + columns + ", '', '', 0 FROM data_value v JOIN actor a ON a.id = v.stored_by " + where;
    Result<Rows> rows = db_.query(sql, params);
    if (!rows) return rows.status();
    for (int r = 0; r < rows->size(); ++r) {
      const ValueKey key = key_at(*rows, r, 0);
      store_detail::StoredValueState s;
      s.value = value_text(*rows, r, 5, names->elements[key.element_id].type);
      s.stored_by = rows->get_text(r, 8);
      s.last_updated = rows->get_int(r, 9);
      s.import_id = rows->get_int(r, 10);
      s.action = rows->get_text(r, 11);
      s.superseded_by = rows->get_text(r, 12);
      s.superseded_at = rows->get_int(r, 13);
      history[key].push_back(std::move(s));
    }
  }
  return store_detail::audit_trail(history, *names, batches);
}

Result<PostgresValueStore::Names> PostgresValueStore::load_names() {
  Names names;
  Result<Rows> elements = db_.query("SELECT id, code, value_type FROM data_element");
  if (!elements) return elements.status();
  for (int r = 0; r < elements->size(); ++r) {
    Result<ValueType> type = parse_value_type(elements->text(r, 2));
    names.elements[elements->get_int(r, 0)] = {elements->get_text(r, 1), type ? *type : ValueType::kText};
  }
  Result<Rows> units = db_.query("SELECT id, code FROM unit_key");
  if (!units) return units.status();
  for (int r = 0; r < units->size(); ++r) names.units[units->get_int(r, 0)] = units->get_text(r, 1);
  Result<Rows> options = db_.query("SELECT id, code FROM disaggregation_option");
  if (!options) return options.status();
  for (int r = 0; r < options->size(); ++r) names.options[options->get_int(r, 0)] = options->get_text(r, 1);
  return names;
}

std::string PostgresValueStore::filter_clause(const ValueFilter& filter, const std::string& alias, Params& params) {
  std::vector<std::string> parts;
  auto param = [&](int64_t v) {
    params.add(v);
    return "$" + std::to_string(params.size());
  };
  if (!filter.period_key_ranges.empty()) {
    std::string any;
    for (const auto& [lo, hi] : filter.period_key_ranges) {
      if (!any.empty()) any += " OR ";
      any += alias + "period BETWEEN " + param(lo) + " AND " + param(hi);
    }
    parts.push_back("(" + any + ")");
  }
  // Id lists as one array parameter each: one prepared statement whatever their length.
  if (!filter.unit_ids.empty()) {
    ArrayParam ids;
    for (int64_t id : filter.unit_ids) ids.add(id);
    params.add(ids.text());
    parts.push_back(alias + "unit_id = ANY($" + std::to_string(params.size()) + "::int[])");
  }
  if (!filter.element_ids.empty()) {
    ArrayParam ids;
    for (int64_t id : filter.element_ids) ids.add(id);
    params.add(ids.text());
    parts.push_back(alias + "element_id = ANY($" + std::to_string(params.size()) + "::int[])");
  }
  std::string where;
  for (const std::string& p : parts) where += (where.empty() ? "WHERE " : " AND ") + p;
  return where;
}

}  // namespace qpan::postgres
