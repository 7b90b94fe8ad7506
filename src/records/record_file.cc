// Registry records as CSV and XLSX files (qpan/record_file.h): the header matched to the
// registry's fields, each row turned into a change; and the records written back in the
// same columns, the XLSX one as offices keep a register in Excel.
#include "qpan/record_file.h"

#include <xlsxwriter.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <span>

#include "exchange/csv.h"
#include "exchange/xlsx_reader.h"
#include "exchange/xlsx_workbook.h"
#include "qpan/text.h"

namespace qpan {
namespace {

// The columns that are not fields.
constexpr std::string_view kIdColumn = "id";
constexpr std::string_view kVersionColumn = "version";
constexpr std::string_view kOwnerColumn = "org_unit";
constexpr std::string_view kOwnerNameColumn = "org_unit_name";

struct Column {
  std::string_view code;  // "id", "version", "org_unit", "org_unit_name" or a field's code
  std::string_view name_vi, name_en;
};

// Every column a file of `registry` may have, in the order files are written.
std::vector<Column> columns_of(const RegistryDefinition& registry) {
  std::vector<Column> out = {{kIdColumn, "Mã bản ghi", "Record id"},
                             {kOwnerColumn, "Mã đơn vị", "Org unit code"},
                             {kOwnerNameColumn, "Tên đơn vị", "Org unit"}};
  for (const RegistryField& f : registry.fields) out.push_back({f.code, f.name_vi, f.name_en});
  out.push_back({kVersionColumn, "Phiên bản", "Version"});
  return out;
}

// The column a header names (by code or name, without case or accents), or nullopt.
std::optional<Column> column_named(const std::vector<Column>& columns, std::string_view header) {
  const std::string key = search_key(header);
  for (const Column& c : columns) {
    if (key == search_key(c.code) || key == search_key(c.name_vi) || key == search_key(c.name_en)) return c;
  }
  return std::nullopt;
}

// Days from Excel's day 0 (30 Dec 1899, counting its phantom 29 Feb 1900) to 1 Jan 1970.
constexpr int32_t kExcelEpochOffset = 25569;

std::string cell_text(const XlsxValue& v, const RegistryField* field) {
  switch (v.kind) {
    case XlsxValue::Kind::kBoolean: return v.number != 0 ? "true" : "false";
    case XlsxValue::Kind::kNumber:
      if (field != nullptr && field->type == RegistryFieldType::kDate && v.number >= 1 && v.number < 2958466) {
        return format_date(from_days(static_cast<int32_t>(std::floor(v.number)) - kExcelEpochOffset));
      }
      return v.text;
    default: return v.text;
  }
}

}  // namespace

Result<RecordFileFormat> record_file_format(std::string_view format, std::string_view path) {
  if (format.empty()) {
    const size_t dot = path.rfind('.');
    format = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (format != "csv" && format != "xlsx" && format != "CSV" && format != "XLSX") {
      return Status::invalid_input("cannot tell the format of " + std::string(path) + ": use --format csv or xlsx");
    }
  }
  if (format == "csv" || format == "CSV") return RecordFileFormat::kCsv;
  if (format == "xlsx" || format == "XLSX") return RecordFileFormat::kXlsx;
  return Status::invalid_input("unknown format \"" + std::string(format) + "\" (expected csv or xlsx)");
}

ImportProblem RecordFile::locate(size_t change, std::string_view field) const {
  ImportProblem p;
  p.file = file;
  p.line = change < lines.size() ? lines[change] : 0;
  p.field = std::string(field);
  for (const auto& [code, column] : columns) {
    if (code == field) p.column = column;
  }
  return p;
}

namespace {

// Turns rows of cell texts into record changes: the header row names the columns, each
// following row is one change. Rows come one at a time, so a CSV file is never held twice.
class RowReader {
 public:
  RowReader(RecordFile& out, const RegistryDefinition& registry) : out_(out), registry_(registry) {}

  // The header row (line 1); false when it names an unknown or repeated column.
  bool header(std::span<const std::string_view> cells) {
    const std::vector<Column> known = columns_of(registry_);
    for (size_t c = 0; c < cells.size(); ++c) {
      const std::string_view header = cells[c];
      if (header.find_first_not_of(" \t") == std::string_view::npos) {
        by_position_.push_back(std::nullopt);
        continue;
      }
      std::optional<Column> column = column_named(known, header);
      if (!column) {
        out_.problems.add({out_.file, 1, static_cast<int>(c + 1), std::string(header),
                           "unknown column: not a field of " + registry_.code + " (nor id, org_unit, version)"});
      } else {
        for (const auto& [code, at] : out_.columns) {
          if (code == column->code) {
            out_.problems.add({out_.file, 1, static_cast<int>(c + 1), std::string(header),
                               "repeats column " + std::to_string(at) + " (" + std::string(column->code) + ")"});
          }
        }
        out_.columns.push_back({std::string(column->code), static_cast<int>(c + 1)});
      }
      by_position_.push_back(column);
    }
    return out_.problems.empty();
  }

  void row(int64_t line, std::span<const std::string_view> cells) {
    RecordChange change;
    bool blank = true;
    std::string_view version;
    for (size_t c = 0; c < cells.size() && c < by_position_.size(); ++c) {
      if (!by_position_[c]) continue;
      const std::string_view code = by_position_[c]->code;
      const std::string_view text = cells[c];
      if (text.find_first_not_of(" \t") != std::string_view::npos) blank = false;
      if (code == kIdColumn) {
        if (text.empty()) continue;
        int64_t id = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
          out_.problems.add({out_.file, line, static_cast<int>(c + 1), "id",
                             "expected a record id (a whole number > 0), found \"" + std::string(text) + "\""});
          continue;
        }
        change.kind = RecordChange::Kind::kUpdate;
        change.record.id = id;
      } else if (code == kVersionColumn) {
        version = text;
      } else if (code == kOwnerColumn) {
        change.record.org_unit = text;
      } else if (code != kOwnerNameColumn) {
        change.record.fields.insert_or_assign(std::string(code), std::string(text));
      }
    }
    if (blank) return;
    if (!version.empty() && change.kind == RecordChange::Kind::kUpdate) {
      int32_t v = 0;
      auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
      if (ec != std::errc() || end != version.data() + version.size() || v <= 0) {
        out_.problems.add({out_.file, line, 0, "version",
                           "expected a version (a whole number > 0), found \"" + std::string(version) + "\""});
      } else {
        change.expected_version = v;
      }
    }
    out_.changes.push_back(std::move(change));
    out_.lines.push_back(line);
  }

 private:
  RecordFile& out_;
  const RegistryDefinition& registry_;
  std::vector<std::optional<Column>> by_position_;
};

}  // namespace

Result<RecordFile> read_record_file(std::string_view bytes, const std::string& file, RecordFileFormat format,
                                    const RegistryDefinition& registry) {
  RecordFile out;
  out.file = file;
  RowReader reader_of_rows(out, registry);
  auto no_header = [&] {
    out.problems.add({file, 1, 0, "", "no header row: the first row names the columns (org_unit and the fields of " +
                                          registry.code + ")"});
  };
  if (format == RecordFileFormat::kCsv) {
    if (size_t bad = find_invalid_utf8(bytes); bad != std::string_view::npos) {
      out.problems.add({file, 1 + std::count(bytes.begin(), bytes.begin() + static_cast<long>(bad), '\n'), 0, "",
                        "invalid UTF-8"});
      return out;
    }
    const auto lines = std::count(bytes.begin(), bytes.end(), '\n');
    out.changes.reserve(static_cast<size_t>(lines));
    out.lines.reserve(static_cast<size_t>(lines));
    csv::Reader reader(bytes);
    std::vector<std::string_view> fields;
    bool header_read = false;
    while (reader.next(fields)) {
      if (!reader.error().empty()) {
        out.problems.add({file, reader.line(), reader.error_column(), "", reader.error()});
        continue;
      }
      if (!header_read) {
        if (reader.line() != 1) {
          no_header();
          return out;
        }
        header_read = true;
        if (!reader_of_rows.header(fields)) return out;
        continue;
      }
      reader_of_rows.row(reader.line(), fields);
    }
    if (!header_read && out.problems.empty()) no_header();
    if (!out.problems.empty()) {  // a malformed line: nothing of the file is taken
      out.changes.clear();
      out.lines.clear();
    }
    return out;
  }

  Result<XlsxReadBook> book = read_xlsx(bytes, file);
  if (!book) {
    out.problems.add({"", 0, 0, "", book.status().message()});
    return out;
  }
  const XlsxReadSheet* sheet = nullptr;
  for (const XlsxReadSheet& s : book->sheets) {
    if (!s.hidden) {
      sheet = &s;
      break;
    }
  }
  if (sheet == nullptr) {
    out.problems.add({file, 0, 0, "", "the workbook has no visible worksheet"});
    return out;
  }
  // The header first, to know which cells are dates.
  std::vector<std::optional<Column>> header_columns;
  const std::vector<Column> known = columns_of(registry);
  for (const XlsxReadCell& cell : sheet->cells) {
    if (cell.row != 0) continue;
    if (header_columns.size() <= static_cast<size_t>(cell.column)) header_columns.resize(cell.column + 1);
    header_columns[cell.column] = column_named(known, cell.value.text);
  }
  // The rows as texts with their line numbers; the header first.
  struct Row {
    int64_t line = 0;
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  for (const XlsxReadCell& cell : sheet->cells) {
    if (rows.empty() || rows.back().line != cell.row + 1) rows.push_back({cell.row + 1, {}});
    Row& row = rows.back();
    if (row.cells.size() <= static_cast<size_t>(cell.column)) row.cells.resize(cell.column + 1);
    const RegistryField* field = nullptr;
    if (static_cast<size_t>(cell.column) < header_columns.size() && header_columns[cell.column]) {
      field = registry.field(header_columns[cell.column]->code);
    }
    row.cells[cell.column] = cell_text(cell.value, field);
  }
  if (rows.empty() || rows.front().line != 1) {
    no_header();
    return out;
  }
  std::vector<std::string_view> cells;
  for (size_t r = 0; r < rows.size(); ++r) {
    cells.assign(rows[r].cells.begin(), rows[r].cells.end());
    if (r == 0) {
      if (!reader_of_rows.header(cells)) return out;
    } else {
      reader_of_rows.row(rows[r].line, cells);
    }
  }
  return out;
}

Result<std::string> write_record_file(const std::vector<RegistryRecord>& records, const RegistryDefinition& registry,
                                      RecordFileFormat format, const OrgUnitIndex& units, Date names_at) {
  const std::vector<Column> columns = columns_of(registry);
  auto unit_name = [&](const std::string& code) -> std::string {
    if (const OrgUnitVersion* v = units.at(code, names_at)) return v->name;
    std::vector<const OrgUnitVersion*> history = units.history(code);
    return history.empty() ? std::string() : history.back()->name;
  };
  if (format == RecordFileFormat::kCsv) {
    std::string out;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) out += ',';
      csv::append_field(out, columns[c].code);
    }
    out += '\n';
    for (const RegistryRecord& r : records) {
      for (size_t c = 0; c < columns.size(); ++c) {
        if (c > 0) out += ',';
        const std::string_view code = columns[c].code;
        if (code == kIdColumn) out += std::to_string(r.id);
        else if (code == kVersionColumn) out += std::to_string(r.version);
        else if (code == kOwnerColumn) csv::append_field(out, r.org_unit);
        else if (code == kOwnerNameColumn) csv::append_field(out, unit_name(r.org_unit));
        else if (const std::string* v = r.field(code)) csv::append_field(out, *v);
      }
      out += '\n';
    }
    return out;
  }

  return build_xlsx_workbook(registry.name_vi, [&](lxw_workbook* book) -> Status {
    std::string sheet_name = "Sổ";
    lxw_worksheet* sheet = workbook_add_worksheet(book, sheet_name.c_str());
    if (sheet == nullptr) return Status::internal("cannot add the worksheet");
    lxw_format* header = workbook_add_format(book);
    format_set_bold(header);
    format_set_text_wrap(header);
    format_set_border(header, LXW_BORDER_THIN);
    format_set_bg_color(header, 0xD9E1F2);
    lxw_format* date = workbook_add_format(book);
    format_set_num_format(date, "dd/mm/yyyy");
    lxw_format* whole = workbook_add_format(book);
    format_set_num_format(whole, "#,##0");
    lxw_format* decimal = workbook_add_format(book);
    format_set_num_format(decimal, "#,##0.###");
    for (size_t c = 0; c < columns.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      QPAN_RETURN_IF_ERROR(xlsx_status(worksheet_write_string(sheet, 0, col, std::string(columns[c].name_vi).c_str(), header), "header"));
      const bool wide = columns[c].code == kOwnerNameColumn || (registry.field(columns[c].code) != nullptr &&
                                                                 registry.field(columns[c].code)->type == RegistryFieldType::kText);
      worksheet_set_column(sheet, col, col, wide ? 32 : 14, nullptr);
    }
    worksheet_freeze_panes(sheet, 1, 0);
    lxw_row_t row = 1;
    for (const RegistryRecord& r : records) {
      for (size_t c = 0; c < columns.size(); ++c) {
        const auto col = static_cast<lxw_col_t>(c);
        const std::string_view code = columns[c].code;
        lxw_error e = LXW_NO_ERROR;
        if (code == kIdColumn) {
          e = worksheet_write_number(sheet, row, col, static_cast<double>(r.id), nullptr);
        } else if (code == kVersionColumn) {
          e = worksheet_write_number(sheet, row, col, r.version, nullptr);
        } else if (code == kOwnerColumn) {
          e = worksheet_write_string(sheet, row, col, r.org_unit.c_str(), nullptr);
        } else if (code == kOwnerNameColumn) {
          e = worksheet_write_string(sheet, row, col, unit_name(r.org_unit).c_str(), nullptr);
        } else if (const std::string* v = r.field(code)) {
          const RegistryField* field = registry.field(code);
          switch (field->type) {
            case RegistryFieldType::kDate: {
              Result<Date> d = parse_date(*v);
              if (!d) {
                e = worksheet_write_string(sheet, row, col, v->c_str(), nullptr);
                break;
              }
              lxw_datetime when = {static_cast<int>(d->year()), static_cast<int>(static_cast<unsigned>(d->month())),
                                   static_cast<int>(static_cast<unsigned>(d->day())), 0, 0, 0};
              e = worksheet_write_datetime(sheet, row, col, &when, date);
              break;
            }
            case RegistryFieldType::kInteger:
            case RegistryFieldType::kNumber: {
              double x = 0;
              std::from_chars(v->data(), v->data() + v->size(), x);
              e = worksheet_write_number(sheet, row, col, x, std::nearbyint(x) == x ? whole : decimal);
              break;
            }
            case RegistryFieldType::kBoolean:
              e = worksheet_write_string(sheet, row, col, *v == "true" ? "Có" : "Không", nullptr);
              break;
            default:
              e = worksheet_write_string(sheet, row, col, v->c_str(), nullptr);
          }
        }
        QPAN_RETURN_IF_ERROR(xlsx_status(e, "a record"));
      }
      ++row;
    }
    if (!records.empty()) worksheet_autofilter(sheet, 0, 0, row - 1, static_cast<lxw_col_t>(columns.size() - 1));
    return Status::ok();
  });
}

}  // namespace qpan
