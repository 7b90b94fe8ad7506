// The change log in the PostgreSQL store (qpan/change_log.h): appending entries numbered
// from the locked head row (ChangeLogWriter) and reading them (packed values unpacked), finding the entry in force at
// a time, and waiting for other connections' commits with LISTEN/NOTIFY — or, on a hot
// standby where notifications never arrive, by looking at the head every few milliseconds.
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <thread>

#include "store/packed_values.h"
#include "store/postgres_stores.h"

namespace qpan::postgres {
namespace {

int64_t clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A value state in columns col (integer), col + 1 (real), col + 2 (text) of a change_log row.
ValueWrite value_state(const Rows& rows, int row, int col, const ValueKey& key) {
  ValueWrite w;
  w.key = key;
  if (!rows.is_null(row, col)) {
    w.kind = TypedValue::Kind::kInteger;
    w.integer = rows.get_int(row, col);
  } else if (!rows.is_null(row, col + 1)) {
    w.kind = TypedValue::Kind::kReal;
    w.real = rows.get_double(row, col + 1);
  } else if (!rows.is_null(row, col + 2)) {
    w.kind = TypedValue::Kind::kText;
  } else {
    w.deleted = true;
  }
  return w;
}

}  // namespace

Result<int64_t> ChangeLogWriter::lock_head() {
  Result<Rows> head = db_.query("SELECT seq FROM change_log_head FOR UPDATE");
  if (!head) return head.status();
  if (head->empty()) return Status::internal("the change log has no head row (change_log_head)");
  return head->get_int(0, 0);
}

Result<int64_t> ChangeLogWriter::last_seq() {
  Result<Rows> head = db_.query("SELECT seq FROM change_log_head");
  if (!head) return head.status();
  if (head->empty()) return Status::internal("the change log has no head row (change_log_head)");
  return head->get_int(0, 0);
}

Result<std::pair<int64_t, int64_t>> ChangeLogWriter::reserve(int64_t count) {
  Result<Rows> head = db_.query(
      "UPDATE change_log_head SET seq = seq + $1, at = GREATEST(at, $2) RETURNING seq - $1 + 1, at",
      Params().add(count).add(clock_ms()));
  if (!head) return head.status();
  if (head->empty()) return Status::internal("the change log has no head row (change_log_head)");
  return std::pair<int64_t, int64_t>(head->get_int(0, 0), head->get_int(0, 1));
}

Result<int64_t> ChangeLogWriter::actor_id(std::string_view name) {
  // Writers take turns (the head is locked), so the insert never races another's.
  Result<Rows> id = db_.query(
      "WITH added AS (INSERT INTO actor (name) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM actor WHERE name = $1) "
      "RETURNING id) SELECT id FROM added UNION ALL SELECT id FROM actor WHERE name = $1",
      Params().add(name));
  if (!id) return id.status();
  if (id->empty()) return Status::internal("cannot record actor " + std::string(name));
  return id->get_int(0, 0);
}

std::string_view ChangeLogWriter::actor_or_default(std::string_view actor) const {
  static const std::string kSystem = "system";
  return !actor.empty() ? actor : default_actor_ ? std::string_view(*default_actor_) : std::string_view(kSystem);
}

Status ChangeLogWriter::append_all(ChangeKind kind, std::string_view actor, const std::vector<std::string>& subjects,
                                   const std::vector<std::optional<std::string>>& before,
                                   const std::vector<std::optional<std::string>>& after) {
  if (subjects.empty()) return Status::ok();
  if (before.size() != subjects.size() || after.size() != subjects.size()) {
    return Status::internal("change log entries without their states");
  }
  ArrayParam subject_array, before_array, after_array;
  for (size_t i = 0; i < subjects.size(); ++i) {
    subject_array.add(subjects[i]);
    before[i] ? before_array.add(*before[i]) : before_array.add_null();
    after[i] ? after_array.add(*after[i]) : after_array.add_null();
  }
  Result<int64_t> added = db_.run(
      "WITH e AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS t(subject, before, "
      "after, n)), known AS (SELECT id FROM actor WHERE name = $6), "
      "added AS (INSERT INTO actor (name) SELECT $6 WHERE NOT EXISTS (SELECT 1 FROM known) RETURNING id), "
      "head AS (UPDATE change_log_head SET seq = seq + $5, at = GREATEST(at, $4) RETURNING seq - $5 AS base, at) "
      "INSERT INTO change_log (seq, at, actor, kind, subject, before, after) "
      "SELECT head.base + e.n, head.at, (SELECT id FROM known UNION ALL SELECT id FROM added LIMIT 1), $7, "
      "e.subject, e.before, e.after FROM head, e",
      Params().add(subject_array.text()).add(before_array.text()).add(after_array.text()).add(clock_ms())
          .add(static_cast<int64_t>(subjects.size())).add(actor_or_default(actor)).add(change_kind_name(kind)));
  if (!added) return added.status();
  if (*added != static_cast<int64_t>(subjects.size())) {
    return Status::internal("the change log has no head row (change_log_head)");
  }
  return Status::ok();
}

Status ChangeLogWriter::append(ChangeKind kind, std::string_view actor, std::string_view subject,
                               const std::optional<std::string>& before, const std::optional<std::string>& after) {
  const std::string_view name = actor_or_default(actor);
  // One round trip: the actor (added when new), the head advanced, the entry.
  Result<int64_t> added = db_.run(
      "WITH known AS (SELECT id FROM actor WHERE name = $2), "
      "added AS (INSERT INTO actor (name) SELECT $2 WHERE NOT EXISTS (SELECT 1 FROM known) RETURNING id), "
      "head AS (UPDATE change_log_head SET seq = seq + 1, at = GREATEST(at, $1) RETURNING seq, at) "
      "INSERT INTO change_log (seq, at, actor, kind, subject, before, after) "
      "SELECT seq, at, (SELECT id FROM known UNION ALL SELECT id FROM added LIMIT 1), $3, $4, $5, $6 FROM head",
      Params().add(clock_ms()).add(name).add(change_kind_name(kind)).add(subject).add(before).add(after));
  if (!added) return added.status();
  if (*added != 1) return Status::internal("the change log has no head row (change_log_head)");
  return Status::ok();
}

Result<LogEnd> PostgresChangeLogStore::log_end() {
  Result<Rows> end = db_.query("SELECT seq, at FROM change_log ORDER BY seq DESC LIMIT 1");
  if (!end) return end.status();
  if (end->empty()) return LogEnd{};
  return LogEnd{end->get_int(0, 0), end->get_int(0, 1)};
}

Result<int64_t> PostgresChangeLogStore::read_changes(int64_t after_seq, int64_t limit,
                                                     const std::function<void(const Change&)>& visit) {
  Result<Rows> rows = db_.query(
      "SELECT c.seq, c.at, a.name, c.kind, c.period, c.unit_id, c.element_id, c.option_id, c.attribute_id, "
      "c.subject, c.before_int, c.before_real, c.before, c.after_int, c.after_real, c.after, c.packed "
      "FROM change_log c JOIN actor a ON a.id = c.actor WHERE c.seq > $1 ORDER BY c.seq LIMIT $2",
      Params().add(after_seq).add(limit));
  if (!rows) return rows.status();
  Change change;
  for (int r = 0; r < rows->size(); ++r) {
    change.seq = rows->get_int(r, 0);
    change.at_ms = rows->get_int(r, 1);
    change.actor = rows->get_text(r, 2);
    if (rows->text(r, 3) == "values") {  // values created together (packed_values.h)
      change.kind = ChangeKind::kValue;
      change.subject.clear();
      change.before_text.clear();
      change.after_text.clear();
      Status unpacked = unpack_created_values(rows->get_bytes(r, 16), [&](const ValueWrite& created) {
        change.before = ValueWrite{};
        change.before.key = created.key;
        change.before.deleted = true;
        change.after = created;
        visit(change);
      });
      if (!unpacked) return Status::internal("change " + std::to_string(change.seq) + ": " + unpacked.message());
      continue;
    }
    Result<ChangeKind> kind = parse_change_kind(rows->text(r, 3));
    if (!kind) return Status::internal("change " + std::to_string(change.seq) + ": " + kind.status().message());
    change.kind = *kind;
    if (change.kind == ChangeKind::kValue) {
      const ValueKey key{rows->get_int(r, 4), static_cast<int32_t>(rows->get_int(r, 5)),
                         static_cast<int32_t>(rows->get_int(r, 6)), static_cast<int32_t>(rows->get_int(r, 7)),
                         static_cast<int32_t>(rows->get_int(r, 8))};
      change.before = value_state(*rows, r, 10, key);
      change.after = value_state(*rows, r, 13, key);
      change.subject.clear();
      change.before_text.clear();
      change.after_text.clear();
    } else {
      change.before = change.after = ValueWrite{};
      change.subject = rows->get_text(r, 9);
      change.before_text = rows->get_text(r, 12);
      change.after_text = rows->get_text(r, 15);
    }
    visit(change);
  }
  return static_cast<int64_t>(rows->size());
}

Result<int64_t> PostgresChangeLogStore::last_change_at(int64_t at_ms) {
  Result<Rows> start = db_.query("SELECT at, values_before FROM change_log_start");
  if (!start) return start.status();
  if (!start->empty() && at_ms < start->get_int(0, 0) && start->get_bool(0, 1)) {
    const std::string second = std::to_string(start->get_int(0, 0) / 1000);
    return Status::invalid_input("nhật ký thay đổi chỉ bắt đầu từ " + second +
                                 " (giây Unix); số liệu đã biết trước đó không còn lưu — the change log began at "
                                 "Unix second " + second + "; what was known before then is not kept");
  }
  // Times never decrease along the sequence, which has no gaps: a binary search over seq.
  Result<LogEnd> end = log_end();
  if (!end) return end.status();
  if (end->seq == 0 || end->at_ms <= at_ms) return end->seq;
  int64_t low = 0, high = end->seq;  // at(low) <= at_ms (seq 0: before everything), at(high) > at_ms
  while (high - low > 1) {
    const int64_t mid = low + (high - low) / 2;
    Result<Rows> at = db_.query("SELECT at FROM change_log WHERE seq = $1", Params().add(mid));
    if (!at) return at.status();
    if (at->empty()) return Status::internal("change log has no entry " + std::to_string(mid));
    (at->get_int(0, 0) <= at_ms ? low : high) = mid;
  }
  return low;
}

Result<bool> PostgresChangeLogStore::wait_for_commits(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!in_recovery_) {
    Result<Rows> recovery = db_.query("SELECT pg_is_in_recovery()");
    if (!recovery) return recovery.status();
    in_recovery_ = recovery->get_bool(0, 0);
  }
  if (*in_recovery_) return poll_for_commits(deadline);
  if (!listening_) {
    // Commits before LISTEN took effect were not notified: the first look says "maybe".
    QPAN_RETURN_IF_ERROR(db_.exec("LISTEN qpan_change_log"));
    listening_ = true;
    return true;
  }
  PGconn* conn = db_.handle();
  const int own_pid = PQbackendPID(conn);
  for (;;) {
    bool notified = false;
    if (PQconsumeInput(conn) == 0) return Status::io_error("PostgreSQL connection lost: " + db_.last_error());
    while (PGnotify* notification = PQnotifies(conn)) {
      if (notification->be_pid != own_pid) notified = true;
      PQfreemem(notification);
    }
    if (notified) return true;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd socket{PQsocket(conn), POLLIN, 0};
    if (::poll(&socket, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000))) < 0 && errno != EINTR) {
      return Status::io_error("cannot wait for PostgreSQL notifications");
    }
  }
}

Result<bool> PostgresChangeLogStore::poll_for_commits(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    Result<Rows> head = db_.query("SELECT seq FROM change_log_head");
    if (!head) return head.status();
    const int64_t seq = head->empty() ? 0 : head->get_int(0, 0);
    if (seq != polled_seq_) {
      polled_seq_ = seq;
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace qpan::postgres
