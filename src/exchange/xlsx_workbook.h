// XLSX workbooks of plain tables (a title, a header row, rows of text and numbers, notes),
// written with libxlsxwriter: what users open in Excel. Numbers are stored as numbers with a
// grouping format, so Excel shows them in the reader's own separators (1.009 and 67,716 on a
// Vietnamese system) and they still add up in a formula.
#pragma once

#include <xlsxwriter.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/status.h"

namespace qpan {

struct XlsxCell {
  enum class Kind { kEmpty, kText, kNumber };
  Kind kind = Kind::kEmpty;
  std::string text;
  double number = 0;
  int decimals = 0;  // decimals shown for a number: "#,##0" for 0, "#,##0.0" for 1, …

  static XlsxCell empty() { return {}; }
  static XlsxCell of_text(std::string text) { return {Kind::kText, std::move(text), 0, 0}; }
  static XlsxCell of_number(double value, int decimals) { return {Kind::kNumber, {}, value, decimals}; }
};

struct XlsxSheet {
  std::string name;                // at most 31 characters, none of []:*?/\ (Excel's rule)
  std::string title;               // a bold first line above the table; none when empty
  std::vector<std::string> header; // bold, frozen, with filters; as many as the widest row
  std::vector<size_t> numeric_columns;  // header cells aligned right (their values are numbers)
  std::vector<std::vector<XlsxCell>> rows;
  std::vector<std::string> notes;  // lines under the table (split units, sources)
};

// The workbook's bytes. invalid_input names the sheet when a name breaks Excel's rules or
// repeats; io_error when the temporary file libxlsxwriter writes cannot be made or read.
Result<std::string> write_xlsx_workbook(const std::vector<XlsxSheet>& sheets, const std::string& title);

// A workbook built by `fill` with libxlsxwriter, as bytes: the library writes to a file, so
// it goes to a private temporary file that is read back and removed. `title` is the
// document's title property. fill's error is returned as it is.
Result<std::string> build_xlsx_workbook(const std::string& title, const std::function<Status(lxw_workbook*)>& fill);

// A libxlsxwriter result as a Status naming what was being written.
Status xlsx_status(lxw_error error, std::string_view what);

// The decimals a number needs to be shown exactly, up to `max_decimals` (67.716 → 3,
// 1009 → 0, 0.1 + 0.2 → 1 at max 4).
int decimals_needed(double value, int max_decimals);

}  // namespace qpan
