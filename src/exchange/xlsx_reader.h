// XLSX workbooks read back: the cells of each worksheet as Excel stores them (numbers,
// texts, booleans, error values), whichever program wrote the file — Excel, LibreOffice, a
// script with openpyxl, qpan itself. The package is opened with libzip and its parts are
// read with libxml2's streaming reader (no network, no entities); formatting is ignored.
// Bounded: a workbook whose parts unpack to more than kMaxUnpackedBytes is refused, however
// small the file, so a zip bomb costs nothing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/status.h"

namespace qpan {

struct XlsxValue {
  enum class Kind { kNumber, kText, kBoolean, kError };
  Kind kind = Kind::kText;
  std::string text;  // kText: the text; kError: Excel's code ("#DIV/0!"); kNumber: as stored ("67.716")
  double number = 0; // kNumber; kBoolean: 1 or 0
};

struct XlsxReadCell {
  int row = 0;     // from 0: row 1 of the sheet is 0
  int column = 0;  // from 0: column A is 0
  XlsxValue value;
};

struct XlsxReadSheet {
  std::string name;
  bool hidden = false;  // hidden or "very hidden"
  std::vector<XlsxReadCell> cells;  // non-empty cells, by row then column

  const XlsxReadCell* find(int row, int column) const;
};

struct XlsxReadBook {
  std::vector<XlsxReadSheet> sheets;  // in the workbook's order

  const XlsxReadSheet* sheet(std::string_view name) const;
};

inline constexpr size_t kMaxUnpackedBytes = 64u << 20;

// Reads every worksheet. invalid_input, starting with `file`, when the bytes are no zip, the
// zip no workbook (a part missing), a part is no well-formed XML (with its line), a cell
// reference is malformed, or the parts unpack to more than kMaxUnpackedBytes.
Result<XlsxReadBook> read_xlsx(std::string_view bytes, const std::string& file);

// "A1" names for 0-based positions: (13, 3) → "D14".
std::string xlsx_cell_name(int row, int column);
// A cell as Excel's formulas name it: Sheet1!D14, 'Nhập liệu'!D14 (a name with anything but
// letters, digits and _ is quoted, a quote doubled).
std::string xlsx_cell_reference(std::string_view sheet, int row, int column);

}  // namespace qpan
