// The approval workflow (quy trình duyệt báo cáo): the state of one data set (biểu báo cáo) for
// one unit and one period of the data set's period type.
//
//   draft ──submit──▶ submitted ──approve──▶ approved ──lock──▶ locked
//     returned ──submit──▶ submitted        ◀──unlock──
//   submitted | approved ──return (with a comment)──▶ returned
//
// The commune enters and submits, the district approves or returns, the province locks and
// unlocks: who may take which action where is accounts' authorize() (qpan/accounts.h).
// Every transition is stored with its event (from, to, action, actor, time, comment) in one
// transaction. Values of an approved or locked form are refused (write_refusal()); deadlines
// come from the pack (data set deadline_days after the period's last day in its calendar).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/accounts.h"
#include "qpan/date.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

enum class ApprovalState : uint8_t { kDraft, kSubmitted, kApproved, kReturned, kLocked };
inline constexpr ApprovalState kAllApprovalStates[] = {
    ApprovalState::kDraft, ApprovalState::kSubmitted, ApprovalState::kApproved,
    ApprovalState::kReturned, ApprovalState::kLocked};

std::string_view approval_state_name(ApprovalState state);     // "draft", "submitted", …
std::string_view approval_state_name_vi(ApprovalState state);  // "đang nhập", "đã gửi", …
Result<ApprovalState> parse_approval_state(std::string_view name);

enum class ApprovalAction : uint8_t { kSubmit, kApprove, kReturn, kLock, kUnlock };
inline constexpr ApprovalAction kAllApprovalActions[] = {
    ApprovalAction::kSubmit, ApprovalAction::kApprove, ApprovalAction::kReturn,
    ApprovalAction::kLock, ApprovalAction::kUnlock};

std::string_view approval_action_name(ApprovalAction action);  // "submit", "approve", …
Result<ApprovalAction> parse_approval_action(std::string_view name);
// The accounts action the actor's role and scope must allow (kSubmit → Action::kSubmit, …).
Action required_action(ApprovalAction action);

// The state `action` leads to from `from`; conflict naming both (Vietnamese, then English)
// when the action is not possible in that state. Pure.
Result<ApprovalState> next_approval_state(ApprovalState from, ApprovalAction action);

// The last day a form for `period` is on time: the period's last day in the data set's
// calendar plus deadline_days (month 3/2022 of a cut-off data set with 2 days: 16 Mar 2022).
// Days are UTC days, like today_utc().
Date approval_deadline(const DataSet& data_set, const Period& period);

// The period of the form of `data_set` a value for `value_period` belongs to: the same
// period, or the one of the data set's type (in its calendar) containing it; nullopt when the
// value's period is longer or straddles two (a year value for a monthly form). As
// write_refusal() decides it.
std::optional<Period> form_period(const DataSet& data_set, const Period& value_period);

// The day a decision on the form of `unit` for `period` is authorized at: the period's last
// day in the data set's calendar, or the unit's last day in force when it ended before.
Date form_decision_day(const DataSet& data_set, const OrgUnitVersion& unit, const Period& period);

struct ApprovalEvent {
  ApprovalState from = ApprovalState::kDraft;
  ApprovalState to = ApprovalState::kDraft;
  ApprovalAction action = ApprovalAction::kSubmit;
  std::string actor;    // username
  int64_t at = 0;       // Unix seconds
  std::string comment;  // empty = none
};

struct ApprovalRecord {
  std::string data_set;
  std::string unit_code;
  Period period = Period::year(1970);  // always set by the workflow
  ApprovalState state = ApprovalState::kDraft;
  // The last transition's actor, time and comment; empty and 0 while never moved.
  std::string changed_by;
  int64_t changed_at = 0;
  std::string comment;
  std::vector<ApprovalEvent> history;  // oldest first
};

enum class Timeliness : uint8_t {
  kOnTime,   // submitted (now submitted, approved or locked), first on or before the deadline
  kLate,     // first submitted after the deadline, or not submitted and the deadline passed
  kPending,  // not submitted, deadline not passed
};
std::string_view timeliness_name(Timeliness t);     // "on_time", "late", "pending"
std::string_view timeliness_name_vi(Timeliness t);  // "đúng hạn", "chậm", "chưa đến hạn"

struct CompletenessRow {
  std::string unit_code;
  std::string unit_name;  // the version in force at the end of the period
  ApprovalState state = ApprovalState::kDraft;
  std::optional<int64_t> first_submitted_at;  // Unix seconds
  Timeliness status = Timeliness::kPending;
};

struct Completeness {
  std::string data_set;
  std::string parent_code;
  Period period = Period::year(1970);
  Date deadline;
  std::vector<CompletenessRow> units;  // by code
  size_t on_time = 0, late = 0, pending = 0;
};

// Thread-safe: every method may be called from several threads at once. The store is used
// under an internal mutex (a Store is single-threaded); give the Workflow a store no other
// thread uses at the same time (its own connection to the database file). write_refusal()
// never touches the store. `store` must outlive the Workflow. The data sets change only with
// reload() (a pack loaded, by this process or another), and are handed out as snapshots: one
// taken before a reload stays valid, and says what it said.
class Workflow {
 public:
  // A workflow over `data_sets`; reads every approved and locked form from the store.
  static Result<std::unique_ptr<Workflow>> create(Store& store, std::vector<DataSet> data_sets);
  // The same, with the data sets of the pack loaded into `store` (read_loaded_pack()).
  static Result<std::unique_ptr<Workflow>> create(Store& store);

  Workflow(const Workflow&) = delete;
  Workflow& operator=(const Workflow&) = delete;

  // Replaces the data sets and re-reads the approved and locked forms of the new ones from the
  // store, at once for every caller: a form of a data set the pack no longer has closes
  // nothing, one of a data set it adds (approved before, under the same code) closes its
  // values. On an error nothing is replaced. Transitions of this workflow wait meanwhile.
  Status reload(std::vector<DataSet> data_sets);
  // The same, with the data sets of the pack loaded into the store now.
  Status reload();

  // The data sets now (a snapshot: see the class comment).
  std::shared_ptr<const std::vector<DataSet>> data_sets() const;
  // The data set with this code now, or nullptr.
  std::shared_ptr<const DataSet> find_data_set(std::string_view code) const;

  // The state of one form with its history (draft with no history when never moved).
  // not_found for an unknown data set; invalid_input when the period is not of the data
  // set's period type.
  Result<ApprovalRecord> state(std::string_view data_set, std::string_view unit_code,
                               const Period& period);

  // The unit a form of `data_set` for `unit_code` and `period` belongs to: its last version
  // in force during the period (in the data set's calendar). Checks the data set and period
  // as state() does, then that the unit exists during the period (not_found) at the data
  // set's level (invalid_input).
  Result<const OrgUnitVersion*> form_unit(std::string_view data_set, std::string_view unit_code,
                                          const Period& period, const OrgUnitIndex& units) const;
  // The same, with the data set it was checked against: both from one snapshot of the data
  // sets, so a pack loaded meanwhile cannot drop the one between the check and its use.
  struct FormSubject {
    std::shared_ptr<const DataSet> data_set;
    const OrgUnitVersion* unit = nullptr;
  };
  Result<FormSubject> form_subject(std::string_view data_set, std::string_view unit_code, const Period& period,
                                   const OrgUnitIndex& units) const;

  // Takes `action` on one form and returns its new state. Checks, in this order:
  //  - the data set is known (not_found);
  //  - the period has the data set's period type, e.g. a monthly form is approved per
  //    month (invalid_input);
  //  - the unit exists during the period (in the data set's calendar) and has the data
  //    set's level (not_found / invalid_input);
  //  - authorize(actor, required_action(action), unit, last day of the period the unit is in
  //    force, units) — its permission_denied is returned as is;
  //  - a return has a comment (invalid_input);
  //  - the action is possible in the current state (conflict naming state and action, also
  //    when another process moved the form in the meantime).
  // The comment is stored NFC (at most 2000 characters); other actions may carry one too.
  Result<ApprovalRecord> transition(const User& actor, ApprovalAction action,
                                    std::string_view data_set, std::string_view unit_code,
                                    const Period& period, std::string_view comment,
                                    const OrgUnitIndex& units, int64_t now);

  // Why a value of `element_code` for `unit_code` and `period` may not be written, or nullopt
  // when it may: some data set listing the element is approved or locked for that unit and
  // the data-set period the value belongs to — the same period, or the one of the data
  // set's type containing it (a monthly value inside a locked year; a day value counts in
  // the month of the data set's calendar). A value for a longer period than the data set's
  // (a year value for a monthly form) is not refused. The message is Vietnamese, then
  // English. Cheap (no store access; an in-memory lookup, free while nothing is approved):
  // call it for every row of an import. Checking and then writing is not atomic: a form
  // approved in between does not stop a write that was already checked.
  std::optional<std::string> write_refusal(std::string_view element_code,
                                           std::string_view unit_code,
                                           const Period& period) const;

  // Takes note of a form's new state committed by another process (an approval entry of
  // the change log), so that write_refusal() answers with it. Unknown data sets and states
  // are ignored: they are not this workflow's.
  void note_state(std::string_view data_set, const std::string& unit_code, int64_t period_key,
                  std::string_view state);

  // Which units at the data set's level under `parent_code` (in the structure in force during
  // the period, in the data set's calendar) have submitted, late or not at all, as of
  // `today`. not_found for an unknown data set or parent; invalid_input for a period of
  // another type.
  Result<Completeness> completeness(std::string_view data_set, std::string_view parent_code,
                                    const Period& period, const OrgUnitIndex& units, Date today);

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // A form in state approved or locked: (data set index, period key) within one unit.
  struct ClosedKey {
    uint32_t data_set = 0;
    int64_t period = 0;
    bool operator==(const ClosedKey&) const = default;
  };
  struct ClosedKeyHash {
    size_t operator()(const ClosedKey& k) const {
      return std::hash<int64_t>{}(k.period * 131 + k.data_set);
    }
  };
  using ClosedForms = std::unordered_map<ClosedKey, ApprovalState, ClosedKeyHash>;
  using ClosedByUnit = std::unordered_map<std::string, ClosedForms, StringHash, std::equal_to<>>;
  // The data sets with their lookups, replaced whole by reload().
  struct Forms {
    std::vector<DataSet> data_sets;
    std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> by_code;
    // element code → indices of the data sets listing it.
    std::unordered_map<std::string, std::vector<uint32_t>, StringHash, std::equal_to<>> by_element;
  };

  explicit Workflow(Store& store) : store_(store) {}
  static std::shared_ptr<const Forms> index_forms(std::vector<DataSet> data_sets);
  // Swaps in `data_sets` and their closed forms read from the store; needs store_mutex_.
  Status replace_forms(std::vector<DataSet> data_sets);
  std::shared_ptr<const Forms> forms() const;
  // Checks data set and period type; the data set's index in `forms`.
  static Result<uint32_t> check_form(const Forms& forms, std::string_view data_set, const Period& period);
  static Result<const OrgUnitVersion*> unit_of_form(const DataSet& ds, std::string_view unit_code,
                                                    const Period& period, const OrgUnitIndex& units);
  Result<ApprovalRecord> read_record(const DataSet& ds, std::string_view unit_code,
                                     const Period& period);  // needs store_mutex_
  // Notes a form's state under the data sets now (a data set they lack is ignored).
  void remember(std::string_view data_set, const std::string& unit_code, int64_t period,
                ApprovalState state);
  static void remember_in(ClosedByUnit& closed, uint32_t data_set, const std::string& unit_code, int64_t period,
                          ApprovalState state);

  Store& store_;
  std::mutex store_mutex_;  // guards every call on store_; taken before closed_mutex_
  mutable std::shared_mutex closed_mutex_;
  std::shared_ptr<const Forms> forms_;  // GUARDED_BY(closed_mutex_)
  // unit code → its approved and locked forms, by the index of their data set in forms_.
  ClosedByUnit closed_;  // GUARDED_BY(closed_mutex_)
};

}  // namespace qpan
