// The aggregation engine: every numeric value of the store held in memory, in dense arrays
// per data element, option and period type (one row per unit, one cell per period), so a
// roll-up over an org-unit subtree and any period is a walk over contiguous cells rather
// than a query. Built from the store at start; every committed write is applied at once,
// so there is no rebuild step and a value written is in the next answer.
//
// Roll-up rule (the same as the store-side definition in qpan/analytics.h): a value counts
// for unit U and period P when its period lies within P and its unit is U or lies under U
// in the structure in force in the value's own period (on the last day of that period the
// unit was in force). Lineage: a unit whose version starts after some of P — a July 2025
// commune or province asked over 2016–2024 — rolls up, for the time before it existed, the
// old units it was formed from (recursively). An old unit that was split over several new
// ones (lineage kind "partial") adds its share of sums and stocks when a share is set;
// without a share its figures are not added but reported as unallocated, so nothing is
// counted twice or dropped silently.
//
// Thread-safety: any number of concurrent readers; apply() and reload_structure() take an
// exclusive lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/catalogue.h"
#include "qpan/data_element.h"
#include "qpan/date.h"
#include "qpan/expression.h"
#include "qpan/org_unit.h"
#include "qpan/period.h"
#include "qpan/status.h"
#include "qpan/store.h"

namespace qpan {

// The code of the whole country as a unit: every province together (unless a real unit has
// this code).
inline constexpr std::string_view kCountryUnitCode = "VN";

// Which unit a roll-up is for.
struct UnitScope {
  std::string code;
  // Empty: in each period the version of `code` in force then (and, for the time before the
  // code's first version, its lineage predecessors). Set: the version in force on this
  // date; for the time before that version began, its lineage predecessors — so a reused
  // code (province 15: Yên Bái until 30 Jun 2025, the new Lào Cai after) asked "as of
  // 2025-07-01" over 2016–2024 rolls up old Lào Cai and Yên Bái.
  std::optional<Date> structure_at;
};

// A part of an answer that could not be allocated: an old unit split over several new ones
// without a share.
struct UnallocatedPart {
  std::string unit;      // the old unit's code
  std::string into;      // the new unit it partly went into
  double value = 0;      // its whole figure (aggregated the same way), not added
};

struct Aggregate {
  std::optional<double> value;      // nullopt: no value counts
  bool uses_shares = false;         // partial lineage with user-set shares contributed
  std::vector<UnallocatedPart> unallocated;
  bool has_unallocated() const { return !unallocated.empty(); }
};

// One series: an element, or one option of its disaggregation (option_id 0 = the total
// over all options).
struct SeriesRef {
  int32_t element_id = 0;
  int32_t option_id = 0;
};

// One stored value an answer combines, and how it comes in (AggregationEngine::visit_counted).
struct ContributingValue {
  enum class Basis : uint8_t {
    kDirect,       // the unit asked, or a unit under it in the value's period
    kLineage,      // through an old unit the unit asked was formed from, counted whole
    kShare,        // through an old unit split over several new ones, counted at `share`
    kUnallocated,  // through a split old unit without a share (or with an aggregation a
                   // share cannot split): reported in Aggregate::unallocated, not counted
  };
  SeriesRef series;         // the value's own element and option
  std::string_view unit;    // the value's unit
  Period period = Period::year(2000);
  double value = 0;
  Basis basis = Basis::kDirect;
  std::string_view source;  // the unit whose subtree the value is read through: the unit
                            // asked (kDirect) or the old unit
  std::string_view into;    // kShare, kUnallocated: the new unit the split went into
  double share = 1;         // kShare: the weight the value is counted at
};

// Where a snapshot's body (qpan/snapshot.h) goes and where it comes from.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(const void* bytes, size_t size) = 0;
};
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Status read(void* into, size_t size) = 0;
  // The next `size` bytes in place (a mapped file), writable without changing the source
  // (copy-on-write), for as long as `lender` is kept; nullptr when this source cannot lend
  // them: read() them instead.
  virtual void* lend(size_t size, std::shared_ptr<void>& lender) {
    (void)size;
    (void)lender;
    return nullptr;
  }
  virtual uint64_t remaining() const = 0;
};

class AggregationEngine {
 public:
  // Reads the structure, the catalogue and every numeric value of the store.
  static Result<std::unique_ptr<AggregationEngine>> build(Store& store);
  // The structure and catalogue from the store, the values from a snapshot's body
  // (write_values()). invalid_input when the body is malformed; nothing is half-made.
  static Result<std::unique_ptr<AggregationEngine>> build_from_values(Store& store, ByteSource& in);

  // Every value lane as a snapshot's body, each series under a read lock of its own, so that
  // writes wait for one series at most. The body holds what was applied when the call began,
  // and possibly some of what was applied during it.
  Status write_values(ByteSink& out) const;
  ~AggregationEngine();

  // Re-reads units, lineage and the catalogue (after a units import or a pack load); values
  // are kept.
  Status reload_structure(Store& store);

  // Applies writes the store has committed (text values are ignored). Precondition: the
  // ids are the store's and the elements are known to the engine.
  void apply(std::span<const ValueWrite> rows);
  // Applies every write `store` commits from now on (Store::set_commit_listener). The engine
  // must outlive the store, or call store.set_commit_listener({}) first.
  void follow(Store& store);

  // The roll-up of `series` for `scope` over `period` by the element's aggregation type.
  // Errors: unknown element or option id; unknown unit code; a unit (with its lineage) not in
  // force during any part of `period` is not an error: the answer has no value.
  Result<Aggregate> aggregate(const SeriesRef& series, const UnitScope& scope,
                              const Period& period) const;
  // The same for several series at once: the units and periods that count are found once
  // (a province's year over all elements is one walk of its structure).
  Result<std::vector<Aggregate>> aggregate(std::span<const SeriesRef> series, const UnitScope& scope,
                                           const Period& period) const;

  // Calls `visit` with every value aggregate(series, scope, period) combines, found by the
  // same walk: for sum, average, min and max each value in the window; for last and
  // count_true each unit's (and option's) latest. The figure is these values combined by the
  // element's aggregation, kShare ones at their share, kUnallocated ones left out (their
  // own combination is the UnallocatedPart of their old unit). In no particular order. Holds the engine's read lock
  // while visiting: `visit` must not call the engine; string views live until it returns.
  // Errors as aggregate().
  Status visit_counted(const SeriesRef& series, const UnitScope& scope, const Period& period,
                       const std::function<void(const ContributingValue&)>& visit) const;

  // Codes resolved by Catalogue::resolve: "crime.ttxh.cases" or "foreign.in.delegations.van_nam".
  Result<SeriesRef> series(std::string_view code) const;

  // The structure and catalogue the engine answers with (replaced whole by
  // reload_structure(), so a caller's copy stays valid).
  std::shared_ptr<const OrgUnitIndex> units() const;
  std::shared_ptr<const Catalogue> catalogue() const;

  // Changes with every apply() and reload_structure(): an answer computed at one generation
  // is still right while the generation is the same (what response caches key on).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Memory held by value arrays, in bytes, and how many values they hold.
  size_t value_bytes() const;
  size_t value_count() const;

  class State;  // internal

 private:
  AggregationEngine();

  mutable std::shared_mutex mutex_;
  std::atomic<uint64_t> generation_{0};
  std::unique_ptr<State> state_;
  std::shared_ptr<const OrgUnitIndex> units_;
  std::shared_ptr<const Catalogue> catalogue_;
};

// Answers expressions (indicators, validation rules, evaluation criteria) from the engine:
// a reference is the aggregate of its series for the unit and period (structure in force
// in each period); children are the units directly under the unit on the period's last day
// it was in force.
class EngineExpressionContext : public ExpressionContext {
 public:
  // `structure_at`: as in UnitScope, for the unit an expression is evaluated for.
  explicit EngineExpressionContext(const AggregationEngine& engine,
                                   std::optional<Date> structure_at = std::nullopt)
      : engine_(engine), structure_at_(structure_at) {}
  std::optional<double> value(const ElementRef& ref, std::string_view unit,
                              const Period& period) const override;
  std::vector<std::string> children(std::string_view unit, const Period& period) const override;

 private:
  const AggregationEngine& engine_;
  std::optional<Date> structure_at_;
};

}  // namespace qpan
