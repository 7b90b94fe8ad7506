// A randomized check of the aggregation engine against a naive SQL roll-up of the same
// database: thousands of random values on the real units of Lào Cai, Lai Châu and Yên Bái
// (with their 2019–2020 commune mergers and the July 2025 reorganisation) in every period
// type — two thirds loaded at build; the rest, changes to some and deletions of others
// written while the engine follows — then thousands of random queries — every aggregation
// type, options, units at every level and the whole country, every kind of period — answered both ways and compared
// exactly. The SQL side knows nothing of the engine: membership of a value in a subtree
// comes from OrgUnitIndex::ancestors on the value's effective day, written to a table, and
// SQLite's GROUP BY and window functions do the rest.
#include <charconv>
#include <map>
#include <random>

#include "aggregation/engine_test_support.h"
#include "exchange/exchange_test_support.h"
#include "qpan/aggregation.h"
#include "store/sqlite.h"

namespace qpan {
namespace {

using testing::element;

// The same rounding the engine gives means (10 decimal places).
double round_mean(double v) {
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 10);
  double out = v;
  std::from_chars(buf, end, out);
  return out;
}

class EngineRandomTest : public testing::ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    load_real_units();
    using enum ValueType;
    using enum AggregationType;
    Catalogue catalogue(
        {{.code = "partner",
          .name_vi = "Đối tác",
          .name_en = "Partner",
          .options = {{.code = "van_nam", .name_vi = "Vân Nam", .name_en = "Yunnan"},
                      {.code = "bac_lao", .name_vi = "Bắc Lào", .name_en = "Northern Laos"}}}},
        {element("cases", kCount, kSum), element("teams", kCount, kLast), element("safe", kBoolean, kCountTrue),
         element("rate", kNumber, kAverage), element("low", kNumber, kMin), element("high", kNumber, kMax),
         element("delegations", kCount, kSum, "partner"), element("stock", kNumber, kLast, "partner")});
    ASSERT_TRUE(store_->save_catalogue(catalogue).is_ok());
  }
};

TEST_F(EngineRandomTest, MatchesANaiveSqlRollUp) {
  std::mt19937_64 rng(20261123);
  auto pick = [&](auto lo, auto hi) { return std::uniform_int_distribution<decltype(hi)>(lo, hi)(rng); };

  const OrgUnitIndex units = store_->load_org_units().value();
  const std::unordered_map<std::string, int64_t> ids = store_->unit_ids().value();
  const Catalogue catalogue = store_->load_catalogue().value();

  std::vector<std::string> universe;
  for (const char* province : {"10", "12", "15"}) {
    for (const std::string& code : units.codes_ever_within(province)) universe.push_back(code);
  }
  std::sort(universe.begin(), universe.end());
  universe.erase(std::unique(universe.begin(), universe.end()), universe.end());

  auto random_period = [&](bool for_values) -> Period {
    const int year = pick(2016, 2025);
    const int kind = pick(0, for_values ? 19 : 26);
    if (kind < 10) return Period::month(year, pick(1, 12));
    if (kind < 13) return Period::quarter(year, pick(1, 4));
    if (kind < 15) return Period::year(year);
    if (kind < 16) return Period::six_month(year, pick(1, 2));
    if (kind < 17) return Period::five_year(pick(2016, 2021));
    if (kind < 20) return Period::day(make_date(year, static_cast<unsigned>(pick(1, 12)), static_cast<unsigned>(pick(1, 28))));
    const MonthIndex a = month_index(pick(2016, 2025), pick(1, 12));
    const MonthIndex b = month_index(pick(2016, 2025), pick(1, 12));
    return Period::month_range(std::min(a, b), std::max(a, b));
  };

  // Random values, each on a unit in force during its period.
  std::map<ValueKey, ValueWrite> values;
  for (int n = 0; n < 30000; ++n) {
    const DataElement& e = catalogue.elements()[pick(size_t{0}, catalogue.elements().size() - 1)];
    const Period period = random_period(true);
    const std::string& code = universe[pick(size_t{0}, universe.size() - 1)];
    if (units.during(code, period.dates()).empty()) continue;
    int32_t option = 0;
    if (const Disaggregation* d = catalogue.disaggregation_of(e)) {
      option = static_cast<int32_t>(d->options[pick(size_t{0}, d->options.size() - 1)].id);
    }
    ValueWrite w;
    w.key = {period.key(), static_cast<int32_t>(ids.at(code)), static_cast<int32_t>(e.id), option, 0};
    if (e.value_type == ValueType::kNumber) {
      w.kind = TypedValue::Kind::kReal;
      w.real = static_cast<double>(pick(-400, 400)) / 4;  // quarters: exact in binary too
    } else {
      w.kind = e.value_type == ValueType::kBoolean ? TypedValue::Kind::kBoolean : TypedValue::Kind::kInteger;
      w.integer = e.value_type == ValueType::kBoolean ? pick(0, 1) : pick(0, 60);
    }
    w.stored_by = "random";
    values[w.key] = w;
  }
  // Two thirds are in the store when the engine is built; the rest, and changes to some of
  // the first, arrive as writes the engine follows (its roll-ups take each change).
  std::vector<ValueWrite> before, after;
  for (const auto& [key, w] : values) (pick(0, 2) < 2 ? before : after).push_back(w);
  ASSERT_TRUE(store_->write_values(before, {"random", 0, "random"}).is_ok());
  Result<std::unique_ptr<AggregationEngine>> engine = AggregationEngine::build(*store_);
  ASSERT_TRUE(engine.is_ok()) << engine.status().message();
  (*engine)->follow(*store_);
  for (const ValueWrite& w : after) ASSERT_TRUE(store_->write_values(std::span(&w, 1), {"random", 0, "random"}).is_ok());
  std::vector<ValueWrite> changed;
  for (size_t i = 0; i < before.size(); i += 7) {
    ValueWrite w = before[i];
    if (w.kind == TypedValue::Kind::kReal) {
      w.real += 1.25;
    } else if (w.kind == TypedValue::Kind::kBoolean) {
      w.integer = 1 - w.integer;
    } else {
      w.integer += 3;
    }
    values[w.key] = w;
    changed.push_back(w);
  }
  ASSERT_TRUE(store_->write_values(changed, {"random", 0, "random"}).is_ok());
  // Some are deleted, some of them just changed, one by one and in a batch (their cells
  // emptied, their roll-ups lowered).
  std::vector<ValueWrite> deleted;
  for (size_t i = 3; i < before.size(); i += 11) {
    ValueWrite w = before[i];
    w.deleted = true;
    values.erase(w.key);
    deleted.push_back(w);
  }
  ASSERT_TRUE(store_->write_values(std::span(deleted).first(deleted.size() / 2), {"random", 0, "random"}).is_ok());
  for (const ValueWrite& w : std::span(deleted).subspan(deleted.size() / 2)) {
    ASSERT_TRUE(store_->write_values(std::span(&w, 1), {"random", 0, "random"}).is_ok());
  }
  store_->set_commit_listener({});
  EXPECT_EQ((*engine)->value_count(), values.size());

  // The naive side: which units each (unit, period) of a value counts under, and the days of
  // each period, as tables.
  Result<sqlite::Database> db = sqlite::Database::open((dir_ / "q.db").string(), false);
  ASSERT_TRUE(db.is_ok());
  ASSERT_TRUE(db->exec("CREATE TEMP TABLE membership (ancestor_id INTEGER, period INTEGER, unit_id INTEGER, "
                       "PRIMARY KEY (ancestor_id, period, unit_id));"
                       "CREATE TEMP TABLE period_days (period INTEGER PRIMARY KEY, first_day INTEGER, last_day INTEGER)")
                  .is_ok());
  std::unordered_map<int64_t, std::string> code_of;
  for (const auto& [code, id] : ids) code_of[id] = code;
  constexpr int64_t kCountry = -1;
  {
    auto member = db->prepare("INSERT OR IGNORE INTO membership VALUES (?1, ?2, ?3)").value();
    auto days = db->prepare("INSERT OR IGNORE INTO period_days VALUES (?1, ?2, ?3)").value();
    for (const auto& [key, w] : values) {
      const Period period = Period::from_key(key.period).value();
      const DateRange range = period.dates();
      days.bind(1, key.period);
      days.bind(2, static_cast<int64_t>(to_days(range.first)));
      days.bind(3, static_cast<int64_t>(to_days(range.last)));
      ASSERT_TRUE(days.run().is_ok());
      const std::string& code = code_of.at(key.unit_id);
      const OrgUnitVersion* last = units.during(code, range).back();
      Date effective = range.last;
      if (last->valid_until && *last->valid_until <= effective) effective = add_days(*last->valid_until, -1);
      std::vector<int64_t> within{key.unit_id, kCountry};
      for (const OrgUnitVersion* a : units.ancestors(code, effective)) within.push_back(ids.at(a->code));
      for (int64_t ancestor : within) {
        member.bind(1, ancestor);
        member.bind(2, key.period);
        member.bind(3, static_cast<int64_t>(key.unit_id));
        ASSERT_TRUE(member.run().is_ok());
      }
    }
  }

  // Roots: provinces, districts, communes of the universe, the country. Units formed by
  // lineage are left to the lineage tests (the naive side does not follow lineage).
  const std::vector<std::string> top{"VN", "10", "12", "15"};
  std::vector<std::string> districts, communes;
  for (const std::string& code : universe) {
    const auto history = units.history(code);
    if (!units.predecessors(code).empty() && history.front()->valid_from) continue;
    (history.front()->level == OrgUnitLevel::kDistrict ? districts : communes).push_back(code);
  }
  auto random_root = [&]() -> const std::string& {
    const int level = pick(0, 9);
    if (level < 2) return top[pick(size_t{0}, top.size() - 1)];
    if (level < 5) return districts[pick(size_t{0}, districts.size() - 1)];
    return communes[pick(size_t{0}, communes.size() - 1)];
  };

  int compared = 0, with_value = 0;
  for (int q = 0; q < 4000; ++q) {
    const DataElement& e = catalogue.elements()[pick(size_t{0}, catalogue.elements().size() - 1)];
    const Disaggregation* d = catalogue.disaggregation_of(e);
    int64_t option = 0;
    if (d != nullptr && pick(0, 2) == 0) option = d->options[pick(size_t{0}, d->options.size() - 1)].id;
    const std::string root = random_root();
    const Period period = random_period(false);
    SCOPED_TRACE(e.code + " option " + std::to_string(option) + " ou " + root + " pe " + period.code());

    Result<Aggregate> got = (*engine)->aggregate({static_cast<int32_t>(e.id), static_cast<int32_t>(option)},
                                                 {root, std::nullopt}, period);
    ASSERT_TRUE(got.is_ok()) << got.status().message();
    EXPECT_FALSE(got->has_unallocated());

    std::string where = "d.element_id = ?1 AND m.ancestor_id = ?2";
    if (option != 0) where += " AND d.option_id = ?3";
    std::string any;
    for (const auto& [lo, hi] : contained_key_ranges(period)) {
      any += (any.empty() ? "" : " OR ") + ("d.period BETWEEN " + std::to_string(lo) + " AND " + std::to_string(hi));
    }
    where += " AND (" + any + ")";
    const std::string from =
        " FROM data_value d JOIN membership m ON m.unit_id = d.unit_id AND m.period = d.period"
        " JOIN period_days p ON p.period = d.period WHERE " + where;
    std::string sql;
    const bool latest = e.aggregation == AggregationType::kLast || e.aggregation == AggregationType::kCountTrue;
    if (latest) {
      sql = "WITH v AS (SELECT d.value AS value, ROW_NUMBER() OVER (PARTITION BY d.unit_id, d.option_id "
            "ORDER BY p.last_day DESC, p.first_day DESC) AS rn" + from +
            ") SELECT count(*), sum(value), sum(value <> 0), 0, 0 FROM v WHERE rn = 1";
    } else {
      sql = "SELECT count(*), sum(d.value), 0, min(d.value), max(d.value)" + from;
    }
    auto stmt = db->prepare(sql);
    ASSERT_TRUE(stmt.is_ok()) << stmt.status().message();
    stmt->bind(1, e.id);
    stmt->bind(2, root == "VN" ? kCountry : ids.at(root));
    if (option != 0) stmt->bind(3, option);
    ASSERT_TRUE(stmt->step());
    std::optional<double> expected;
    if (stmt->column_int(0) > 0) {
      const double n = static_cast<double>(stmt->column_int(0));
      switch (e.aggregation) {
        case AggregationType::kSum:
        case AggregationType::kLast: expected = stmt->column_double(1); break;
        case AggregationType::kCountTrue: expected = stmt->column_double(2); break;
        case AggregationType::kAverage: expected = round_mean(stmt->column_double(1) / n); break;
        case AggregationType::kMin: expected = stmt->column_double(3); break;
        case AggregationType::kMax: expected = stmt->column_double(4); break;
        case AggregationType::kNone: break;
      }
    }
    EXPECT_EQ(got->value, expected);
    ++compared;
    if (expected) ++with_value;
  }
  EXPECT_EQ(compared, 4000);
  // The queries must mostly hit data, or the comparison proves little.
  EXPECT_GT(with_value, 2000);
}

}  // namespace
}  // namespace qpan
