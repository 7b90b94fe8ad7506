// Validated, all-or-nothing import of data values from dataValueSets CSV (see
// qpan/exchange.h). The whole file is checked before anything is written; the rows are
// then handed to the store sorted by key, which makes a month's values an append.
#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
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

// What every part of one import shares, read-only while rows are read.
struct ImportContext {
  std::string file;
  const ValueImportOptions& options;
  std::string_view text;  // the whole file
  Catalogue catalogue;
  StringMap<const DataElement*> elements;
  StringMap<UnitValidity> units;
  int position[kColumnCount];  // column index of each known column, -1 when absent
  size_t header_size = 0;
};

// Rows read and checked, on their way from the reading thread to the writing one.
struct RowBatch {
  static constexpr size_t kRows = 16384;
  std::vector<ValueWrite> rows;
  std::vector<int64_t> lines;
  int64_t problems_so_far = 0;  // problems the reader had found when it handed this over
};

// A bounded queue of batches between one reading and one writing thread.
class BatchQueue {
 public:
  explicit BatchQueue(size_t capacity) : capacity_(capacity) {}

  // Blocks while full; false once the consumer has cancelled.
  bool push(RowBatch&& batch) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return queue_.size() < capacity_ || cancelled_; });
    if (cancelled_) return false;
    queue_.push_back(std::move(batch));
    changed_.notify_all();
    return true;
  }
  // Blocks while empty; nullopt once the producer has closed and all is taken.
  std::optional<RowBatch> pop() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return std::nullopt;
    RowBatch batch = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    return batch;
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<RowBatch> queue_;
  size_t capacity_;
  bool closed_ = false;
  bool cancelled_ = false;
};

// Reads and checks the rows of one part of the file into its own rows and problems, with
// its own caches, so that parts can be read on separate threads.
class RowReader {
 public:
  explicit RowReader(const ImportContext& ctx) : ctx_(ctx) { problems.max_problems = ctx.options.max_problems; }

  // Reads the rows of `part`, whose first line is `first_line`. Without `emit` the rows
  // collect in `rows`; with it they are handed over in batches, and reading stops when
  // `emit` returns false.
  void read(std::string_view part, int64_t first_line, size_t expected_rows,
            const std::function<bool(RowBatch&&)>& emit = nullptr) {
    rows.reserve(emit ? RowBatch::kRows : expected_rows);
    lines.reserve(emit ? RowBatch::kRows : expected_rows);
    csv::Reader reader(part, first_line);
    std::vector<std::string_view> fields;
    while (reader.next(fields)) {
      read_row(reader, fields);
      if (emit && rows.size() == RowBatch::kRows && !hand_over(emit)) return;
    }
    if (emit) hand_over(emit);
  }

  std::vector<ValueWrite> rows;
  std::vector<int64_t> lines;
  ImportProblems problems;

 private:
  void problem(int64_t line, int column, std::string_view field, std::string reason) {
    problems.add({ctx_.file, line, column, std::string(field), std::move(reason)});
  }

  // The text of column `c` in the current row, or "" when the file has no such column.
  std::string_view field(const std::vector<std::string_view>& fields, int c) const {
    return ctx_.position[c] < 0 ? std::string_view() : fields[ctx_.position[c]];
  }
  int column_number(int c) const { return ctx_.position[c] + 1; }

  // Keeps `s` alive beyond the reader's next record when it lives in the reader's
  // scratch space (quoted fields), and brings it to NFC.
  std::string_view keep(std::string_view s) {
    const bool in_buffer = s.data() >= ctx_.text.data() && s.data() + s.size() <= ctx_.text.data() + ctx_.text.size();
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
    if (fields.size() != ctx_.header_size) {
      problem(line, 0, "",
              "expected " + std::to_string(ctx_.header_size) + " columns as in the header, found " +
                  std::to_string(fields.size()));
      return;
    }
    const size_t problems_before = static_cast<size_t>(problems.total);
    ValueWrite row;

    // Data element.
    std::string_view element_code = field(fields, kDataElement);
    auto found_element = ctx_.elements.find(element_code);
    const DataElement* element = found_element == ctx_.elements.end() ? nullptr : found_element->second;
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
    auto unit = ctx_.units.find(unit_code);
    if (unit == ctx_.units.end()) {
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
        } else if (ctx_.options.allow_unit) {
          if (std::optional<std::string> refused = ctx_.options.allow_unit(unit_code, period.period)) {
            problem(line, column_number(kOrgUnit), "orgunit", std::move(*refused));
          }
        }
        if (in_force && element != nullptr && ctx_.options.allow_value) {
          if (std::optional<std::string> refused = ctx_.options.allow_value(element->code, unit_code, period.period)) {
            problem(line, column_number(kPeriod), "period", std::move(*refused));
          }
        }
      }
    }

    // Disaggregation option; attribute options are not used.
    std::string_view option_code = field(fields, kCategoryOptionCombo);
    if (!option_code.empty() && element != nullptr) {
      const Disaggregation* dis = ctx_.catalogue.disaggregation_of(*element);
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
        // Only a text value's characters are kept beyond the line.
        row.set_value(*value, value->kind == TypedValue::Kind::kText ? keep(value_text) : std::string_view());
      }
    }

    // Who and when: the file's, or the importing user and now.
    std::string_view stored_by = field(fields, kStoredBy);
    row.stored_by = stored_by.empty() ? std::string_view(ctx_.options.user) : keep(stored_by);
    std::string_view updated = field(fields, kLastUpdated);
    if (updated.empty()) {
      row.last_updated = ctx_.options.now;
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

    if (static_cast<size_t>(problems.total) == problems_before) {
      rows.push_back(row);
      lines.push_back(line);
    }
  }

  bool hand_over(const std::function<bool(RowBatch&&)>& emit) {
    RowBatch batch{std::move(rows), std::move(lines), problems.total};
    rows = {};
    lines = {};
    rows.reserve(RowBatch::kRows);
    lines.reserve(RowBatch::kRows);
    return emit(std::move(batch));
  }

  const ImportContext& ctx_;
  StringMap<PeriodInfo> periods_;
  std::string_view last_period_code_;
  const PeriodInfo* last_period_ = nullptr;
  std::string last_timestamp_text_;
  int64_t last_timestamp_ = 0;
  std::deque<std::string> arena_;
};

// Offsets in `text` where each of `parts` parts after `begin` starts: line starts outside
// quoted fields, near equal sizes.
std::vector<size_t> part_starts(std::string_view text, size_t begin, size_t parts) {
  std::vector<size_t> starts{begin};
  size_t scanned = begin;
  bool in_quotes = false;
  for (size_t k = 1; k < parts; ++k) {
    size_t target = begin + (text.size() - begin) * k / parts;
    if (target <= starts.back()) continue;
    // Quote parity up to `target` says whether a line break there is inside a field.
    for (; scanned < target; ++scanned) in_quotes ^= text[scanned] == '"';
    while (scanned < text.size() && (in_quotes || text[scanned] != '\n')) {
      in_quotes ^= text[scanned] == '"';
      ++scanned;
    }
    if (scanned >= text.size()) break;
    starts.push_back(++scanned);
  }
  return starts;
}

class ValueFileImporter {
 public:
  ValueFileImporter(Store& store, const std::string& path, const ValueImportOptions& options)
      : store_(store), path_(path), ctx_{file_name(path), options, {}, {}, {}, {}, {}, 0} {
    problems_.max_problems = options.max_problems;
  }

  Result<ValueImportResult> run() {
    Result<MappedFile> file = MappedFile::open(path_);
    if (!file) return file.status();
    file_content_.emplace(std::move(*file));
    ctx_.text = file_content_->text();
    ValueImportResult result;
    if (!check_utf8()) {
      result.problems = std::move(problems_);
      return result;
    }
    QPAN_RETURN_IF_ERROR(load_reference_data());
    csv::Reader reader(ctx_.text);
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) {
      problem(1, 0, "", "the file is empty: expected a header line naming the columns");
    } else if (read_header(reader, fields)) {
      Result<bool> streamed = stream_rows(reader.offset(), reader.next_line(), result);
      if (!streamed) return streamed.status();
      if (*streamed) return result;
      read_rows(reader.offset(), reader.next_line());
    }
    result.rows = static_cast<int64_t>(rows_.size());
    find_duplicates();
    if (!problems_.empty()) {
      result.problems = std::move(problems_);
      return result;
    }
    WriteContext context{ctx_.options.user, ctx_.options.now, ctx_.file};
    Result<ValueWriteSummary> summary = store_.write_values(rows_, context);
    if (!summary) return summary.status();
    result.summary = *summary;
    return result;
  }

 private:
  void problem(int64_t line, int column, std::string_view field, std::string reason) {
    problems_.add({ctx_.file, line, column, std::string(field), std::move(reason)});
  }

  // Reads rows on a second thread while this one writes them, batch by batch, into one
  // transaction: memory stays small however large the file, and reading overlaps writing.
  // This needs the rows in key order, as qpan's exports and most generated files are (a
  // form's values together, periods in order); at the first row out of order it stops,
  // rolls back and returns false so the caller can sort in memory instead. Problems stop
  // the writing but not the reading, so that all of them are reported; then nothing is
  // committed.
  Result<bool> stream_rows(size_t begin, int64_t first_line, ValueImportResult& result) {
    WriteContext context{ctx_.options.user, ctx_.options.now, ctx_.file};
    Result<std::unique_ptr<ValueWriteSession>> session = store_.begin_value_write(context);
    if (!session) return session.status();
    BatchQueue queue(4);
    RowReader reader(ctx_);
    std::thread producer([&] {
      reader.read(ctx_.text.substr(begin), first_line, 0,
                  [&](RowBatch&& batch) { return queue.push(std::move(batch)); });
      queue.close();
    });
    ImportProblems duplicates;
    duplicates.max_problems = ctx_.options.max_problems;
    Status write_status;
    bool in_order = true;
    bool have_last = false;
    ValueKey last_key;
    int64_t last_line = 0;
    int64_t rows = 0;
    while (std::optional<RowBatch> batch = queue.pop()) {
      rows += static_cast<int64_t>(batch->rows.size());
      for (size_t i = 0; i < batch->rows.size() && in_order; ++i) {
        const ValueKey& key = batch->rows[i].key;
        if (have_last && key < last_key) in_order = false;
        if (have_last && key == last_key) {
          duplicates.add({ctx_.file, batch->lines[i], 0, "", duplicate_reason(last_line)});
        }
        have_last = true;
        last_key = key;
        last_line = batch->lines[i];
      }
      if (!in_order) {
        queue.cancel();
        break;
      }
      if (write_status.is_ok() && duplicates.empty() && batch->problems_so_far == 0) {
        write_status = (*session)->write(batch->rows);
      }
    }
    producer.join();
    if (!in_order) return false;  // the session rolls back as it goes out of scope
    problems_.merge(reader.problems);
    problems_.merge(duplicates);
    std::stable_sort(problems_.shown.begin(), problems_.shown.end(),
                     [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
    result.rows = rows;
    if (!problems_.empty()) {
      result.problems = std::move(problems_);
      return true;
    }
    QPAN_RETURN_IF_ERROR(write_status);
    Result<ValueWriteSummary> summary = (*session)->commit();
    if (!summary) return summary.status();
    result.summary = *summary;
    return true;
  }

  static std::string duplicate_reason(int64_t first_line) {
    return "duplicate of line " + std::to_string(first_line) +
           ": same dataelement, period, orgunit, categoryoptioncombo and attributeoptioncombo";
  }

  // Reads every row after the header into memory; a large file is split at line starts
  // and read by one thread per core. Rows and problems come out in file order.
  void read_rows(size_t begin, int64_t first_line) {
    const size_t kBytesPerPart = std::max<size_t>(ctx_.options.bytes_per_read_part, 1);
    const size_t cores = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
    const size_t parts = std::min(cores, 1 + (ctx_.text.size() - begin) / kBytesPerPart);
    std::vector<size_t> starts = part_starts(ctx_.text, begin, parts);
    starts.push_back(ctx_.text.size());
    const size_t n = starts.size() - 1;
    std::vector<std::string_view> texts(n);
    std::vector<size_t> line_counts(n);
    for (size_t i = 0; i < n; ++i) {
      texts[i] = ctx_.text.substr(starts[i], starts[i + 1] - starts[i]);
      line_counts[i] = static_cast<size_t>(std::count(texts[i].begin(), texts[i].end(), '\n'));
    }
    // The readers outlive this call: rows point into their text arenas.
    readers_.clear();
    readers_.reserve(n);
    for (size_t i = 0; i < n; ++i) readers_.emplace_back(ctx_);
    std::vector<RowReader>& readers = readers_;
    std::vector<std::thread> threads;
    int64_t line = first_line;
    for (size_t i = 0; i < n; ++i) {
      // The first part's rows become the result, so it keeps room for every part's rows.
      const size_t reserve = i == 0 ? std::accumulate(line_counts.begin(), line_counts.end(), size_t{0}) + 1
                                    : line_counts[i] + 1;
      auto work = [&reader = readers[i], text = texts[i], line, reserve] { reader.read(text, line, reserve); };
      if (i + 1 < n) threads.emplace_back(work); else work();
      line += static_cast<int64_t>(line_counts[i]);
    }
    for (std::thread& t : threads) t.join();
    rows_ = std::move(readers[0].rows);
    lines_ = std::move(readers[0].lines);
    problems_.merge(readers[0].problems);
    for (size_t i = 1; i < n; ++i) {
      rows_.insert(rows_.end(), readers[i].rows.begin(), readers[i].rows.end());
      lines_.insert(lines_.end(), readers[i].lines.begin(), readers[i].lines.end());
      problems_.merge(readers[i].problems);
    }
  }

  bool check_utf8() {
    size_t offset = 0;
    std::string_view all = ctx_.text;
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
    ctx_.catalogue = std::move(*catalogue);
    for (const DataElement& e : ctx_.catalogue.elements()) ctx_.elements.emplace(e.code, &e);
    Result<OrgUnitIndex> units = store_.load_org_units();
    if (!units) return units.status();
    Result<std::unordered_map<std::string, int64_t>> ids = store_.unit_ids();
    if (!ids) return ids.status();
    constexpr int32_t kOpenStart = -1'000'000, kOpenEnd = 10'000'000;
    for (const OrgUnitVersion& v : units->versions()) {
      UnitValidity& u = ctx_.units[v.code];
      u.id = (*ids)[v.code];
      u.name = v.name;
      u.days.emplace_back(v.valid_from ? to_days(*v.valid_from) : kOpenStart,
                          v.valid_until ? to_days(*v.valid_until) : kOpenEnd);
    }
    return Status::ok();
  }

  bool read_header(const csv::Reader& reader, const std::vector<std::string_view>& fields) {
    std::fill(std::begin(ctx_.position), std::end(ctx_.position), -1);
    if (!reader.error().empty()) {
      problem(reader.line(), reader.error_column(), "", reader.error());
      return false;
    }
    ctx_.header_size = fields.size();
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
      if (ctx_.position[c] >= 0) {
        problem(reader.line(), static_cast<int>(i) + 1, name, "column appears twice");
        ok = false;
      }
      ctx_.position[c] = static_cast<int>(i);
    }
    for (int c = 0; c < kColumnCount; ++c) {
      if (kRequired[c] && ctx_.position[c] < 0) {
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
        problem(lines_[order[i]], 0, "", duplicate_reason(lines_[order[i - 1]]));
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
  ImportContext ctx_;
  std::optional<MappedFile> file_content_;
  ImportProblems problems_;
  std::vector<RowReader> readers_;
  std::vector<ValueWrite> rows_;
  std::vector<int64_t> lines_;
};
}  // namespace

Result<ValueImportResult> import_values_csv(Store& store, const std::string& path,
                                            const ValueImportOptions& options) {
  ValueFileImporter importer(store, path, options);
  return importer.run();
}

}  // namespace qpan
