// The change log: every committed change to a database — values, approvals, registry
// records, units, the catalogue, pack loads, accounts — as entries in commit order, written
// in the same transaction as the change. Each entry has a gap-free sequence number, the time
// (Unix milliseconds, never less than the entry before), who made it and the state before
// and after. Every process on a database follows the log from its position to keep its
// in-memory state (engine, approval cache) current with the others' commits, and the log
// answers "as known on a date" by undoing what came after.
//
// Thread-safety: a ChangeLogStore object is used by one thread at a time (it is a concern of
// a Store); a ChangeFollower may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "qpan/status.h"
#include "qpan/value_store.h"

namespace qpan {

enum class ChangeKind {
  kValue,      // a data value created, updated or deleted
  kApproval,   // a form's workflow state
  kRecord,     // a registry record created, updated or deleted
  kUnits,      // an org unit version or lineage edge
  kCatalogue,  // elements and disaggregations imported on their own
  kPack,       // a pack loaded (its catalogue and definitions)
  kAccount,    // an account created or changed (never a secret)
};
std::string_view change_kind_name(ChangeKind kind);
Result<ChangeKind> parse_change_kind(std::string_view name);

struct Change {
  int64_t seq = 0;
  int64_t at_ms = 0;  // Unix milliseconds of the commit
  std::string actor;
  ChangeKind kind = ChangeKind::kValue;
  // kValue: the value's state before and after (`deleted`: there was none / there is none
  // any more). Text values keep only their kind; the views are empty.
  ValueWrite before, after;
  // Other kinds: what changed ("form/dataset/unit/period", "record/17", "unit/code/from",
  // "pack/qpan-vn", "account/name") and its state before and after as text (a state name
  // or a JSON object; empty: none).
  std::string subject, before_text, after_text;
};

// The end of the log: the last entry's sequence number and time (0, 0 when empty).
struct LogEnd {
  int64_t seq = 0;
  int64_t at_ms = 0;
};

class ChangeLogStore {
 public:
  virtual ~ChangeLogStore() = default;

  virtual Result<LogEnd> log_end() = 0;

  // Calls `visit` with the changes of the entries after `after_seq`, in order, at most
  // `limit` entries; returns how many entries. Values created together (a bulk import's chunk)
  // are one entry: their changes share its sequence number.
  virtual Result<int64_t> read_changes(int64_t after_seq, int64_t limit,
                                       const std::function<void(const Change&)>& visit) = 0;

  // The last entry committed at or before `at_ms` (0: none). invalid_input when `at_ms` is
  // before the log began on a database that held values already (what was known then is
  // not kept).
  virtual Result<int64_t> last_change_at(int64_t at_ms) = 0;

  // Waits up to `timeout` for another connection to commit; true when one may have. Cheap:
  // no table is read while nothing changes.
  virtual Result<bool> wait_for_commits(std::chrono::milliseconds timeout) = 0;

  // Who changes made through this connection are recorded as when the call has no account
  // of its own (units, packs, accounts): the shell sets it (the CLI: the OS user).
  void set_change_actor(std::string actor) { change_actor_ = std::move(actor); }
  const std::string& change_actor() const { return change_actor_; }

 private:
  std::string change_actor_ = "system";
};

// The subject of an approval entry: "form/<data set>/<unit>/<period>".
struct FormKey {
  std::string data_set, unit_code;
  int64_t period = 0;  // Period::key()
};
std::string approval_subject(const FormKey& form);
Result<FormKey> parse_approval_subject(std::string_view subject);

class Store;

// Keeps a process's in-memory state current with the log: a thread waits for commits on a
// connection of its own and hands every new entry, in order, to `apply`. Applying is
// idempotent (an entry sets a state), so the follower may start at a position read before
// the state was built and replay what the build saw already.
class ChangeFollower {
 public:
  // Called with consecutive entries and the follower's connection (to re-read what an entry
  // names), under the follower's lock (never two at once).
  using Apply = std::function<Status(std::span<const Change>, Store&)>;

  // `store`: the follower's own connection. Entries after `position` are applied.
  ChangeFollower(std::unique_ptr<Store> store, int64_t position, Apply apply);
  ~ChangeFollower();  // stops the thread
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // Starts following in the background (after catching up once, here).
  Status start();

  // A commit of this process (on another connection) whose effect `apply_own` applies
  // directly, so that it is in the next answer without waiting for the thread. When the
  // commit directly follows the position, the position moves past it; otherwise the log is
  // read up to it first, in order (the entries of others in between, then this one).
  void own_commit(LogRange range, const std::function<void()>& apply_own);

  // Reads and applies everything committed so far.
  Status catch_up();

  // The last entry applied.
  int64_t position();

  struct Health {
    int64_t position = 0;  // last entry applied
    int64_t last = 0;      // last entry in the log
    int64_t lag_ms = 0;    // since the first entry not applied yet was committed (0: none)
    std::string error;     // the last failure to read or apply, if the follower is stuck
  };
  Health health();

 private:
  Status catch_up_locked();
  void run();

  std::mutex mutex_;  // guards store_, position_ and calls of apply_
  std::unique_ptr<Store> store_;
  int64_t position_;
  Apply apply_;
  std::string error_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// A time as users write it: "2024-01-15T08:00", with seconds, with "Z" or an offset
// ("+07:00"); without an offset the time is Vietnam's (UTC+7). A date alone
// ("2024-01-15") means the end of that day. Unix milliseconds.
Result<int64_t> parse_as_of(std::string_view text);
// Unix milliseconds in Vietnam's time: "2024-01-15T08:00:00+07:00".
std::string format_as_of(int64_t at_ms);

}  // namespace qpan
