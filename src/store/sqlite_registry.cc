// The registry concern of the SQLite store (see qpan/registry_store.h): records as a JSON
// object of their fields, owned by a unit key like values, with an audit row per change. A
// record's creation is written to the audit trail when the record first changes (until then
// the record itself is its creation: who, when, the fields): a register of 100,000 records
// is imported without writing each record twice.
// The write calls run inside a savepoint, so they join the transaction open on the
// connection (the record writer's, shared with the counted values) or make their own.
#include <boost/json.hpp>

#include "qpan/store.h"
#include "qpan/text.h"
#include "store/record_fields.h"
#include "store/sqlite.h"
#include "store/sqlite_stores.h"

namespace qpan {

std::string_view record_audit_action_name(RecordAuditAction action) {
  switch (action) {
    case RecordAuditAction::kCreate: return "create";
    case RecordAuditAction::kUpdate: return "update";
    case RecordAuditAction::kDelete: return "delete";
  }
  return "update";
}

namespace sqlite {
namespace {

using store_detail::fields_json;
using store_detail::read_fields;

// The columns every record read selects, in this order.
constexpr std::string_view kRecordColumns =
    "r.id, r.registry, k.code, r.fields, r.version, r.created_by, r.created_at, r.updated_by, r.updated_at";

Result<RegistryRecord> record_from_row(const Statement& s) {
  RegistryRecord r;
  r.id = s.column_int(0);
  r.registry = std::string(s.column_text(1));
  r.org_unit = std::string(s.column_text(2));
  QPAN_RETURN_IF_ERROR(read_fields(s.column_text(3), r.fields));
  r.version = static_cast<int32_t>(s.column_int(4));
  r.created_by = std::string(s.column_text(5));
  r.created_at = s.column_int(6);
  r.updated_by = std::string(s.column_text(7));
  r.updated_at = s.column_int(8);
  return r;
}

// The subject of a record's entries in the change log.
std::string record_subject(const RegistryRecord& record) {
  return "record/" + record.registry + "/" + std::to_string(record.id);
}

// Runs `body` atomically: inside the transaction open on the connection (whose owner rolls
// it all back when a step fails: the record writer), or in a savepoint of its own.
template <typename Body>
Status in_savepoint(Database& db, Body&& body) {
  if (sqlite3_get_autocommit(db.handle()) == 0) return body();
  QPAN_RETURN_IF_ERROR(db.exec("SAVEPOINT registry_write"));
  Status s = body();
  if (!s) {
    (void)db.exec("ROLLBACK TO registry_write");
    (void)db.exec("RELEASE registry_write");
    return s;
  }
  return db.exec("RELEASE registry_write");
}

}  // namespace

std::pair<std::string, std::vector<std::string>> SqliteRegistryStore::query_clause(const RecordQuery& query) {
  std::vector<std::string> params = {query.registry};
  std::string where = " WHERE r.registry = ?1";
  auto param = [&](std::string value) {
    params.push_back(std::move(value));
    return "?" + std::to_string(params.size());
  };
  if (!query.units.empty()) {
    where += " AND k.code IN (";
    for (size_t i = 0; i < query.units.size(); ++i) where += (i ? "," : "") + param(query.units[i]);
    where += ")";
  }
  // Field names are bound as JSON paths, never spliced into the SQL.
  if (!query.date_field.empty() && query.from) {
    where += " AND json_extract(r.fields, " + param("$." + query.date_field) + ") >= " + param(format_date(*query.from));
  }
  if (!query.date_field.empty() && query.to) {
    where += " AND json_extract(r.fields, " + param("$." + query.date_field) + ") <= " + param(format_date(*query.to));
  }
  for (const auto& [field, value] : query.equals) {
    where += " AND json_extract(r.fields, " + param("$." + field) + ") = " + param(value);
  }
  return {where, params};
}

Result<std::vector<RegistryRecord>> SqliteRegistryStore::registry_records(const RecordQuery& query) {
  auto [where, params] = query_clause(query);
  std::string sql = "SELECT " + std::string(kRecordColumns) +
                    " FROM registry_record r JOIN unit_key k ON k.id = r.unit_id" + where;
  if (query.after_id > 0) sql += " AND r.id > " + std::to_string(query.after_id);  // a number, not input text
  sql += " ORDER BY r.id";
  if (query.limit > 0) sql += " LIMIT " + std::to_string(query.limit);
  auto stmt = db_.prepare(sql);
  if (!stmt) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) stmt->bind(static_cast<int>(i + 1), params[i]);
  std::vector<RegistryRecord> out;
  while (stmt->step()) {
    Result<RegistryRecord> r = record_from_row(*stmt);
    if (!r) return r.status();
    out.push_back(std::move(*r));
  }
  QPAN_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<int64_t> SqliteRegistryStore::count_registry_records(const RecordQuery& query) {
  auto [where, params] = query_clause(query);
  auto stmt = db_.prepare("SELECT count(*) FROM registry_record r JOIN unit_key k ON k.id = r.unit_id" + where);
  if (!stmt) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) stmt->bind(static_cast<int>(i + 1), params[i]);
  if (!stmt->step()) return stmt->status().is_ok() ? Status::internal("no count") : stmt->status();
  return stmt->column_int(0);
}

Result<std::optional<RegistryRecord>> SqliteRegistryStore::find_record(int64_t id) {
  auto stmt = db_.prepare("SELECT " + std::string(kRecordColumns) +
                          " FROM registry_record r JOIN unit_key k ON k.id = r.unit_id WHERE r.id = ?1");
  if (!stmt) return stmt.status();
  stmt->bind(1, id);
  if (!stmt->step()) {
    QPAN_RETURN_IF_ERROR(stmt->status());
    return std::optional<RegistryRecord>();
  }
  Result<RegistryRecord> r = record_from_row(*stmt);
  if (!r) return r.status();
  return std::optional<RegistryRecord>(std::move(*r));
}

Result<int64_t> SqliteRegistryStore::unit_key(const std::string& code) {
  if (!unit_key_) {
    auto stmt = db_.prepare("SELECT id FROM unit_key WHERE code = ?1");
    if (!stmt) return stmt.status();
    unit_key_.emplace(std::move(*stmt));
  }
  unit_key_->reset();
  unit_key_->bind(1, code);
  if (!unit_key_->step()) {
    QPAN_RETURN_IF_ERROR(unit_key_->status());
    return Status::not_found("unknown org unit \"" + code + "\"");
  }
  const int64_t id = unit_key_->column_int(0);
  unit_key_->reset();  // an open statement would hold a read snapshot past the next commit
  return id;
}

Status SqliteRegistryStore::audit(RecordAuditAction action, const RegistryRecord& record, int64_t unit_id,
                                  const std::string& fields, const WriteContext& context) {
  if (!audit_) {
    auto stmt = db_.prepare(
        "INSERT INTO registry_record_audit (record_id, registry, unit_id, action, fields, version, changed_by, "
        "changed_at, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!stmt) return stmt.status();
    audit_.emplace(std::move(*stmt));
  }
  Statement& s = *audit_;
  s.reset();
  s.bind(1, record.id);
  s.bind(2, record.registry);
  s.bind(3, unit_id);
  s.bind(4, record_audit_action_name(action));
  s.bind(5, fields);
  s.bind(6, static_cast<int64_t>(record.version));
  s.bind(7, context.changed_by);
  s.bind(8, context.changed_at);
  s.bind(9, context.source);
  return s.run();
}

Status SqliteRegistryStore::insert_record(RegistryRecord& record, const WriteContext& context) {
  return in_savepoint(db_, [&]() -> Status {
    Result<int64_t> unit = unit_key(record.org_unit);
    if (!unit) return unit.status();
    if (!insert_) {
      auto stmt = db_.prepare(
          "INSERT INTO registry_record (registry, unit_id, fields, version, created_by, created_at, updated_by, "
          "updated_at) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?4, ?5)");
      if (!stmt) return stmt.status();
      insert_.emplace(std::move(*stmt));
    }
    const std::string fields = fields_json(record.fields);
    Statement& s = *insert_;
    s.reset();
    s.bind(1, record.registry);
    s.bind(2, *unit);
    s.bind(3, fields);
    s.bind(4, context.changed_by);
    s.bind(5, context.changed_at);
    QPAN_RETURN_IF_ERROR(s.run());
    record.id = db_.last_insert_rowid();
    record.version = 1;
    record.created_by = record.updated_by = context.changed_by;
    record.created_at = record.updated_at = context.changed_at;
    return log_.append(ChangeKind::kRecord, context.changed_by, record_subject(record), std::nullopt, fields);
  });
}

Result<std::optional<std::string>> SqliteRegistryStore::stored_fields(int64_t record_id) {
  auto stmt = db_.prepare("SELECT fields FROM registry_record WHERE id = ?1");
  if (!stmt) return stmt.status();
  stmt->bind(1, record_id);
  std::optional<std::string> fields;
  if (stmt->step()) fields = std::string(stmt->column_text(0));
  QPAN_RETURN_IF_ERROR(stmt->status());
  return fields;
}

Status SqliteRegistryStore::audit_creation(int64_t record_id) {
  // The stored record is still its first version when no audit row names it yet.
  auto stmt = db_.prepare(
      "INSERT INTO registry_record_audit (record_id, registry, unit_id, action, fields, version, changed_by, "
      "changed_at, source) SELECT id, registry, unit_id, 'create', fields, version, created_by, created_at, '' "
      "FROM registry_record WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM registry_record_audit WHERE record_id = ?1)");
  if (!stmt) return stmt.status();
  stmt->bind(1, record_id);
  return stmt->run();
}

Status SqliteRegistryStore::update_record(const RegistryRecord& record, const WriteContext& context) {
  return in_savepoint(db_, [&]() -> Status {
    Result<int64_t> unit = unit_key(record.org_unit);
    if (!unit) return unit.status();
    QPAN_RETURN_IF_ERROR(audit_creation(record.id));
    const std::string fields = fields_json(record.fields);
    Result<std::optional<std::string>> before = stored_fields(record.id);
    if (!before) return before.status();
    auto stmt = db_.prepare(
        "UPDATE registry_record SET unit_id = ?2, fields = ?3, version = ?4, updated_by = ?5, updated_at = ?6 "
        "WHERE id = ?1 AND registry = ?7");
    if (!stmt) return stmt.status();
    stmt->bind(1, record.id);
    stmt->bind(2, *unit);
    stmt->bind(3, fields);
    stmt->bind(4, static_cast<int64_t>(record.version));
    stmt->bind(5, context.changed_by);
    stmt->bind(6, context.changed_at);
    stmt->bind(7, record.registry);
    QPAN_RETURN_IF_ERROR(stmt->run());
    if (db_.changes() != 1) return Status::not_found("no record " + std::to_string(record.id) + " in " + record.registry);
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kRecord, context.changed_by, record_subject(record), *before, fields));
    return audit(RecordAuditAction::kUpdate, record, *unit, fields, context);
  });
}

Status SqliteRegistryStore::delete_record(const RegistryRecord& record, const WriteContext& context) {
  return in_savepoint(db_, [&]() -> Status {
    Result<int64_t> unit = unit_key(record.org_unit);
    if (!unit) return unit.status();
    QPAN_RETURN_IF_ERROR(audit_creation(record.id));
    Result<std::optional<std::string>> before = stored_fields(record.id);
    if (!before) return before.status();
    auto stmt = db_.prepare("DELETE FROM registry_record WHERE id = ?1 AND registry = ?2");
    if (!stmt) return stmt.status();
    stmt->bind(1, record.id);
    stmt->bind(2, record.registry);
    QPAN_RETURN_IF_ERROR(stmt->run());
    if (db_.changes() != 1) return Status::not_found("no record " + std::to_string(record.id) + " in " + record.registry);
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kRecord, context.changed_by, record_subject(record), *before, std::nullopt));
    return audit(RecordAuditAction::kDelete, record, *unit, fields_json(record.fields), context);
  });
}

Result<std::vector<RecordAuditEntry>> SqliteRegistryStore::record_audit(int64_t record_id) {
  auto stmt = db_.prepare(
      "SELECT a.id, a.action, a.record_id, a.registry, k.code, a.fields, a.version, a.changed_by, a.changed_at, "
      "a.source FROM registry_record_audit a JOIN unit_key k ON k.id = a.unit_id WHERE a.record_id = ?1 "
      "ORDER BY a.id");
  if (!stmt) return stmt.status();
  stmt->bind(1, record_id);
  std::vector<RecordAuditEntry> out;
  while (stmt->step()) {
    RecordAuditEntry e;
    e.id = stmt->column_int(0);
    const std::string_view action = stmt->column_text(1);
    e.action = action == "create" ? RecordAuditAction::kCreate
                                  : (action == "delete" ? RecordAuditAction::kDelete : RecordAuditAction::kUpdate);
    e.state.id = stmt->column_int(2);
    e.state.registry = std::string(stmt->column_text(3));
    e.state.org_unit = std::string(stmt->column_text(4));
    QPAN_RETURN_IF_ERROR(read_fields(stmt->column_text(5), e.state.fields));
    e.state.version = static_cast<int32_t>(stmt->column_int(6));
    e.changed_by = std::string(stmt->column_text(7));
    e.changed_at = stmt->column_int(8);
    e.source = std::string(stmt->column_text(9));
    e.state.updated_by = e.changed_by;
    e.state.updated_at = e.changed_at;
    out.push_back(std::move(e));
  }
  QPAN_RETURN_IF_ERROR(stmt->status());
  if (out.empty()) {  // never changed: its creation is the record as stored
    Result<std::optional<RegistryRecord>> record = find_record(record_id);
    if (!record) return record.status();
    if (*record) out.push_back(store_detail::creation_entry(**record));
  }
  return out;
}

}  // namespace sqlite
}  // namespace qpan
