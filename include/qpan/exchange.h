// Exchange: reading and writing the files qpan shares with people and other systems —
// org unit files (the vn-admin layout), the element catalogue (JSON), and data values in
// the column layout of DHIS2's dataValueSets CSV. Imports are all-or-nothing: a file with
// any bad row writes nothing and every problem names file, line, column and reason.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
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

struct ValueExportOptions {
  std::optional<std::string> org_unit;  // this unit and everything under it in each period
  std::optional<Period> period;         // values whose period lies within this one
};

// Writes values as dataValueSets CSV with a header; importing the output gives the same
// values back (export → import → export is byte-identical).
Result<int64_t> export_values_csv(Store& store, std::ostream& out, const ValueExportOptions& options);

}  // namespace qpan
