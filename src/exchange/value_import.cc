// Validated, all-or-nothing import of data values from dataValueSets CSV (see
// qpan/exchange.h). The whole file is checked before anything is written; the rows are
// then handed to the store sorted by key, which makes a month's values an append.
#include <algorithm>
#include <deque>
#include <string_view>
#include <unordered_map>

#include "exchange/csv.h"
#include "exchange/file.h"
#include "qpan/exchange.h"
#include "qpan/text.h"

namespace qpan {
namespace {

enum Column : int {
  kDataElement, kPeriod, kOrgUnit, kCategoryOptionCombo, kAttributeOptionCombo,
  kValue, kStoredBy, kLastUpdated, kComment, kFollowup, kColumnCount
};

constexpr std::string_view kColumnNames[kColumnCount] = {
    "dataelement", "period",    "orgunit",     "categoryoptioncombo", "attributeoptioncombo",
    "value",       "storedby",  "lastupdated", "comment",             "followup"};

constexpr bool kRequired[kColumnCount] = {true, true, true, false, false,
                                         true, false, false, false, false};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// A unit code with the days (since epoch) each of its versions was in force.
struct UnitValidity {
  int64_t id = 0;
  std::string name;  // latest name, for messages
  std::vector<std::pair<int32_t, int32_t>> days;  // [from, until), open ends widened
};

struct PeriodInfo {
  bool ok = false;
  std::string error;
  Period period = Period::year(2000);
  int32_t first_day = 0;
  int32_t last_day = 0;
};

int64_t line_column_of(std::string_view text, size_t offset, int* column) {
  int64_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  *column = 1;
  for (size_t i = line_start; i < offset; ++i) *column += text[i] == ',';
  return line;
}

class ValueFileImporter {
 public:
  ValueFileImporter(Store& store, const std::string& path, const ValueImportOptions& options)
      : store_(store), path_(path), file_(file_name(path)), options_(options) {
    problems_.max_problems = options.max_problems;
  }

  Result<ValueImportResult> run() {
    Result<MappedFile> file = MappedFile::open(path_);
    if (!file) return file.status();
    file_content_.emplace(std::move(*file));
    text_ = file_content_->text();
    // One row per line in practice: reserving avoids re-copying gigabytes while growing.
    const size_t lines = static_cast<size_t>(std::count(text_.begin(), text_.end(), '\n'));
    rows_.reserve(lines);
    lines_.reserve(lines);
    ValueImportResult result;
    if (!check_utf8()) {
      result.problems = std::move(problems_);
      return result;
    }
    QPAN_RETURN_IF_ERROR(load_reference_data());
    csv::Reader reader(text_);
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) {
      problem(1, 0, "", "the file is empty: expected a header line naming the columns");
    } else if (read_header(reader, fields)) {
      while (reader.next(fields)) read_row(reader, fields);
    }
    result.rows = static_cast<int64_t>(rows_.size());
    find_duplicates();
    if (!problems_.empty()) {
      result.problems = std::move(problems_);
      return result;
    }
    WriteContext context{options_.user, options_.now, file_};
    Result<ValueWriteSummary> summary = store_.write_values(rows_, context);
    if (!summary) return summary.status();
    result.summary = *summary;
    return result;
  }

 private:
  void problem(int64_t line, int column, std::string_view field, std::string reason) {
    problems_.add({file_, line, column, std::string(field), std::move(reason)});
  }

  bool check_utf8() {
    size_t offset = 0;
    std::string_view all = text_;
    while (offset < all.size()) {
      size_t bad = find_invalid_utf8(all.substr(offset));
      if (bad == std::string_view::npos) break;
      offset += bad;
      int column = 0;
      int64_t line = line_column_of(all, offset, &column);
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(all[offset]));
      problem(line, column, "", std::string("invalid UTF-8 (byte ") + byte + ")");
      // Continue after this line: one report per line is enough.
      size_t eol = all.find('\n', offset);
      offset = eol == std::string_view::npos ? all.size() : eol + 1;
    }
    return problems_.empty();
  }

  Status load_reference_data() {
    Result<Catalogue> catalogue = store_.load_catalogue();
    if (!catalogue) return catalogue.status();
    catalogue_ = std::move(*catalogue);
    for (const DataElement& e : catalogue_.elements()) elements_.emplace(e.code, &e);
    Result<OrgUnitIndex> units = store_.load_org_units();
    if (!units) return units.status();
    Result<std::unordered_map<std::string, int64_t>> ids = store_.unit_ids();
    if (!ids) return ids.status();
    constexpr int32_t kOpenStart = -1'000'000, kOpenEnd = 10'000'000;
    for (const OrgUnitVersion& v : units->versions()) {
      UnitValidity& u = units_[v.code];
      u.id = (*ids)[v.code];
      u.name = v.name;
      u.days.emplace_back(v.valid_from ? to_days(*v.valid_from) : kOpenStart,
                          v.valid_until ? to_days(*v.valid_until) : kOpenEnd);
    }
    return Status::ok();
  }

  bool read_header(const csv::Reader& reader, const std::vector<std::string_view>& fields) {
    std::fill(std::begin(position_), std::end(position_), -1);
    if (!reader.error().empty()) {
      problem(reader.line(), reader.error_column(), "", reader.error());
      return false;
    }
    header_size_ = fields.size();
    bool ok = true;
    for (size_t i = 0; i < fields.size(); ++i) {
      std::string name = to_lower_trimmed(fields[i]);
      auto it = std::find(std::begin(kColumnNames), std::end(kColumnNames), name);
      if (it == std::end(kColumnNames)) {
        problem(reader.line(), static_cast<int>(i) + 1, "",
                "unknown column \"" + std::string(fields[i]) +
                    "\" (expected dataelement, period, orgunit, categoryoptioncombo, "
                    "attributeoptioncombo, value, storedby, lastupdated, comment, followup)");
        ok = false;
        continue;
      }
      int c = static_cast<int>(it - std::begin(kColumnNames));
      if (position_[c] >= 0) {
        problem(reader.line(), static_cast<int>(i) + 1, name, "column appears twice");
        ok = false;
      }
      position_[c] = static_cast<int>(i);
    }
    for (int c = 0; c < kColumnCount; ++c) {
      if (kRequired[c] && position_[c] < 0) {
        problem(reader.line(), 0, "",
                "missing column \"" + std::string(kColumnNames[c]) +
                    "\": the first line must be a header naming the columns");
        ok = false;
      }
    }
    return ok;
  }

  static std::string to_lower_trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }

  // The text of column `c` in the current row, or "" when the file has no such column.
  std::string_view field(const std::vector<std::string_view>& fields, int c) const {
    return position_[c] < 0 ? std::string_view() : fields[position_[c]];
  }
  int column_number(int c) const { return position_[c] + 1; }

  // Keeps `s` alive beyond the reader's next record when it lives in the reader's
  // scratch space (quoted fields), and brings it to NFC.
  std::string_view keep(std::string_view s) {
    const bool in_buffer = s.data() >= text_.data() && s.data() + s.size() <= text_.data() + text_.size();
    if (in_buffer && is_ascii(s)) return s;
    std::string nfc = to_nfc(s);
    if (in_buffer && nfc == s) return s;
    arena_.push_back(std::move(nfc));
    return arena_.back();
  }

  const PeriodInfo& period_info(std::string_view code) {
    if (last_period_ != nullptr && last_period_code_ == code) return *last_period_;
    auto it = periods_.find(code);
    if (it == periods_.end()) {
      PeriodInfo info;
      Result<Period> p = Period::parse(code);
      if (!p) {
        info.error = p.status().message();
      } else if (p->type() == PeriodType::kMonthRange) {
        info.error = "\"" + std::string(code) +
                     "\" is a range; a value belongs to one day, month, quarter, half-year, "
                     "year or five-year term";
      } else {
        info.ok = true;
        info.period = *p;
        DateRange d = p->dates();
        info.first_day = to_days(d.first);
        info.last_day = to_days(d.last);
      }
      it = periods_.emplace(std::string(code), std::move(info)).first;
    }
    last_period_code_ = it->first;
    last_period_ = &it->second;
    return it->second;
  }

  void read_row(const csv::Reader& reader, const std::vector<std::string_view>& fields) {
    const int64_t line = reader.line();
    if (!reader.error().empty()) {
      problem(line, reader.error_column(), "", reader.error());
      return;
    }
    if (fields.size() != header_size_) {
      problem(line, 0, "",
              "expected " + std::to_string(header_size_) + " columns as in the header, found " +
                  std::to_string(fields.size()));
      return;
    }
    const size_t problems_before = static_cast<size_t>(problems_.total);
    ValueWrite row;

    // Data element.
    std::string_view element_code = field(fields, kDataElement);
    auto found_element = elements_.find(element_code);
    const DataElement* element = found_element == elements_.end() ? nullptr : found_element->second;
    if (element == nullptr) {
      problem(line, column_number(kDataElement), "dataelement",
              element_code.empty() ? "empty: every row needs a data element code"
                                   : "unknown data element \"" + std::string(element_code) + "\"");
    } else {
      row.key.element_id = element->id;
    }

    // Period.
    std::string_view period_code = field(fields, kPeriod);
    const PeriodInfo& period = period_info(period_code);
    if (!period.ok) {
      problem(line, column_number(kPeriod), "period", period.error);
    } else {
      row.key.period = period.period.key();
    }

    // Org unit, in force during the period.
    std::string_view unit_code = field(fields, kOrgUnit);
    auto unit = units_.find(unit_code);
    if (unit == units_.end()) {
      problem(line, column_number(kOrgUnit), "orgunit",
              unit_code.empty() ? "empty: every row needs an org unit code"
                                : "unknown org unit \"" + std::string(unit_code) + "\"");
    } else {
      row.key.unit_id = unit->second.id;
      if (period.ok) {
        bool in_force = false;
        for (const auto& [from, until] : unit->second.days) {
          in_force |= from <= period.last_day && period.first_day < until;
        }
        if (!in_force) {
          problem(line, column_number(kOrgUnit), "orgunit",
                  "org unit " + std::string(unit_code) + " (" + unit->second.name +
                      ") is not in force in period " + std::string(period_code) + " (" +
                      period.period.label_vi() + ")");
        }
      }
    }

    // Disaggregation option; attribute options are not used.
    std::string_view option_code = field(fields, kCategoryOptionCombo);
    if (!option_code.empty() && element != nullptr) {
      const Disaggregation* dis = catalogue_.disaggregation_of(*element);
      const DisaggregationOption* option = dis ? dis->option(option_code) : nullptr;
      if (dis == nullptr) {
        problem(line, column_number(kCategoryOptionCombo), "categoryoptioncombo",
                "data element " + element->code + " has no disaggregation; leave it empty");
      } else if (option == nullptr) {
        problem(line, column_number(kCategoryOptionCombo), "categoryoptioncombo",
                "unknown option \"" + std::string(option_code) + "\" of disaggregation " +
                    dis->code);
      } else {
        row.key.option_id = option->id;
      }
    }
    if (!field(fields, kAttributeOptionCombo).empty()) {
      problem(line, column_number(kAttributeOptionCombo), "attributeoptioncombo",
              "attribute option combos are not used by qpan; leave it empty");
    }

    // Value, checked against the element's type.
    std::string_view value_text = field(fields, kValue);
    if (value_text.empty()) {
      problem(line, column_number(kValue), "value", "empty: every row needs a value");
    } else if (element != nullptr) {
      Result<TypedValue> value = parse_value(element->value_type, value_text);
      if (!value) {
        problem(line, column_number(kValue), "value",
                "\"" + std::string(value_text) + "\" is not a valid " +
                    std::string(value_type_name(element->value_type)) + " value for " +
                    element->code + ": " + value.status().message());
      } else {
        row.kind = value->kind;
        row.integer = value->integer;
        row.real = value->real;
        if (value->kind == TypedValue::Kind::kText) row.text = keep(value_text);
      }
    }

    // Who and when: the file's, or the importing user and now.
    std::string_view stored_by = field(fields, kStoredBy);
    row.stored_by = stored_by.empty() ? std::string_view(options_.user) : keep(stored_by);
    std::string_view updated = field(fields, kLastUpdated);
    if (updated.empty()) {
      row.last_updated = options_.now;
    } else if (updated == last_timestamp_text_) {
      row.last_updated = last_timestamp_;
    } else {
      Result<int64_t> ts = parse_timestamp(updated);
      if (!ts) {
        problem(line, column_number(kLastUpdated), "lastupdated", ts.status().message());
      } else {
        row.last_updated = *ts;
        last_timestamp_text_.assign(updated);
        last_timestamp_ = *ts;
      }
    }
    std::string_view comment = field(fields, kComment);
    if (!comment.empty()) row.comment = keep(comment);
    std::string_view followup = field(fields, kFollowup);
    if (followup == "true" || followup == "1") {
      row.followup = true;
    } else if (!(followup.empty() || followup == "false" || followup == "0")) {
      problem(line, column_number(kFollowup), "followup",
              "\"" + std::string(followup) + "\" is not true or false");
    }

    if (static_cast<size_t>(problems_.total) == problems_before) {
      rows_.push_back(row);
      lines_.push_back(line);
    }
  }

  // Sorts the rows into key order (the store's write order) and reports rows that give
  // the same key twice.
  void find_duplicates() {
    auto by_key = [&](uint32_t a, uint32_t b) { return rows_[a].key < rows_[b].key; };
    std::vector<uint32_t> order(rows_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    bool sorted = true;
    for (size_t i = 1; i < rows_.size() && sorted; ++i) sorted = !(rows_[i].key < rows_[i - 1].key);
    if (!sorted) std::stable_sort(order.begin(), order.end(), by_key);
    for (size_t i = 1; i < order.size(); ++i) {
      if (rows_[order[i]].key == rows_[order[i - 1]].key) {
        problem(lines_[order[i]], 0, "",
                "duplicate of line " + std::to_string(lines_[order[i - 1]]) +
                    ": same dataelement, period, orgunit, categoryoptioncombo and "
                    "attributeoptioncombo");
      }
    }
    if (!sorted && problems_.empty()) {
      std::vector<ValueWrite> ordered;
      ordered.reserve(rows_.size());
      for (uint32_t i : order) ordered.push_back(rows_[i]);
      rows_.swap(ordered);
    }
  }

  Store& store_;
  std::string path_;
  std::string file_;
  const ValueImportOptions& options_;
  ImportProblems problems_;
  std::optional<MappedFile> file_content_;
  std::string_view text_;
  Catalogue catalogue_;
  StringMap<const DataElement*> elements_;
  StringMap<UnitValidity> units_;
  StringMap<PeriodInfo> periods_;
  std::string_view last_period_code_;
  const PeriodInfo* last_period_ = nullptr;
  std::string last_timestamp_text_;
  int64_t last_timestamp_ = 0;
  int position_[kColumnCount];
  size_t header_size_ = 0;
  std::vector<ValueWrite> rows_;
  std::vector<int64_t> lines_;
  std::deque<std::string> arena_;
};

}  // namespace

Result<ValueImportResult> import_values_csv(Store& store, const std::string& path,
                                            const ValueImportOptions& options) {
  ValueFileImporter importer(store, path, options);
  return importer.run();
}

}  // namespace qpan
