// XLSX: the tables of a ReportDocument as a workbook, one sheet each, written with
// libxlsxwriter (qpan/report_render.h). Numbers stay numbers with grouping formats, so Excel
// shows them in the reader's separators (1.009 and 67,716 in Vietnamese) and they add up.
#include <unistd.h>
#include <unicode/unistr.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "qpan/number_format.h"
#include "qpan/report_render.h"
#include "report/ooxml_xml.h"

namespace qpan {
namespace {

constexpr size_t kSheetNameMax = 31;  // characters, Excel's limit
constexpr std::string_view kForbiddenInSheetName = "[]:*?/\\";
constexpr double kMinColumnWidth = 8;
constexpr double kMaxColumnWidth = 50;
constexpr double kTextSheetColumnWidth = 100;  // the sheet of a report without tables
constexpr double kCaptionPointsPerLine = 16;   // a line of 12 pt bold text
constexpr lxw_row_t kCaptionRow = 0;
constexpr lxw_row_t kHeaderRow = 2;            // row 3: a blank row under the caption
constexpr uint8_t kPaperA4 = 9;

// The first `count` characters of UTF-8 text.
std::string utf8_prefix(std::string_view text, size_t count) {
  size_t end = 0;
  for (size_t seen = 0; end < text.size(); ++end) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80 && seen++ == count) break;
  }
  return std::string(text.substr(0, end));
}

// Excel compares sheet names without case, in every script ("BẢNG" is "bảng").
std::string case_folded(std::string_view text) {
  icu::UnicodeString unicode = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  unicode.foldCase();
  std::string out;
  unicode.toUTF8String(out);
  return out;
}

// Sheet names as Excel accepts them: none of []:*?/\ (each becomes '-'), no control
// characters, no apostrophe at either end, at most 31 characters, none twice (" (2)", " (3)"
// … before the limit), never "History" (Excel keeps it for itself).
class SheetNames {
 public:
  explicit SheetNames(bool english) : english_(english) { taken_.insert(case_folded("History")); }

  std::string unique(std::string_view wanted) {
    std::string base;
    for (const char c : wanted) {
      if (static_cast<unsigned char>(c) < 0x20) continue;
      base += kForbiddenInSheetName.find(c) == std::string_view::npos ? c : '-';
    }
    const auto trimmable = [](char c) { return c == ' ' || c == '\''; };
    while (!base.empty() && trimmable(base.back())) base.pop_back();
    base.erase(0, std::min(base.size(), base.find_first_not_of(" '")));
    ++count_;
    if (base.empty()) base = (english_ ? "Table " : "Bảng ") + std::to_string(count_);
    const auto prefix = [&](size_t characters) {
      std::string stem = utf8_prefix(base, characters);
      while (!stem.empty() && trimmable(stem.back())) stem.pop_back();
      return stem;
    };
    std::string name = prefix(kSheetNameMax);
    for (int n = 2; !taken_.insert(case_folded(name)).second; ++n) {
      const std::string suffix = " (" + std::to_string(n) + ")";
      name = prefix(kSheetNameMax - suffix.size()) + suffix;
    }
    return name;
  }

 private:
  bool english_;
  int count_ = 0;
  std::set<std::string> taken_;
};

double column_width_for(size_t characters) {
  return std::clamp(static_cast<double>(characters) + 2, kMinColumnWidth, kMaxColumnWidth);
}

// The longest word of a header that wraps on its spaces.
size_t longest_word(std::string_view text) {
  size_t longest = 0;
  while (!text.empty()) {
    const size_t stop = text.find(' ');
    longest = std::max(longest, utf8_length(text.substr(0, stop)));
    if (stop == std::string_view::npos) break;
    text.remove_prefix(stop + 1);
  }
  return longest;
}

Status check(lxw_error error, std::string_view what) {
  if (error == LXW_NO_ERROR) return Status::ok();
  return Status::internal("XLSX: " + std::string(what) + ": " + lxw_strerror(error));
}

struct WorkbookCloser {
  void operator()(lxw_workbook* workbook) const { workbook_close(workbook); }
};

class WorkbookWriter {
 public:
  WorkbookWriter(lxw_workbook* workbook, const ReportDocument& document)
      : workbook_(workbook), document_(document), names_(document.language == "en") {
    caption_ = workbook_add_format(workbook);
    format_set_bold(caption_);
    format_set_font_size(caption_, 12);
    format_set_align(caption_, LXW_ALIGN_CENTER);
    format_set_align(caption_, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(caption_);
    header_ = workbook_add_format(workbook);
    format_set_bold(header_);
    format_set_border(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_CENTER);
    format_set_align(header_, LXW_ALIGN_VERTICAL_CENTER);
    text_ = workbook_add_format(workbook);
    format_set_border(text_, LXW_BORDER_THIN);
    format_set_text_wrap(text_);
    format_set_align(text_, LXW_ALIGN_VERTICAL_CENTER);
    wrapped_ = workbook_add_format(workbook);
    format_set_text_wrap(wrapped_);
    format_set_align(wrapped_, LXW_ALIGN_VERTICAL_TOP);
    bold_wrapped_ = workbook_add_format(workbook);
    format_set_bold(bold_wrapped_);
    format_set_text_wrap(bold_wrapped_);
    format_set_align(bold_wrapped_, LXW_ALIGN_VERTICAL_TOP);
  }

  Status write() {
    bool any_table = false;
    for (const ReportBlock& block : document_.body) {
      if (const Table* table = std::get_if<Table>(&block)) {
        QPAN_RETURN_IF_ERROR(write_table(*table));
        any_table = true;
      }
    }
    if (!any_table) return write_text_sheet();
    return Status::ok();
  }

 private:
  Status write_table(const Table& table) {
    const std::string name = names_.unique(table.name);
    const std::string where = "sheet \"" + name + "\"";
    lxw_worksheet* sheet = workbook_add_worksheet(workbook_, name.c_str());
    if (sheet == nullptr) return Status::internal("XLSX: cannot add " + where);
    worksheet_set_paper(sheet, kPaperA4);
    worksheet_fit_to_pages(sheet, 1, 0);  // as wide as one page, as long as it takes

    size_t columns = table.header.size();
    for (const auto& row : table.rows) columns = std::max(columns, row.size());
    columns = std::max<size_t>(columns, 1);
    const auto last_column = static_cast<lxw_col_t>(columns - 1);
    std::vector<size_t> widths(columns, 0);

    if (!table.caption.empty()) {
      if (columns > 1) {
        QPAN_RETURN_IF_ERROR(check(
            worksheet_merge_range(sheet, kCaptionRow, 0, kCaptionRow, last_column, table.caption.c_str(), caption_), where));
      } else {
        QPAN_RETURN_IF_ERROR(check(worksheet_write_string(sheet, kCaptionRow, 0, table.caption.c_str(), caption_), where));
      }
    }

    lxw_row_t row = kHeaderRow;
    if (!table.header.empty()) {
      for (size_t c = 0; c < table.header.size(); ++c) {
        QPAN_RETURN_IF_ERROR(check(worksheet_write_string(sheet, row, col(c), table.header[c].c_str(), header_), where));
        widths[c] = std::max(longest_word(table.header[c]), utf8_length(table.header[c]) / 2);
      }
      worksheet_freeze_panes(sheet, row + 1, 0);
      QPAN_RETURN_IF_ERROR(check(worksheet_repeat_rows(sheet, row, row), where));
      ++row;
    }
    for (const auto& cells : table.rows) {
      for (size_t c = 0; c < columns; ++c) {
        if (c >= cells.size()) {
          QPAN_RETURN_IF_ERROR(check(worksheet_write_blank(sheet, row, col(c), text_), where));
          continue;
        }
        const TableCell& cell = cells[c];
        if (cell.number && std::isfinite(*cell.number)) {
          QPAN_RETURN_IF_ERROR(
              check(worksheet_write_number(sheet, row, col(c), *cell.number, number_format(cell.decimals)), where));
          widths[c] = std::max(widths[c], format_number_vi(*cell.number, std::clamp(cell.decimals, 0, 10)).size());
        } else if (cell.text.empty()) {
          QPAN_RETURN_IF_ERROR(check(worksheet_write_blank(sheet, row, col(c), text_), where));
        } else {
          QPAN_RETURN_IF_ERROR(check(worksheet_write_string(sheet, row, col(c), cell.text.c_str(), text_), where));
          widths[c] = std::max(widths[c], utf8_length(cell.text));
        }
      }
      ++row;
    }

    double total_width = 0;
    for (size_t c = 0; c < columns; ++c) {
      const double width = column_width_for(widths[c]);
      total_width += width;
      QPAN_RETURN_IF_ERROR(check(worksheet_set_column(sheet, col(c), col(c), width, nullptr), where));
    }
    if (!table.caption.empty()) {
      // A merged cell never grows to fit its text: give the caption the lines it needs.
      const double lines = std::ceil(static_cast<double>(utf8_length(table.caption)) * 1.1 / total_width);
      if (lines > 1) {
        QPAN_RETURN_IF_ERROR(check(worksheet_set_row(sheet, kCaptionRow, kCaptionPointsPerLine * lines, nullptr), where));
      }
    }
    return Status::ok();
  }

  // A report without tables still opens as a workbook: its text in column A.
  Status write_text_sheet() {
    const bool english = document_.language == "en";
    const std::string name = english ? "Report" : "Báo cáo";
    lxw_worksheet* sheet = workbook_add_worksheet(workbook_, name.c_str());
    if (sheet == nullptr) return Status::internal("XLSX: cannot add the sheet " + name);
    QPAN_RETURN_IF_ERROR(check(worksheet_set_column(sheet, 0, 0, kTextSheetColumnWidth, wrapped_), name));
    worksheet_set_paper(sheet, kPaperA4);
    lxw_row_t row = 0;
    const auto line = [&](const std::string& text, lxw_format* format) {
      return check(worksheet_write_string(sheet, row++, 0, text.c_str(), format), name);
    };
    const ReportHeader& header = document_.header;
    QPAN_RETURN_IF_ERROR(line(header.title, bold_wrapped_));
    if (!header.subtitle.empty()) QPAN_RETURN_IF_ERROR(line(header.subtitle, wrapped_));
    ++row;
    for (const ReportBlock& block : document_.body) {
      if (const Heading* heading = std::get_if<Heading>(&block)) {
        QPAN_RETURN_IF_ERROR(line(heading->text, bold_wrapped_));
      } else if (const Paragraph* paragraph = std::get_if<Paragraph>(&block)) {
        std::string text;
        for (const TextRun& run : paragraph->runs) text += run.text;
        QPAN_RETURN_IF_ERROR(line(text, wrapped_));
      }
    }
    return Status::ok();
  }

  static lxw_col_t col(size_t c) { return static_cast<lxw_col_t>(c); }

  // One format per number of decimals ("#,##0", "#,##0.0", …), made once: the workbook keeps them all.
  lxw_format* number_format(int decimals) {
    decimals = std::clamp(decimals, 0, 10);
    auto [it, added] = number_formats_.try_emplace(decimals, nullptr);
    if (added) {
      it->second = workbook_add_format(workbook_);
      format_set_num_format(it->second, excel_number_format(decimals).c_str());
      format_set_border(it->second, LXW_BORDER_THIN);
      format_set_align(it->second, LXW_ALIGN_VERTICAL_CENTER);
    }
    return it->second;
  }

  lxw_workbook* workbook_;
  const ReportDocument& document_;
  SheetNames names_;
  lxw_format* caption_;
  lxw_format* header_;
  lxw_format* text_;
  lxw_format* wrapped_;
  lxw_format* bold_wrapped_;
  std::map<int, lxw_format*> number_formats_;
};

// libxlsxwriter writes to a file name: a private temporary file, removed when done.
class TemporaryFile {
 public:
  static Result<TemporaryFile> create() {
    std::error_code error;
    const std::filesystem::path folder = std::filesystem::temp_directory_path(error);
    if (error) return Status::io_error("XLSX: no temporary folder: " + error.message());
    std::string path = (folder / "qpan-report-XXXXXX.xlsx").string();
    const int fd = ::mkstemps(path.data(), 5);
    if (fd < 0) return Status::io_error("XLSX: cannot create a temporary file in " + folder.string());
    ::close(fd);
    return TemporaryFile(std::move(path));
  }

  TemporaryFile(TemporaryFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  TemporaryFile& operator=(TemporaryFile&&) = delete;
  ~TemporaryFile() {
    if (!path_.empty()) std::remove(path_.c_str());
  }

  const std::string& path() const { return path_; }

  Result<std::string> read() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream bytes;
    if (!in.is_open() || !(bytes << in.rdbuf())) {
      return Status::io_error("XLSX: cannot read the workbook back from " + path_);
    }
    return bytes.str();
  }

 private:
  explicit TemporaryFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace

Result<std::string> render_xlsx(const ReportDocument& document) {
  Result<TemporaryFile> file = TemporaryFile::create();
  if (!file) return file.status();
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;  // column widths and row heights are set after the cells
  std::unique_ptr<lxw_workbook, WorkbookCloser> workbook(workbook_new_opt(file->path().c_str(), &options));
  if (!workbook) return Status::io_error("XLSX: cannot start the workbook in " + file->path());

  const ReportHeader& header = document.header;
  const std::string title = header.title.empty() ? header.kind : header.title;
  lxw_doc_properties properties{};
  // libxlsxwriter copies the properties and never writes through these pointers.
  properties.title = const_cast<char*>(title.c_str());
  properties.subject = const_cast<char*>(header.subtitle.c_str());
  properties.company = const_cast<char*>(header.issuing_body.c_str());
  properties.author = const_cast<char*>("qpan");
  QPAN_RETURN_IF_ERROR(check(workbook_set_properties(workbook.get(), &properties), "the properties"));

  WorkbookWriter writer(workbook.get(), document);
  QPAN_RETURN_IF_ERROR(writer.write());
  const lxw_error closed = workbook_close(workbook.release());
  if (closed != LXW_NO_ERROR) return Status::io_error(std::string("XLSX: writing the workbook: ") + lxw_strerror(closed));
  return file->read();
}

}  // namespace qpan
