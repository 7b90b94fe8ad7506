// Exchange: reading and writing the files qpan shares with people and other systems —
// org unit files (the vn-admin layout), data values exported in the column layout of
// DHIS2's dataValueSets CSV and as ADX documents (they are imported through the write path,
// qpan/value_writer.h).
// Imports are all-or-nothing: a file with any bad row writes nothing and every problem
// names file, line, column and reason.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/import_problem.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/store.h"
#include "qpan/value_writer.h"

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

// ---- ADX ---------------------------------------------------------------------------------
// The ISO/IHE aggregate data exchange document (namespace urn:ihe:qrph:adx:2015) that DHIS2
// and others read and write:
//   <adx xmlns="urn:ihe:qrph:adx:2015" exported="2026-12-04T10:00:00Z">
//     <group orgUnit="03400" period="2016-01-01/P1M" dataSet="ds.antt.commune.monthly">
//       <dataValue dataElement="crime.ttxh.cases" value="4"/>
//       <dataValue dataElement="foreign.in.delegations" partner="van_nam" value="3">
//         <annotation>a comment</annotation>
//       </dataValue>
// A disaggregated value names its option in an attribute called by the disaggregation's code;
// a comment is the annotation. Booleans and texts go in `value` as qpan writes them (ADX
// itself has numbers only); who stored a value and when are not part of ADX.

// A period in ADX's form: its first day and ISO 8601 duration ("2016-01-01/P1M",
// "2016-04-01/P3M", "2016-07-01/P6M", "2016-01-01/P1Y", "2016-01-01/P5Y", "2016-03-15/P1D"),
// and back. A month range of another length is "YYYY-MM-01/PnM".
std::string adx_period(const Period& period);
Result<Period> parse_adx_period(std::string_view text);

// Writes the values the options select as an ADX document: a group per unit, period and data
// set (the first of `data_sets` listing the element; none when no data set does), in the
// store's order, so export → import → export gives the same document but for `exported`.
// Written with libxml2.
Result<int64_t> export_values_adx(Store& store, std::ostream& out, const ValueExportOptions& options,
                                  const Catalogue& catalogue, const std::vector<DataSet>& data_sets);

// Entries read from a document (an ADX document, an Excel form) for the write path
// (qpan/value_writer.h). positions[i] names where entry i is ("values.adx:17: ",
// "form.xlsx: 'Biểu mẫu'!D14: "), for the write path's problems; problems of the document
// itself are in `problems`, and then nothing is to be written.
struct DocumentEntries {
  std::vector<EntryText> entries;  // views into `texts`
  std::vector<std::string> positions;
  std::shared_ptr<std::deque<std::string>> texts = std::make_shared<std::deque<std::string>>();
  ImportProblems problems;
};

// An ADX document read with libxml2's reader (no network, no entity expansion). Problems
// of the document: malformed XML, not ADX, a group without orgUnit or period, an attribute
// that is no disaggregation of the element, by line.
DocumentEntries read_adx(std::string_view document, const std::string& file, const Catalogue& catalogue);

}  // namespace qpan
