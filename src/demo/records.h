// Demo registry records: a series' generated figures turned into the records that count to
// them (qpan/registry.h), so that the demo holds registers instead of typed totals. Three
// ways, as the element is counted:
//   - counted: a cell's value v becomes v records dated within the cell's period;
//   - summed: a cell's value is split over a few records whose amount field adds up to it;
//   - in force: a unit's levels over its periods become records with lifetimes, established
//     and dissolved so that exactly the level is in force on each period's last day.
// Then a register's windows assign flags and amounts over the records dated in them
// (e.g. 302 of 323 delegations worked with, with 2.360 persons). Deterministic: every
// choice comes from the Rng it is given. Internal to the demo module.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "demo/spread.h"
#include "qpan/date.h"
#include "qpan/period.h"

namespace qpan::demo {

// One record: field code → machine-form text, with its owner under "org_unit".
using DemoRecord = std::map<std::string, std::string>;

inline constexpr const char* kOwnerField = "org_unit";

// One generated figure: a unit's value in a period.
struct FigureCell {
  std::string unit;
  Period period = Period::year(2000);
  int64_t value = 0;
};

// What every record of a plan has besides what the plan decides.
struct RecordTemplate {
  std::string registry;
  Calendar calendar = Calendar::kGregorian;  // of the data set that counts the records
  std::map<std::string, std::string> fields;                  // the same in every record
  std::map<std::string, std::vector<std::string>> texts;      // one of these, in turn
  std::map<std::string, std::pair<int64_t, int64_t>> numbers;  // drawn in [lo, hi]
  // A date field set some days after the record's date (a delegation's departure).
  std::string end_field;
  std::pair<int64_t, int64_t> end_days{0, 0};
};

// Counted: each cell's value v as v records whose `date_field` lies in the cell's period.
void records_counted(const std::vector<FigureCell>& cells, const RecordTemplate& t, const std::string& date_field,
                     Rng& rng, std::vector<DemoRecord>& out);

// Summed: each cell's value split over `parts` records (at most one per `quantum`), in
// multiples of `quantum`, whose `amount_field` adds up to it exactly.
void records_summed(const std::vector<FigureCell>& cells, const RecordTemplate& t, const std::string& date_field,
                    const std::string& amount_field, std::pair<int64_t, int64_t> parts, int64_t quantum, Rng& rng,
                    std::vector<DemoRecord>& out);

// In force: per unit, records established and dissolved so that on each cell's period's last
// day (in the template's calendar) exactly the cell's value of them are in force. The first
// level is established within `lead_days` before its period ends; a drop dissolves the most
// recent ones.
void records_in_force(const std::vector<FigureCell>& cells, const RecordTemplate& t, const std::string& from_field,
                      const std::string& to_field, int64_t lead_days, Rng& rng, std::vector<DemoRecord>& out);

// A register's window: over the records whose `date_field` lies in [first, last], `flags`
// sets a boolean field true on exactly that many (false on the others), and `sums` splits
// an amount over the records that have a flag (or all), each at least `min`, by an option
// field when `by` is set.
struct WindowSum {
  std::string field;
  std::string where;  // a flag field; empty: every record of the window
  std::string by;     // a field whose value picks the total; empty: `total`
  int64_t total = 0;
  std::map<std::string, int64_t> totals;  // by option
  int64_t min = 0;
};
struct RegisterWindow {
  Date first, last;
  std::map<std::string, int64_t> flags;
  std::vector<WindowSum> sums;
};

// Applies a window; the reason it cannot (too few records for a flag, a total below the
// minimum) or "" when it could.
std::string apply_window(std::vector<DemoRecord>& records, const std::string& date_field, const RegisterWindow& w,
                         Rng& rng);

}  // namespace qpan::demo
