// Steps 2, 3 and (for files) 5 of the write path (qpan/value_writer.h) for one entry: the
// entry against the catalogue and the dated units, the writer's scope, closed forms. Every
// shell's entries pass through check(), so a bad entry gets the same reason, word for word,
// from the command line, the API's PUT, batch and upload. Internal to the write module.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "qpan/accounts.h"
#include "qpan/catalogue.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/store.h"
#include "qpan/value_writer.h"

namespace qpan {

class Workflow;

namespace write {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Where a problem is reported: the field, what kind of refusal it is, and why.
using ProblemFn = std::function<void(EntryField field, Refusal kind, std::string reason)>;

// The catalogue and the dated units, loaded once. Immutable; thread-safe.
class EntryChecker {
 public:
  // Values of the `counted` elements are refused: they are counted from registry records.
  EntryChecker(Catalogue catalogue, std::shared_ptr<const OrgUnitIndex> units,
               const std::unordered_map<std::string, int64_t>& unit_ids,
               const std::vector<ElementSource>& counted = {});

  // What one write asks of every entry besides the data itself.
  struct Rules {
    // The account whose scope must cover each unit (nullopt: the system, no scope check).
    const std::optional<User>* account = nullptr;
    Action action = Action::kWriteData;
    // Closed forms are refused here when set (a file import, under the store's lock);
    // entries sent over the API are checked inside the transaction instead.
    const Workflow* closed_forms = nullptr;
    std::string_view writer;  // storedBy when the entry has none
    int64_t now = 0;          // lastUpdated when the entry has none
    bool deleting = false;    // every entry names a value to delete (its value is not read)
  };

  // Per reading thread: caches of what repeats from row to row (periods, timestamps) and the
  // texts a row's views must outlive the entry for (NFC forms, quoted fields).
  class Scratch {
   public:
    // Views inside `stable` (a mapped file) are kept as they are when already NFC.
    explicit Scratch(std::string_view stable = {}) : stable_(stable) {}
    // `text` as NFC, in storage that lives as long as this scratch (or in `stable`).
    std::string_view keep(std::string_view text);

   private:
    friend class EntryChecker;
    struct PeriodInfo {
      std::string error;  // empty: `period` is good
      Period period = Period::year(2000);
      int32_t first_day = 0, last_day = 0;
    };
    const PeriodInfo& period(std::string_view code);

    std::string_view stable_;
    std::deque<std::string> kept_;
    StringMap<PeriodInfo> periods_;
    std::string_view last_period_code_;
    const PeriodInfo* last_period_ = nullptr;
    std::string last_timestamp_text_;
    int64_t last_timestamp_ = 0;
  };

  // Checks `entry` and fills `row`; calls `problem` for each thing wrong and returns false
  // when there was any. The row's text views point into `entry` or into `scratch`.
  bool check(const EntryText& entry, const Rules& rules, Scratch& scratch, ValueWrite& row,
             const ProblemFn& problem) const;

  // Only the key fields (element, period, unit, option) and the unit in force in the period.
  bool check_key(const EntryText& entry, Scratch& scratch, ValueKey& key, const ProblemFn& problem) const;

  const Catalogue& catalogue() const { return catalogue_; }
  const OrgUnitIndex& units() const { return *units_; }
  // The code of a stored unit id (empty when unknown), the element of a stored element id
  // (nullptr when unknown): for naming the cells a write touched.
  std::string_view unit_code(int64_t id) const;
  // The registry an element is counted from, or nullptr for a reported element.
  const std::string* counted_from(std::string_view element) const;
  const DataElement* element_by_id(int64_t id) const;

  EntryChecker(const EntryChecker&) = delete;  // holds pointers into itself
  EntryChecker& operator=(const EntryChecker&) = delete;

 private:
  // A unit code with the days (since the epoch) each of its versions was in force.
  struct UnitValidity {
    int64_t id = 0;
    std::string name;  // the latest name, for messages
    std::vector<std::pair<int32_t, int32_t>> days;  // [from, until), open ends widened
  };
  // The key fields; `period` and `element` are set when they are good.
  bool check_key_fields(const EntryText& entry, Scratch& scratch, ValueKey& key,
                        const Scratch::PeriodInfo*& period, const DataElement*& element, bool& unit_in_force,
                        const ProblemFn& problem) const;

  Catalogue catalogue_;
  std::shared_ptr<const OrgUnitIndex> units_;  // never null
  StringMap<const DataElement*> elements_;
  StringMap<UnitValidity> validity_;
  std::unordered_map<int64_t, std::string> unit_codes_;
  std::unordered_map<int64_t, const DataElement*> elements_by_id_;
  StringMap<std::string> counted_;  // element code → the registry it is counted from
};

// Loads the checker's reference data from the store.
// `counted`: the elements counted from registry records (Pack::sources), refused here.
// `units`: the store's units when the caller has them read already (null: read here).
Result<std::shared_ptr<const EntryChecker>> load_entry_checker(Store& store, const std::vector<ElementSource>& counted,
                                                               std::shared_ptr<const OrgUnitIndex> units = nullptr);

}  // namespace write
}  // namespace qpan
