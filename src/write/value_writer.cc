// The write path (see qpan/value_writer.h): entries and files checked in the documented
// order, closed forms and versions inside the transaction, the outcome with its refusal
// kind, problems and the cells written.
#include "qpan/value_writer.h"

#include <algorithm>
#include <chrono>
#include <iterator>

#include "exchange/file.h"
#include "qpan/pack.h"
#include "qpan/validation.h"
#include "qpan/workflow.h"
#include "write/entry_checker.h"
#include "write/value_import.h"

namespace qpan {

using write::EntryChecker;
namespace {

// The headline of each refusal, Vietnamese then English.
std::string refusal_message(Refusal refusal, bool file) {
  switch (refusal) {
    case Refusal::kForbidden:
      return file ? "Tệp có số liệu ngoài phạm vi của bạn, không nhập gì (rows outside your scope; nothing was "
                    "imported)"
                  : "Có số liệu ngoài phạm vi của bạn, không ghi gì (values outside your scope; nothing was written)";
    case Refusal::kFormClosed:
      return file ? "Tệp có số liệu của biểu đã duyệt hoặc đã khóa, không nhập gì (rows of approved or locked forms; "
                    "nothing was imported)"
                  : "Biểu đã duyệt hoặc đã khóa, không ghi gì (the form is approved or locked; nothing was written)";
    case Refusal::kChanged:
      return "Số liệu đã bị người khác thay đổi; hãy xem giá trị hiện tại (the value changed since you read it; "
             "nothing was written)";
    case Refusal::kInvalid:
      return file ? "Tệp có lỗi, không nhập gì (the file has problems; nothing was imported)"
                  : "Số liệu không hợp lệ, không ghi gì (invalid values, nothing was written)";
    case Refusal::kNone: break;
  }
  return {};
}

}  // namespace

namespace {

// The two spellings of each field, in EntryField order: the CSV column (lower case, as
// DHIS2 writes its header) and the JSON member.
struct FieldNames {
  std::string_view csv, json;
};
constexpr FieldNames kFieldNames[] = {
    {"dataelement", "dataElement"},
    {"period", "period"},
    {"orgunit", "orgUnit"},
    {"categoryoptioncombo", "categoryOptionCombo"},
    {"attributeoptioncombo", "attributeOptionCombo"},
    {"value", "value"},
    {"storedby", "storedBy"},
    {"lastupdated", "lastUpdated"},
    {"comment", "comment"},
    {"followup", "followup"},
    {"deleted", "deleted"},
};
static_assert(std::size(kFieldNames) == static_cast<size_t>(EntryField::kDeleted) + 1);

}  // namespace

std::string_view csv_column_name(EntryField field) { return kFieldNames[static_cast<size_t>(field)].csv; }

std::string_view json_field_name(EntryField field) { return kFieldNames[static_cast<size_t>(field)].json; }

std::optional<std::string_view> entry_field_named(const EntryText& e, std::string_view json_name) {
  const std::string_view fields[] = {e.data_element, e.period,       e.org_unit, e.option,   e.attribute, e.value,
                                     e.stored_by,    e.last_updated, e.comment,  e.followup, e.deleted};
  static_assert(std::size(fields) == std::size(kFieldNames));
  for (size_t i = 0; i < std::size(kFieldNames); ++i) {
    if (kFieldNames[i].json == json_name) return fields[i];
  }
  return std::nullopt;
}

// A request of entries from its check to its outcome; owns what the rows' views point into.
struct ValueWriter::PendingWrite {
  Entries request;
  std::function<void(Result<WriteOutcome>)> done;
  std::shared_ptr<const EntryChecker> checker;
  EntryChecker::Scratch scratch;
  std::vector<ValueWrite> rows;  // in key order
  std::vector<size_t> entry_of;  // the entry of each row
  std::vector<Period> periods;   // of each row
  // Found inside the transaction.
  ImportProblems closed;
  std::vector<VersionConflict> conflicts;
  std::vector<SkippedEntry> skipped;  // skip_refused: entries left out before the transaction
  std::optional<int32_t> stored_version;  // a request of one entry: before this write

  // "dataValues[3]." (a prefix to a field name), "" for a request of one value.
  std::string position(size_t entry) const { return request.position ? request.position(entry) : std::string(); }
  // The entry as a whole: "dataValues[3]", or "value".
  std::string entry_name(size_t entry) const {
    std::string p = position(entry);
    if (!p.empty() && p.back() == '.') p.pop_back();
    return p.empty() ? std::string("value") : p;
  }
  ExpectedVersion expected(size_t entry) const {
    return entry < request.expected.size() ? request.expected[entry] : ExpectedVersion::any();
  }
};

Result<std::unique_ptr<ValueWriter>> ValueWriter::create(Store& store, std::mutex& store_mutex, Workflow& workflow,
                                                         bool group_commit, ValueWriterOptions options) {
  std::unique_ptr<ValueWriter> writer(new ValueWriter(store, store_mutex, workflow, std::move(options)));
  QPAN_RETURN_IF_ERROR(writer->reload());
  if (group_commit) writer->queue_ = std::make_unique<ValueWriteQueue>(store, store_mutex);
  return writer;
}

ValueWriter::ValueWriter(Store& store, std::mutex& store_mutex, Workflow& workflow, ValueWriterOptions options)
    : store_(store), store_mutex_(store_mutex), workflow_(workflow), options_(std::move(options)) {}

// The queue's jobs refer to the writer: it is drained and stopped first.
ValueWriter::~ValueWriter() { queue_.reset(); }

Status ValueWriter::reload() {
  std::lock_guard lock(store_mutex_);
  Result<Pack> pack = read_loaded_pack(store_);
  if (!pack) return pack.status();
  Result<std::shared_ptr<const EntryChecker>> checker = write::load_entry_checker(store_, pack->sources);
  if (!checker) return checker.status();
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(*pack, (*checker)->catalogue());
  if (!rules) return rules.status();
  install(std::move(*checker), std::make_shared<const std::vector<CompiledValidationRule>>(std::move(*rules)));
  return Status::ok();
}

Status ValueWriter::reload_from(Store& source, const Pack& pack, std::shared_ptr<const OrgUnitIndex> units,
                                std::shared_ptr<const std::vector<CompiledValidationRule>> rules) {
  Result<std::shared_ptr<const EntryChecker>> checker = write::load_entry_checker(source, pack.sources, std::move(units));
  if (!checker) return checker.status();
  install(std::move(*checker), std::move(rules));
  return Status::ok();
}

void ValueWriter::install(std::shared_ptr<const EntryChecker> checker,
                          std::shared_ptr<const std::vector<CompiledValidationRule>> rules) {
  std::lock_guard lock(reference_mutex_);
  checker_ = std::move(checker);
  rules_ = std::move(rules);
}

int64_t ValueWriter::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::shared_ptr<const EntryChecker> ValueWriter::checker() const {
  std::lock_guard lock(reference_mutex_);
  return checker_;
}

ValueWriteQueue::Statistics ValueWriter::statistics() const {
  return queue_ ? queue_->statistics() : ValueWriteQueue::Statistics{};
}

std::string ValueWriter::counted_from(std::string_view element) const {
  const std::string* registry = checker()->counted_from(element);
  return registry == nullptr ? std::string() : *registry;
}

Result<ValueKey> ValueWriter::key_of(const EntryText& entry) const {
  const std::shared_ptr<const EntryChecker> checker = this->checker();
  EntryChecker::Scratch scratch;
  ValueKey key;
  std::string first;
  const bool ok = checker->check_key(entry, scratch, key, [&](EntryField field, Refusal, std::string reason) {
    if (first.empty()) first = std::string(json_field_name(field)) + ": " + reason;
  });
  if (!ok) return Status::invalid_input(first);
  return key;
}

std::optional<WriteOutcome> ValueWriter::refusal_by_role(const Writer& writer, bool file) const {
  if (!writer.account) return std::nullopt;
  Status allowed = authorize_role(*writer.account, file ? Action::kImport : Action::kWriteData);
  if (allowed) return std::nullopt;
  WriteOutcome outcome;
  outcome.refusal = Refusal::kForbidden;
  outcome.message = allowed.message();
  return outcome;
}

void ValueWriter::write(Entries request, std::function<void(Result<WriteOutcome>)> done) {
  // 1. The role, before any entry is read.
  if (std::optional<WriteOutcome> refused = refusal_by_role(request.writer, false)) return done(std::move(*refused));
  auto pending = std::make_shared<PendingWrite>();
  pending->checker = checker();
  pending->done = std::move(done);
  pending->request = std::move(request);
  PendingWrite& w = *pending;
  const Entries& r = w.request;

  // 2–3. Each entry, and the scope; closed forms come inside the transaction.
  WriteOutcome refused;
  refused.problems.max_problems = options_.max_problems;
  const EntryChecker::Rules rules{&r.writer.account, Action::kWriteData, nullptr, r.writer.name, now(), r.deleting};
  size_t entry = 0;
  std::optional<SkippedEntry> entry_problem;  // skip_refused: the current entry's first
  const write::ProblemFn problem = [&](EntryField field, Refusal kind, std::string reason) {
    std::string where = w.position(entry) + std::string(json_field_name(field));
    if (r.skip_refused) {
      if (!entry_problem) entry_problem = SkippedEntry{entry, std::move(where), std::move(reason), kind};
      return;
    }
    refused.problems.add({"", 0, 0, std::move(where), std::move(reason), static_cast<int64_t>(entry)});
    refused.refusal = refused.refusal == Refusal::kNone ? kind : std::min(refused.refusal, kind);
  };
  std::vector<ValueWrite> rows;
  std::vector<size_t> entry_of;
  std::vector<Period> periods;
  rows.reserve(r.entries.size());
  for (entry = 0; entry < r.entries.size(); ++entry) {
    ValueWrite row;
    entry_problem.reset();
    if (!w.checker->check(r.entries[entry], rules, w.scratch, row, problem)) {
      if (entry_problem) w.skipped.push_back(std::move(*entry_problem));
      continue;
    }
    rows.push_back(row);
    entry_of.push_back(entry);
    periods.push_back(*Period::from_key(row.key.period));
  }
  // 4. Keys given twice.
  std::vector<uint32_t> order;
  std::vector<bool> left_out(rows.size(), false);
  write::order_by_key(rows, order, [&](uint32_t later, uint32_t first) {
    std::string reason = write::duplicate_reason(w.entry_name(entry_of[first]));
    if (r.skip_refused) {
      left_out[later] = true;
      w.skipped.push_back({entry_of[later], w.entry_name(entry_of[later]), std::move(reason), Refusal::kInvalid});
      return;
    }
    refused.problems.add({"", 0, 0, w.entry_name(entry_of[later]), std::move(reason), static_cast<int64_t>(entry_of[later])});
    if (refused.refusal == Refusal::kNone) refused.refusal = Refusal::kInvalid;
  });
  // 5, before the transaction, for a write that leaves closed forms' entries out (inside it
  // a form closed meanwhile still refuses the whole write).
  if (r.skip_refused) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (left_out[i]) continue;
      const EntryText& e = r.entries[entry_of[i]];
      if (std::optional<std::string> closed = workflow_.write_refusal(e.data_element, e.org_unit, periods[i])) {
        left_out[i] = true;
        w.skipped.push_back({entry_of[i], w.position(entry_of[i]) + std::string(json_field_name(EntryField::kPeriod)),
                             std::move(*closed), Refusal::kFormClosed});
      }
    }
    std::sort(w.skipped.begin(), w.skipped.end(),
              [](const SkippedEntry& a, const SkippedEntry& b) { return a.entry < b.entry; });
  }
  refused.rows = static_cast<int64_t>(r.entries.size());
  if (!refused.problems.empty()) {
    refused.message = refusal_message(refused.refusal, false);
    return w.done(std::move(refused));
  }
  w.rows.reserve(rows.size());
  for (uint32_t i : order) {
    if (left_out[i]) continue;
    w.rows.push_back(rows[i]);
    w.entry_of.push_back(entry_of[i]);
    w.periods.push_back(periods[i]);
  }

  // 5–6 inside the transaction, then the write.
  auto check = [this, pending](Store& store) { return check_in_transaction(store, *pending); };
  auto finished = [this, pending](Result<ValueWriteSummary> summary) {
    pending->done(finish(*pending, std::move(summary)));
  };
  if (w.rows.empty()) return finished(ValueWriteSummary{});  // every entry left out
  if (queue_ && !r.dry_run) {
    ValueWriteQueue::Job job;
    job.rows = w.rows;
    job.context = {r.writer.name, now(), r.source};
    job.storage = pending;
    job.check = std::move(check);
    job.done = std::move(finished);
    queue_->submit(std::move(job));
    return;
  }
  Result<ValueWriteSummary> summary = [&]() -> Result<ValueWriteSummary> {
    std::lock_guard lock(store_mutex_);
    Result<std::unique_ptr<ValueWriteTransaction>> transaction = store_.begin_value_transaction();
    if (!transaction) return transaction.status();
    QPAN_RETURN_IF_ERROR(check(store_));
    Result<ValueWriteSummary> written = (*transaction)->write(w.rows, {r.writer.name, now(), r.source});
    if (!written) return written.status();
    // A dry run ends here: the transaction is rolled back, nobody is told of its rows.
    if (!r.dry_run) QPAN_RETURN_IF_ERROR((*transaction)->commit());
    return written;
  }();
  finished(std::move(summary));
}

Status ValueWriter::check_in_transaction(ValueStore& store, PendingWrite& w) const {
  // 5. Forms approved or locked since the request came.
  w.closed.max_problems = options_.max_problems;
  for (size_t k = 0; k < w.rows.size(); ++k) {
    const EntryText& e = w.request.entries[w.entry_of[k]];
    if (std::optional<std::string> refused = workflow_.write_refusal(e.data_element, e.org_unit, w.periods[k])) {
      w.closed.add({"", 0, 0, w.position(w.entry_of[k]) + std::string(json_field_name(EntryField::kPeriod)),
                    std::move(*refused), static_cast<int64_t>(w.entry_of[k])});
    }
  }
  if (!w.closed.empty()) return Status::conflict("form closed");
  // 6. What each writer last read must still be what is stored (optimistic concurrency).
  const bool single = w.request.entries.size() == 1;
  for (size_t k = 0; k < w.rows.size(); ++k) {
    const ExpectedVersion expected = w.expected(w.entry_of[k]);
    if (expected.kind == ExpectedVersion::Kind::kAny && !single) continue;  // nothing to compare
    Result<std::optional<DataValue>> stored = store.find_value(w.rows[k].key);
    if (!stored) return stored.status();
    if (single && *stored) w.stored_version = (*stored)->version;
    bool holds = true;
    switch (expected.kind) {
      case ExpectedVersion::Kind::kAny: break;
      case ExpectedVersion::Kind::kAbsent: holds = !*stored; break;
      case ExpectedVersion::Kind::kVersion: holds = *stored && (*stored)->version == expected.version; break;
    }
    if (!holds) w.conflicts.push_back({w.entry_of[k], std::move(*stored)});
  }
  if (!w.conflicts.empty()) return Status::precondition_failed("changed since read");
  return Status::ok();
}

Result<WriteOutcome> ValueWriter::finish(PendingWrite& w, Result<ValueWriteSummary> summary) const {
  WriteOutcome outcome;
  outcome.rows = static_cast<int64_t>(w.request.entries.size());
  outcome.skipped = std::move(w.skipped);
  if (!w.closed.empty()) {
    outcome.refusal = Refusal::kFormClosed;
    outcome.problems = std::move(w.closed);
  } else if (!w.conflicts.empty()) {
    outcome.refusal = Refusal::kChanged;
    outcome.conflicts = std::move(w.conflicts);
  } else if (!summary) {
    return summary.status();
  }
  if (!outcome.written()) {
    outcome.message = refusal_message(outcome.refusal, false);
    return outcome;
  }
  outcome.summary = *summary;
  if (w.request.entries.size() == 1) {
    outcome.version = summary->created > 0 ? 1 : w.stored_version.value_or(0) + (summary->updated > 0 ? 1 : 0);
  }
  for (size_t k = 0; k < w.rows.size(); ++k) {
    const EntryText& e = w.request.entries[w.entry_of[k]];
    ValueCell cell{std::string(e.org_unit), w.periods[k], {}};
    auto it = std::find(outcome.cells.begin(), outcome.cells.end(), cell);
    if (it == outcome.cells.end()) it = outcome.cells.insert(outcome.cells.end(), std::move(cell));
    if (std::find(it->elements.begin(), it->elements.end(), e.data_element) == it->elements.end()) {
      it->elements.emplace_back(e.data_element);
    }
  }
  return outcome;
}

Result<WriteOutcome> ValueWriter::import_file(const Writer& writer, const std::string& path, const std::string& source) {
  if (std::optional<WriteOutcome> refused = refusal_by_role(writer, true)) return std::move(*refused);
  const std::shared_ptr<const EntryChecker> checker = this->checker();
  // Each row is a value written, whatever brought it: the same scope check and message as
  // an entry's; importing is the role's question, asked above.
  const EntryChecker::Rules rules{&writer.account, Action::kWriteData, &workflow_, writer.name, now()};
  write::FileImportOptions options{source, options_.max_problems, options_.bytes_per_read_part};
  // Under the store's lock for the whole file: no approval can slip between a row's check
  // and its write.
  Result<write::FileImport> imported = [&] {
    std::lock_guard lock(store_mutex_);
    return write::import_value_file(store_, *checker, rules, path, options);
  }();
  if (!imported) return imported.status();
  WriteOutcome outcome;
  outcome.rows = imported->rows;
  if (!imported->problems.empty()) {
    outcome.refusal = imported->refusal;
    outcome.message = refusal_message(outcome.refusal, true);
    outcome.problems = std::move(imported->problems);
    return outcome;
  }
  outcome.summary = imported->summary;
  for (const write::WrittenCell& c : imported->cells) {
    Result<Period> period = Period::from_key(c.period);
    if (!period) continue;
    ValueCell cell{std::string(checker->unit_code(c.unit_id)), *period, {}};
    for (int32_t id : c.element_ids) {
      const DataElement* e = checker->element_by_id(id);
      if (e != nullptr && std::find(cell.elements.begin(), cell.elements.end(), e->code) == cell.elements.end()) {
        cell.elements.push_back(e->code);
      }
    }
    outcome.cells.push_back(std::move(cell));
  }
  return outcome;
}

Result<WriteWarnings> ValueWriter::warnings(const WriteOutcome& outcome) const {
  WriteWarnings out;
  std::shared_ptr<const EntryChecker> checker;
  {
    std::lock_guard lock(reference_mutex_);
    out.rules = rules_;
    checker = checker_;
  }
  out.report.rules = *out.rules;
  if (!outcome.written() || outcome.cells.empty() || out.rules->empty()) return out;
  std::unique_ptr<ExpressionContext> context;
  if (options_.warning_context) {
    Result<std::unique_ptr<ExpressionContext>> made = options_.warning_context(outcome.cells);
    if (!made) return made.status();
    context = std::move(*made);
  } else {
    std::lock_guard lock(store_mutex_);
    Result<std::unique_ptr<StoredCellContext>> read = StoredCellContext::read(store_, outcome.cells);
    if (!read) return read.status();
    context = std::move(*read);
  }
  out.report = validate_cells(*out.rules, checker->units(), *context, outcome.cells);
  return out;
}

Result<WriteOutcome> import_value_file(Store& store, const std::string& path, const Writer& writer,
                                       ValueWriterOptions options) {
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(store);
  if (!workflow) return workflow.status();
  std::mutex store_mutex;
  Result<std::unique_ptr<ValueWriter>> value_writer =
      ValueWriter::create(store, store_mutex, **workflow, false, std::move(options));
  if (!value_writer) return value_writer.status();
  return (*value_writer)->import_file(writer, path, file_name(path));
}

}  // namespace qpan
