// Excel forms (see qpan/form_workbook.h): written with libxlsxwriter, read back with the
// XLSX reader of the exchange module (libzip and libxml2).
#include "qpan/form_workbook.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>

#include "exchange/xlsx_reader.h"
#include "exchange/xlsx_workbook.h"
#include "qpan/number_format.h"

namespace qpan {
namespace {

// The sheet's columns, from 0.
constexpr int kNumberColumn = 0;    // A: STT
constexpr int kNameColumn = 1;      // B: the element
constexpr int kOptionColumn = 2;    // C: the option of its disaggregation
constexpr int kInputColumn = 3;     // D: this period's value
constexpr int kPreviousColumn = 4;  // E
constexpr int kLastYearColumn = 5;  // F
constexpr int kHintColumn = 6;      // G: what the cell takes
constexpr int kElementColumn = 7;   // H (hidden): the element's code
constexpr int kOptionCodeColumn = 8;  // I (hidden): the option's code
constexpr int kHeaderRow = 5;         // row 6; the title, unit, period and notice above

// The header row of the hidden key columns, so a reader of the sheet sees what they are.
constexpr const char* kElementHeader = "dataElement";
constexpr const char* kOptionHeader = "categoryOptionCombo";

// The key sheet's rows: name in A, value in B.
constexpr const char* kKeyFormat = "qpan-form";
constexpr const char* kKeyDataSet = "dataSet";
constexpr const char* kKeyOrgUnit = "orgUnit";
constexpr const char* kKeyPeriod = "period";
constexpr const char* kFormatVersion = "1";

constexpr const char* kTrueText = "Có";
constexpr const char* kFalseText = "Không";

bool is_whole(ValueType t) { return t == ValueType::kCount || t == ValueType::kInteger; }
bool is_numeric(ValueType t) { return t != ValueType::kBoolean && t != ValueType::kText; }

// What an input cell takes, as column G says and the validation's prompt repeats.
std::string hint_of(ValueType t) {
  switch (t) {
    case ValueType::kCount: return "Số nguyên ≥ 0";
    case ValueType::kInteger: return "Số nguyên";
    case ValueType::kNumber: return "Số";
    case ValueType::kPercentage: return "Tỷ lệ % (0–100)";
    case ValueType::kAmountVnd: return "Số tiền (đồng) ≥ 0";
    case ValueType::kAmountUsd: return "Số tiền (USD) ≥ 0";
    case ValueType::kBoolean: return "Có / Không";
    case ValueType::kText: return "Văn bản";
  }
  return "";
}

std::string date_vi(Date d) {
  char out[16];
  std::snprintf(out, sizeof out, "%02u/%02u/%04d", static_cast<unsigned>(d.day()), static_cast<unsigned>(d.month()),
                static_cast<int>(d.year()));
  return out;
}

// Roman numerals for the section headings (I, II, … as Vietnamese forms number them).
std::string roman(int n) {
  static const std::pair<int, const char*> kParts[] = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"},
                                                       {90, "XC"},  {50, "L"},   {40, "XL"},  {10, "X"},   {9, "IX"},
                                                       {5, "V"},    {4, "IV"},   {1, "I"}};
  std::string out;
  for (const auto& [value, text] : kParts) {
    while (n >= value) {
      out += text;
      n -= value;
    }
  }
  return out;
}

class FormSheetWriter {
 public:
  FormSheetWriter(lxw_workbook* workbook, const EntryForm& form, const std::vector<SubjectArea>& areas)
      : workbook_(workbook), form_(form), areas_(areas), open_(!form.closed) {}

  Status write() {
    sheet_ = workbook_add_worksheet(workbook_, std::string(kFormSheetName).c_str());
    if (sheet_ == nullptr) return Status::internal("writing the workbook: cannot add the form's sheet");
    make_formats();
    QPAN_RETURN_IF_ERROR(write_heading());
    QPAN_RETURN_IF_ERROR(write_header_row());
    QPAN_RETURN_IF_ERROR(write_sections());
    QPAN_RETURN_IF_ERROR(write_layout());
    return write_key_sheet();
  }

 private:
  void make_formats() {
    title_ = workbook_add_format(workbook_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    format_set_align(title_, LXW_ALIGN_CENTER);
    format_set_text_wrap(title_);
    line_ = workbook_add_format(workbook_);
    format_set_text_wrap(line_);
    notice_ = workbook_add_format(workbook_);
    format_set_italic(notice_);
    format_set_text_wrap(notice_);
    format_set_font_color(notice_, form_.closed ? LXW_COLOR_RED : 0x404040);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_CENTER);
    format_set_align(header_, LXW_ALIGN_VERTICAL_CENTER);
    format_set_border(header_, LXW_BORDER_THIN);
    format_set_bg_color(header_, 0xD9E1F2);
    section_ = workbook_add_format(workbook_);
    format_set_bold(section_);
    format_set_border(section_, LXW_BORDER_THIN);
    format_set_bg_color(section_, 0xEDEDED);
    label_ = workbook_add_format(workbook_);
    format_set_text_wrap(label_);
    format_set_align(label_, LXW_ALIGN_VERTICAL_TOP);
    format_set_border(label_, LXW_BORDER_THIN);
    centred_ = workbook_add_format(workbook_);
    format_set_align(centred_, LXW_ALIGN_CENTER);
    format_set_align(centred_, LXW_ALIGN_VERTICAL_TOP);
    format_set_border(centred_, LXW_BORDER_THIN);
    for (bool whole : {true, false}) {
      lxw_format* input = workbook_add_format(workbook_);
      lxw_format* shown = workbook_add_format(workbook_);
      for (lxw_format* f : {input, shown}) {
        format_set_num_format(f, whole ? "#,##0" : "General");
        format_set_border(f, LXW_BORDER_THIN);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
      }
      if (open_) {
        format_set_unlocked(input);
        format_set_bg_color(input, 0xFFF2CC);
      }
      (whole ? whole_input_ : decimal_input_) = input;
      (whole ? whole_shown_ : decimal_shown_) = shown;
    }
    text_input_ = workbook_add_format(workbook_);
    format_set_text_wrap(text_input_);
    format_set_align(text_input_, LXW_ALIGN_VERTICAL_TOP);
    format_set_border(text_input_, LXW_BORDER_THIN);
    format_set_num_format(text_input_, "@");  // typed digits stay text
    if (open_) {
      format_set_unlocked(text_input_);
      format_set_bg_color(text_input_, 0xFFF2CC);
    }
    text_shown_ = workbook_add_format(workbook_);
    format_set_text_wrap(text_shown_);
    format_set_align(text_shown_, LXW_ALIGN_VERTICAL_TOP);
    format_set_border(text_shown_, LXW_BORDER_THIN);
  }

  Status text(int row, int column, const std::string& value, lxw_format* format) {
    return xlsx_status(worksheet_write_string(sheet_, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(column),
                                              value.c_str(), format),
                       "cell " + xlsx_cell_name(row, column));
  }

  Status merged(int row, const std::string& value, lxw_format* format) {
    return xlsx_status(worksheet_merge_range(sheet_, static_cast<lxw_row_t>(row), kNumberColumn, static_cast<lxw_row_t>(row),
                                             kHintColumn, value.c_str(), format),
                       "row " + std::to_string(row + 1));
  }

  Status write_heading() {
    const DataSet& ds = *form_.data_set;
    QPAN_RETURN_IF_ERROR(merged(0, ds.name_vi, title_));
    worksheet_set_row(sheet_, 0, 36, nullptr);
    QPAN_RETURN_IF_ERROR(merged(1, "Đơn vị báo cáo: " + form_.unit.name + " (mã " + form_.unit.code + ")", line_));
    QPAN_RETURN_IF_ERROR(merged(2, "Kỳ báo cáo: " + form_.period.label_vi() + "   ·   Hạn gửi: " + date_vi(form_.deadline) +
                                       "   ·   Trạng thái: " + std::string(approval_state_name_vi(form_.approval.state)),
                                line_));
    const std::string notice =
        form_.closed ? "Biểu đã đóng, chỉ để xem: " + *form_.closed
                     : "Nhập số liệu kỳ này vào các ô nền vàng (cột D); ô để trống không thay đổi số liệu đã có. "
                       "Không đổi tên trang, không thêm hoặc xoá dòng. Gửi biểu: tải tệp này lên qpan "
                       "(màn hình Nhập liệu › Tải lên biểu Excel).";
    QPAN_RETURN_IF_ERROR(merged(3, notice, notice_));
    worksheet_set_row(sheet_, 3, 45, nullptr);
    return Status::ok();
  }

  Status write_header_row() {
    const std::string headers[] = {"STT",
                                   "Chỉ tiêu",
                                   "Chi tiết",
                                   "Kỳ này (" + form_.period.label_vi() + ")",
                                   "Kỳ trước (" + form_.previous.label_vi() + ")",
                                   "Cùng kỳ năm trước (" + form_.last_year.label_vi() + ")",
                                   "Kiểu số liệu",
                                   kElementHeader,
                                   kOptionHeader};
    for (int c = 0; c < static_cast<int>(std::size(headers)); ++c) {
      QPAN_RETURN_IF_ERROR(text(kHeaderRow, c, headers[c], header_));
    }
    worksheet_set_row(sheet_, kHeaderRow, 45, nullptr);
    return Status::ok();
  }

  std::string area_name(const std::string& code) const {
    auto it = std::find_if(areas_.begin(), areas_.end(), [&](const SubjectArea& a) { return a.code == code; });
    if (it != areas_.end()) return it->name_vi;
    return code.empty() ? "Chỉ tiêu khác" : code;
  }

  Status write_sections() {
    int row = kHeaderRow + 1;
    int section_number = 0;
    int element_number = 0;
    for (const EntryFormSection& section : form_.sections) {
      QPAN_RETURN_IF_ERROR(merged(row++, roman(++section_number) + ". " + area_name(section.area), section_));
      const DataElement* previous_element = nullptr;
      for (size_t index : section.cells) {
        const EntryFormCell& cell = form_.cells[index];
        const bool first_of_element = cell.element != previous_element;
        previous_element = cell.element;
        if (first_of_element) ++element_number;
        QPAN_RETURN_IF_ERROR(write_cell_row(row++, cell, first_of_element ? element_number : 0));
      }
    }
    return Status::ok();
  }

  // `number`: the element's number in the form, on its first row (0 on its options' next rows).
  Status write_cell_row(int row, const EntryFormCell& cell, int number) {
    const DataElement& e = *cell.element;
    const auto r = static_cast<lxw_row_t>(row);
    QPAN_RETURN_IF_ERROR(xlsx_status(number > 0 ? worksheet_write_number(sheet_, r, kNumberColumn, number, centred_)
                                                : worksheet_write_blank(sheet_, r, kNumberColumn, centred_),
                                     "cell " + xlsx_cell_name(row, kNumberColumn)));
    QPAN_RETURN_IF_ERROR(text(row, kNameColumn, e.name_vi, label_));
    QPAN_RETURN_IF_ERROR(text(row, kOptionColumn, cell.option ? cell.option->name_vi : "", label_));
    // A counted cell shows what the records count: locked, and without the keys that would
    // make the reader take it back as an entry.
    const bool counted = !cell.counted_from.empty();
    QPAN_RETURN_IF_ERROR(value(row, kInputColumn, e.value_type, cell.value, !counted));
    QPAN_RETURN_IF_ERROR(value(row, kPreviousColumn, e.value_type, cell.previous, false));
    QPAN_RETURN_IF_ERROR(value(row, kLastYearColumn, e.value_type, cell.last_year, false));
    QPAN_RETURN_IF_ERROR(text(row, kHintColumn, counted ? "Đếm từ sổ " + cell.counted_from + ", không nhập"
                                                        : std::string(hint_of(e.value_type)), label_));
    if (counted) return Status::ok();
    QPAN_RETURN_IF_ERROR(text(row, kElementColumn, e.code, nullptr));
    QPAN_RETURN_IF_ERROR(text(row, kOptionCodeColumn, cell.option ? cell.option->code : "", nullptr));
    return open_ ? validate(row, e.value_type) : Status::ok();
  }

  // A stored value in its cell: numbers as numbers (Excel shows them in the reader's
  // separators), booleans as Có/Không, texts as texts; an empty cell keeps its format.
  Status value(int row, int column, ValueType type, const std::optional<DataValue>& stored, bool input) {
    lxw_format* format = type == ValueType::kText || type == ValueType::kBoolean ? (input ? text_input_ : text_shown_)
                         : is_whole(type)                                        ? (input ? whole_input_ : whole_shown_)
                                                                                 : (input ? decimal_input_ : decimal_shown_);
    const auto r = static_cast<lxw_row_t>(row);
    const auto c = static_cast<lxw_col_t>(column);
    const std::string where = "cell " + xlsx_cell_name(row, column);
    if (!stored) return xlsx_status(worksheet_write_blank(sheet_, r, c, format), where);
    if (is_numeric(type)) {
      char* end = nullptr;
      const double number = std::strtod(stored->value.c_str(), &end);
      if (end != stored->value.c_str() && *end == '\0') {
        return xlsx_status(worksheet_write_number(sheet_, r, c, number, format), where);
      }
    }
    if (type == ValueType::kBoolean) {
      const bool yes = stored->value == "true" || stored->value == "1";
      return text(row, column, yes ? kTrueText : kFalseText, format);
    }
    return text(row, column, stored->value, format);
  }

  // Excel checks the input as it is typed: the element's type, with a prompt saying so.
  Status validate(int row, ValueType type) {
    struct Check {
      ValueType type;
      uint8_t validate, criteria;
      double minimum, maximum;  // the single bound of a one-sided criterion is `minimum`
      const char* message;
    };
    static constexpr Check kChecks[] = {
        {ValueType::kCount, LXW_VALIDATION_TYPE_INTEGER, LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO, 0, 0,
         "Nhập một số nguyên không âm (0, 1, 2, …)."},
        {ValueType::kInteger, LXW_VALIDATION_TYPE_INTEGER, LXW_VALIDATION_CRITERIA_BETWEEN, -2147483648.0, 2147483647.0,
         "Nhập một số nguyên."},
        {ValueType::kPercentage, LXW_VALIDATION_TYPE_DECIMAL, LXW_VALIDATION_CRITERIA_BETWEEN, 0, 100,
         "Nhập một tỷ lệ phần trăm từ 0 đến 100."},
        {ValueType::kAmountVnd, LXW_VALIDATION_TYPE_DECIMAL, LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO, 0, 0,
         "Nhập một số tiền (đồng) không âm."},
        {ValueType::kAmountUsd, LXW_VALIDATION_TYPE_DECIMAL, LXW_VALIDATION_CRITERIA_GREATER_THAN_OR_EQUAL_TO, 0, 0,
         "Nhập một số tiền (USD) không âm."},
        {ValueType::kNumber, LXW_VALIDATION_TYPE_DECIMAL, LXW_VALIDATION_CRITERIA_BETWEEN, -1e15, 1e15, "Nhập một số."},
        {ValueType::kBoolean, LXW_VALIDATION_TYPE_LIST, LXW_VALIDATION_CRITERIA_NONE, 0, 0, "Chọn Có hoặc Không."},
    };
    const Check* check = std::find_if(std::begin(kChecks), std::end(kChecks), [&](const Check& c) { return c.type == type; });
    if (check == std::end(kChecks)) return Status::ok();  // a text takes anything
    lxw_data_validation v{};
    v.validate = check->validate;
    v.criteria = check->criteria;
    const char* choices[] = {kTrueText, kFalseText, nullptr};
    if (check->validate == LXW_VALIDATION_TYPE_LIST) {
      v.value_list = const_cast<char**>(choices);  // libxlsxwriter copies; it never writes
    } else if (check->criteria == LXW_VALIDATION_CRITERIA_BETWEEN) {
      v.minimum_number = check->minimum;
      v.maximum_number = check->maximum;
    } else {
      v.value_number = check->minimum;
    }
    const std::string title = "Kiểu số liệu";
    const std::string error_title = "Số liệu không hợp lệ";
    v.input_title = const_cast<char*>(title.c_str());
    v.input_message = const_cast<char*>(check->message);
    v.error_title = const_cast<char*>(error_title.c_str());
    v.error_message = const_cast<char*>(check->message);
    v.error_type = LXW_VALIDATION_ERROR_TYPE_STOP;
    return xlsx_status(worksheet_data_validation_cell(sheet_, static_cast<lxw_row_t>(row), kInputColumn, &v),
                       "the validation of " + xlsx_cell_name(row, kInputColumn));
  }

  Status write_layout() {
    const std::pair<int, double> widths[] = {{kNumberColumn, 6},  {kNameColumn, 48},     {kOptionColumn, 18},
                                             {kInputColumn, 16},  {kPreviousColumn, 16}, {kLastYearColumn, 16},
                                             {kHintColumn, 18}};
    for (const auto& [column, width] : widths) {
      QPAN_RETURN_IF_ERROR(xlsx_status(worksheet_set_column(sheet_, column, column, width, nullptr), "column widths"));
    }
    lxw_row_col_options hidden{};
    hidden.hidden = 1;
    QPAN_RETURN_IF_ERROR(xlsx_status(worksheet_set_column_opt(sheet_, kElementColumn, kOptionCodeColumn, 28, nullptr, &hidden),
                                     "the key columns"));
    worksheet_freeze_panes(sheet_, kHeaderRow + 1, 0);
    worksheet_set_paper(sheet_, 9);  // A4
    worksheet_fit_to_pages(sheet_, 1, 0);
    QPAN_RETURN_IF_ERROR(xlsx_status(worksheet_repeat_rows(sheet_, kHeaderRow, kHeaderRow), "the printed header"));
    worksheet_activate(sheet_);
    lxw_protection protection{};
    protection.format_columns = 1;  // widen a column to read a long name
    protection.format_rows = 1;
    worksheet_protect(sheet_, nullptr, &protection);
    return Status::ok();
  }

  Status write_key_sheet() {
    lxw_worksheet* keys = workbook_add_worksheet(workbook_, std::string(kFormKeySheetName).c_str());
    if (keys == nullptr) return Status::internal("writing the workbook: cannot add the key sheet");
    const std::pair<const char*, std::string> rows[] = {{kKeyFormat, kFormatVersion},
                                                        {kKeyDataSet, form_.data_set->code},
                                                        {kKeyOrgUnit, form_.unit.code},
                                                        {kKeyPeriod, form_.period.code()}};
    lxw_row_t r = 0;
    for (const auto& [name, value] : rows) {
      QPAN_RETURN_IF_ERROR(xlsx_status(worksheet_write_string(keys, r, 0, name, nullptr), "the key sheet"));
      QPAN_RETURN_IF_ERROR(xlsx_status(worksheet_write_string(keys, r, 1, value.c_str(), nullptr), "the key sheet"));
      ++r;
    }
    worksheet_hide(keys);
    worksheet_protect(keys, nullptr, nullptr);
    return Status::ok();
  }

  lxw_workbook* workbook_;
  const EntryForm& form_;
  const std::vector<SubjectArea>& areas_;
  const bool open_;
  lxw_worksheet* sheet_ = nullptr;
  lxw_format *title_ = nullptr, *line_ = nullptr, *notice_ = nullptr, *header_ = nullptr, *section_ = nullptr;
  lxw_format *label_ = nullptr, *centred_ = nullptr;
  lxw_format *whole_input_ = nullptr, *whole_shown_ = nullptr, *decimal_input_ = nullptr, *decimal_shown_ = nullptr;
  lxw_format *text_input_ = nullptr, *text_shown_ = nullptr;
};

// A number as Excel holds it: 15 significant digits (libxlsxwriter and others store 16 or
// 17, so 67.716 may come back as 67.71599999999999), in the write path's form.
std::string excel_number(double number) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%.15g", number);
  return format_number_machine(std::strtod(digits, nullptr));
}

// The text of a cell as a key ("03400", also when a program stored it as a number).
std::string key_text(const XlsxReadCell* cell) {
  if (cell == nullptr) return "";
  if (cell->value.kind == XlsxValue::Kind::kNumber) return excel_number(cell->value.number);
  return cell->value.text;
}

}  // namespace

Result<std::string> write_form_workbook(const EntryForm& form, const std::vector<SubjectArea>& areas) {
  if (form.data_set == nullptr) return Status::internal("write_form_workbook: a form without its data set");
  return build_xlsx_workbook(form.data_set->name_vi + " — " + form.unit.name + " — " + form.period.label_vi(),
                             [&](lxw_workbook* workbook) { return FormSheetWriter(workbook, form, areas).write(); });
}

std::string form_workbook_file_name(const EntryForm& form) {
  return "bieu-" + form.data_set->code + "-" + form.unit.code + "-" + form.period.code() + ".xlsx";
}

DocumentEntries read_form_workbook(std::string_view bytes, const std::string& file, const Catalogue& catalogue,
                                   const std::vector<DataSet>& data_sets) {
  DocumentEntries out;
  auto problem = [&](std::string where, std::string reason) {
    out.problems.add({file, 0, 0, std::move(where), std::move(reason)});
  };
  Result<XlsxReadBook> book = read_xlsx(bytes, file);
  if (!book) {
    out.problems.add({"", 0, 0, "", book.status().message()});
    return out;
  }
  const XlsxReadSheet* keys = book->sheet(kFormKeySheetName);
  auto form_sheet = std::find_if(book->sheets.begin(), book->sheets.end(),
                                 [](const XlsxReadSheet& s) { return s.name != kFormKeySheetName; });
  if (keys == nullptr || form_sheet == book->sheets.end()) {
    problem("", "not a qpan form (no sheet \"qpan\" naming the form): download the form from qpan "
                "(qpan form xlsx, or Tải biểu Excel on the form's screen) and fill that one");
    return out;
  }
  std::map<std::string, std::string> key;
  for (const XlsxReadCell& c : keys->cells) {
    if (c.column == 0) key[key_text(&c)] = key_text(keys->find(c.row, 1));
  }
  if (key[kKeyFormat] != kFormatVersion) {
    problem(xlsx_cell_reference(keys->name, 0, 1),
            "a qpan form of format \"" + key[kKeyFormat] + "\"; this qpan reads format " + kFormatVersion);
    return out;
  }
  for (const char* name : {kKeyDataSet, kKeyOrgUnit, kKeyPeriod}) {
    if (key[name].empty()) problem(std::string(kFormKeySheetName) + "!" + name, "the form does not say its " + std::string(name));
  }
  if (!out.problems.empty()) return out;
  auto data_set = std::find_if(data_sets.begin(), data_sets.end(), [&](const DataSet& d) { return d.code == key[kKeyDataSet]; });
  if (data_set == data_sets.end()) {
    problem(std::string(kFormKeySheetName) + "!dataSet", "unknown data set \"" + key[kKeyDataSet] + "\"");
    return out;
  }

  const XlsxReadSheet& sheet = *form_sheet;
  auto keep = [&](std::string text) -> std::string_view { return out.texts->emplace_back(std::move(text)); };
  const std::string_view period = keep(key[kKeyPeriod]);
  const std::string_view unit = keep(key[kKeyOrgUnit]);
  for (const XlsxReadCell& c : sheet.cells) {
    if (c.column != kElementColumn || c.row <= kHeaderRow) continue;
    const std::string code = key_text(&c);
    if (code.empty()) continue;
    const std::string where = xlsx_cell_reference(sheet.name, c.row, kElementColumn);
    const DataElement* element = catalogue.element(code);
    if (element == nullptr) {
      problem(where, "unknown data element \"" + code + "\"");
      continue;
    }
    if (std::find(data_set->elements.begin(), data_set->elements.end(), code) == data_set->elements.end()) {
      problem(where, "data element \"" + code + "\" is not in data set \"" + data_set->code + "\"");
      continue;
    }
    const std::string option = key_text(sheet.find(c.row, kOptionCodeColumn));
    if (!option.empty()) {
      const Disaggregation* d = catalogue.disaggregation_of(*element);
      const bool known = d != nullptr && std::any_of(d->options.begin(), d->options.end(),
                                                     [&](const DisaggregationOption& o) { return o.code == option; });
      if (!known) {
        problem(xlsx_cell_reference(sheet.name, c.row, kOptionCodeColumn),
                "\"" + option + "\" is no option of data element \"" + code + "\"");
        continue;
      }
    }
    const XlsxReadCell* input = sheet.find(c.row, kInputColumn);
    if (input == nullptr) continue;
    std::string value;
    switch (input->value.kind) {
      case XlsxValue::Kind::kNumber: value = excel_number(input->value.number); break;
      case XlsxValue::Kind::kBoolean: value = input->value.number != 0 ? "true" : "false"; break;
      case XlsxValue::Kind::kError:
        problem(xlsx_cell_reference(sheet.name, c.row, kInputColumn),
                "the cell holds Excel's error " + input->value.text + ", not a value");
        continue;
      case XlsxValue::Kind::kText: value = input->value.text; break;
    }
    if (value.find_first_not_of(" \t\r\n") == std::string::npos) continue;  // blank: no change
    if (element->value_type == ValueType::kBoolean) {
      if (value == kTrueText || value == "có") value = "true";
      else if (value == kFalseText || value == "không") value = "false";
    }
    EntryText e;
    e.data_element = keep(code);
    e.period = period;
    e.org_unit = unit;
    e.option = keep(option);
    e.value = keep(std::move(value));
    out.entries.push_back(e);
    out.positions.push_back(file + ": " + xlsx_cell_reference(sheet.name, c.row, kInputColumn) + ": ");
  }
  return out;
}

}  // namespace qpan
