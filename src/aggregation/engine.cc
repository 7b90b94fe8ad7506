// The aggregation engine (see qpan/aggregation.h): value lanes, the unit structure and the
// roll-up walk that answers a (series, unit, period) question from them.
#include "qpan/aggregation.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <limits>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "aggregation/rollup.h"
#include "aggregation/slots.h"
#include "aggregation/unit_structure.h"
#include "aggregation/value_lanes.h"

namespace qpan {

using aggregation::Day;
using aggregation::Decimal;
using aggregation::DecimalSum;
using aggregation::kMissing;
using aggregation::kStoredTypes;
using aggregation::Lane;
using aggregation::Rollup;
using aggregation::Slot;
using aggregation::SlotRanges;
using aggregation::Source;
using aggregation::UnitSpan;
using aggregation::UnitStructure;

namespace {

// A unit's stretch of slots of one type that counts for the query.
struct SlotRun {
  int32_t unit = 0;
  Slot lo = 0, hi = 0;
};

struct Runs {
  std::array<std::vector<SlotRun>, kStoredTypes> by_type;
};

// One series's lanes, by period type, and for sums and means their roll-up lanes.
struct Series {
  int32_t element_id = 0;
  int32_t option_id = 0;
  std::array<std::unique_ptr<Lane>, kStoredTypes> lanes;
  std::array<std::unique_ptr<Rollup>, kStoredTypes> rollups;
};

bool rolls_up(AggregationType a) { return a == AggregationType::kSum || a == AggregationType::kAverage; }

uint64_t series_key(int32_t element, int32_t option) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(element)) << 32) | static_cast<uint32_t>(option);
}

// Rounds to 10 decimal places (a mean of 220.32 / 3 is 73.44, not 73.44000000000001).
double round_mean(double v) {
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 10);
  if (ec != std::errc()) return v;
  double out = v;
  std::from_chars(buf, end, out);
  return out;
}

// What one walk over cells gathers.
struct Accumulator {
  DecimalSum sum;
  int64_t count = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  // last / count_true: per (series, unit), the latest value — summed or counted as found.
  DecimalSum last_sum;
  int64_t true_count = 0;
  int64_t latest_count = 0;

  std::optional<double> result(AggregationType aggregation) const {
    switch (aggregation) {
      case AggregationType::kSum:
        return count > 0 ? std::optional(sum.value()) : std::nullopt;
      case AggregationType::kAverage:
        return count > 0 ? std::optional(round_mean(sum.value() / static_cast<double>(count))) : std::nullopt;
      case AggregationType::kMin: return count > 0 ? std::optional(min) : std::nullopt;
      case AggregationType::kMax: return count > 0 ? std::optional(max) : std::nullopt;
      case AggregationType::kLast:
        return latest_count > 0 ? std::optional(last_sum.value()) : std::nullopt;
      case AggregationType::kCountTrue:
        return latest_count > 0 ? std::optional(static_cast<double>(true_count)) : std::nullopt;
      case AggregationType::kNone: break;
    }
    return std::nullopt;
  }
};

// Builds roll-ups on helper threads (every core but one) while the caller goes on, e.g.
// reading the next series of a snapshot; finish() joins in and returns them. Lanes live
// in their own heap blocks, so a lane handed over stays where it is while the series
// vector grows; it must not change until finish().
class RollupBuilder {
 public:
  struct Built {
    size_t series = 0;
    int type = 0;
    std::unique_ptr<Rollup> rollup;
  };

  explicit RollupBuilder(const UnitStructure& structure) : structure_(structure) {
    const unsigned helpers = std::min(std::max(std::thread::hardware_concurrency(), 1u), 8u) - 1;
    for (unsigned i = 0; i < helpers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~RollupBuilder() { stop(); }
  RollupBuilder(const RollupBuilder&) = delete;
  RollupBuilder& operator=(const RollupBuilder&) = delete;

  void add(size_t series, int type, const Lane& lane) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back({series, type, &lane});
    }
    wake_.notify_one();
  }

  // Every roll-up added, built (by the helpers and this thread); the helpers stopped.
  std::vector<Built> finish() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    wake_.notify_all();
    work();
    stop();
    return std::move(built_);
  }

 private:
  struct Job {
    size_t series;
    int type;
    const Lane* lane;
  };

  // Takes jobs until none are left and no more will come.
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return next_ < jobs_.size() || closed_; });
      if (next_ == jobs_.size()) return;
      const Job job = jobs_[next_++];
      lock.unlock();
      std::unique_ptr<Rollup> rollup = Rollup::build(*job.lane, structure_);
      lock.lock();
      built_.push_back({job.series, job.type, std::move(rollup)});
    }
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  const UnitStructure& structure_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  size_t next_ = 0;
  bool closed_ = false;
  std::vector<Built> built_;
  std::vector<std::thread> threads_;
};

}  // namespace

class AggregationEngine::State {
 public:
  std::unique_ptr<UnitStructure> structure;
  std::unordered_map<int64_t, const DataElement*> element_by_id;
  std::vector<Series> series;
  std::unordered_map<uint64_t, size_t> series_by_key;
  std::unordered_map<int32_t, std::vector<size_t>> series_by_element;

  void index_catalogue(const Catalogue& catalogue) {
    element_by_id.clear();
    for (const DataElement& e : catalogue.elements()) element_by_id[e.id] = &e;
  }

  Series& series_for(int32_t element, int32_t option) {
    auto [it, inserted] = series_by_key.try_emplace(series_key(element, option), series.size());
    if (inserted) {
      series.push_back({element, option, {}, {}});
      series_by_element[element].push_back(it->second);
    }
    return series[it->second];
  }

  void set(const ValueKey& key, const Decimal& value) {
    Series* s = locate(key);
    if (s == nullptr) return;
    if (!s->lanes[cached_type_]) {
      s->lanes[cached_type_] = std::make_unique<Lane>(aggregation::type_at(cached_type_));
      if (const auto& range = planned_slots_[cached_type_]) s->lanes[cached_type_]->plan(range->first, range->second);
    }
    Lane& lane = *s->lanes[cached_type_];
    const std::optional<int64_t> previous = lane.set(key.unit_id, cached_slot_, value);
    if (!keep_rollups_) return;
    follow_in_rollup(*s, key.unit_id, previous, lane.cells(lane.row(key.unit_id))[cached_slot_ - lane.first_slot()]);
  }

  // A deleted value: its cell emptied, its roll-ups lowered.
  void clear(const ValueKey& key) {
    Series* s = locate(key);
    if (s == nullptr || !s->lanes[cached_type_]) return;
    const int64_t previous = s->lanes[cached_type_]->clear(key.unit_id, cached_slot_);
    if (previous == kMissing || !keep_rollups_) return;
    follow_in_rollup(*s, key.unit_id, previous, kMissing);
  }

  // The series of a value's key, with its period's type and slot in cached_type_ and
  // cached_slot_; nullptr for a month range (never stored as such). Values arrive grouped by
  // period and then unit: the last period and series are remembered.
  Series* locate(const ValueKey& key) {
    if (key.period != cached_period_key_) {
      Result<Period> period = Period::from_key(key.period);
      if (!period || period->type() == PeriodType::kMonthRange) return nullptr;
      cached_period_key_ = key.period;
      cached_type_ = aggregation::type_index(period->type());
      cached_slot_ = aggregation::slot_of(*period);
    }
    const uint64_t skey = series_key(key.element_id, key.option_id);
    if (skey != cached_series_key_ || cached_series_ >= series.size()) {
      Series& found = series_for(key.element_id, key.option_id);
      cached_series_ = static_cast<size_t>(&found - series.data());
      cached_series_key_ = skey;
    }
    return &series[cached_series_];
  }

  // The slots a bulk build will meet, by type, from the store's periods: a new lane is laid
  // out for them at once instead of re-laid as later periods arrive. Cleared after the build,
  // where lanes grow from their first value again.
  void plan_slots(std::span<const int64_t> period_keys) {
    planned_slots_ = {};
    for (int64_t key : period_keys) {
      Result<Period> period = Period::from_key(key);
      if (!period || period->type() == PeriodType::kMonthRange) continue;
      auto& range = planned_slots_[aggregation::type_index(period->type())];
      const Slot slot = aggregation::slot_of(*period);
      range = range ? std::pair{std::min(range->first, slot), std::max(range->second, slot + 1)} : std::pair{slot, slot + 1};
    }
  }
  void forget_planned_slots() { planned_slots_ = {}; }

  // Carries a cell's change (previous → now, either kMissing) into the series' roll-up.
  void follow_in_rollup(Series& s, int32_t unit, std::optional<int64_t> previous, int64_t now) {
    const Lane& lane = *s.lanes[cached_type_];
    std::unique_ptr<Rollup>& rollup = s.rollups[cached_type_];
    if (!rollup || !previous || !rollup->apply(lane, *structure, unit, cached_slot_, *previous, now)) {
      // A new lane, a new encoding or a slot beyond the roll-up: build it again from the lane.
      rollup = rolls_up_series(s) ? Rollup::build(lane, *structure) : nullptr;
    }
  }

  // The element a series asks for, when it aggregates: not_found for an unknown id,
  // invalid_input for text or an element without aggregation.
  Result<const DataElement*> aggregated_element(const SeriesRef& ref) const {
    auto it = element_by_id.find(ref.element_id);
    if (it == element_by_id.end()) return Status::not_found("unknown data element id " + std::to_string(ref.element_id));
    const DataElement& element = *it->second;
    if (element.aggregation == AggregationType::kNone || element.value_type == ValueType::kText) {
      return Status::invalid_input("data element \"" + element.code + "\" does not aggregate");
    }
    return &element;
  }

  bool rolls_up_series(const Series& s) const {
    auto it = element_by_id.find(s.element_id);
    return it != element_by_id.end() && rolls_up(it->second->aggregation);
  }

  // (Re)builds every roll-up lane (after a bulk load or a change of structure); from then
  // on set() keeps them current.
  void build_rollups() {
    RollupBuilder builder(*structure);
    for (size_t i = 0; i < series.size(); ++i) hand_over_rollups(i, builder);
    take_rollups(builder);
  }

  // Gives the lanes of series `index` whose roll-ups are wanted to `builder`.
  void hand_over_rollups(size_t index, RollupBuilder& builder) {
    const Series& s = series[index];
    if (!rolls_up_series(s)) return;
    for (int t = 0; t < kStoredTypes; ++t) {
      if (s.lanes[t]) builder.add(index, t, *s.lanes[t]);
    }
  }

  // The roll-ups `builder` made, in their series; from then on set() keeps them current.
  void take_rollups(RollupBuilder& builder) {
    for (RollupBuilder::Built& built : builder.finish()) series[built.series].rollups[built.type] = std::move(built.rollup);
    keep_rollups_ = true;
  }

  // The sums and counts of a sum or mean from the roll-ups of `root` (and its own row), when
  // every lane in the period has one.
  bool accumulate_rolled_up(std::span<const size_t> series_indices, int32_t root, const SlotRanges& ranges,
                            Accumulator& acc) const {
    for (size_t index : series_indices) {
      for (int t = 0; t < kStoredTypes; ++t) {
        if (series[index].lanes[t] && ranges.by_type[t] && !series[index].rollups[t]) return false;
      }
    }
    for (size_t index : series_indices) {
      const Series& s = series[index];
      for (int t = 0; t < kStoredTypes; ++t) {
        const Lane* lane = s.lanes[t].get();
        if (lane == nullptr || !ranges.by_type[t]) continue;
        const Slot lo = std::max(ranges.by_type[t]->first, lane->first_slot());
        const Slot hi = std::min(ranges.by_type[t]->second, lane->end_slot() - 1);
        if (lo > hi) continue;
        __int128 units = 0;
        int64_t count = 0;
        s.rollups[t]->add(root, lo, hi, units, count);
        if (const int32_t row = lane->row(root); row >= 0) {
          const int64_t* cells = lane->cells(row) - lane->first_slot();
          for (Slot slot = lo; slot <= hi; ++slot) {
            if (cells[slot] == kMissing) continue;
            units += cells[slot];
            ++count;
          }
        }
        acc.count += count;
        acc.sum.add(units, lane->scale());
      }
    }
    return true;
  }

 private:
  bool keep_rollups_ = false;  // off during the bulk load: built once at its end
  std::array<std::optional<std::pair<Slot, Slot>>, kStoredTypes> planned_slots_;  // [first, end) by type
  int64_t cached_period_key_ = -1;
  int cached_type_ = 0;
  Slot cached_slot_ = 0;
  uint64_t cached_series_key_ = ~uint64_t{0};
  size_t cached_series_ = ~size_t{0};

 public:

  // The slot runs of `spans` (sorted by unit, then day) for each type in `types`.
  // `sorted`: the spans come from one source, already in (unit, day) order.
  void make_runs(std::vector<UnitSpan>& spans, const SlotRanges& ranges, uint32_t types, Runs& out,
                 bool sorted) const {
    if (!sorted) {
      std::sort(spans.begin(), spans.end(), [](const UnitSpan& a, const UnitSpan& b) {
        return a.unit != b.unit ? a.unit < b.unit : a.from < b.from;
      });
    }
    // Merge what touches: a unit reached through two sources over adjacent windows.
    size_t n = 0;
    for (size_t i = 0; i < spans.size(); ++i) {
      if (n > 0 && spans[n - 1].unit == spans[i].unit && spans[i].from <= spans[n - 1].until) {
        spans[n - 1].until = std::max(spans[n - 1].until, spans[i].until);
      } else {
        spans[n++] = spans[i];
      }
    }
    spans.resize(n);
    for (int t = 0; t < kStoredTypes; ++t) {
      if (!(types & (1u << t)) || !ranges.by_type[t]) continue;
      const PeriodType type = aggregation::type_at(t);
      const auto [first, last] = *ranges.by_type[t];
      std::vector<SlotRun>& runs = out.by_type[t];
      if (!aggregation::slots_partition(type)) {
        // Overlapping terms: decide slot by slot by each one's effective day.
        for (const UnitSpan& s : spans) {
          for (Slot slot = first; slot <= last; ++slot) {
            const Day eff = structure->previous_in_force(s.unit, aggregation::slot_last_day(type, slot));
            if (eff >= aggregation::slot_first_day(type, slot) && eff >= s.from && eff < s.until) {
              runs.push_back({s.unit, slot, slot});
            }
          }
        }
        continue;
      }
      for (const UnitSpan& s : spans) {
        if (const auto slots = aggregation::span_slots(*structure, s.unit, type, s.from, s.until, first, last)) {
          runs.push_back({s.unit, slots->first, slots->second});
        }
      }
    }
  }

  uint32_t lane_types(std::span<const size_t> series_indices) const {
    uint32_t types = 0;
    for (size_t i : series_indices) {
      for (int t = 0; t < kStoredTypes; ++t) {
        if (series[i].lanes[t]) types |= 1u << t;
      }
    }
    return types;
  }

  void accumulate(std::span<const size_t> series_indices, AggregationType aggregation, const Runs& runs,
                  Accumulator& acc) const {
    const bool latest = aggregation == AggregationType::kLast || aggregation == AggregationType::kCountTrue;
    for (size_t index : series_indices) {
      const Series& s = series[index];
      if (latest) {
        accumulate_latest(s, aggregation, runs, acc);
        continue;
      }
      for (int t = 0; t < kStoredTypes; ++t) {
        const Lane* lane = s.lanes[t].get();
        if (lane == nullptr) continue;
        const bool sums = aggregation == AggregationType::kSum || aggregation == AggregationType::kAverage;
        __int128 units = 0;
        double real_sum = 0;
        for (const SlotRun& run : runs.by_type[t]) {
          const int32_t row = lane->row(run.unit);
          if (row < 0) continue;
          const Slot lo = std::max(run.lo, lane->first_slot()), hi = std::min(run.hi, lane->end_slot() - 1);
          const int64_t* cells = lane->cells(row) - lane->first_slot();
          if (sums && !lane->is_real()) {
            // The hot loop: a run of months of one unit.
            int64_t count = 0;
            __int128 run_units = 0;
            for (Slot slot = lo; slot <= hi; ++slot) {
              const int64_t cell = cells[slot];
              const bool present = cell != kMissing;
              run_units += present ? cell : 0;
              count += present;
            }
            units += run_units;
            acc.count += count;
            continue;
          }
          for (Slot slot = lo; slot <= hi; ++slot) {
            const int64_t cell = cells[slot];
            if (cell == kMissing) continue;
            ++acc.count;
            const double v = lane->cell_value(cell);
            if (sums) {
              real_sum += v;
            } else {
              acc.min = std::min(acc.min, v);
              acc.max = std::max(acc.max, v);
            }
          }
        }
        if (lane->is_real()) {
          if (real_sum != 0) acc.sum.add_real(real_sum);
        } else {
          acc.sum.add(units, lane->scale());
        }
      }
    }
  }

  // Per unit, the value of series `s` with the latest period within `runs` (by last day,
  // then the shorter period).
  struct Latest {
    Day last_day = aggregation::kMinDay, first_day = aggregation::kMinDay;
    const Lane* lane = nullptr;
    int64_t cell = 0;
    int type = 0;
    Slot slot = 0;
  };
  std::unordered_map<int32_t, Latest> latest_cells(const Series& s, const Runs& runs) const {
    std::unordered_map<int32_t, Latest> best;
    for (int t = 0; t < kStoredTypes; ++t) {
      const Lane* lane = s.lanes[t].get();
      if (lane == nullptr) continue;
      const PeriodType type = lane->type();
      for (const SlotRun& run : runs.by_type[t]) {
        const int32_t row = lane->row(run.unit);
        if (row < 0) continue;
        const Slot lo = std::max(run.lo, lane->first_slot()), hi = std::min(run.hi, lane->end_slot() - 1);
        const int64_t* cells = lane->cells(row) - lane->first_slot();
        for (Slot slot = hi; slot >= lo; --slot) {
          if (cells[slot] == kMissing) continue;
          const Day last_day = aggregation::slot_last_day(type, slot);
          const Day first_day = aggregation::slot_first_day(type, slot);
          Latest& l = best[run.unit];
          if (l.lane == nullptr || std::pair(last_day, first_day) > std::pair(l.last_day, l.first_day)) {
            l = {last_day, first_day, lane, cells[slot], t, slot};
          }
          break;
        }
      }
    }
    return best;
  }

  void accumulate_latest(const Series& s, AggregationType aggregation, const Runs& runs, Accumulator& acc) const {
    for (const auto& [unit, l] : latest_cells(s, runs)) {
      ++acc.latest_count;
      if (aggregation == AggregationType::kCountTrue) {
        if (l.lane->cell_value(l.cell) != 0) ++acc.true_count;
      } else if (l.lane->is_real()) {
        acc.last_sum.add_real(l.lane->cell_value(l.cell));
      } else {
        acc.last_sum.add(l.cell, l.lane->scale());
      }
    }
  }

  // Calls visit(series, unit, type index, slot, value) for every cell accumulate() combines
  // over `runs`: each value in them, or for last and count_true each unit's latest.
  template <typename Visit>
  void visit_counted(std::span<const size_t> series_indices, AggregationType aggregation, const Runs& runs,
                     Visit&& visit) const {
    const bool latest = aggregation == AggregationType::kLast || aggregation == AggregationType::kCountTrue;
    for (size_t index : series_indices) {
      const Series& s = series[index];
      if (latest) {
        for (const auto& [unit, l] : latest_cells(s, runs)) visit(s, unit, l.type, l.slot, l.lane->cell_value(l.cell));
        continue;
      }
      for (int t = 0; t < kStoredTypes; ++t) {
        const Lane* lane = s.lanes[t].get();
        if (lane == nullptr) continue;
        for (const SlotRun& run : runs.by_type[t]) {
          const int32_t row = lane->row(run.unit);
          if (row < 0) continue;
          const Slot lo = std::max(run.lo, lane->first_slot()), hi = std::min(run.hi, lane->end_slot() - 1);
          const int64_t* cells = lane->cells(row) - lane->first_slot();
          for (Slot slot = lo; slot <= hi; ++slot) {
            if (cells[slot] != kMissing) visit(s, run.unit, t, slot, lane->cell_value(cells[slot]));
          }
        }
      }
    }
  }
};

AggregationEngine::AggregationEngine() : state_(std::make_unique<State>()) {}
AggregationEngine::~AggregationEngine() = default;

Result<std::unique_ptr<AggregationEngine>> AggregationEngine::build(Store& store) {
  std::unique_ptr<AggregationEngine> engine(new AggregationEngine());
  QPAN_RETURN_IF_ERROR(engine->reload_structure(store));
  State& state = *engine->state_;
  Result<std::vector<int64_t>> periods = store.stored_periods();
  if (!periods) return periods.status();
  state.plan_slots(*periods);
  // Two stages on two threads: the store reads rows while the lanes take the previous batch.
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<StoredNumber>> batches;
  bool done = false;
  constexpr size_t kMaxQueued = 16;
  std::thread apply([&] {
    for (;;) {
      std::vector<StoredNumber> batch;
      {
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return !batches.empty() || done; });
        if (batches.empty()) return;
        batch = std::move(batches.front());
        batches.pop_front();
      }
      changed.notify_all();
      for (const StoredNumber& n : batch) {
        state.set(n.key, n.is_real ? Decimal::from_double(n.real) : Decimal::integer(n.integer));
      }
    }
  });
  Status status = store.scan_numbers([&](std::span<const StoredNumber> batch) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return batches.size() < kMaxQueued; });
    batches.emplace_back(batch.begin(), batch.end());
    changed.notify_all();
  });
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  changed.notify_all();
  apply.join();
  state.forget_planned_slots();
  QPAN_RETURN_IF_ERROR(status);
  for (Series& s : state.series) {
    for (auto& lane : s.lanes) {
      if (lane) lane->compact();
    }
  }
  state.build_rollups();
  return engine;
}

Status AggregationEngine::reload_structure(Store& store) {
  Result<OrgUnitIndex> units = store.load_org_units();
  if (!units) return units.status();
  Result<std::unordered_map<std::string, int64_t>> ids = store.unit_ids();
  if (!ids) return ids.status();
  Result<Catalogue> catalogue = store.load_catalogue();
  if (!catalogue) return catalogue.status();
  auto index = std::make_shared<const OrgUnitIndex>(std::move(*units));
  auto structure = std::make_unique<UnitStructure>(*index, *ids);
  auto shared_catalogue = std::make_shared<const Catalogue>(std::move(*catalogue));
  std::unique_lock lock(mutex_);
  units_ = std::move(index);
  catalogue_ = std::move(shared_catalogue);
  state_->structure = std::move(structure);
  state_->index_catalogue(*catalogue_);
  if (!state_->series.empty()) state_->build_rollups();
  generation_.fetch_add(1, std::memory_order_release);
  return Status::ok();
}

void AggregationEngine::apply(std::span<const ValueWrite> rows) {
  std::unique_lock lock(mutex_);
  for (const ValueWrite& w : rows) {
    if (w.deleted) {
      state_->clear(w.key);
      continue;
    }
    switch (w.kind) {
      case TypedValue::Kind::kInteger:
      case TypedValue::Kind::kBoolean: state_->set(w.key, Decimal::integer(w.integer)); break;
      case TypedValue::Kind::kReal: state_->set(w.key, Decimal::from_double(w.real)); break;
      case TypedValue::Kind::kText: break;
    }
  }
  generation_.fetch_add(1, std::memory_order_release);
}

void AggregationEngine::follow(Store& store) {
  store.set_commit_listener([this](std::span<const ValueWrite> rows, LogRange) { apply(rows); });
}

Result<SeriesRef> AggregationEngine::series(std::string_view code) const {
  std::shared_lock lock(mutex_);
  Result<ElementReference> resolved = catalogue_->resolve(code);
  if (!resolved) return resolved.status();
  return SeriesRef{static_cast<int32_t>(resolved->element->id),
                   resolved->option == nullptr ? 0 : static_cast<int32_t>(resolved->option->id)};
}

Result<Aggregate> AggregationEngine::aggregate(const SeriesRef& ref, const UnitScope& scope,
                                               const Period& period) const {
  Result<std::vector<Aggregate>> all = aggregate(std::span(&ref, 1), scope, period);
  if (!all) return all.status();
  return std::move(all->front());
}

Result<std::vector<Aggregate>> AggregationEngine::aggregate(std::span<const SeriesRef> refs, const UnitScope& scope,
                                                            const Period& period) const {
  std::shared_lock lock(mutex_);
  const State& state = *state_;
  // Asked for every unit of a long list: the per-call bookkeeping reuses this thread's
  // buffers instead of allocating.
  struct Wanted {
    AggregationType aggregation;
    std::span<const size_t> series;  // into the state's index, or `single`
    size_t single = 0;
    bool done = false;
  };
  thread_local std::vector<Wanted> wanted;
  wanted.clear();
  wanted.reserve(refs.size());  // `series` may point at `single`: no reallocation below
  uint32_t types = 0;
  for (const SeriesRef& ref : refs) {
    Result<const DataElement*> found = state.aggregated_element(ref);
    if (!found) return found.status();
    const DataElement& element = **found;
    Wanted& w = wanted.emplace_back(Wanted{element.aggregation, {}});
    if (ref.option_id == 0) {
      if (auto it = state.series_by_element.find(ref.element_id); it != state.series_by_element.end()) {
        w.series = it->second;
      }
    } else if (auto it = state.series_by_key.find(series_key(ref.element_id, ref.option_id));
               it != state.series_by_key.end()) {
      w.single = it->second;
      w.series = std::span(&w.single, 1);
    }
    types |= state.lane_types(w.series);
  }
  thread_local std::vector<Source> sources;
  QPAN_RETURN_IF_ERROR(state.structure->sources(*units_, scope, sources));

  std::vector<Aggregate> out(refs.size());
  if (types == 0) return out;
  // Many questions in a row share their period (every district × one quarter).
  thread_local int64_t cached_period = -1;
  thread_local SlotRanges cached_ranges;
  if (period.key() != cached_period) {
    cached_ranges = aggregation::slots_within(period);
    cached_period = period.key();
  }
  const SlotRanges ranges = cached_ranges;

  // A unit asked in the structure of each period (no lineage window): sums and means come
  // from the roll-ups; what is left walks the units.
  const bool whole = sources.size() == 1 && sources.front().from == aggregation::kMinDay &&
                     sources.front().until == aggregation::kMaxDay;
  if (whole) {
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (!rolls_up(wanted[i].aggregation)) continue;
      Accumulator acc;
      if (state.accumulate_rolled_up(wanted[i].series, sources.front().unit, ranges, acc)) {
        out[i].value = acc.result(wanted[i].aggregation);
        wanted[i].done = true;
      }
    }
    if (std::all_of(wanted.begin(), wanted.end(), [](const Wanted& w) { return w.done; })) return out;
  }

  // The units and slots that count are the same for every series: found once.
  std::vector<UnitSpan> spans;
  size_t full_sources = 0;
  for (const Source& s : sources) {
    if (s.kind != Source::Kind::kFull) continue;
    state.structure->spans_within(s.unit, s.from, s.until, spans);
    ++full_sources;
  }
  Runs runs;
  state.make_runs(spans, ranges, types, runs, /*sorted=*/full_sources <= 1);
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i].done) continue;
    Accumulator acc;
    state.accumulate(wanted[i].series, wanted[i].aggregation, runs, acc);
    out[i].value = acc.result(wanted[i].aggregation);
  }

  for (const Source& s : sources) {
    if (s.kind == Source::Kind::kFull) continue;
    spans.clear();
    state.structure->spans_within(s.unit, s.from, s.until, spans);
    Runs part_runs;
    state.make_runs(spans, ranges, types, part_runs, /*sorted=*/true);
    for (size_t i = 0; i < wanted.size(); ++i) {
      Accumulator acc;
      state.accumulate(wanted[i].series, wanted[i].aggregation, part_runs, acc);
      const std::optional<double> part = acc.result(wanted[i].aggregation);
      if (!part) continue;
      const bool splittable =
          wanted[i].aggregation == AggregationType::kSum || wanted[i].aggregation == AggregationType::kLast;
      if (s.kind == Source::Kind::kShared && splittable) {
        out[i].value = out[i].value.value_or(0) + s.weight * *part;
        out[i].uses_shares = true;
      } else {
        out[i].unallocated.push_back({state.structure->code(s.unit), s.into, *part});
      }
    }
  }
  return out;
}

Status AggregationEngine::visit_counted(const SeriesRef& ref, const UnitScope& scope, const Period& period,
                                        const std::function<void(const ContributingValue&)>& visit) const {
  std::shared_lock lock(mutex_);
  const State& state = *state_;
  Result<const DataElement*> found = state.aggregated_element(ref);
  if (!found) return found.status();
  const DataElement& element = **found;
  std::vector<size_t> indices;
  if (ref.option_id == 0) {
    if (auto it = state.series_by_element.find(ref.element_id); it != state.series_by_element.end()) {
      indices = it->second;
    }
  } else if (auto it = state.series_by_key.find(series_key(ref.element_id, ref.option_id));
             it != state.series_by_key.end()) {
    indices.push_back(it->second);
  }
  std::vector<Source> sources;
  QPAN_RETURN_IF_ERROR(state.structure->sources(*units_, scope, sources));
  const uint32_t types = state.lane_types(indices);
  if (types == 0) return Status::ok();
  const SlotRanges ranges = aggregation::slots_within(period);
  const UnitStructure& structure = *state.structure;

  // The sources counted whole are walked together, as aggregate() walks them; each value is
  // then named by the source whose window holds its day (the day a slot belongs to, as in
  // span_slots()).
  std::vector<UnitSpan> spans;
  std::vector<size_t> full;
  std::unordered_map<int32_t, std::vector<std::pair<size_t, UnitSpan>>> windows;  // unit → (source, span)
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].kind != Source::Kind::kFull) continue;
    const size_t before = spans.size();
    structure.spans_within(sources[i].unit, sources[i].from, sources[i].until, spans);
    full.push_back(i);
    for (size_t k = before; k < spans.size(); ++k) windows[spans[k].unit].emplace_back(i, spans[k]);
  }
  if (full.size() <= 1) windows.clear();  // one source: nothing to tell apart
  Runs runs;
  state.make_runs(spans, ranges, types, runs, /*sorted=*/full.size() <= 1);
  auto emit = [&](const Source& source, ContributingValue::Basis basis, const Series& s, int32_t unit, int t,
                  Slot slot, double value) {
    ContributingValue c;
    c.series = {s.element_id, s.option_id};
    c.unit = structure.code(unit);
    c.period = aggregation::period_of(aggregation::type_at(t), slot);
    c.value = value;
    c.basis = basis;
    c.source = structure.code(source.unit);
    c.into = source.into;
    c.share = source.weight;
    visit(c);
  };
  state.visit_counted(indices, element.aggregation, runs, [&](const Series& s, int32_t unit, int t, Slot slot,
                                                               double value) {
    size_t from = full.empty() ? 0 : full.front();
    if (auto it = windows.find(unit); it != windows.end()) {
      const PeriodType type = aggregation::type_at(t);
      const Day day = structure.previous_in_force(unit, aggregation::slot_last_day(type, slot));
      for (const auto& [source, span] : it->second) {
        if (day >= span.from && day < span.until) {
          from = source;
          break;
        }
      }
    }
    emit(sources[from], from == 0 ? ContributingValue::Basis::kDirect : ContributingValue::Basis::kLineage, s, unit, t, slot,
         value);
  });

  // Old units split over several new ones: each walked alone, as aggregate() does.
  const bool splittable = element.aggregation == AggregationType::kSum || element.aggregation == AggregationType::kLast;
  for (const Source& source : sources) {
    if (source.kind == Source::Kind::kFull) continue;
    spans.clear();
    structure.spans_within(source.unit, source.from, source.until, spans);
    Runs part_runs;
    state.make_runs(spans, ranges, types, part_runs, /*sorted=*/true);
    const ContributingValue::Basis basis = source.kind == Source::Kind::kShared && splittable
                                          ? ContributingValue::Basis::kShare
                                          : ContributingValue::Basis::kUnallocated;
    state.visit_counted(indices, element.aggregation, part_runs,
                        [&](const Series& s, int32_t unit, int t, Slot slot, double value) {
                          emit(source, basis, s, unit, t, slot, value);
                        });
  }
  return Status::ok();
}

std::shared_ptr<const OrgUnitIndex> AggregationEngine::units() const {
  std::shared_lock lock(mutex_);
  return units_;
}

std::shared_ptr<const Catalogue> AggregationEngine::catalogue() const {
  std::shared_lock lock(mutex_);
  return catalogue_;
}

size_t AggregationEngine::value_bytes() const {
  std::shared_lock lock(mutex_);
  size_t bytes = 0;
  for (const Series& s : state_->series) {
    for (const auto& lane : s.lanes) {
      if (lane) bytes += lane->bytes();
    }
    for (const auto& rollup : s.rollups) {
      if (rollup) bytes += rollup->bytes();
    }
  }
  return bytes;
}

size_t AggregationEngine::value_count() const {
  std::shared_lock lock(mutex_);
  size_t n = 0;
  for (const Series& s : state_->series) {
    for (const auto& lane : s.lanes) {
      if (lane) n += lane->count();
    }
  }
  return n;
}

// ---- Snapshots ---------------------------------------------------------------------------------
// The body: the series count, then per series its element and option ids and which of its
// lanes follow, each lane's layout and its two arrays as they are in memory (this machine's
// byte order; the snapshot's header names the format, qpan/snapshot.h). Each array starts at
// a multiple of 8 bytes from the body's start (zeros before it), so that a mapped file's
// arrays are used where they lie.

namespace {

struct LaneHeader {
  uint8_t type_index;
  uint8_t real;
  uint8_t padding[2];
  int32_t first, width, scale;
  uint64_t count, units, cells;
};

constexpr size_t kArrayAlignment = 8;

// A body being written, with its length so far (for the arrays' alignment).
struct BodyWriter {
  ByteSink& out;
  uint64_t written = 0;

  Status write(const void* bytes, size_t size) {
    written += size;
    return out.write(bytes, size);
  }
  template <typename T>
  Status put(const T& v) {
    return write(&v, sizeof v);
  }
  template <typename T>
  Status put_array(std::span<const T> values) {
    static constexpr char kZeros[kArrayAlignment] = {};
    QPAN_RETURN_IF_ERROR(write(kZeros, (kArrayAlignment - written % kArrayAlignment) % kArrayAlignment));
    return write(values.data(), values.size_bytes());
  }
};

// A body being read: its arrays lent by the source when it can (a mapped file), else copied.
struct BodyReader {
  ByteSource& in;
  const uint64_t length = in.remaining();

  template <typename T>
  Status get(T& v) {
    return in.read(&v, sizeof v);
  }
  template <typename T>
  Status get_array(size_t n, aggregation::Array<T>& out) {
    const uint64_t offset = length - in.remaining();
    char padding[kArrayAlignment] = {};
    const size_t skip = (kArrayAlignment - offset % kArrayAlignment) % kArrayAlignment;
    QPAN_RETURN_IF_ERROR(in.read(padding, skip));
    if (std::any_of(padding, padding + skip, [](char c) { return c != 0; })) {
      return Status::invalid_input("snapshot body: padding at byte " + std::to_string(offset) + " is not zeros");
    }
    if (n == 0) {
      out = aggregation::Array<T>();
      return Status::ok();
    }
    std::shared_ptr<void> lender;
    if (void* p = in.lend(n * sizeof(T), lender)) {
      out = aggregation::Array<T>::lent(static_cast<T*>(p), n, std::move(lender));
      return Status::ok();
    }
    out = aggregation::Array<T>(n);
    return in.read(out.data(), n * sizeof(T));
  }
};

}  // namespace

Status AggregationEngine::write_values(ByteSink& sink) const {
  BodyWriter out{sink};
  size_t series_count = 0;
  {
    std::shared_lock lock(mutex_);
    series_count = state_->series.size();
  }
  QPAN_RETURN_IF_ERROR(out.put(static_cast<uint64_t>(series_count)));
  for (size_t i = 0; i < series_count; ++i) {
    std::shared_lock lock(mutex_);
    const Series& s = state_->series[i];
    uint8_t lanes = 0;
    for (int t = 0; t < kStoredTypes; ++t) lanes |= s.lanes[t] ? uint8_t(1u << t) : 0;
    QPAN_RETURN_IF_ERROR(out.put(s.element_id));
    QPAN_RETURN_IF_ERROR(out.put(s.option_id));
    QPAN_RETURN_IF_ERROR(out.put(lanes));
    for (int t = 0; t < kStoredTypes; ++t) {
      if (!s.lanes[t]) continue;
      const Lane::Layout l = s.lanes[t]->layout();
      const LaneHeader header{static_cast<uint8_t>(t), l.real, {0, 0}, l.first, l.width, l.scale, l.count, l.units, l.cells};
      QPAN_RETURN_IF_ERROR(out.put(header));
      const std::span<const int32_t> rows = s.lanes[t]->row_of_unit();
      const std::span<const int64_t> cells = s.lanes[t]->all_cells();
      QPAN_RETURN_IF_ERROR(out.put_array(rows));
      QPAN_RETURN_IF_ERROR(out.put_array(cells));
    }
  }
  return Status::ok();
}

Result<std::unique_ptr<AggregationEngine>> AggregationEngine::build_from_values(Store& store, ByteSource& source) {
  std::unique_ptr<AggregationEngine> engine(new AggregationEngine());
  QPAN_RETURN_IF_ERROR(engine->reload_structure(store));
  State& state = *engine->state_;
  auto malformed = [](const std::string& what) { return Status::invalid_input("snapshot body: " + what); };
  BodyReader in{source};
  uint64_t series_count = 0;
  QPAN_RETURN_IF_ERROR(in.get(series_count));
  // Every series takes at least 9 bytes: a count beyond what is left is a damaged file.
  if (series_count > source.remaining() / 9) return malformed("series count " + std::to_string(series_count));
  // Each series' roll-ups are built on the other cores while the next series is read.
  RollupBuilder rollups(*state.structure);
  for (uint64_t i = 0; i < series_count; ++i) {
    int32_t element = 0, option = 0;
    uint8_t lanes = 0;
    QPAN_RETURN_IF_ERROR(in.get(element));
    QPAN_RETURN_IF_ERROR(in.get(option));
    QPAN_RETURN_IF_ERROR(in.get(lanes));
    if (state.series_by_key.count(series_key(element, option))) {
      return malformed("series " + std::to_string(element) + "/" + std::to_string(option) + " twice");
    }
    Series& s = state.series_for(element, option);
    for (int t = 0; t < kStoredTypes; ++t) {
      if (!(lanes & (1u << t))) continue;
      LaneHeader h{};
      QPAN_RETURN_IF_ERROR(in.get(h));
      if (h.type_index != t) return malformed("lane of series " + std::to_string(i) + " out of order");
      // Sizes are checked against what is left before anything is allocated.
      if (h.units > source.remaining() / sizeof(int32_t) ||
          h.cells > (source.remaining() - h.units * sizeof(int32_t)) / sizeof(int64_t)) {
        return malformed("lane of series " + std::to_string(i) + " larger than the file");
      }
      aggregation::Array<int32_t> rows;
      aggregation::Array<int64_t> cells;
      QPAN_RETURN_IF_ERROR(in.get_array(h.units, rows));
      QPAN_RETURN_IF_ERROR(in.get_array(h.cells, cells));
      const Lane::Layout layout{aggregation::type_at(t), h.first, h.width, h.scale, h.real != 0, h.count, h.units, h.cells};
      std::optional<Lane> lane = Lane::from_layout(layout, std::move(rows), std::move(cells));
      if (!lane) return malformed("lane of series " + std::to_string(i) + " inconsistent");
      s.lanes[t] = std::make_unique<Lane>(std::move(*lane));
    }
    state.hand_over_rollups(state.series_by_key.at(series_key(element, option)), rollups);
  }
  if (source.remaining() != 0) return malformed(std::to_string(source.remaining()) + " bytes after the last series");
  state.take_rollups(rollups);
  return engine;
}

// ---- Expressions -----------------------------------------------------------------------------

std::optional<double> EngineExpressionContext::value(const ElementRef& ref, std::string_view unit,
                                                     const Period& period) const {
  Result<Aggregate> a = engine_.aggregate({static_cast<int32_t>(ref.element_id), static_cast<int32_t>(ref.option_id)},
                                          UnitScope{std::string(unit), structure_at_}, period);
  if (!a) return std::nullopt;
  return a->value;
}

std::vector<std::string> EngineExpressionContext::children(std::string_view unit, const Period& period) const {
  const std::shared_ptr<const OrgUnitIndex> units = engine_.units();
  std::vector<const OrgUnitVersion*> during = units->during(unit, period.dates());
  std::vector<std::string> out;
  if (during.empty()) return out;
  // The structure on the last day of the period the unit was in force.
  Date day = period.dates().last;
  if (during.back()->valid_until && *during.back()->valid_until <= day) day = add_days(*during.back()->valid_until, -1);
  for (const OrgUnitVersion* child : units->children(unit, day)) out.push_back(child->code);
  return out;
}

}  // namespace qpan
