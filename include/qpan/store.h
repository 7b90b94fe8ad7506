// The store: where org units, the catalogue, data values and their audit trail, and user
// accounts live durably. `Store` is the interface the engine and the shells use; SQLite
// (one file, WAL mode) is the embedded default. Every write call is one transaction: it
// happens whole or not at all, also when the process is killed half-way.
//
// Thread-safety: a Store object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/data_element.h"
#include "qpan/data_value.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

// The storage key of a value. Ids come from the store (unit_ids(), catalogue ids);
// option_id and attribute_id are 0 for "total" / "default". Ordered the way the store
// keeps values (period, unit, element, option, attribute) so bulk writes in key order are
// appends.
struct ValueKey {
  int64_t period = 0;  // Period::key()
  int32_t unit_id = 0;
  int32_t element_id = 0;
  int32_t option_id = 0;
  int32_t attribute_id = 0;
  auto operator<=>(const ValueKey&) const = default;
};

// One value to write, already validated against its element. String views must stay
// valid for the duration of the write call.
struct ValueWrite {
  ValueKey key;
  TypedValue::Kind kind = TypedValue::Kind::kInteger;
  bool followup = false;
  union {
    int64_t integer = 0;        // kInteger, kBoolean
    double real;                // kReal
  };
  std::string_view text;        // kText (NFC)
  std::string_view stored_by;
  int64_t last_updated = 0;     // Unix seconds
  std::string_view comment;     // empty = none (NFC)

  // The value parsed for the row's element; a text value's characters are `text_storage`.
  void set_value(const TypedValue& value, std::string_view text_storage) {
    kind = value.kind;
    if (value.kind == TypedValue::Kind::kReal) {
      real = value.real;
    } else {
      integer = value.integer;
    }
    if (value.kind == TypedValue::Kind::kText) text = text_storage;
  }
};

// Who makes a write and where it comes from, for the audit trail.
struct WriteContext {
  std::string changed_by;
  int64_t changed_at = 0;  // Unix seconds
  std::string source;      // e.g. the imported file's name
};

struct ValueWriteSummary {
  int64_t import_id = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
};

struct UnitImportSummary {
  int64_t versions_added = 0;
  int64_t versions_updated = 0;
  int64_t versions_unchanged = 0;
  int64_t lineage_added = 0;
  int64_t lineage_updated = 0;
  int64_t lineage_unchanged = 0;
};

// One transaction writing values, fed in pieces (a streamed import). Nothing is visible
// to others until commit(); destroying the session without commit() rolls everything back.
class ValueWriteSession {
 public:
  virtual ~ValueWriteSession() = default;
  // Writes rows sorted by key, each key greater than every key written before in this
  // session. Creates new values, updates changed ones (version + 1, an audit row holding
  // the previous state), leaves identical ones alone.
  virtual Status write(std::span<const ValueWrite> rows) = 0;
  virtual Result<ValueWriteSummary> commit() = 0;
};

// One transaction holding the writes of several writers (group commit): each write() is one
// import batch, as write_values() would make it, with its own summary; commit() makes them
// all durable at once, so N concurrent requests cost one fsync instead of N. A write that
// fails leaves nothing of itself and keeps the earlier ones. Reads on the same store between
// writes see what the transaction wrote so far. Destroying it without commit() rolls back.
class ValueWriteTransaction {
 public:
  virtual ~ValueWriteTransaction() = default;
  // Rows sorted by key, no duplicates (keys may repeat those of an earlier write: the later
  // wins, as if written one after the other).
  virtual Result<ValueWriteSummary> write(std::span<const ValueWrite> rows, const WriteContext& context) = 0;
  virtual Status commit() = 0;
};

// A stored value as a number, for the aggregation engine: integers and booleans (0 / 1)
// exactly, decimals as stored.
struct StoredNumber {
  ValueKey key;
  bool is_real = false;
  int64_t integer = 0;
  double real = 0;
};

// Which values to read. Empty fields do not filter.
struct ValueFilter {
  std::vector<int64_t> unit_ids;                        // exactly these units
  std::vector<std::pair<int64_t, int64_t>> period_key_ranges;  // inclusive key ranges
};

// Accounts: rows as stored. The rules (roles, hashing, expiry, throttling) are the accounts
// module's (qpan/accounts.h); the store keeps no secret in clear.
struct AccountRecord {
  int64_t id = 0;
  std::string username;       // lower-case, unique
  std::string display_name;
  std::string role;           // role_name() of qpan/accounts.h
  std::string scope_code;
  std::string password_hash;  // crypto_pwhash_str output (argon2id)
  bool disabled = false;
  int64_t created_at = 0;     // Unix seconds
};

struct SessionRecord {
  int64_t id = 0;
  std::string token_hash;     // hex hash of the session token, never the token
  int64_t user_id = 0;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;     // absolute end
  std::string remote_address;
};

struct ApiTokenRecord {
  int64_t id = 0;
  std::string token_hash;     // hex hash of the token, never the token
  int64_t user_id = 0;
  std::string name;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

// Approvals: rows as stored. The rules (states, transitions, who may take them) are the
// workflow module's (qpan/workflow.h). States and actions are its names ("draft",
// "submitted", "approved", "returned", "locked"; "submit", "approve", …).
struct ApprovalRow {
  std::string data_set;
  std::string unit_code;
  int64_t period = 0;       // Period::key()
  std::string state;
  std::string changed_by;   // username
  int64_t changed_at = 0;   // Unix seconds
  std::string comment;      // empty = none
};

struct ApprovalEventRow {
  int64_t id = 0;
  std::string data_set;
  std::string unit_code;
  int64_t period = 0;
  std::string from_state, to_state;
  std::string action;
  std::string actor;        // username
  int64_t at = 0;           // Unix seconds
  std::string comment;
};

// Times (Unix seconds, oldest first) of the failed logins for one username and from one
// address.
struct LoginFailures {
  std::vector<int64_t> account;
  std::vector<int64_t> address;
};

class Store {
 public:
  virtual ~Store() = default;

  // Org units: adds or updates versions (matched by code and valid_from) and lineage
  // edges, in one transaction.
  virtual Result<UnitImportSummary> save_org_units(const std::vector<OrgUnitVersion>& versions,
                                                   const std::vector<LineageEdge>& lineage) = 0;
  virtual Result<OrgUnitIndex> load_org_units() = 0;
  // Versions whose search key (see search_key()) contains `key_fragment`.
  virtual Result<std::vector<OrgUnitVersion>> search_org_units(std::string_view key_fragment) = 0;
  // code → unit id, for every code that ever existed.
  virtual Result<std::unordered_map<std::string, int64_t>> unit_ids() = 0;

  // Catalogue: adds or updates disaggregations and elements by code, in one transaction.
  // Ids in the argument are ignored; load_catalogue() returns them.
  virtual Status save_catalogue(const Catalogue& catalogue) = 0;
  virtual Result<Catalogue> load_catalogue() = 0;

  // Starts a transaction that writes values (see ValueWriteSession). One at a time.
  virtual Result<std::unique_ptr<ValueWriteSession>> begin_value_write(const WriteContext& context) = 0;

  // Starts a transaction that several writers share (see ValueWriteTransaction).
  virtual Result<std::unique_ptr<ValueWriteTransaction>> begin_value_transaction() = 0;

  // Writes values in one transaction. Precondition: `rows` sorted by key, no duplicates.
  Result<ValueWriteSummary> write_values(std::span<const ValueWrite> rows,
                                         const WriteContext& context) {
    Result<std::unique_ptr<ValueWriteTransaction>> transaction = begin_value_transaction();
    if (!transaction) return transaction.status();
    Result<ValueWriteSummary> summary = (*transaction)->write(rows, context);
    if (!summary) return summary.status();
    QPAN_RETURN_IF_ERROR((*transaction)->commit());
    return summary;
  }

  // Calls `visit` for each stored value matching `filter`, in key order.
  virtual Status scan_values(const ValueFilter& filter,
                             const std::function<void(const ValueKey&, const DataValue&)>& visit) = 0;

  // Calls `visit` with every numeric value (text values are left out), in batches of a few
  // thousand, in key order. The lean path for building in-memory aggregates.
  virtual Status scan_numbers(const std::function<void(std::span<const StoredNumber>)>& visit) = 0;

  // Packs. The version of a loaded pack (nullopt when never loaded); the codes of the
  // elements it defined; how many values each element has (by code).
  virtual Result<std::optional<std::string>> loaded_pack_version(const std::string& pack_code) = 0;
  virtual Result<std::vector<std::string>> pack_element_codes(const std::string& pack_code) = 0;
  virtual Result<std::unordered_map<std::string, int64_t>> value_counts_by_element() = 0;
  // Saves a checked pack in one transaction: catalogue (elements marked as the pack's),
  // data sets, indicators, rules and definitions (replacing the pack's previous ones), and
  // removes `removed_elements` (which the caller checked have no values).
  virtual Status save_pack(const Pack& pack, const std::vector<std::string>& removed_elements,
                           int64_t loaded_at) = 0;
  // Stored definitions of one kind ("data_sets", "indicators", "validation_rules",
  // "evaluation_sets", "registries", "report_templates") as JSON text, by code.
  virtual Result<std::vector<PackDefinition>> pack_definitions(const std::string& kind) = 0;

  // The audit trail of values matching `filter`, oldest first.
  virtual Result<std::vector<AuditEntry>> audit_entries(const ValueFilter& filter) = 0;

  // Accounts. Each call is one transaction.
  // Adds an account and returns its id; conflict when the username is taken.
  virtual Result<int64_t> add_account(const AccountRecord& account) = 0;
  virtual Result<std::optional<AccountRecord>> find_account(std::string_view username) = 0;
  virtual Result<std::optional<AccountRecord>> account_by_id(int64_t id) = 0;
  // Every account, by username.
  virtual Result<std::vector<AccountRecord>> list_accounts() = 0;
  // Stores display name, role, scope, password hash and disabled flag of account
  // `account.id`; with `end_sessions`, deletes its sessions in the same transaction.
  virtual Status update_account(const AccountRecord& account, bool end_sessions) = 0;
  virtual Status add_session(const SessionRecord& session) = 0;
  virtual Result<std::optional<SessionRecord>> find_session(std::string_view token_hash) = 0;
  virtual Status touch_session(int64_t session_id, int64_t last_seen_at) = 0;
  virtual Status delete_session(std::string_view token_hash) = 0;
  // Deletes the sessions last seen before `idle_before` or ending at or before `now`.
  virtual Status delete_expired_sessions(int64_t idle_before, int64_t now) = 0;
  // Adds an API token; conflict when the user has an active token with that name.
  virtual Status add_api_token(const ApiTokenRecord& token) = 0;
  // The active (not revoked) token with this hash.
  virtual Result<std::optional<ApiTokenRecord>> find_api_token(std::string_view token_hash) = 0;
  // The user's active tokens, by name.
  virtual Result<std::vector<ApiTokenRecord>> api_tokens(int64_t user_id) = 0;
  // Revokes the user's active token `name`; false when there is none.
  virtual Result<bool> revoke_api_token(int64_t user_id, std::string_view name, int64_t at) = 0;
  virtual Status touch_api_token(int64_t token_id, int64_t last_used_at) = 0;
  // Records a failed login and forgets the failures before `forget_before`.
  virtual Status add_login_failure(std::string_view username, std::string_view address,
                                   int64_t at, int64_t forget_before) = 0;
  // The failures at or after `since` for `username` and from `address`.
  virtual Result<LoginFailures> login_failures(std::string_view username,
                                               std::string_view address, int64_t since) = 0;
  // Forgets the failures of `username` (after a successful login).
  virtual Status clear_login_failures(std::string_view username) = 0;

  // Approvals. A (data set, unit, period) without a row is in state "draft".
  virtual Result<std::optional<ApprovalRow>> find_approval(std::string_view data_set,
                                                           std::string_view unit_code,
                                                           int64_t period) = 0;
  // The rows of one data set and period, every unit, by unit code.
  virtual Result<std::vector<ApprovalRow>> approvals(std::string_view data_set, int64_t period) = 0;
  // Every row in one of `states`.
  virtual Result<std::vector<ApprovalRow>> approvals_in_states(
      const std::vector<std::string>& states) = 0;
  // Writes `event.to_state` as the state of (event.data_set, event.unit_code, event.period)
  // and appends the event, in one transaction — if the stored state (no row: "draft") is
  // still `event.from_state`; conflict naming both states otherwise (someone else moved it
  // first); not_found for a unit code the store does not know. Returns the event's id.
  virtual Result<int64_t> record_approval(const ApprovalEventRow& event) = 0;
  // The events of one (data set, unit, period), oldest first.
  virtual Result<std::vector<ApprovalEventRow>> approval_events(std::string_view data_set,
                                                                std::string_view unit_code,
                                                                int64_t period) = 0;
  // unit code → time of its first event entering `to_state`, for one data set and period.
  virtual Result<std::unordered_map<std::string, int64_t>> first_approval_times(
      std::string_view data_set, int64_t period, std::string_view to_state) = 0;

  // Called after every committed value write with the rows written (their string views are
  // empty: only keys and numbers are kept) — how in-memory aggregates stay current without a
  // rebuild. One listener; set an empty function to stop.
  using CommitListener = std::function<void(std::span<const ValueWrite>)>;
  void set_commit_listener(CommitListener listener) { commit_listener_ = std::move(listener); }

 protected:
  CommitListener commit_listener_;
};

struct StoreOptions {
  bool create_if_missing = false;
  // Copy the write-ahead log into the database on a thread and connection of its own instead
  // of inside the commit that fills it (for a server's writer connection).
  bool checkpoint_in_background = false;
};

// Opens (or creates) a SQLite database file and brings its schema up to date.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::string& path,
                                                 const StoreOptions& options = {});

}  // namespace qpan
