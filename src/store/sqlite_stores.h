// The concerns of the SQLite store, one class each (a file each: sqlite_units.cc,
// sqlite_catalogue.cc, sqlite_values.cc, sqlite_accounts.cc, sqlite_approvals.cc), over a
// connection they share (and sqlite_registry.cc). SqliteStore (sqlite_store.cc) assembles them into a qpan::Store.
// Internal to the store module.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qpan/store.h"
#include "store/audit_history.h"
#include "store/sqlite.h"
#include "store/sqlite_change_log.h"

namespace qpan::sqlite {

class SqliteUnitStore : public virtual UnitStore {
 public:
  SqliteUnitStore(Database& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Result<UnitImportSummary> save_org_units(const std::vector<OrgUnitVersion>& versions,
                                           const std::vector<LineageEdge>& lineage) override;
  Result<OrgUnitIndex> load_org_units() override;
  Result<std::vector<OrgUnitVersion>> search_org_units(std::string_view key_fragment) override;
  Result<std::unordered_map<std::string, int64_t>> unit_ids() override;

 private:
  // The versions matching `where` (after FROM org_unit), with one text parameter or none.
  Result<std::vector<OrgUnitVersion>> select_units(const std::string& where, const std::string& param);

  Database& db_;
  ChangeLogWriter& log_;
};

class SqliteCatalogueStore : public virtual CatalogueStore {
 public:
  SqliteCatalogueStore(Database& db, ChangeLogWriter& log) : db_(db), log_(log) {}

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

  Database& db_;
  ChangeLogWriter& log_;
};

class ValueStatements;  // the value statements prepared once per connection (sqlite_values.cc)

class SqliteValueStore : public virtual ValueStore {
 public:
  SqliteValueStore(Database& db, ChangeLogWriter& log);
  ~SqliteValueStore() override;

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
  // A WHERE clause with numbered parameters for `filter`, and the values to bind.
  static std::pair<std::string, std::vector<int64_t>> filter_clause(const ValueFilter& filter,
                                                                    const std::string& alias);

  Database& db_;
  ChangeLogWriter& log_;
  std::unique_ptr<ValueStatements> value_statements_;  // prepared by the first write
  std::optional<Statement> find_value_;                // prepared by the first find_value()
};

class SqliteAccountStore : public virtual AccountStore {
 public:
  SqliteAccountStore(Database& db, ChangeLogWriter& log) : db_(db), log_(log) {}

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
  // The rows matching `where` (after FROM user_account / api_token), parameters bound by
  // `bind`.
  template <typename Bind>
  Result<std::vector<AccountRecord>> accounts(const std::string& where, Bind&& bind);
  template <typename Bind>
  Result<std::optional<AccountRecord>> one_account(const std::string& where, Bind&& bind);
  template <typename Bind>
  Result<std::vector<ApiTokenRecord>> api_token_rows(const std::string& where, Bind&& bind);

  Database& db_;
  ChangeLogWriter& log_;
};

class SqliteApprovalStore : public virtual ApprovalStore {
 public:
  SqliteApprovalStore(Database& db, ChangeLogWriter& log) : db_(db), log_(log) {}

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
  template <typename Bind>
  Result<std::vector<ApprovalRow>> approval_rows(const std::string& where, Bind&& bind);

  Database& db_;
  ChangeLogWriter& log_;
};

class SqliteRegistryStore : public virtual RegistryStore {
 public:
  SqliteRegistryStore(Database& db, ChangeLogWriter& log) : db_(db), log_(log) {}

  Result<std::vector<RegistryRecord>> registry_records(const RecordQuery& query) override;
  Result<int64_t> count_registry_records(const RecordQuery& query) override;
  Result<std::optional<RegistryRecord>> find_record(int64_t id) override;
  Status insert_record(RegistryRecord& record, const WriteContext& context) override;
  Status update_record(const RegistryRecord& record, const WriteContext& context) override;
  Status delete_record(const RegistryRecord& record, const WriteContext& context) override;
  Result<std::vector<RecordAuditEntry>> record_audit(int64_t record_id) override;

 private:
  // The WHERE clause of `query` (over registry_record r JOIN unit_key k) and its text
  // parameters, numbered from 1.
  static std::pair<std::string, std::vector<std::string>> query_clause(const RecordQuery& query);
  Result<int64_t> unit_key(const std::string& code);
  // The stored fields of a record (JSON text), nullopt when there is none.
  Result<std::optional<std::string>> stored_fields(int64_t record_id);
  // Writes the creation row of a record that has none yet (see sqlite_registry.cc).
  Status audit_creation(int64_t record_id);
  Status audit(RecordAuditAction action, const RegistryRecord& record, int64_t unit_id, const std::string& fields,
               const WriteContext& context);

  Database& db_;
  ChangeLogWriter& log_;
  std::optional<Statement> unit_key_, insert_, audit_;  // prepared by their first use
};

}  // namespace qpan::sqlite
