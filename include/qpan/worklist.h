// What waits for an account on a day — the home page of each role: the forms its units must
// still submit (not yet submitted, or returned) and the forms submitted under its scope that
// wait for its approval, over the latest periods of each data set.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "qpan/accounts.h"
#include "qpan/date.h"
#include "qpan/org_unit.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/workflow.h"

namespace qpan {

struct WorklistItem {
  enum class Kind : uint8_t {
    kToSubmit,   // the account's role submits; the form is a draft or was returned
    kToReview,   // the account's role approves; the form is submitted
  } kind = Kind::kToSubmit;
  std::string data_set;
  std::string unit_code;
  std::string unit_name;
  Period period = Period::year(1970);
  ApprovalState state = ApprovalState::kDraft;
  Date deadline;
  Timeliness status = Timeliness::kPending;
};

struct Worklist {
  std::vector<WorklistItem> items;  // late first, then by deadline, data set, unit
  size_t total = 0;                 // items found; at most `limit` kept
};

// The forms waiting for `user` on `today`: for each data set, its `periods` latest periods
// that have begun (in the data set's calendar), the units of the data set's level within the
// scope — to submit when the role may submit (draft or returned), to review when it may
// approve (submitted). A role that may do neither (a viewer) has none. A scope that named no
// unit in a period (a code the 2025 merger ended) has no forms then.
Result<Worklist> worklist(Workflow& workflow, const User& user, const OrgUnitIndex& units, Date today,
                          int periods = 3, size_t limit = 200);

std::string_view worklist_kind_name(WorklistItem::Kind kind);  // "to_submit", "to_review"

}  // namespace qpan
