// XLSX workbooks of plain tables through libxlsxwriter. The library writes to a file name, so
// the workbook goes to a private temporary file that is read back and removed.
#include "exchange/xlsx_workbook.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "qpan/number_format.h"

namespace qpan {
namespace {

constexpr double kMinColumnWidth = 8;
constexpr double kMaxColumnWidth = 60;

// Characters as Excel counts them for a column's width (UTF-8 lead bytes).
size_t display_length(const std::string& text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

// A private file name that nobody else can take while the workbook is written.
Result<std::string> reserve_temporary_file() {
  std::error_code error;
  std::filesystem::path folder = std::filesystem::temp_directory_path(error);
  if (error) return Status::io_error("no temporary folder for the workbook: " + error.message());
  std::string name = (folder / "qpan-xlsx-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return Status::io_error("cannot create a temporary file for the workbook in " + folder.string());
  ::close(fd);
  return name;
}

struct WorkbookCloser {
  void operator()(lxw_workbook* w) const {
    if (w != nullptr) workbook_close(w);
  }
};

class SheetWriter {
 public:
  SheetWriter(lxw_workbook* workbook, lxw_worksheet* sheet) : workbook_(workbook), sheet_(sheet) {
    bold_ = workbook_add_format(workbook);
    format_set_bold(bold_);
    header_ = workbook_add_format(workbook);
    format_set_bold(header_);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    header_numeric_ = workbook_add_format(workbook);
    format_set_bold(header_numeric_);
    format_set_text_wrap(header_numeric_);
    format_set_align(header_numeric_, LXW_ALIGN_RIGHT);
    format_set_align(header_numeric_, LXW_ALIGN_VERTICAL_TOP);
  }

  Status write(const XlsxSheet& s) {
    lxw_row_t row = 0;
    if (!s.title.empty()) {
      QPAN_RETURN_IF_ERROR(check(worksheet_write_string(sheet_, row, 0, s.title.c_str(), bold_)));
      row += 2;
    }
    const lxw_row_t header_row = row;
    size_t columns = s.header.size();
    for (const auto& r : s.rows) columns = std::max(columns, r.size());
    std::vector<size_t> widths(columns, 0);
    const std::set<size_t> numeric(s.numeric_columns.begin(), s.numeric_columns.end());
    for (size_t c = 0; c < s.header.size(); ++c) {
      lxw_format* format = numeric.count(c) ? header_numeric_ : header_;
      QPAN_RETURN_IF_ERROR(check(worksheet_write_string(sheet_, row, col(c), s.header[c].c_str(), format)));
      widths[c] = display_length(s.header[c]);
    }
    if (!s.header.empty()) ++row;
    for (const auto& cells : s.rows) {
      for (size_t c = 0; c < cells.size(); ++c) {
        const XlsxCell& cell = cells[c];
        switch (cell.kind) {
          case XlsxCell::Kind::kEmpty: break;
          case XlsxCell::Kind::kText:
            QPAN_RETURN_IF_ERROR(check(worksheet_write_string(sheet_, row, col(c), cell.text.c_str(), nullptr)));
            widths[c] = std::max(widths[c], display_length(cell.text));
            break;
          case XlsxCell::Kind::kNumber:
            QPAN_RETURN_IF_ERROR(
                check(worksheet_write_number(sheet_, row, col(c), cell.number, number_format(cell.decimals))));
            widths[c] = std::max(widths[c], format_number_vi(cell.number, cell.decimals).size());
            break;
        }
      }
      ++row;
    }
    for (size_t c = 0; c < columns; ++c) {
      const double width = std::clamp(static_cast<double>(widths[c]) + 2, kMinColumnWidth, kMaxColumnWidth);
      QPAN_RETURN_IF_ERROR(check(worksheet_set_column(sheet_, col(c), col(c), width, nullptr)));
    }
    if (!s.header.empty()) {
      worksheet_freeze_panes(sheet_, header_row + 1, 0);
      if (row > header_row + 1 && columns > 0) {
        QPAN_RETURN_IF_ERROR(check(worksheet_autofilter(sheet_, header_row, 0, row - 1, col(columns - 1))));
      }
    }
    if (!s.notes.empty()) ++row;
    for (const std::string& note : s.notes) {
      QPAN_RETURN_IF_ERROR(check(worksheet_write_string(sheet_, row++, 0, note.c_str(), nullptr)));
    }
    return Status::ok();
  }

 private:
  static lxw_col_t col(size_t c) { return static_cast<lxw_col_t>(c); }

  // One format per number of decimals, made once: Excel keeps every format object.
  lxw_format* number_format(int decimals) {
    decimals = std::clamp(decimals, 0, 10);
    auto [it, added] = number_formats_.try_emplace(decimals, nullptr);
    if (added) {
      it->second = workbook_add_format(workbook_);
      format_set_num_format(it->second, excel_number_format(decimals).c_str());
    }
    return it->second;
  }

  static Status check(lxw_error error) {
    if (error == LXW_NO_ERROR) return Status::ok();
    return Status::internal(std::string("writing the workbook: ") + lxw_strerror(error));
  }

  lxw_workbook* workbook_;
  lxw_worksheet* sheet_;
  lxw_format* bold_;
  lxw_format* header_;
  lxw_format* header_numeric_;
  std::map<int, lxw_format*> number_formats_;
};

Result<std::string> read_file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return Status::io_error("cannot read the workbook back from " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace

int decimals_needed(double value, int max_decimals) {
  for (int d = 0; d < max_decimals; ++d) {
    if (round_decimal(value, d) == round_decimal(value, max_decimals)) return d;
  }
  return max_decimals;
}

Result<std::string> build_xlsx_workbook(const std::string& title, const std::function<Status(lxw_workbook*)>& fill) {
  Result<std::string> path = reserve_temporary_file();
  if (!path) return path.status();
  struct Remove {
    std::string path;
    ~Remove() { std::remove(path.c_str()); }
  } remove_after{*path};

  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;  // column widths and filters are set after the rows
  std::unique_ptr<lxw_workbook, WorkbookCloser> workbook(workbook_new_opt(path->c_str(), &options));
  if (!workbook) return Status::io_error("cannot start the workbook in " + *path);
  lxw_doc_properties properties{};
  properties.title = const_cast<char*>(title.c_str());  // libxlsxwriter copies; it never writes
  properties.author = const_cast<char*>("qpan");
  if (workbook_set_properties(workbook.get(), &properties) != LXW_NO_ERROR) {
    return Status::internal("writing the workbook's properties");
  }
  QPAN_RETURN_IF_ERROR(fill(workbook.get()));
  const lxw_error closed = workbook_close(workbook.release());
  if (closed != LXW_NO_ERROR) return Status::io_error(std::string("writing the workbook: ") + lxw_strerror(closed));
  return read_file_bytes(*path);
}

Status xlsx_status(lxw_error error, std::string_view what) {
  if (error == LXW_NO_ERROR) return Status::ok();
  return Status::internal("writing the workbook: " + std::string(what) + ": " + lxw_strerror(error));
}

Result<std::string> write_xlsx_workbook(const std::vector<XlsxSheet>& sheets, const std::string& title) {
  if (sheets.empty()) return Status::invalid_input("a workbook needs at least one sheet");
  return build_xlsx_workbook(title, [&](lxw_workbook* workbook) -> Status {
    std::set<std::string> names;
    for (size_t i = 0; i < sheets.size(); ++i) {
      const XlsxSheet& s = sheets[i];
      const std::string where = "sheet " + std::to_string(i + 1) + " \"" + s.name + "\": ";
      if (s.name.empty()) return Status::invalid_input(where + "a sheet needs a name");
      if (!names.insert(s.name).second) return Status::invalid_input(where + "another sheet has this name");
      if (workbook_validate_sheet_name(workbook, s.name.c_str()) != LXW_NO_ERROR) {
        return Status::invalid_input(where + "Excel refuses the name (at most 31 characters, none of []:*?/\\)");
      }
      lxw_worksheet* sheet = workbook_add_worksheet(workbook, s.name.c_str());
      if (sheet == nullptr) return Status::internal(where + "libxlsxwriter could not add the sheet");
      QPAN_RETURN_IF_ERROR(SheetWriter(workbook, sheet).write(s));
    }
    return Status::ok();
  });
}

}  // namespace qpan
