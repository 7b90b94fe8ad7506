// Where the approval states of forms and their events live (the approvals concern of the
// store; see qpan/store.h). Rows as stored: the rules (states, transitions, who may take
// them) are the workflow module's (qpan/workflow.h).
//
// Thread-safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/status.h"

namespace qpan {

// States and actions are the workflow's names ("draft", "submitted", "approved", "returned",
// "locked"; "submit", "approve", …).
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

class ApprovalStore {
 public:
  virtual ~ApprovalStore() = default;

  // A (data set, unit, period) without a row is in state "draft".
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
};

}  // namespace qpan
