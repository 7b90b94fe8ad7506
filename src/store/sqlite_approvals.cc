// The approvals concern of the SQLite store (see qpan/approval_store.h): the state of each
// form (data set × unit × period) and the events that moved it.
#include <iterator>

#include "qpan/store.h"
#include "store/sqlite.h"
#include "store/sqlite_stores.h"

namespace qpan::sqlite {

Result<std::optional<ApprovalRow>> SqliteApprovalStore::find_approval(std::string_view data_set,
                                                 std::string_view unit_code,
                                                 int64_t period) {
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

Result<std::vector<ApprovalRow>> SqliteApprovalStore::approvals(std::string_view data_set, int64_t period) {
  return approval_rows("WHERE a.data_set = ?1 AND a.period = ?2 ORDER BY k.code",
                       [&](Statement& s) {
                         s.bind(1, data_set);
                         s.bind(2, period);
                       });
}

Result<std::vector<ApprovalRow>> SqliteApprovalStore::approvals_in_states(
    const std::vector<std::string>& states) {
  std::vector<ApprovalRow> out;
  for (const std::string& state : states) {
    Result<std::vector<ApprovalRow>> found =
        approval_rows("WHERE a.state = ?1", [&](Statement& s) { s.bind(1, state); });
    if (!found) return found.status();
    std::move(found->begin(), found->end(), std::back_inserter(out));
  }
  return out;
}

Result<int64_t> SqliteApprovalStore::record_approval(const ApprovalEventRow& e) {
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
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kApproval, e.actor, approval_subject({e.data_set, e.unit_code, e.period}),
                                   e.from_state, e.to_state));
  QPAN_RETURN_IF_ERROR(tx.commit());
  return id;
}

Result<std::vector<ApprovalEventRow>> SqliteApprovalStore::approval_events(std::string_view data_set,
                                                      std::string_view unit_code,
                                                      int64_t period) {
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

Result<std::unordered_map<std::string, int64_t>> SqliteApprovalStore::first_approval_times(
    std::string_view data_set, int64_t period, std::string_view to_state) {
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

template <typename Bind>
Result<std::vector<ApprovalRow>> SqliteApprovalStore::approval_rows(const std::string& where, Bind&& bind) {
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

}  // namespace qpan::sqlite
