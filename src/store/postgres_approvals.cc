// The approvals concern of the PostgreSQL store (see qpan/approval_store.h): the state of each
// form (data set × unit × period) and the events that moved it.
#include <iterator>

#include "store/postgres_stores.h"

namespace qpan::postgres {

Result<std::optional<ApprovalRow>> PostgresApprovalStore::find_approval(std::string_view data_set,
                                                                        std::string_view unit_code, int64_t period) {
  Result<std::vector<ApprovalRow>> found = approval_rows("WHERE a.data_set = $1 AND k.code = $2 AND a.period = $3",
                                                         Params().add(data_set).add(unit_code).add(period));
  if (!found) return found.status();
  if (found->empty()) return std::optional<ApprovalRow>();
  return std::optional<ApprovalRow>(std::move(found->front()));
}

Result<std::vector<ApprovalRow>> PostgresApprovalStore::approvals(std::string_view data_set, int64_t period) {
  return approval_rows("WHERE a.data_set = $1 AND a.period = $2 ORDER BY k.code COLLATE \"C\"",
                       Params().add(data_set).add(period));
}

Result<std::vector<ApprovalRow>> PostgresApprovalStore::approvals_in_states(const std::vector<std::string>& states) {
  std::vector<ApprovalRow> out;
  for (const std::string& state : states) {
    Result<std::vector<ApprovalRow>> found = approval_rows("WHERE a.state = $1", Params().add(state));
    if (!found) return found.status();
    std::move(found->begin(), found->end(), std::back_inserter(out));
  }
  return out;
}

Result<int64_t> PostgresApprovalStore::record_approval(const ApprovalEventRow& e) {
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  Result<Rows> unit = db_.query("SELECT id FROM unit_key WHERE code = $1", Params().add(e.unit_code));
  if (!unit) return unit.status();
  if (unit->empty()) {
    return Status::not_found("không có đơn vị mã " + e.unit_code + " — no unit with code " + e.unit_code);
  }
  const int64_t unit_id = unit->get_int(0, 0);
  Result<Rows> current = db_.query("SELECT state FROM approval WHERE data_set = $1 AND unit_id = $2 AND period = $3",
                                   Params().add(e.data_set).add(unit_id).add(e.period));
  if (!current) return current.status();
  const std::string stored = current->empty() ? "draft" : current->get_text(0, 0);
  if (stored != e.from_state) {
    return Status::conflict("trạng thái đã đổi thành " + stored + " (không còn là " + e.from_state +
                            ") — the state changed to " + stored + " (no longer " + e.from_state + ")");
  }
  Result<int64_t> upserted = db_.run(
      "INSERT INTO approval (data_set, unit_id, period, state, changed_by, changed_at, comment) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (data_set, unit_id, period) DO UPDATE "
      "SET state = excluded.state, changed_by = excluded.changed_by, changed_at = excluded.changed_at, "
      "comment = excluded.comment",
      Params().add(e.data_set).add(unit_id).add(e.period).add(e.to_state).add(e.actor).add(e.at).add(e.comment));
  if (!upserted) return upserted.status();
  Result<Rows> event = db_.query(
      "INSERT INTO approval_event (id, data_set, unit_id, period, from_state, to_state, action, actor, at, "
      "comment) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM approval_event), $1, $2, $3, $4, $5, $6, $7, $8, $9) "
      "RETURNING id",
      Params().add(e.data_set).add(unit_id).add(e.period).add(e.from_state).add(e.to_state).add(e.action)
          .add(e.actor).add(e.at).add(e.comment));
  if (!event) return event.status();
  const int64_t id = event->get_int(0, 0);
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kApproval, e.actor, approval_subject({e.data_set, e.unit_code, e.period}),
                                   e.from_state, e.to_state));
  QPAN_RETURN_IF_ERROR(tx.commit());
  return id;
}

Result<std::vector<ApprovalEventRow>> PostgresApprovalStore::approval_events(std::string_view data_set,
                                                                             std::string_view unit_code,
                                                                             int64_t period) {
  Result<Rows> rows = db_.query(
      "SELECT e.id, e.data_set, k.code, e.period, e.from_state, e.to_state, e.action, e.actor, e.at, e.comment "
      "FROM approval_event e JOIN unit_key k ON k.id = e.unit_id "
      "WHERE e.data_set = $1 AND e.period = $2 AND k.code = $3 ORDER BY e.id",
      Params().add(data_set).add(period).add(unit_code));
  if (!rows) return rows.status();
  std::vector<ApprovalEventRow> out;
  for (int r = 0; r < rows->size(); ++r) {
    ApprovalEventRow row;
    row.id = rows->get_int(r, 0);
    row.data_set = rows->get_text(r, 1);
    row.unit_code = rows->get_text(r, 2);
    row.period = rows->get_int(r, 3);
    row.from_state = rows->get_text(r, 4);
    row.to_state = rows->get_text(r, 5);
    row.action = rows->get_text(r, 6);
    row.actor = rows->get_text(r, 7);
    row.at = rows->get_int(r, 8);
    row.comment = rows->get_text(r, 9);
    out.push_back(std::move(row));
  }
  return out;
}

Result<std::unordered_map<std::string, int64_t>> PostgresApprovalStore::first_approval_times(
    std::string_view data_set, int64_t period, std::string_view to_state) {
  Result<Rows> rows = db_.query(
      "SELECT k.code, MIN(e.at) FROM approval_event e JOIN unit_key k ON k.id = e.unit_id "
      "WHERE e.data_set = $1 AND e.period = $2 AND e.to_state = $3 GROUP BY k.code",
      Params().add(data_set).add(period).add(to_state));
  if (!rows) return rows.status();
  std::unordered_map<std::string, int64_t> out;
  for (int r = 0; r < rows->size(); ++r) out.emplace(rows->get_text(r, 0), rows->get_int(r, 1));
  return out;
}

Result<std::vector<ApprovalRow>> PostgresApprovalStore::approval_rows(const std::string& where, const Params& params) {
  Result<Rows> rows = db_.query(
      "SELECT a.data_set, k.code, a.period, a.state, a.changed_by, a.changed_at, a.comment "
      "FROM approval a JOIN unit_key k ON k.id = a.unit_id " + where,
      params);
  if (!rows) return rows.status();
  std::vector<ApprovalRow> out;
  for (int r = 0; r < rows->size(); ++r) {
    ApprovalRow row;
    row.data_set = rows->get_text(r, 0);
    row.unit_code = rows->get_text(r, 1);
    row.period = rows->get_int(r, 2);
    row.state = rows->get_text(r, 3);
    row.changed_by = rows->get_text(r, 4);
    row.changed_at = rows->get_int(r, 5);
    row.comment = rows->get_text(r, 6);
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace qpan::postgres
