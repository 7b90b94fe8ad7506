// The change log in the SQLite store (qpan/change_log.h): appending entries inside the
// writing concern's transaction (ChangeLogWriter, shared by the concerns of a connection) and
// reading them (SqliteChangeLogStore). Internal to the store module.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "qpan/change_log.h"
#include "store/sqlite.h"

namespace qpan::sqlite {

class ChangeLogWriter {
 public:
  explicit ChangeLogWriter(Database& db) : db_(db) {}

  // The time of an entry committed now: the clock, or the last entry's time when the clock
  // is behind it (another process's clock, a step back), so times never decrease. Call
  // inside the writing transaction.
  Result<int64_t> entry_time();
  // The actor.id of `name` (added when new), inside the writing transaction.
  Result<int64_t> actor_id(std::string_view name);
  // The last sequence number, inside the writing transaction.
  Result<int64_t> last_seq();

  // Appends an entry of a kind other than kValue; `actor` empty: the connection's default.
  Status append(ChangeKind kind, std::string_view actor, std::string_view subject,
                const std::optional<std::string>& before, const std::optional<std::string>& after);

  // Who entries without an account are recorded as (ChangeLogStore::set_change_actor).
  void set_default_actor(const std::string* actor) { default_actor_ = actor; }

 private:
  Result<LogEnd> last_entry();

  Database& db_;
  const std::string* default_actor_ = nullptr;
  std::optional<Statement> append_, actor_, last_;
};

class SqliteChangeLogStore : public virtual ChangeLogStore {
 public:
  explicit SqliteChangeLogStore(Database& db) : db_(db) {}

  Result<LogEnd> log_end() override;
  Result<int64_t> read_changes(int64_t after_seq, int64_t limit,
                               const std::function<void(const Change&)>& visit) override;
  Result<int64_t> last_change_at(int64_t at_ms) override;
  Result<bool> wait_for_commits(std::chrono::milliseconds timeout) override;

 private:
  Database& db_;
  std::optional<Statement> read_, end_, data_version_statement_;
  int64_t data_version_ = -1;  // PRAGMA data_version when last looked
};

}  // namespace qpan::sqlite
