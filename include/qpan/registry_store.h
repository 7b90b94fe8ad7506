// Where registry records (qpan/registry.h) and their audit trail are kept: one concern of the
// store (qpan/store.h). Records are written by the record writer (qpan/record_writer.h)
// only, inside the transaction that also writes the values counted from them
// (ValueStore::begin_value_transaction): the write calls here join the transaction open on
// the store, or are one transaction of their own when none is.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "qpan/date.h"
#include "qpan/registry.h"
#include "qpan/status.h"
#include "qpan/value_store.h"

namespace qpan {

// Which records to read. Empty fields do not filter.
struct RecordQuery {
  std::string registry;                     // required
  std::vector<std::string> units;           // owner unit codes
  std::string date_field;                   // with `from` / `to`: the field's date lies within
  std::optional<Date> from, to;             // inclusive
  std::vector<std::pair<std::string, std::string>> equals;  // field → machine form
  int64_t after_id = 0;                     // paging: records with a greater id
  size_t limit = 0;                         // 0: every record
};

enum class RecordAuditAction : uint8_t { kCreate = 1, kUpdate = 2, kDelete = 3 };

// "create", "update", "delete".
std::string_view record_audit_action_name(RecordAuditAction action);

// One change to one record: its state after the change (the last state for a delete), who
// made it, when and through what.
struct RecordAuditEntry {
  int64_t id = 0;
  RecordAuditAction action = RecordAuditAction::kCreate;
  RegistryRecord state;
  std::string changed_by;
  int64_t changed_at = 0;
  std::string source;  // "api", the imported file's name, …
};

class RegistryStore {
 public:
  virtual ~RegistryStore() = default;

  // The records matching `query`, by id.
  virtual Result<std::vector<RegistryRecord>> registry_records(const RecordQuery& query) = 0;
  // How many records match `query` (its paging ignored).
  virtual Result<int64_t> count_registry_records(const RecordQuery& query) = 0;
  // The record with this id, or nullopt.
  virtual Result<std::optional<RegistryRecord>> find_record(int64_t id) = 0;

  // Stores a new record: its id is set, its version is 1. The owner unit must be known.
  virtual Status insert_record(RegistryRecord& record, const WriteContext& context) = 0;
  // Replaces the stored record of the same id with `record`, whose version is the new one.
  virtual Status update_record(const RegistryRecord& record, const WriteContext& context) = 0;
  // Removes the record, keeping its last state in the audit trail.
  virtual Status delete_record(const RegistryRecord& record, const WriteContext& context) = 0;

  // The audit trail of one record, oldest first (also after it was deleted): its creation,
  // then each change. The creation's source is kept only once the record has changed.
  virtual Result<std::vector<RecordAuditEntry>> record_audit(int64_t record_id) = 0;
};

}  // namespace qpan
