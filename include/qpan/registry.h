// Registries (sổ theo dõi): the records of official matters that offices keep — delegations
// received and sent, defence works, security and mediation teams, awards, key-area decisions
// — typed by the pack's registry definitions, and the figures counted from them.
//
// A record belongs to an org unit (its owner: scope and counting go by it) and holds the
// fields its registry declares, each in machine form: ISO dates, '.' decimals, "true" /
// "false", option codes, unit codes. The pack's fields are the limit of what a record
// says: no personal identities beyond an official title (shared/DESIGN.md).
//
// An element with a `source` (qpan/pack.h ElementSource) is not reported: its values are
// counted from the records, per owner unit, in the periods of its data set by the data
// set's calendar, and then roll up through the engine like any reported value.
// RecordCounter does the counting; the record writer (qpan/record_writer.h) stores what it
// counts in the same transaction as the records.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/date.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/status.h"

namespace qpan {

// A record's fields: code → machine form. Looked up by string_view without a copy.
using RecordFields = std::map<std::string, std::string, std::less<>>;

struct RegistryRecord {
  int64_t id = 0;  // 0: not stored yet
  std::string registry;
  std::string org_unit;                       // the owner
  RecordFields fields;  // absent: not given
  int32_t version = 0;                        // 1 when created, one more per change
  int64_t created_at = 0, updated_at = 0;     // Unix seconds
  std::string created_by, updated_by;

  // The field's value, or nullptr when it is not given.
  const std::string* field(std::string_view code) const;
};

// The machine form of `text` as a value of `field`, or why it is not one (invalid input,
// the reason alone: "expected a date (2021-12-20 or 20/12/2021)"). Text is trimmed and
// brought to NFC; dates are read as YYYY-MM-DD or dd/mm/yyyy; booleans as true/false, 1/0,
// có/không; numbers with a '.' decimal mark; a code must be an option of the field's
// disaggregation; a unit must be known to `units`.
Result<std::string> parse_field_value(const RegistryField& field, std::string_view text,
                                      const Catalogue& catalogue, const OrgUnitIndex& units);

struct FieldProblem {
  std::string field;  // the field's code ("" for the record as a whole)
  std::string reason;
};

// Checks a record's fields against its registry and brings each value to machine form in
// place: unknown fields, required fields missing or empty, each value's type, and the
// lifecycle's order (a team cannot be dissolved before it is established). An empty value
// of an optional field is removed. Problems in field order.
std::vector<FieldProblem> check_record_fields(const RegistryDefinition& registry,
                                              RecordFields& fields,
                                              const Catalogue& catalogue, const OrgUnitIndex& units);

class RecordFilterNode;  // internal

// Which records a source counts: its `where`, a small boolean language over the registry's
// fields.
//
//   or_expr    := and_expr ("or" and_expr)*
//   and_expr   := not_expr ("and" not_expr)*
//   not_expr   := "not" not_expr | "(" or_expr ")" | condition
//   condition  := field                                   (a boolean field is true)
//               | field ("==" | "!=" | "<" | "<=" | ">" | ">=") literal
//               | field "in" "(" literal ("," literal)* ")"
//               | field "is" ["not"] "empty"
//   literal    := 'text' | "text" | number | true | false
//
// Literals are checked against the field's type when compiling: a code must be one of the
// field's options, a date is written '2021-12-20', order comparisons need a number, integer
// or date field. A field that is not given is empty: it equals nothing and no comparison
// holds for it (so `not (kind == 'x')` keeps records without a kind).
class RecordFilter {
 public:
  // The filter that keeps every record (an empty `where`).
  RecordFilter() = default;
  // Errors are invalid input and read "column 9: unknown field \"kinds\"".
  static Result<RecordFilter> compile(std::string_view text, const RegistryDefinition& registry,
                                      const Catalogue& catalogue);

  bool matches(const RegistryRecord& record) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::shared_ptr<const RecordFilterNode> root_;  // null: every record
};

// The period of `type` that contains `day` in `calendar`: under the cut-off calendar of
// Decree 09/2019 the 20th of December 2021 lies in month 1/2022, quarter I/2022 and year
// 2022. Precondition: `type` is a day, month, quarter, six-month or year.
Period period_containing(Date day, PeriodType type, Calendar calendar);

// One value counted from records: the owner unit's figure for a period and option.
struct CountedValue {
  Period period = Period::year(2000);
  std::string option;  // empty: the element has no disaggregation
  double value = 0;

  bool operator==(const CountedValue&) const = default;
};

// An element's source, checked against the pack: ready to count.
class RecordCounter {
 public:
  // Checks `source` against `pack` (its registry, fields, element and data set) — the pack
  // check's rules, so a stored pack always compiles. Errors name the reason.
  static Result<RecordCounter> compile(const ElementSource& source, const Pack& pack);

  const ElementSource& source() const { return source_; }
  const std::string& element() const { return source_.element; }
  PeriodType period_type() const { return period_type_; }
  Calendar calendar() const { return calendar_; }

  // The period a record is counted in (a dated measure), or nullopt: it has no date, or it
  // is counted in several periods (in force).
  std::optional<Period> period_of(const RegistryRecord& record) const;

  // The element's values for one owner unit from that unit's records (others are ignored),
  // sorted by period then option. A dated measure gives a value where at least one record
  // counts; an in-force measure gives one for every period from the first in which a record
  // is in force through the period containing `through`, zero when none is. Only periods in
  // which the unit is in force (`unit_in_force`: its validity ranges) get a value: for a
  // dated measure any day of the period, for a stock the period's last day.
  std::vector<CountedValue> count(std::span<const RegistryRecord* const> records,
                                  std::span<const DateRange> unit_in_force, Date through) const;

 private:
  ElementSource source_;
  PeriodType period_type_ = PeriodType::kMonth;
  Calendar calendar_ = Calendar::kGregorian;
  RecordFilter filter_;
  std::string from_field_, to_field_;  // in force: the registry's lifecycle
};

}  // namespace qpan
