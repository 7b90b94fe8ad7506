// The one path every write of data values takes: `qpan values import`, `qpan demo`, and
// the API's PUT, batch and upload all go through a ValueWriter, so a value is refused or
// accepted for the same reasons, in the same words, whichever shell it came through.
//
// A write is checked in this order; the first step that refuses ends it, with nothing
// written:
//   1. the writer's role may write values at all (before any entry is read: a viewer's
//      batch of a million entries costs one check, not a million);
//   2. every entry on its own: a known element, option and unit, one period (not a range)
//      in which the unit is in force, a value of the element's type, valid UTF-8, no
//      attribute option combo (qpan does not use them). Problems are listed with their
//      position — file, line, column for a file, `dataValues[3].value` for JSON — at most
//      100 of them, the rest counted;
//   3. the writer's org-unit scope covers each entry's unit in the entry's period (qpan/
//      accounts.h authorize());
//   4. no two entries have the same key (element, period, unit, option);
//   5. no entry belongs to a closed form: a data set listing the element is approved or
//      locked for the unit and period (qpan/workflow.h write_refusal());
//   6. (entries sent one by one or in a batch) the version each entry was read at — its
//      If-Match — is still the stored one: a value changed meanwhile is a conflict, never a
//      silent overwrite.
// Then everything is written in one transaction and, once durable, the validation rules
// reading a written element are checked on the written cells: their violations come back
// as warnings, the write stands. Steps 5 and 6 run inside the store transaction just
// before the rows are written (entries) or under the store's lock for the whole import
// (files), so they see every write committed before, also those grouped into the same
// commit, and an approval cannot slip between the check and the write.
//
// The system writer (no account: the command line, whose user can write the database file
// anyway) skips steps 1 and 3; nothing skips step 5 — a form must be returned or unlocked
// before its values change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qpan/accounts.h"
#include "qpan/catalogue.h"
#include "qpan/expression.h"
#include "qpan/import_problem.h"
#include "qpan/org_unit.h"
#include "qpan/status.h"
#include "qpan/store.h"
#include "qpan/validation.h"
#include "qpan/write_queue.h"

namespace qpan {

class Workflow;

// The fields of an entry (DHIS2's dataValue), for naming where a problem is.
enum class EntryField : uint8_t {
  kDataElement, kPeriod, kOrgUnit, kCategoryOptionCombo, kAttributeOptionCombo,
  kValue, kStoredBy, kLastUpdated, kComment, kFollowup, kDeleted,
};
// The column of a dataValueSets CSV file: "dataelement", "categoryoptioncombo", …
std::string_view csv_column_name(EntryField field);
// The member of a DHIS2 JSON dataValue: "dataElement", "categoryOptionCombo", …
std::string_view json_field_name(EntryField field);

// One value as a writer sends it, every field as text (empty: not given). Views stay valid
// for as long as the write they are part of.
struct EntryText {
  std::string_view data_element, period, org_unit, option, attribute;
  std::string_view value;
  std::string_view stored_by;     // empty: the writer
  std::string_view last_updated;  // ISO 8601; empty: the time of the write
  std::string_view comment;
  std::string_view followup;      // "true" / "false" / "1" / "0" / empty
  // "true" / "1": delete the value stored under the key (DHIS2's `deleted` column); its
  // value is not read. "false" / "0" / empty: write it.
  std::string_view deleted;
};

// The field of an entry by its JSON member name ("dataElement"); nullopt for a name that
// is no field.
std::optional<std::string_view> entry_field_named(const EntryText& entry, std::string_view json_name);

// Who writes. The account's role and scope are checked; without one (the command line,
// the demo) only the checks of the data itself apply.
struct Writer {
  std::string name;                    // for the audit trail and a row's default storedBy
  std::optional<User> account;

  static Writer system(std::string name) { return {std::move(name), std::nullopt}; }
  static Writer user(const User& account) { return {account.username, account}; }
};

// Why a write was refused, from the most to the least telling; a refusal with problems of
// several kinds is the first of them in this order.
enum class Refusal : uint8_t {
  kNone,
  kForbidden,   // the role, or a unit outside the scope (HTTP 403)
  kFormClosed,  // a value of an approved or locked form (409)
  kChanged,     // an If-Match no longer holds (412)
  kInvalid,     // the entries themselves (400)
};

// The version an entry was read at: what the store must still hold for the write to go on.
struct ExpectedVersion {
  enum class Kind : uint8_t { kAny, kAbsent, kVersion };
  Kind kind = Kind::kAny;
  int32_t version = 0;

  static ExpectedVersion any() { return {}; }          // replace whatever is there
  static ExpectedVersion absent() { return {Kind::kAbsent, 0}; }  // create only
  static ExpectedVersion of(int32_t v) { return {Kind::kVersion, v}; }
};

// An entry left out of a write that skips refused entries (ValueWriter::Entries::
// skip_refused): its first problem.
struct SkippedEntry {
  size_t entry = 0;
  std::string field;  // "dataValues[3].dataElement"
  std::string reason;
  Refusal kind = Refusal::kInvalid;
};

// An entry whose expected version did not hold, with what the store holds now.
struct VersionConflict {
  size_t entry = 0;
  std::optional<DataValue> current;  // nullopt: no value stored
};

struct WriteOutcome {
  Refusal refusal = Refusal::kNone;
  std::string message;                     // refused: the headline, Vietnamese then English
  ImportProblems problems;                 // refused: what and where (not for kChanged)
  std::vector<VersionConflict> conflicts;  // kChanged
  std::vector<SkippedEntry> skipped;       // left out (skip_refused), in entry order
  int64_t rows = 0;                        // entries read
  ValueWriteSummary summary;               // written
  // A request of one entry: the version now stored (1 when created, one more when changed,
  // the same when unchanged) — the entry's next If-Match.
  std::optional<int32_t> version;
  // The (unit, period) cells written, with the elements written in each.
  std::vector<ValueCell> cells;

  bool written() const { return refusal == Refusal::kNone; }
};

// The validation rules' violations on the cells a write touched.
struct WriteWarnings {
  std::shared_ptr<const std::vector<CompiledValidationRule>> rules;  // what the report's spans point into
  ValidationReport report;
};

namespace write {
class EntryChecker;  // the reference data entries are checked against (src/write)
}

struct ValueWriterOptions {
  std::function<int64_t()> clock;  // Unix seconds; empty: the system clock
  size_t max_problems = 100;
  // Where the warnings' rules read their values after a write: the server passes its engine
  // (which has the values already); empty: the values stored for the written cells alone
  // (qpan/validation.h StoredCellContext).
  std::function<Result<std::unique_ptr<ExpressionContext>>(const std::vector<ValueCell>& cells)>
      warning_context;
  // A file whose rows are out of key order is read into memory by one thread per this many
  // bytes (at most one per core).
  size_t bytes_per_read_part = 16 << 20;
};

// Thread-safe: write() and import_file() may be called from any thread. Every use of the
// store goes through `store_mutex`, which others using the same store (approval
// transitions, reads) must hold too.
class ValueWriter {
 public:
  // Loads the reference data (catalogue, units) and the validation rules from `store`.
  // `workflow` decides closed forms; it must outlive the writer, as must `store` and
  // `store_mutex`. With `group_commit`, entry writes go through one writer thread that
  // puts every request waiting into one transaction (qpan/write_queue.h); without, each
  // write is its own transaction on the calling thread.
  static Result<std::unique_ptr<ValueWriter>> create(Store& store, std::mutex& store_mutex,
                                                     Workflow& workflow, bool group_commit,
                                                     ValueWriterOptions options = {});
  ~ValueWriter();
  ValueWriter(const ValueWriter&) = delete;
  ValueWriter& operator=(const ValueWriter&) = delete;

  // Step 1 alone: whether the writer's role may write values (a file: import them) at all
  // — for a shell that would otherwise read a large body before write() refuses it. The
  // refusal's outcome, or nullopt. write() and import_file() ask it too.
  std::optional<WriteOutcome> refusal_by_role(const Writer& writer, bool file) const;

  struct Entries {
    Writer writer;
    std::vector<EntryText> entries;
    std::vector<ExpectedVersion> expected;  // one per entry, or empty: any
    std::string source;                     // the audit trail's source ("api:dataValues")
    // Owns what the entries' views point into until the write is done.
    std::shared_ptr<const void> storage;
    // Names an entry in problems: "dataValues[3]." for a batch, "" for a single value.
    std::function<std::string(size_t entry)> position;
    // Every entry names a value to delete (DHIS2's importStrategy=DELETE): its value is not
    // read; a value not stored is counted unchanged.
    bool deleting = false;
    // Every step runs, inside a transaction that is then rolled back: the summary says what
    // the write would do, nothing is written (DHIS2's dryRun).
    bool dry_run = false;
    // Entries refused by steps 2–5 are left out and listed in the outcome's `skipped`; the
    // rest are written (DHIS2's atomicMode=NONE). The role (step 1) and changed versions
    // (step 6) still refuse the whole write; so does a form closed between the check and
    // the transaction.
    bool skip_refused = false;
  };
  // Checks and writes `request` (steps 1–6); `done` gets the outcome once it is durable, or
  // why not, or the store's error — on the writer thread with group commit (hand it on:
  // the next group waits meanwhile), else before write() returns (always for a dry run).
  void write(Entries request, std::function<void(Result<WriteOutcome>)> done);

  // Reads, checks and writes a dataValueSets CSV file (header required; UTF-8 with or
  // without BOM; text brought to NFC) in one transaction, streamed when its rows are in
  // key order. `source` names the file in problems and the audit trail.
  Result<WriteOutcome> import_file(const Writer& writer, const std::string& path,
                                   const std::string& source);

  // The storage key an entry's data element, period, unit and option name (for reading one
  // value); invalid_input naming the field and the reason, as a write would.
  Result<ValueKey> key_of(const EntryText& entry) const;

  // The registry whose records an element is counted from (its values are refused here),
  // or "" for a reported element.
  std::string counted_from(std::string_view element) const;

  // The validation rules reading an element written, checked on the cells of `outcome` —
  // warnings: the write stands. Call it after the write, on any thread.
  Result<WriteWarnings> warnings(const WriteOutcome& outcome) const;

  // Reloads catalogue, units and rules after they changed in the store (a pack or units
  // loaded).
  Status reload();
  // The same, from what the caller has read already: `pack` (the loaded one), the store's
  // `units` and the pack's validation `rules` compiled against the store's catalogue. The
  // catalogue and unit ids are read from `source`: another connection to the same database
  // that only the caller uses meanwhile. Takes no store mutex, so a thread that writes may
  // wait on the caller (the change log's follower, which a commit notifies under the store
  // mutex).
  Status reload_from(Store& source, const Pack& pack, std::shared_ptr<const OrgUnitIndex> units,
                     std::shared_ptr<const std::vector<CompiledValidationRule>> rules);

  std::mutex& store_mutex() { return store_mutex_; }
  ValueWriteQueue::Statistics statistics() const;

 private:
  struct PendingWrite;
  ValueWriter(Store& store, std::mutex& store_mutex, Workflow& workflow, ValueWriterOptions options);

  int64_t now() const;
  std::shared_ptr<const write::EntryChecker> checker() const;
  // Makes `checker` and `rules` the ones writes check against, together.
  void install(std::shared_ptr<const write::EntryChecker> checker,
               std::shared_ptr<const std::vector<CompiledValidationRule>> rules);
  Status check_in_transaction(ValueStore& store, PendingWrite& pending) const;
  Result<WriteOutcome> finish(PendingWrite& pending, Result<ValueWriteSummary> summary) const;

  Store& store_;
  std::mutex& store_mutex_;
  Workflow& workflow_;
  const ValueWriterOptions options_;
  mutable std::mutex reference_mutex_;
  std::shared_ptr<const write::EntryChecker> checker_;  // GUARDED_BY(reference_mutex_)
  std::shared_ptr<const std::vector<CompiledValidationRule>> rules_;  // GUARDED_BY(reference_mutex_)
  std::unique_ptr<ValueWriteQueue> queue_;  // last: drained before the rest goes
};

// One file through a writer made for it — the command line, the demo, tests: the store's
// approvals decide closed forms, no group commit, warnings not checked.
Result<WriteOutcome> import_value_file(Store& store, const std::string& path, const Writer& writer,
                                       ValueWriterOptions options = {});

}  // namespace qpan
