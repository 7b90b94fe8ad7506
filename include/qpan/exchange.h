// Exchange: reading and writing the files qpan shares with people and other systems —
// org unit files (the vn-admin layout) and data values exported in the column layout of
// DHIS2's dataValueSets CSV (they are imported through the write path, qpan/value_writer.h).
// Imports are all-or-nothing: a file with any bad row writes nothing and every problem
// names file, line, column and reason.
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
// (Importing them is the write path's: qpan/value_writer.h.)

struct ValueExportOptions {
  std::optional<std::string> org_unit;  // this unit and everything under it in each period
  std::optional<Period> period;         // values whose period lies within this one
  std::vector<std::string> elements;    // only these elements (a data set's); empty: all
  bool descendants = true;              // false: the org unit's own values only
  const OrgUnitIndex* units = nullptr;  // the structure; read from the store when null
};

// Calls `visit` with each value the options select, in the store's key order. not_found
// for an unknown org unit.
Status for_each_exported_value(Store& store, const ValueExportOptions& options,
                               const std::function<void(const DataValue&)>& visit);

// The lines of dataValueSets CSV as the export writes them: the header, then one row per
// value (a row's timestamp formatted once per change of it).
class ValueCsvRows {
 public:
  static std::string_view header();  // ends with a newline
  void append(std::string& out, const DataValue& value);

 private:
  int64_t last_timestamp_ = -1;
  std::string last_timestamp_text_;
};

// Writes values as dataValueSets CSV with a header; importing the output gives the same
// values back (export → import → export is byte-identical).
Result<int64_t> export_values_csv(Store& store, std::ostream& out, const ValueExportOptions& options);

}  // namespace qpan
