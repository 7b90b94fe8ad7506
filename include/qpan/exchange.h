// Exchange: reading and writing the files qpan shares with people and other systems —
// org unit files (the vn-admin layout), the element catalogue (JSON), and data values in
// the column layout of DHIS2's dataValueSets CSV. Imports are all-or-nothing: a file with
// any bad row writes nothing and every problem names file, line, column and reason.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "qpan/import_problem.h"
#include "qpan/org_unit.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

// ---- Org units --------------------------------------------------------------------------

struct UnitImportResult {
  UnitImportSummary summary;
  std::vector<std::string> files_read;     // with what each was read as
  std::vector<std::string> files_skipped;  // with why
  ImportProblems problems;                 // non-empty: nothing was written
};

// Imports a units file in the vn-admin history layout
// (level,code,name,type,parent_code,valid_from,valid_until), a lineage file, or a folder
// holding such files. Lineage files: old_province_code,new_province_code;
// old_code,old_level,new_commune_code,kind; or old_code,new_code,kind[,share][,effective];
// without an `effective` column the date comes from the file name ("…-2025-07.csv" →
// 2025-07-01).
Result<UnitImportResult> import_units(Store& store, const std::string& path);

// ---- Data values ------------------------------------------------------------------------

struct ValueImportOptions {
  std::string user;           // who runs the import (audit), and stored_by when a row has none
  int64_t now = 0;            // Unix seconds; last_updated when a row has none
  size_t max_problems = 100;
  // When set, every row's unit must pass it (the caller's org-unit scope): it returns the
  // reason a unit is refused for a period, or nullopt. A refused row is a problem like any.
  std::function<std::optional<std::string>(std::string_view unit, const Period& period)> allow_unit = nullptr;
  // When set, every row must pass it (approved or locked forms): the reason the element's
  // value for the unit and period may not change, or nullopt.
  std::function<std::optional<std::string>(std::string_view element, std::string_view unit, const Period& period)>
      allow_value = nullptr;
  // A file whose rows are out of key order is read into memory by one thread per this
  // many bytes (at most one per core).
  size_t bytes_per_read_part = 16 << 20;
};

struct ValueImportResult {
  int64_t rows = 0;
  ValueWriteSummary summary;
  ImportProblems problems;    // non-empty: nothing was written
};

// Imports a dataValueSets CSV (header required; UTF-8 with or without BOM; text NFC).
Result<ValueImportResult> import_values_csv(Store& store, const std::string& path,
                                            const ValueImportOptions& options);

// ---- Values entered one by one (forms, the HTTP API) --------------------------------------

// One value as a form or a JSON client sends it (DHIS2's dataValue fields).
struct ValueEntry {
  std::string data_element;
  std::string period;
  std::string org_unit;
  std::string option;  // categoryOptionCombo; empty for the total
  std::string value;
  std::string comment;
};

// Checks entries with the same rules as the CSV import (known element, option and unit, a
// single period in which the unit is in force, a value of the element's type), from
// reference data loaded once. Thread-safe after construction.
class ValueEntryChecker {
 public:
  ValueEntryChecker(std::shared_ptr<const Catalogue> catalogue, std::shared_ptr<const OrgUnitIndex> units,
                    std::unordered_map<std::string, int64_t> unit_ids);

  struct Problem {
    std::string field;  // "dataElement", "period", "orgUnit", "categoryOptionCombo", "value"
    std::string reason;
  };
  // The row to write (its text views point into `entry`, brought to NFC in place), or the
  // entry's problems.
  std::variant<ValueWrite, std::vector<Problem>> check(ValueEntry& entry, std::string_view stored_by,
                                                       int64_t now) const;

 private:
  std::shared_ptr<const Catalogue> catalogue_;
  std::shared_ptr<const OrgUnitIndex> units_;
  std::unordered_map<std::string, int64_t> unit_ids_;
};

struct ValueExportOptions {
  std::optional<std::string> org_unit;  // this unit and everything under it in each period
  std::optional<Period> period;         // values whose period lies within this one
};

// Writes values as dataValueSets CSV with a header; importing the output gives the same
// values back (export → import → export is byte-identical).
Result<int64_t> export_values_csv(Store& store, std::ostream& out, const ValueExportOptions& options);

}  // namespace qpan
