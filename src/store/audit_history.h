// A value's audit trail as both stores tell it: the stored states of each value (superseded
// ones from data_value_audit in version order, then the current one) turned into creations,
// updates and deletions. The stores only read the states; this is where they become entries.
// Internal to the store module.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "qpan/data_value.h"
#include "qpan/status.h"
#include "qpan/value_store.h"

namespace qpan::store_detail {

// id → code maps for turning stored keys back into exchange form.
struct ValueNames {
  struct Element {
    std::string code;
    ValueType type = ValueType::kText;
  };
  std::unordered_map<int64_t, Element> elements;
  std::unordered_map<int64_t, std::string> units;
  std::unordered_map<int64_t, std::string> options;
};

// One stored state of a value. `action`, `superseded_by/at` say what replaced it: empty for
// the current state.
struct StoredValueState {
  std::string value, stored_by, superseded_by, action;
  int64_t last_updated = 0, superseded_at = 0, import_id = 0;
};

// Who imported a batch, and when.
struct ImportStamp {
  std::string by;
  int64_t at = 0;
};

// Every value's entries, ordered by time (entries at the same time keep the value order).
// A creation is credited to the importer of the state's batch when there is one.
Result<std::vector<AuditEntry>> audit_trail(const std::map<ValueKey, std::vector<StoredValueState>>& states,
                                            const ValueNames& names,
                                            const std::unordered_map<int64_t, ImportStamp>& batches);

}  // namespace qpan::store_detail
