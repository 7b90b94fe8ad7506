// Data values (số liệu): (element, period, org unit, disaggregation option, attribute
// option) → value, with who stored it, when, a comment, a follow-up flag and a version
// that grows with every change. Every change also leaves an audit row.
#pragma once

#include <cstdint>
#include <string>

#include "qpan/period.h"

namespace qpan {

// A value as it is exchanged (codes, machine-form value): one row of a dataValueSets CSV.
struct DataValue {
  std::string element;
  Period period = Period::year(2000);
  std::string org_unit;
  std::string option;     // disaggregation option code; empty = total
  std::string attribute;  // attribute option code; empty = default
  std::string value;      // machine form ("12", "41.57", "true", text)
  std::string stored_by;
  int64_t last_updated = 0;  // Unix seconds, UTC
  std::string comment;
  bool followup = false;
  int32_t version = 1;
};

enum class AuditAction : uint8_t { kCreate = 1, kUpdate = 2, kDelete = 3 };

// One change to one value: what it was before and after, who changed it, when, and the
// import batch it came with (0 when entered one by one).
struct AuditEntry {
  int64_t id = 0;
  AuditAction action = AuditAction::kCreate;
  std::string element;
  Period period = Period::year(2000);
  std::string org_unit;
  std::string option;
  std::string attribute;
  std::string old_value;  // empty for a creation
  std::string new_value;  // empty for a deletion
  std::string changed_by;
  int64_t changed_at = 0;
  int64_t import_id = 0;
};

}  // namespace qpan
