// The concerns of the PostgreSQL store, one class each (a file each: postgres_units.cc,
// postgres_catalogue.cc, postgres_values.cc, postgres_accounts.cc, postgres_approvals.cc,
// postgres_registry.cc, postgres_change_log.cc), over a connection they share, and the
// change log writer they append with. PostgresStore (postgres_store.cc) assembles them into a
// qpan::Store. Same semantics as the SQLite store's (sqlite_stores.h). Internal to the store
// module.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qpan/store.h"
#include "store/audit_history.h"
#include "store/postgres.h"

namespace qpan::postgres {

// The channel every writing transaction notifies at commit (wait_for_commits listens).
inline constexpr std::string_view kChangeChannel = "qpan_change_log";

// Appends change log entries inside the writing concern's transaction, which has locked the
// log's head (WriteTransaction): entries are numbered from the head, so the sequence has no
// gaps and follows commit order.
class ChangeLogWriter {
 public:
  explicit ChangeLogWriter(Connection& db) : db_(db) {}

  // Locks the head row for the open transaction (writers wait here for each other) and
  // returns the last sequence number.
  Result<int64_t> lock_head();
  // The last sequence number, inside the writing transaction.
  Result<int64_t> last_seq();
  // Takes `count` sequence numbers; returns the first and the entries' time (the clock, or
  // the last entry's time when the clock is behind it, so times never decrease).
  Result<std::pair<int64_t, int64_t>> reserve(int64_t count);
  // The actor.id of `name` (added when new), inside the writing transaction.
  Result<int64_t> actor_id(std::string_view name);

  // Appends an entry of a kind other than kValue; `actor` empty: the connection's default.
  Status append(ChangeKind kind, std::string_view actor, std::string_view subject,
                const std::optional<std::string>& before, const std::optional<std::string>& after);

  // Appends entries of one kind and actor at once, in order (one round trip): `subjects`,
  // `before` and `after` are of the same length.
  Status append_all(ChangeKind kind, std::string_view actor, const std::vector<std::string>& subjects,
                    const std::vector<std::optional<std::string>>& before,
                    const std::vector<std::optional<std::string>>& after);

  // Who entries without an account are recorded as (ChangeLogStore::set_change_actor).
  void set_default_actor(const std::string* actor) { default_actor_ = actor; }

 private:
  // `actor`, or the connection's default when empty.
  std::string_view actor_or_default(std::string_view actor) const;

  Connection& db_;
  const std::string* default_actor_ = nullptr;
};

// A writing transaction: BEGIN, then the change log's head locked, so that writers take
// turns like SQLite's BEGIN IMMEDIATE (also what makes the login throttle's read-then-record
// safe); commit() notifies the followers' channel in the same transaction.
class WriteTransaction : public Transaction {
 public:
  WriteTransaction(Connection& db, ChangeLogWriter& log) : Transaction(db) {
    if (begin_status_.is_ok()) {
      Result<int64_t> head = log.lock_head();
      if (!head) {
        begin_status_ = head.status();
        (void)db_.exec("ROLLBACK");
      } else {
        last_seq_ = *head;
      }
    }
  }
  // The last sequence number when the transaction began.
  int64_t last_seq_at_begin() const { return last_seq_; }
  Status commit() {
    QPAN_RETURN_IF_ERROR(db_.exec("NOTIFY qpan_change_log"));
    return Transaction::commit();
  }

 private:
  int64_t last_seq_ = 0;
};

// Runs `body` atomically: inside the transaction open on the connection (whose owner rolls
// it all back when a step fails), or in a writing transaction of its own.
template <typename Body>
Status in_write_transaction(Connection& db, ChangeLogWriter& log, Body&& body) {
  if (db.in_transaction()) return body();
  WriteTransaction tx(db, log);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  QPAN_RETURN_IF_ERROR(body());
  return tx.commit();
}

class PostgresUnitStore : public virtual UnitStore {
 public:
  PostgresUnitStore(Connection& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Result<UnitImportSummary> save_org_units(const std::vector<OrgUnitVersion>& versions,
                                           const std::vector<LineageEdge>& lineage) override;
  Result<OrgUnitIndex> load_org_units() override;
  Result<std::vector<OrgUnitVersion>> search_org_units(std::string_view key_fragment) override;
  Result<std::unordered_map<std::string, int64_t>> unit_ids() override;

 private:
  // The versions matching `where` (after FROM org_unit), with one text parameter or none.
  Result<std::vector<OrgUnitVersion>> select_units(const std::string& where, const std::optional<std::string>& param);

  Connection& db_;
  ChangeLogWriter& log_;
};

class PostgresCatalogueStore : public virtual CatalogueStore {
 public:
  PostgresCatalogueStore(Connection& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Status save_catalogue(const Catalogue& catalogue) override;
  Result<Catalogue> load_catalogue() override;
  Result<std::optional<std::string>> loaded_pack_version(const std::string& pack_code) override;
  Result<std::vector<std::string>> pack_element_codes(const std::string& pack_code) override;
  Status save_pack(const Pack& pack, const std::vector<std::string>& removed_elements,
                   int64_t loaded_at) override;
  Result<std::vector<PackDefinition>> pack_definitions(const std::string& kind) override;

 private:
  // Adds or updates disaggregations and elements by code; `pack` marks the elements as a
  // pack's (nullopt: imported on their own). Runs inside the caller's transaction.
  Status upsert_catalogue(const Catalogue& catalogue, const std::optional<std::string>& pack);

  Connection& db_;
  ChangeLogWriter& log_;
};

class PostgresValueStore : public virtual ValueStore {
 public:
  PostgresValueStore(Connection& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Result<std::unique_ptr<ValueWriteSession>> begin_value_write(const WriteContext& context) override;
  Result<std::unique_ptr<ValueWriteTransaction>> begin_value_transaction() override;
  Result<std::optional<DataValue>> find_value(const ValueKey& key) override;
  Status scan_values(const ValueFilter& filter,
                     const std::function<void(const ValueKey&, const DataValue&)>& visit) override;
  Status scan_numbers(const std::function<void(std::span<const StoredNumber>)>& visit) override;
  Result<std::vector<int64_t>> stored_periods() override;
  Result<std::unordered_map<std::string, int64_t>> value_counts_by_element() override;
  Result<std::vector<AuditEntry>> audit_entries(const ValueFilter& filter) override;

 private:
  using ElementName = store_detail::ValueNames::Element;
  using Names = store_detail::ValueNames;
  Result<Names> load_names();
  // A WHERE clause with numbered parameters for `filter` (added to `params`).
  static std::string filter_clause(const ValueFilter& filter, const std::string& alias, Params& params);

  Connection& db_;
  ChangeLogWriter& log_;
};

class PostgresAccountStore : public virtual AccountStore {
 public:
  PostgresAccountStore(Connection& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Result<int64_t> add_account(const AccountRecord& account) override;
  Result<std::optional<AccountRecord>> find_account(std::string_view username) override;
  Result<std::optional<AccountRecord>> account_by_id(int64_t id) override;
  Result<std::vector<AccountRecord>> list_accounts() override;
  Status update_account(const AccountRecord& account, bool end_sessions) override;
  Status add_session(const SessionRecord& session) override;
  Result<std::optional<SessionRecord>> find_session(std::string_view token_hash) override;
  Status touch_session(int64_t session_id, int64_t last_seen_at) override;
  Status delete_session(std::string_view token_hash) override;
  Status delete_expired_sessions(int64_t idle_before, int64_t now) override;
  Status add_api_token(const ApiTokenRecord& token) override;
  Result<std::optional<ApiTokenRecord>> find_api_token(std::string_view token_hash) override;
  Result<std::vector<ApiTokenRecord>> api_tokens(int64_t user_id) override;
  Result<bool> revoke_api_token(int64_t user_id, std::string_view name, int64_t at) override;
  Status touch_api_token(int64_t token_id, int64_t last_used_at) override;
  Result<LoginAttempt> begin_login_attempt(std::string_view username, std::string_view address,
                                           int64_t now, const LoginLimits& limits) override;
  Status clear_login_failures(std::string_view username, std::string_view address) override;
  Result<int64_t> login_blocked_until(std::string_view username, std::string_view address,
                                      int64_t now, const LoginLimits& limits) override;

 private:
  // The rows matching `where` (after FROM user_account / api_token).
  Result<std::vector<AccountRecord>> accounts(const std::string& where, const Params& params);
  Result<std::optional<AccountRecord>> one_account(const std::string& where, const Params& params);
  Result<std::vector<ApiTokenRecord>> api_token_rows(const std::string& where, const Params& params);

  Connection& db_;
  ChangeLogWriter& log_;
};

class PostgresApprovalStore : public virtual ApprovalStore {
 public:
  PostgresApprovalStore(Connection& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Result<std::optional<ApprovalRow>> find_approval(std::string_view data_set, std::string_view unit_code,
                                                   int64_t period) override;
  Result<std::vector<ApprovalRow>> approvals(std::string_view data_set, int64_t period) override;
  Result<std::vector<ApprovalRow>> approvals_in_states(const std::vector<std::string>& states) override;
  Result<int64_t> record_approval(const ApprovalEventRow& event) override;
  Result<std::vector<ApprovalEventRow>> approval_events(std::string_view data_set, std::string_view unit_code,
                                                        int64_t period) override;
  Result<std::unordered_map<std::string, int64_t>> first_approval_times(std::string_view data_set, int64_t period,
                                                                        std::string_view to_state) override;

 private:
  // The rows matching `where` (over approval a JOIN unit_key k).
  Result<std::vector<ApprovalRow>> approval_rows(const std::string& where, const Params& params);

  Connection& db_;
  ChangeLogWriter& log_;
};

class PostgresRegistryStore : public virtual RegistryStore {
 public:
  PostgresRegistryStore(Connection& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Result<std::vector<RegistryRecord>> registry_records(const RecordQuery& query) override;
  Result<int64_t> count_registry_records(const RecordQuery& query) override;
  Result<std::optional<RegistryRecord>> find_record(int64_t id) override;
  Status insert_record(RegistryRecord& record, const WriteContext& context) override;
  Status update_record(const RegistryRecord& record, const WriteContext& context) override;
  Status delete_record(const RegistryRecord& record, const WriteContext& context) override;
  Result<std::vector<RecordAuditEntry>> record_audit(int64_t record_id) override;

 private:
  // The WHERE clause of `query` (over registry_record r JOIN unit_key k), its parameters
  // added to `params`.
  static std::string query_clause(const RecordQuery& query, Params& params);
  Result<int64_t> unit_key(const std::string& code);
  // The stored fields of a record (JSON text), nullopt when there is none.
  Result<std::optional<std::string>> stored_fields(int64_t record_id);
  // Writes the creation row of a record that has none yet.
  Status audit_creation(int64_t record_id);
  Status audit(RecordAuditAction action, const RegistryRecord& record, int64_t unit_id, const std::string& fields,
               const WriteContext& context);

  Connection& db_;
  ChangeLogWriter& log_;
};

class PostgresChangeLogStore : public virtual ChangeLogStore {
 public:
  explicit PostgresChangeLogStore(Connection& db) : db_(db) {}

  Result<LogEnd> log_end() override;
  Result<int64_t> read_changes(int64_t after_seq, int64_t limit,
                               const std::function<void(const Change&)>& visit) override;
  Result<int64_t> last_change_at(int64_t at_ms) override;
  Result<bool> wait_for_commits(std::chrono::milliseconds timeout) override;

 private:
  // wait_for_commits on a hot standby, where no notification arrives: the head's sequence
  // looked at every few milliseconds.
  Result<bool> poll_for_commits(std::chrono::steady_clock::time_point deadline);

  Connection& db_;
  bool listening_ = false;
  std::optional<bool> in_recovery_;  // pg_is_in_recovery() when first waited
  int64_t polled_seq_ = -1;          // on a standby: the head's sequence when last looked
};

}  // namespace qpan::postgres
