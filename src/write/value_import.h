// Reading a dataValueSets CSV file into the store for the write path (qpan/value_writer.h):
// the header, every row through the entry checker (on several threads for a large file),
// duplicate keys, then one transaction — streamed batch by batch when the rows come in key
// order, as qpan's exports and most generated files do, else sorted in memory first.
// Internal to the write module; ValueWriter::import_file is its one caller.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/import_problem.h"
#include "qpan/store.h"
#include "qpan/value_writer.h"
#include "write/entry_checker.h"

namespace qpan::write {

// The (unit, period) cells a write touched with the elements written in each, by id, in
// the order written.
struct WrittenCell {
  int32_t unit_id = 0;
  int64_t period = 0;
  std::vector<int32_t> element_ids;
};

struct FileImport {
  int64_t rows = 0;
  Refusal refusal = Refusal::kNone;  // the kind of the problems, when there are any
  ImportProblems problems;           // non-empty: nothing was written
  ValueWriteSummary summary;
  std::vector<WrittenCell> cells;
};

struct FileImportOptions {
  std::string source;  // names the file in problems and the import batch
  size_t max_problems = 100;
  size_t bytes_per_read_part = 16 << 20;
};

// Checks every row with `checker` and `rules` and writes the file in one transaction; all
// or nothing. Errors are the store's or the file system's (the file cannot be read).
Result<FileImport> import_value_file(Store& store, const EntryChecker& checker, const EntryChecker::Rules& rules,
                                     const std::string& path, const FileImportOptions& options);

// Adds `row`'s cell and element to `cells`, which rows in key order keep short: a row in
// the same (period, unit) as the last one adds at most an element.
void note_written_cell(std::vector<WrittenCell>& cells, const ValueKey& key);

// The reason of a row whose key an earlier one (at `first_position`: "line 12",
// "dataValues[3]") already has.
std::string duplicate_reason(std::string_view first_position);

// Fills `order` with the rows' indices in key order (stable) and calls `duplicate` for each
// row whose key the row before it in that order has. True when the rows were in key order.
bool order_by_key(const std::vector<ValueWrite>& rows, std::vector<uint32_t>& order,
                  const std::function<void(uint32_t later, uint32_t first)>& duplicate);

}  // namespace qpan::write
