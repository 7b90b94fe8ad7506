// A dataValueSets CSV file through the write path (see value_import.h): every row checked by
// the entry checker, the whole file before anything is committed, the rows handed to the
// store sorted by key, which makes a month's values an append.
#include "write/value_import.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <numeric>
#include <optional>
#include <string_view>
#include <thread>

#include "exchange/csv.h"
#include "exchange/file.h"
#include "qpan/text.h"

namespace qpan::write {
namespace {

// The columns are the entry's fields, in EntryField order.
constexpr int kColumnCount = static_cast<int>(EntryField::kDeleted) + 1;
constexpr bool kRequired[kColumnCount] = {true, true, true, false, false,
                                         true, false, false, false, false, false};

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
  const FileImportOptions& options;
  const EntryChecker& checker;
  const EntryChecker::Rules& rules;
  std::string_view text;  // the whole file
  int position[kColumnCount];  // column index of each field, -1 when absent
  size_t header_size = 0;
};

// The worse of two refusals: forbidden before closed forms before the rest.
Refusal worse(Refusal a, Refusal b) {
  if (a == Refusal::kNone) return b;
  if (b == Refusal::kNone) return a;
  return std::min(a, b);
}

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
// its own scratch, so that parts can be read on separate threads.
class RowReader {
 public:
  explicit RowReader(const ImportContext& ctx) : ctx_(ctx), scratch_(ctx.text) {
    problems.max_problems = ctx.options.max_problems;
  }

  // Reads the rows of `part`, whose first line is `first_line`. Without `emit` the rows
  // collect in `rows`; with it they are handed over in batches, and reading stops when
  // `emit` returns false.
  void read(std::string_view part, int64_t first_line, size_t expected_rows,
            const std::function<bool(RowBatch&&)>& emit = nullptr) {
    rows.reserve(emit ? RowBatch::kRows : expected_rows);
    lines.reserve(emit ? RowBatch::kRows : expected_rows);
    csv::Reader reader(part, first_line);
    std::vector<std::string_view> fields;
    int64_t line = 0;
    const ProblemFn report = [&](EntryField f, Refusal kind, std::string reason) {
      problems.add({ctx_.file, line, ctx_.position[static_cast<int>(f)] + 1, std::string(csv_column_name(f)),
                    std::move(reason)});
      refusal = worse(refusal, kind);
    };
    while (reader.next(fields)) {
      line = reader.line();
      read_row(reader, fields, report);
      if (emit && rows.size() == RowBatch::kRows && !hand_over(emit)) return;
    }
    if (emit) hand_over(emit);
  }

  std::vector<ValueWrite> rows;
  std::vector<int64_t> lines;
  ImportProblems problems;
  Refusal refusal = Refusal::kNone;

 private:
  // The text of `f`'s column in the current row, or "" when the file has no such column.
  std::string_view field(const std::vector<std::string_view>& fields, EntryField f) const {
    const int position = ctx_.position[static_cast<int>(f)];
    return position < 0 ? std::string_view() : fields[position];
  }

  void read_row(const csv::Reader& reader, const std::vector<std::string_view>& fields, const ProblemFn& report) {
    const int64_t line = reader.line();
    if (!reader.error().empty()) {
      problems.add({ctx_.file, line, reader.error_column(), "", reader.error()});
      refusal = worse(refusal, Refusal::kInvalid);
      return;
    }
    if (fields.size() != ctx_.header_size) {
      problems.add({ctx_.file, line, 0, "",
                    "expected " + std::to_string(ctx_.header_size) + " columns as in the header, found " +
                        std::to_string(fields.size())});
      refusal = worse(refusal, Refusal::kInvalid);
      return;
    }
    EntryText entry;
    entry.data_element = field(fields, EntryField::kDataElement);
    entry.period = field(fields, EntryField::kPeriod);
    entry.org_unit = field(fields, EntryField::kOrgUnit);
    entry.option = field(fields, EntryField::kCategoryOptionCombo);
    entry.attribute = field(fields, EntryField::kAttributeOptionCombo);
    entry.value = field(fields, EntryField::kValue);
    entry.stored_by = field(fields, EntryField::kStoredBy);
    entry.last_updated = field(fields, EntryField::kLastUpdated);
    entry.comment = field(fields, EntryField::kComment);
    entry.followup = field(fields, EntryField::kFollowup);
    entry.deleted = field(fields, EntryField::kDeleted);
    ValueWrite row;
    if (ctx_.checker.check(entry, ctx_.rules, scratch_, row, report)) {
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
  EntryChecker::Scratch scratch_;
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
  ValueFileImporter(Store& store, const EntryChecker& checker, const EntryChecker::Rules& rules,
                    const std::string& path, const FileImportOptions& options)
      : store_(store), path_(path), ctx_{options.source, options, checker, rules, {}, {}, 0} {
    problems_.max_problems = options.max_problems;
  }

  Result<FileImport> run() {
    Result<MappedFile> file = MappedFile::open(path_);
    if (!file) return file.status();
    file_content_.emplace(std::move(*file));
    ctx_.text = file_content_->text();
    FileImport result;
    if (!check_utf8()) return refused(std::move(result));
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
    if (!problems_.empty()) return refused(std::move(result));
    Result<ValueWriteSummary> summary = store_.write_values(rows_, write_context());
    if (!summary) return summary.status();
    result.summary = *summary;
    for (const ValueWrite& row : rows_) note_written_cell(result.cells, row.key);
    return result;
  }

 private:
  void problem(int64_t line, int column, std::string_view field, std::string reason) {
    problems_.add({ctx_.file, line, column, std::string(field), std::move(reason)});
    refusal_ = worse(refusal_, Refusal::kInvalid);
  }

  FileImport refused(FileImport result) {
    result.refusal = refusal_;
    result.problems = std::move(problems_);
    return result;
  }

  WriteContext write_context() const {
    return {std::string(ctx_.rules.writer), ctx_.rules.now, ctx_.file};
  }

  // Reads rows on a second thread while this one writes them, batch by batch, into one
  // transaction: memory stays small however large the file, and reading overlaps writing.
  // This needs the rows in key order, as qpan's exports and most generated files are (a
  // form's values together, periods in order); at the first row out of order it stops,
  // rolls back and returns false so the caller can sort in memory instead. Problems stop
  // the writing but not the reading, so that all of them are reported; then nothing is
  // committed.
  Result<bool> stream_rows(size_t begin, int64_t first_line, FileImport& result) {
    Result<std::unique_ptr<ValueWriteSession>> session = store_.begin_value_write(write_context());
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
          duplicates.add({ctx_.file, batch->lines[i], 0, "", duplicate_reason("line " + std::to_string(last_line))});
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
        for (const ValueWrite& row : batch->rows) note_written_cell(result.cells, row.key);
      }
    }
    producer.join();
    if (!in_order) return false;  // the session rolls back as it goes out of scope
    problems_.merge(reader.problems);
    refusal_ = worse(refusal_, reader.refusal);
    if (!duplicates.empty()) refusal_ = worse(refusal_, Refusal::kInvalid);
    problems_.merge(duplicates);
    std::stable_sort(problems_.shown.begin(), problems_.shown.end(),
                     [](const ImportProblem& a, const ImportProblem& b) { return a.line < b.line; });
    result.rows = rows;
    if (!problems_.empty()) {
      result = refused(std::move(result));
      result.cells.clear();
      return true;
    }
    QPAN_RETURN_IF_ERROR(write_status);
    Result<ValueWriteSummary> summary = (*session)->commit();
    if (!summary) return summary.status();
    result.summary = *summary;
    return true;
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
    // The readers outlive this call: rows point into their scratch.
    readers_.clear();
    for (size_t i = 0; i < n; ++i) readers_.emplace_back(ctx_);
    std::deque<RowReader>& readers = readers_;
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
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) {
        rows_.insert(rows_.end(), readers[i].rows.begin(), readers[i].rows.end());
        lines_.insert(lines_.end(), readers[i].lines.begin(), readers[i].lines.end());
      }
      problems_.merge(readers[i].problems);
      refusal_ = worse(refusal_, readers[i].refusal);
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

  bool read_header(const csv::Reader& reader, const std::vector<std::string_view>& fields) {
    std::fill(std::begin(ctx_.position), std::end(ctx_.position), -1);
    if (!reader.error().empty()) {
      problem(reader.line(), reader.error_column(), "", reader.error());
      return false;
    }
    ctx_.header_size = fields.size();
    bool ok = true;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string name = to_lower_trimmed(fields[i]);
      int c = 0;
      while (c < kColumnCount && csv_column_name(static_cast<EntryField>(c)) != name) ++c;
      if (c == kColumnCount) {
        problem(reader.line(), static_cast<int>(i) + 1, "",
                "unknown column \"" + std::string(fields[i]) +
                    "\" (expected dataelement, period, orgunit, categoryoptioncombo, "
                    "attributeoptioncombo, value, storedby, lastupdated, comment, followup, deleted)");
        ok = false;
        continue;
      }
      if (ctx_.position[c] >= 0) {
        problem(reader.line(), static_cast<int>(i) + 1, name, "column appears twice");
        ok = false;
      }
      ctx_.position[c] = static_cast<int>(i);
    }
    for (int c = 0; c < kColumnCount; ++c) {
      if (kRequired[c] && ctx_.position[c] < 0) {
        problem(reader.line(), 0, "",
                "missing column \"" + std::string(csv_column_name(static_cast<EntryField>(c))) +
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
    std::vector<uint32_t> order;
    const bool sorted = order_by_key(rows_, order, [&](uint32_t later, uint32_t first) {
      problem(lines_[later], 0, "", duplicate_reason("line " + std::to_string(lines_[first])));
    });
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
  Refusal refusal_ = Refusal::kNone;
  std::deque<RowReader> readers_;
  std::vector<ValueWrite> rows_;
  std::vector<int64_t> lines_;
};
}  // namespace

Result<FileImport> import_value_file(Store& store, const EntryChecker& checker, const EntryChecker::Rules& rules,
                                     const std::string& path, const FileImportOptions& options) {
  ValueFileImporter importer(store, checker, rules, path, options);
  return importer.run();
}

void note_written_cell(std::vector<WrittenCell>& cells, const ValueKey& key) {
  if (cells.empty() || cells.back().unit_id != key.unit_id || cells.back().period != key.period) {
    cells.push_back({key.unit_id, key.period, {}});
  }
  std::vector<int32_t>& elements = cells.back().element_ids;
  if (elements.empty() || elements.back() != key.element_id) elements.push_back(key.element_id);
}

std::string duplicate_reason(std::string_view first_position) {
  return "duplicate of " + std::string(first_position) +
         ": same data element, period, org unit and category option combo";
}

bool order_by_key(const std::vector<ValueWrite>& rows, std::vector<uint32_t>& order,
                  const std::function<void(uint32_t later, uint32_t first)>& duplicate) {
  order.resize(rows.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  bool sorted = true;
  for (size_t i = 1; i < rows.size() && sorted; ++i) sorted = !(rows[i].key < rows[i - 1].key);
  if (!sorted) {
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return rows[a].key < rows[b].key; });
  }
  for (size_t i = 1; i < order.size(); ++i) {
    if (rows[order[i]].key == rows[order[i - 1]].key) duplicate(order[i], order[i - 1]);
  }
  return sorted;
}

}  // namespace qpan::write
