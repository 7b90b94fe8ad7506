// The value audit trail both stores share (see audit_history.h).
#include "store/audit_history.h"

#include <algorithm>

namespace qpan::store_detail {

namespace {

template <typename Map>
auto name_of(const Map& map, int64_t id) -> typename Map::mapped_type {
  auto found = map.find(id);
  return found == map.end() ? typename Map::mapped_type{} : found->second;
}

}  // namespace

Result<std::vector<AuditEntry>> audit_trail(const std::map<ValueKey, std::vector<StoredValueState>>& history,
                                            const ValueNames& names,
                                            const std::unordered_map<int64_t, ImportStamp>& batches) {
  std::vector<AuditEntry> entries;
  for (const auto& [key, states] : history) {
    Result<Period> period = Period::from_key(key.period);
    if (!period) return Status::internal("corrupt period key in audit");
    AuditEntry base;
    base.element = name_of(names.elements, key.element_id).code;
    base.period = *period;
    base.org_unit = name_of(names.units, key.unit_id);
    base.option = key.option_id == 0 ? std::string() : name_of(names.options, key.option_id);
    auto creation = [&](const StoredValueState& state) {
      AuditEntry created = base;
      created.action = AuditAction::kCreate;
      created.new_value = state.value;
      created.import_id = state.import_id;
      auto batch = batches.find(state.import_id);
      created.changed_by = batch != batches.end() ? batch->second.by : state.stored_by;
      created.changed_at = batch != batches.end() ? batch->second.at : state.last_updated;
      return created;
    };
    entries.push_back(creation(states.front()));
    for (size_t i = 0; i < states.size(); ++i) {
      if (states[i].action.empty()) break;  // the current state: nothing replaced it
      AuditEntry change = base;
      change.old_value = states[i].value;
      change.changed_by = states[i].superseded_by;
      change.changed_at = states[i].superseded_at;
      if (states[i].action == "delete") {
        change.action = AuditAction::kDelete;
        if (i + 1 < states.size()) {
          entries.push_back(change);
          entries.push_back(creation(states[i + 1]));  // written again after the delete
          continue;
        }
      } else {
        change.action = AuditAction::kUpdate;
        if (i + 1 < states.size()) {
          change.new_value = states[i + 1].value;
          change.import_id = states[i + 1].import_id;
        }
      }
      entries.push_back(change);
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const AuditEntry& a, const AuditEntry& b) { return a.changed_at < b.changed_at; });
  return entries;
}

}  // namespace qpan::store_detail
