// The one path every write of registry records takes: `qpan registry import`, the API's
// POST, PUT and DELETE, and the demo all go through a RecordWriter, so a record is refused
// or accepted for the same reasons, in the same words, whichever shell it came through.
//
// A write is a list of changes to one registry (create, update, delete), checked in this
// order; the first step that refuses ends it, with nothing written:
//   1. the writer's role may write data at all (before any record is read);
//   2. the registry is known, and every change on its own: a known owner unit, the fields
//      of the pack's registry with their types and required fields (qpan/registry.h
//      check_record_fields), a date that a counted element counts in a period when the
//      owner unit is not in force. Problems name the change's position and the field —
//      `records.csv:7:3: persons: expected a whole number` — at most 100, the rest counted;
//   3. the writer's org-unit scope covers each record's owner (for an update or delete, the
//      stored owner too);
//   4. (update, delete) the record exists in this registry and, when the change names the
//      version it was read at (If-Match), that version is still the stored one;
//   5. no value counted from the records changes in a closed form (approved or locked);
// then, in one transaction, the records are written with their audit trail and the values of
// every element counted from this registry are recounted for each owner unit the write
// touched, from all of that unit's records, and written where they differ (created,
// changed, or deleted when nothing counts any more). The store's commit listener hands them
// to a following engine, so the next analytics answer has them. Steps 4 and 5 run inside
// that transaction, under the store's lock.
//
// The system writer (no account: the command line, the demo) skips steps 1 and 3.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/import_problem.h"
#include "qpan/pack.h"
#include "qpan/registry.h"
#include "qpan/status.h"
#include "qpan/store.h"
#include "qpan/value_writer.h"

namespace qpan {

class Workflow;

struct RecordChange {
  enum class Kind : uint8_t { kCreate, kUpdate, kDelete };
  Kind kind = Kind::kCreate;
  // Create: owner and fields. Update: id, owner and the whole new fields. Delete: id.
  RegistryRecord record;
  std::optional<int32_t> expected_version;  // update, delete: If-Match; nullopt: any
};

struct RecordWrite {
  Writer writer;
  std::string registry;
  std::vector<RecordChange> changes;
  std::string source;  // the audit trail's source: "api", the imported file's name
  // Where a change's field is, for problems (`field` empty: the change as a whole); empty
  // function: the field's code alone.
  std::function<ImportProblem(size_t change, std::string_view field)> locate;
};

struct RecordWriteOutcome {
  Refusal refusal = Refusal::kNone;
  std::string message;                   // refused: the headline, Vietnamese then English
  ImportProblems problems;               // refused: what and where
  std::optional<RegistryRecord> current;  // kChanged for one change: the record as stored now
  std::vector<RegistryRecord> records;   // written: each change's record as stored (a
                                         // deleted one: its last state), in change order
  int64_t created = 0, updated = 0, deleted = 0;
  ValueWriteSummary counted;             // the counted values written
  bool not_found = false;                // kInvalid: a change names no record of the registry

  bool written() const { return refusal == Refusal::kNone; }
};

struct RecordWriterOptions {
  std::function<int64_t()> clock;  // Unix seconds; empty: the system clock
  size_t max_problems = 100;
};

// Thread-safe: write() may be called from any thread. Every use of the store goes through
// `store_mutex`, which others using the same store must hold too.
class RecordWriter {
 public:
  // Loads the pack (registries, counted elements), the catalogue and the units from
  // `store`. `workflow` decides closed forms; it, `store` and `store_mutex` must outlive
  // the writer.
  static Result<std::unique_ptr<RecordWriter>> create(Store& store, std::mutex& store_mutex, const Workflow& workflow,
                                                      RecordWriterOptions options = {});
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Checks and writes `request` (steps 1–5); the outcome says what was written or why
  // nothing was. Errors are the store's.
  Result<RecordWriteOutcome> write(RecordWrite request);

  // What a recount covers: every counted element (after a pack load changed a source), or
  // only the stocks in force, which grow a period whenever a new one begins (at a server's
  // start; dated counts change only when records do, and every record write recounts them).
  enum class Recount : uint8_t { kAll, kInForce };

  // Recounts the counted elements `scope` names for every unit that has records or counted
  // values, and writes the differences in one transaction (nothing when none differ). Closed
  // forms are not consulted: the figures follow the records.
  Result<ValueWriteSummary> recount(const Writer& writer, Recount scope = Recount::kAll);

  // Reloads pack, catalogue and units after they changed in the store.
  Status reload();
  // The same, from what the caller has read already: `pack` (the loaded one) and the store's
  // `units`. The unit ids are read from `source`: another connection to the same database
  // that only the caller uses meanwhile (no store mutex taken; see ValueWriter::reload_from).
  Status reload_from(Store& source, std::shared_ptr<const Pack> pack, std::shared_ptr<const OrgUnitIndex> units);

  // The registries and counted elements the writer checks against (the pack as loaded when
  // the writer was made or last reloaded).
  std::shared_ptr<const Pack> pack() const;

  class State;  // internal

 private:
  RecordWriter(Store& store, std::mutex& store_mutex, const Workflow& workflow, RecordWriterOptions options);
  int64_t now() const;

  Store& store_;
  std::mutex& store_mutex_;
  const Workflow& workflow_;
  const RecordWriterOptions options_;
  std::shared_ptr<const State> state() const;
  mutable std::mutex state_mutex_;  // taken after store_mutex_, never before
  std::shared_ptr<const State> state_;  // GUARDED_BY(state_mutex_); replaced whole by reload()
};

// The day a scope is checked at for the records of `unit` (qpan/accounts.h authorize()):
// today while the unit is in force, else the last day it was — a register outlives a
// commune merged away, and whoever kept it may still read and correct it.
Date record_scope_day(const OrgUnitIndex& units, std::string_view unit, Date today);

// One write through a writer made for it — the command line, the demo, tests: the store's
// approvals decide closed forms.
Result<RecordWriteOutcome> write_records(Store& store, const RecordWrite& request, RecordWriterOptions options = {});

}  // namespace qpan
