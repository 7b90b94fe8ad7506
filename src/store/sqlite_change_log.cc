// The change log in the SQLite store (see sqlite_change_log.h and qpan/change_log.h).
#include "store/sqlite_change_log.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "store/packed_values.h"

namespace qpan::sqlite {
namespace {

int64_t clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A value state as stored in change_log.before / after.
ValueWrite value_state(const Statement& s, int col, const ValueKey& key) {
  ValueWrite w;
  w.key = key;
  switch (s.column_type(col)) {
    case SQLITE_NULL: w.deleted = true; break;
    case SQLITE_INTEGER:
      w.kind = TypedValue::Kind::kInteger;
      w.integer = s.column_int(col);
      break;
    case SQLITE_FLOAT:
      w.kind = TypedValue::Kind::kReal;
      w.real = s.column_double(col);
      break;
    default: w.kind = TypedValue::Kind::kText; break;
  }
  return w;
}

}  // namespace

Result<LogEnd> ChangeLogWriter::last_entry() {
  if (!last_) {
    auto stmt = db_.prepare("SELECT seq, at FROM change_log ORDER BY seq DESC LIMIT 1");
    if (!stmt) return stmt.status();
    last_.emplace(std::move(*stmt));
  }
  last_->reset();
  LogEnd end;
  if (last_->step()) end = {last_->column_int(0), last_->column_int(1)};
  QPAN_RETURN_IF_ERROR(last_->status());
  last_->reset();
  return end;
}

Result<int64_t> ChangeLogWriter::last_seq() {
  Result<LogEnd> end = last_entry();
  if (!end) return end.status();
  return end->seq;
}

Result<int64_t> ChangeLogWriter::entry_time() {
  Result<LogEnd> end = last_entry();
  if (!end) return end.status();
  return std::max(clock_ms(), end->at_ms);
}

Result<int64_t> ChangeLogWriter::actor_id(std::string_view name) {
  if (!actor_) {
    auto stmt = db_.prepare(
        "INSERT INTO actor (name) VALUES (?1) ON CONFLICT (name) DO UPDATE SET name = name RETURNING id");
    if (!stmt) return stmt.status();
    actor_.emplace(std::move(*stmt));
  }
  actor_->reset();
  actor_->bind(1, name);
  if (!actor_->step()) {
    QPAN_RETURN_IF_ERROR(actor_->status());
    return db_.error("cannot record actor");
  }
  const int64_t id = actor_->column_int(0);
  actor_->reset();
  return id;
}

Status ChangeLogWriter::append(ChangeKind kind, std::string_view actor, std::string_view subject,
                               const std::optional<std::string>& before, const std::optional<std::string>& after) {
  Result<int64_t> at = entry_time();
  if (!at) return at.status();
  static const std::string kSystem = "system";
  Result<int64_t> actor_row = actor_id(!actor.empty() ? actor : default_actor_ ? *default_actor_ : kSystem);
  if (!actor_row) return actor_row.status();
  if (!append_) {
    auto stmt = db_.prepare("INSERT INTO change_log (at, actor, kind, subject, before, after) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    if (!stmt) return stmt.status();
    append_.emplace(std::move(*stmt));
  }
  Statement& s = *append_;
  s.reset();
  s.bind(1, *at);
  s.bind(2, *actor_row);
  s.bind(3, change_kind_name(kind));
  s.bind(4, subject);
  s.bind(5, before);
  s.bind(6, after);
  return s.run();
}

Result<LogEnd> SqliteChangeLogStore::log_end() {
  if (!end_) {
    auto stmt = db_.prepare("SELECT seq, at FROM change_log ORDER BY seq DESC LIMIT 1");
    if (!stmt) return stmt.status();
    end_.emplace(std::move(*stmt));
  }
  end_->reset();
  LogEnd end;
  if (end_->step()) end = {end_->column_int(0), end_->column_int(1)};
  QPAN_RETURN_IF_ERROR(end_->status());
  end_->reset();
  return end;
}

Result<int64_t> SqliteChangeLogStore::read_changes(int64_t after_seq, int64_t limit,
                                                   const std::function<void(const Change&)>& visit) {
  if (!read_) {
    auto stmt = db_.prepare(
        "SELECT c.seq, c.at, a.name, c.kind, c.period, c.unit_id, c.element_id, c.option_id, c.attribute_id, "
        "c.subject, c.before, c.after FROM change_log c JOIN actor a ON a.id = c.actor "
        "WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2");
    if (!stmt) return stmt.status();
    read_.emplace(std::move(*stmt));
  }
  Statement& s = *read_;
  s.reset();
  s.bind(1, after_seq);
  s.bind(2, limit);
  int64_t count = 0;
  Change change;
  while (s.step()) {
    change.seq = s.column_int(0);
    change.at_ms = s.column_int(1);
    change.actor = s.column_text(2);
    if (s.column_text(3) == "values") {  // values created together (packed_values.h)
      change.kind = ChangeKind::kValue;
      change.subject.clear();
      change.before_text.clear();
      change.after_text.clear();
      Status unpacked = unpack_created_values(s.column_blob(11), [&](const ValueWrite& created) {
        change.before = ValueWrite{};
        change.before.key = created.key;
        change.before.deleted = true;
        change.after = created;
        visit(change);
      });
      if (!unpacked) {
        s.reset();
        return Status::internal("change " + std::to_string(change.seq) + ": " + unpacked.message());
      }
      ++count;
      continue;
    }
    Result<ChangeKind> kind = parse_change_kind(s.column_text(3));
    if (!kind) {
      s.reset();
      return Status::internal("change " + std::to_string(change.seq) + ": " + kind.status().message());
    }
    change.kind = *kind;
    if (change.kind == ChangeKind::kValue) {
      const ValueKey key{s.column_int(4), static_cast<int32_t>(s.column_int(5)), static_cast<int32_t>(s.column_int(6)),
                         static_cast<int32_t>(s.column_int(7)), static_cast<int32_t>(s.column_int(8))};
      change.before = value_state(s, 10, key);
      change.after = value_state(s, 11, key);
      change.subject.clear();
      change.before_text.clear();
      change.after_text.clear();
    } else {
      change.before = change.after = ValueWrite{};
      change.subject = s.column_text(9);
      change.before_text = s.column_text(10);
      change.after_text = s.column_text(11);
    }
    visit(change);
    ++count;
  }
  Status status = s.status();
  s.reset();
  if (!status) return status;
  return count;
}

Result<int64_t> SqliteChangeLogStore::last_change_at(int64_t at_ms) {
  auto start = db_.prepare("SELECT at, values_before FROM change_log_start");
  if (!start) return start.status();
  if (start->step() && at_ms < start->column_int(0) && start->column_int(1) != 0) {
    return Status::invalid_input(
        "nhật ký thay đổi chỉ bắt đầu từ " + std::to_string(start->column_int(0) / 1000) +
        " (giây Unix); số liệu đã biết trước đó không còn lưu — the change log began at Unix second " +
        std::to_string(start->column_int(0) / 1000) + "; what was known before then is not kept");
  }
  QPAN_RETURN_IF_ERROR(start->status());
  // Times never decrease along the sequence, which has no gaps: a binary search over seq.
  Result<LogEnd> end = log_end();
  if (!end) return end.status();
  if (end->seq == 0 || end->at_ms <= at_ms) return end->seq;
  auto at_of = db_.prepare("SELECT at FROM change_log WHERE seq = ?1");
  if (!at_of) return at_of.status();
  int64_t low = 0, high = end->seq;  // at(low) <= at_ms (seq 0: before everything), at(high) > at_ms
  while (high - low > 1) {
    const int64_t mid = low + (high - low) / 2;
    at_of->reset();
    at_of->bind(1, mid);
    if (!at_of->step()) {
      QPAN_RETURN_IF_ERROR(at_of->status());
      return Status::internal("change log has no entry " + std::to_string(mid));
    }
    (at_of->column_int(0) <= at_ms ? low : high) = mid;
  }
  return low;
}

Result<bool> SqliteChangeLogStore::wait_for_commits(std::chrono::milliseconds timeout) {
  // PRAGMA data_version changes when another connection commits; it reads the shared WAL
  // index, not a table, so looking every few milliseconds costs next to nothing.
  if (!data_version_statement_) {
    auto stmt = db_.prepare("PRAGMA data_version");
    if (!stmt) return stmt.status();
    data_version_statement_.emplace(std::move(*stmt));
  }
  Statement& version = *data_version_statement_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    version.reset();
    if (!version.step()) return db_.error("cannot read data_version");
    const int64_t now = version.column_int(0);
    version.reset();
    if (now != data_version_) {
      data_version_ = now;
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace qpan::sqlite
