// Registry records as files, the way offices keep their registers today:
//   - CSV (UTF-8, with or without BOM): a header row, then one record per line;
//   - XLSX: the first worksheet, a header row, then one record per row — the register kept
//     in Excel. Written with libxlsxwriter (dates as Excel dates shown dd/mm/yyyy, the
//     header in Vietnamese); read back with the XLSX reader (qpan/../exchange/xlsx_reader.h).
//
// Columns, matched by their header without regard to case or accents:
//   id / "Mã bản ghi"          optional: an existing record to update (empty: a new one)
//   version / "Phiên bản"      optional, with id: the version it was read at (a conflict
//                              refuses the import instead of overwriting a newer change)
//   org_unit / "Mã đơn vị"     the owner unit's code
//   "Tên đơn vị"               the owner's name: written for people, ignored when read
//   each field of the registry by its code, its Vietnamese or its English name.
// An unknown or repeated header is a problem; a missing field column leaves the field
// empty (refused when it is required).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/import_problem.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/record_writer.h"
#include "qpan/registry.h"
#include "qpan/status.h"

namespace qpan {

enum class RecordFileFormat : uint8_t { kCsv, kXlsx };

// "csv" or "xlsx"; empty: from the path's extension. invalid_input naming the reason.
Result<RecordFileFormat> record_file_format(std::string_view format, std::string_view path);

// A file read into changes (creates, and updates for rows with an id), each with the line
// (row) it came from and its columns, so that a problem reads
// `records.xlsx:7:3: persons: expected a whole number`.
struct RecordFile {
  std::vector<RecordChange> changes;
  std::vector<int64_t> lines;                 // per change: its line (CSV) or row (XLSX), 1-based
  std::vector<std::pair<std::string, int>> columns;  // field code (or "id", "org_unit") → 1-based column
  ImportProblems problems;                    // the file itself: not CSV/XLSX, bad header, bad id
  std::string file;                           // the name problems start with

  // Where a change's field is, for RecordWrite::locate.
  ImportProblem locate(size_t change, std::string_view field) const;
};

// Reads `bytes` (the content of `file`) as records of `registry`. Errors only for what is
// not the file's fault; the file's problems are in the result.
Result<RecordFile> read_record_file(std::string_view bytes, const std::string& file, RecordFileFormat format,
                                    const RegistryDefinition& registry);

// The records as a file of `format`, the columns above in that order (unit names from
// `units`, in force on `names_at`).
Result<std::string> write_record_file(const std::vector<RegistryRecord>& records, const RegistryDefinition& registry,
                                      RecordFileFormat format, const OrgUnitIndex& units, Date names_at);

}  // namespace qpan
