// The registry concern of the PostgreSQL store (see qpan/registry_store.h): records as a JSON
// object of their fields, owned by a unit key like values, with an audit row per change. As
// in the SQLite store, a record's creation is written to the audit trail only when the
// record first changes. The write calls join the transaction open on the connection (the
// record writer's, shared with the counted values) or make a writing transaction of their own.
#include "store/postgres_stores.h"
#include "store/record_fields.h"

namespace qpan::postgres {
namespace {

using store_detail::fields_json;
using store_detail::read_fields;

// The columns every record read selects, in this order.
constexpr std::string_view kRecordColumns =
    "r.id, r.registry, k.code, r.fields, r.version, r.created_by, r.created_at, r.updated_by, r.updated_at";

Result<RegistryRecord> record_from_row(const Rows& rows, int r) {
  RegistryRecord record;
  record.id = rows.get_int(r, 0);
  record.registry = rows.get_text(r, 1);
  record.org_unit = rows.get_text(r, 2);
  QPAN_RETURN_IF_ERROR(read_fields(rows.text(r, 3), record.fields));
  record.version = static_cast<int32_t>(rows.get_int(r, 4));
  record.created_by = rows.get_text(r, 5);
  record.created_at = rows.get_int(r, 6);
  record.updated_by = rows.get_text(r, 7);
  record.updated_at = rows.get_int(r, 8);
  return record;
}

// The subject of a record's entries in the change log.
std::string record_subject(const RegistryRecord& record) {
  return "record/" + record.registry + "/" + std::to_string(record.id);
}

}  // namespace

std::string PostgresRegistryStore::query_clause(const RecordQuery& query, Params& params) {
  params.add(query.registry);
  std::string where = " WHERE r.registry = $1";
  auto param = [&](const std::string& value) {
    params.add(value);
    return "$" + std::to_string(params.size());
  };
  if (!query.units.empty()) {
    where += " AND k.code IN (";
    for (size_t i = 0; i < query.units.size(); ++i) where += (i ? "," : "") + param(query.units[i]);
    where += ")";
  }
  // Field names are bound as parameters, never spliced into the SQL.
  if (!query.date_field.empty() && query.from) {
    where += " AND (r.fields::json ->> " + param(query.date_field) + ") >= " + param(format_date(*query.from));
  }
  if (!query.date_field.empty() && query.to) {
    where += " AND (r.fields::json ->> " + param(query.date_field) + ") <= " + param(format_date(*query.to));
  }
  for (const auto& [field, value] : query.equals) {
    where += " AND (r.fields::json ->> " + param(field) + ") = " + param(value);
  }
  return where;
}

Result<std::vector<RegistryRecord>> PostgresRegistryStore::registry_records(const RecordQuery& query) {
  Params params;
  std::string sql = "SELECT " + std::string(kRecordColumns) +
                    " FROM registry_record r JOIN unit_key k ON k.id = r.unit_id" + query_clause(query, params);
  if (query.after_id > 0) {
    params.add(query.after_id);
    sql += " AND r.id > $" + std::to_string(params.size());
  }
  sql += " ORDER BY r.id";
  if (query.limit > 0) {
    params.add(static_cast<int64_t>(query.limit));
    sql += " LIMIT $" + std::to_string(params.size());
  }
  Result<Rows> rows = db_.query(sql, params);
  if (!rows) return rows.status();
  std::vector<RegistryRecord> out;
  for (int r = 0; r < rows->size(); ++r) {
    Result<RegistryRecord> record = record_from_row(*rows, r);
    if (!record) return record.status();
    out.push_back(std::move(*record));
  }
  return out;
}

Result<int64_t> PostgresRegistryStore::count_registry_records(const RecordQuery& query) {
  Params params;
  const std::string where = query_clause(query, params);
  Result<Rows> rows = db_.query("SELECT count(*) FROM registry_record r JOIN unit_key k ON k.id = r.unit_id" + where,
                                params);
  if (!rows) return rows.status();
  return rows->get_int(0, 0);
}

Result<std::optional<RegistryRecord>> PostgresRegistryStore::find_record(int64_t id) {
  Result<Rows> rows = db_.query("SELECT " + std::string(kRecordColumns) +
                                    " FROM registry_record r JOIN unit_key k ON k.id = r.unit_id WHERE r.id = $1",
                                Params().add(id));
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<RegistryRecord>();
  Result<RegistryRecord> record = record_from_row(*rows, 0);
  if (!record) return record.status();
  return std::optional<RegistryRecord>(std::move(*record));
}

Result<int64_t> PostgresRegistryStore::unit_key(const std::string& code) {
  Result<Rows> rows = db_.query("SELECT id FROM unit_key WHERE code = $1", Params().add(code));
  if (!rows) return rows.status();
  if (rows->empty()) return Status::not_found("unknown org unit \"" + code + "\"");
  return rows->get_int(0, 0);
}

Status PostgresRegistryStore::audit(RecordAuditAction action, const RegistryRecord& record, int64_t unit_id,
                                    const std::string& fields, const WriteContext& context) {
  return db_.run(
                "INSERT INTO registry_record_audit (record_id, registry, unit_id, action, fields, version, "
                "changed_by, changed_at, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                Params().add(record.id).add(record.registry).add(unit_id).add(record_audit_action_name(action))
                    .add(fields).add(static_cast<int64_t>(record.version)).add(context.changed_by)
                    .add(context.changed_at).add(context.source))
      .status();
}

Status PostgresRegistryStore::insert_record(RegistryRecord& record, const WriteContext& context) {
  return in_write_transaction(db_, log_, [&]() -> Status {
    Result<int64_t> unit = unit_key(record.org_unit);
    if (!unit) return unit.status();
    const std::string fields = fields_json(record.fields);
    Result<Rows> inserted = db_.query(
        "INSERT INTO registry_record (id, registry, unit_id, fields, version, created_by, created_at, updated_by, "
        "updated_at) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM registry_record), $1, $2, $3, 1, $4, $5, $4, $5) "
        "RETURNING id",
        Params().add(record.registry).add(*unit).add(fields).add(context.changed_by).add(context.changed_at));
    if (!inserted) return inserted.status();
    record.id = inserted->get_int(0, 0);
    record.version = 1;
    record.created_by = record.updated_by = context.changed_by;
    record.created_at = record.updated_at = context.changed_at;
    return log_.append(ChangeKind::kRecord, context.changed_by, record_subject(record), std::nullopt, fields);
  });
}

Result<std::optional<std::string>> PostgresRegistryStore::stored_fields(int64_t record_id) {
  Result<Rows> rows = db_.query("SELECT fields FROM registry_record WHERE id = $1", Params().add(record_id));
  if (!rows) return rows.status();
  if (rows->empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows->get_text(0, 0));
}

Status PostgresRegistryStore::audit_creation(int64_t record_id) {
  // The stored record is still its first version when no audit row names it yet.
  return db_.run(
                "INSERT INTO registry_record_audit (record_id, registry, unit_id, action, fields, version, "
                "changed_by, changed_at, source) SELECT id, registry, unit_id, 'create', fields, version, "
                "created_by, created_at, '' FROM registry_record WHERE id = $1 AND NOT EXISTS "
                "(SELECT 1 FROM registry_record_audit WHERE record_id = $1)",
                Params().add(record_id))
      .status();
}

Status PostgresRegistryStore::update_record(const RegistryRecord& record, const WriteContext& context) {
  return in_write_transaction(db_, log_, [&]() -> Status {
    Result<int64_t> unit = unit_key(record.org_unit);
    if (!unit) return unit.status();
    QPAN_RETURN_IF_ERROR(audit_creation(record.id));
    const std::string fields = fields_json(record.fields);
    Result<std::optional<std::string>> before = stored_fields(record.id);
    if (!before) return before.status();
    Result<int64_t> updated = db_.run(
        "UPDATE registry_record SET unit_id = $2, fields = $3, version = $4, updated_by = $5, updated_at = $6 "
        "WHERE id = $1 AND registry = $7",
        Params().add(record.id).add(*unit).add(fields).add(static_cast<int64_t>(record.version))
            .add(context.changed_by).add(context.changed_at).add(record.registry));
    if (!updated) return updated.status();
    if (*updated != 1) return Status::not_found("no record " + std::to_string(record.id) + " in " + record.registry);
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kRecord, context.changed_by, record_subject(record), *before, fields));
    return audit(RecordAuditAction::kUpdate, record, *unit, fields, context);
  });
}

Status PostgresRegistryStore::delete_record(const RegistryRecord& record, const WriteContext& context) {
  return in_write_transaction(db_, log_, [&]() -> Status {
    Result<int64_t> unit = unit_key(record.org_unit);
    if (!unit) return unit.status();
    QPAN_RETURN_IF_ERROR(audit_creation(record.id));
    Result<std::optional<std::string>> before = stored_fields(record.id);
    if (!before) return before.status();
    Result<int64_t> deleted = db_.run("DELETE FROM registry_record WHERE id = $1 AND registry = $2",
                                      Params().add(record.id).add(record.registry));
    if (!deleted) return deleted.status();
    if (*deleted != 1) return Status::not_found("no record " + std::to_string(record.id) + " in " + record.registry);
    QPAN_RETURN_IF_ERROR(
        log_.append(ChangeKind::kRecord, context.changed_by, record_subject(record), *before, std::nullopt));
    return audit(RecordAuditAction::kDelete, record, *unit, fields_json(record.fields), context);
  });
}

Result<std::vector<RecordAuditEntry>> PostgresRegistryStore::record_audit(int64_t record_id) {
  Result<Rows> rows = db_.query(
      "SELECT a.id, a.action, a.record_id, a.registry, k.code, a.fields, a.version, a.changed_by, a.changed_at, "
      "a.source FROM registry_record_audit a JOIN unit_key k ON k.id = a.unit_id WHERE a.record_id = $1 "
      "ORDER BY a.id",
      Params().add(record_id));
  if (!rows) return rows.status();
  std::vector<RecordAuditEntry> out;
  for (int r = 0; r < rows->size(); ++r) {
    RecordAuditEntry e;
    e.id = rows->get_int(r, 0);
    const std::string_view action = rows->text(r, 1);
    e.action = action == "create" ? RecordAuditAction::kCreate
                                  : (action == "delete" ? RecordAuditAction::kDelete : RecordAuditAction::kUpdate);
    e.state.id = rows->get_int(r, 2);
    e.state.registry = rows->get_text(r, 3);
    e.state.org_unit = rows->get_text(r, 4);
    QPAN_RETURN_IF_ERROR(read_fields(rows->text(r, 5), e.state.fields));
    e.state.version = static_cast<int32_t>(rows->get_int(r, 6));
    e.changed_by = rows->get_text(r, 7);
    e.changed_at = rows->get_int(r, 8);
    e.source = rows->get_text(r, 9);
    e.state.updated_by = e.changed_by;
    e.state.updated_at = e.changed_at;
    out.push_back(std::move(e));
  }
  if (out.empty()) {  // never changed: its creation is the record as stored
    Result<std::optional<RegistryRecord>> record = find_record(record_id);
    if (!record) return record.status();
    if (*record) out.push_back(store_detail::creation_entry(**record));
  }
  return out;
}

}  // namespace qpan::postgres
