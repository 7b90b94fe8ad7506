// Where data values and their audit trail live (the value concern of the store; see
// qpan/store.h): keyed rows written in import batches, each change of a value keeping its
// previous state, and a listener told of every committed write so in-memory aggregates
// stay current without a rebuild.
//
// Thread-safety: an object is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qpan/data_element.h"
#include "qpan/data_value.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

// The storage key of a value. Ids come from the store (unit_ids(), catalogue ids);
// option_id and attribute_id are 0 for "total" / "default". Ordered the way the store
// keeps values (period, unit, element, option, attribute) so bulk writes in key order are
// appends.
struct ValueKey {
  int64_t period = 0;  // Period::key()
  int32_t unit_id = 0;
  int32_t element_id = 0;
  int32_t option_id = 0;
  int32_t attribute_id = 0;
  auto operator<=>(const ValueKey&) const = default;
};

// One value to write, already validated against its element. String views must stay
// valid for the duration of the write call.
struct ValueWrite {
  ValueKey key;
  TypedValue::Kind kind = TypedValue::Kind::kInteger;
  bool followup = false;
  // Removes the value stored under `key` (its last state kept in the audit trail); the
  // value fields are not used. Nothing stored: nothing happens (counted unchanged).
  bool deleted = false;
  union {
    int64_t integer = 0;        // kInteger, kBoolean
    double real;                // kReal
  };
  std::string_view text;        // kText (NFC)
  std::string_view stored_by;
  int64_t last_updated = 0;     // Unix seconds
  std::string_view comment;     // empty = none (NFC)

  // The value parsed for the row's element; a text value's characters are `text_storage`.
  void set_value(const TypedValue& value, std::string_view text_storage) {
    kind = value.kind;
    if (value.kind == TypedValue::Kind::kReal) {
      real = value.real;
    } else {
      integer = value.integer;
    }
    if (value.kind == TypedValue::Kind::kText) text = text_storage;
  }
};

// Who makes a write and where it comes from, for the audit trail.
struct WriteContext {
  std::string changed_by;
  int64_t changed_at = 0;  // Unix seconds
  std::string source;      // e.g. the imported file's name
};

struct ValueWriteSummary {
  int64_t import_id = 0;
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t deleted = 0;
};

// One transaction writing values, fed in pieces (a streamed import). Nothing is visible
// to others until commit(); destroying the session without commit() rolls everything back.
class ValueWriteSession {
 public:
  virtual ~ValueWriteSession() = default;
  // Writes rows sorted by key, each key greater than every key written before in this
  // session. Creates new values, updates changed ones (version + 1, an audit row holding
  // the previous state), leaves identical ones alone, deletes those marked `deleted` (an
  // audit row holding the last state).
  virtual Status write(std::span<const ValueWrite> rows) = 0;
  virtual Result<ValueWriteSummary> commit() = 0;
};

// One transaction holding the writes of several writers (group commit): each write() is one
// import batch, as write_values() would make it, with its own summary; commit() makes them
// all durable at once, so N concurrent requests cost one fsync instead of N. A write that
// fails leaves nothing of itself and keeps the earlier ones. Reads on the same store between
// writes see what the transaction wrote so far. Destroying it without commit() rolls back.
class ValueWriteTransaction {
 public:
  virtual ~ValueWriteTransaction() = default;
  // Rows sorted by key, no duplicates (keys may repeat those of an earlier write: the later
  // wins, as if written one after the other).
  virtual Result<ValueWriteSummary> write(std::span<const ValueWrite> rows, const WriteContext& context) = 0;
  virtual Status commit() = 0;
};

// A stored value as a number, for the aggregation engine: integers and booleans (0 / 1)
// exactly, decimals as stored.
struct StoredNumber {
  ValueKey key;
  bool is_real = false;
  int64_t integer = 0;
  double real = 0;
};

// Which values to read. Empty fields do not filter.
struct ValueFilter {
  std::vector<int64_t> unit_ids;                        // exactly these units
  std::vector<int64_t> element_ids;                     // exactly these elements
  std::vector<std::pair<int64_t, int64_t>> period_key_ranges;  // inclusive key ranges
};


// Sequence numbers first..last of one transaction's entries in the change log
// (qpan/change_log.h); empty when first > last.
struct LogRange {
  int64_t first = 1;
  int64_t last = 0;
  bool empty() const { return first > last; }
};

class ValueStore {
 public:
  virtual ~ValueStore() = default;

  // Starts a transaction that writes values (see ValueWriteSession). One at a time.
  virtual Result<std::unique_ptr<ValueWriteSession>> begin_value_write(const WriteContext& context) = 0;

  // Starts a transaction that several writers share (see ValueWriteTransaction).
  virtual Result<std::unique_ptr<ValueWriteTransaction>> begin_value_transaction() = 0;

  // Writes values in one transaction. Precondition: `rows` sorted by key, no duplicates.
  Result<ValueWriteSummary> write_values(std::span<const ValueWrite> rows,
                                         const WriteContext& context) {
    Result<std::unique_ptr<ValueWriteTransaction>> transaction = begin_value_transaction();
    if (!transaction) return transaction.status();
    Result<ValueWriteSummary> summary = (*transaction)->write(rows, context);
    if (!summary) return summary.status();
    QPAN_RETURN_IF_ERROR((*transaction)->commit());
    return summary;
  }

  // The value stored under `key`, or nullopt — one indexed look-up (the write path's
  // version check, a form reading one cell).
  virtual Result<std::optional<DataValue>> find_value(const ValueKey& key) = 0;

  // Calls `visit` for each stored value matching `filter`, in key order.
  virtual Status scan_values(const ValueFilter& filter,
                             const std::function<void(const ValueKey&, const DataValue&)>& visit) = 0;

  // Calls `visit` with every numeric value (text values are left out), in batches of a few
  // thousand, in key order. The lean path for building in-memory aggregates.
  virtual Status scan_numbers(const std::function<void(std::span<const StoredNumber>)>& visit) = 0;

  // The distinct periods (Period::key()) that hold values, ascending: a skip through the
  // key's leading column, one index probe per period rather than a read of the values. Lets
  // a bulk build lay its lanes out once before scan_numbers.
  virtual Result<std::vector<int64_t>> stored_periods() = 0;

  // How many values each element has (by code).
  virtual Result<std::unordered_map<std::string, int64_t>> value_counts_by_element() = 0;

  // The audit trail of values matching `filter`, oldest first.
  virtual Result<std::vector<AuditEntry>> audit_entries(const ValueFilter& filter) = 0;

  // Called after every committed value write with the rows written (their string views are
  // empty: only keys and numbers are kept) and the transaction's entries in the change log —
  // how in-memory aggregates stay current without a rebuild. One listener; set an empty
  // function to stop.
  using CommitListener = std::function<void(std::span<const ValueWrite>, LogRange)>;
  void set_commit_listener(CommitListener listener) { commit_listener_ = std::move(listener); }

 protected:
  CommitListener commit_listener_;
};

}  // namespace qpan
