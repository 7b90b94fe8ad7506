// Tests for engine snapshots: an engine read back from its snapshot answers as the engine
// built from the store (every aggregation type, decimals, doubles, options, lineage), the log
// replayed after the snapshot's position brings it to today, and every snapshot that must
// not be used — missing, damaged, truncated, of another format, of another database, from a
// longer history — is refused with the reason named.
#include "qpan/snapshot.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "aggregation/engine_test_support.h"
#include "exchange/exchange_test_support.h"
#include "qpan/value_writer.h"

namespace qpan {
namespace {


// Units and periods where each unit is in force (03397 was in district 106 until 2020).
const char* const kUnits[] = {"03400", "03405", "03397", "106"};
const std::vector<std::string> kPeriods = [] {
  std::vector<std::string> periods{"2016", "2019", "2016Q1", "2016Q3", "2019Q4", "20160115", "20160116", "20191231"};
  for (int month = 1; month <= 12; ++month) {
    periods.push_back("2016" + std::string(month < 10 ? "0" : "") + std::to_string(month));
    periods.push_back("2019" + std::string(month < 10 ? "0" : "") + std::to_string(month));
  }
  return periods;
}();

class SnapshotTest : public testing::ExchangeTest {
 protected:
  void SetUp() override {
    ExchangeTest::SetUp();
    load_real_units();
    ASSERT_TRUE(store_->save_catalogue(testing::engine_catalogue()).is_ok());
    snapshot_dir_ = (dir_ / "snapshots").string();
  }

  // Up to `n` random values over the elements, units and periods above (a fixed seed; a
  // key drawn twice is written once).
  void import_random(int n, unsigned seed) {
    std::mt19937 random(seed);
    std::string rows =
        "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,lastupdated,comment,"
        "followup\n";
    std::set<std::string> keys;
    for (int i = 0; i < n; ++i) {
      const std::string unit = kUnits[random() % std::size(kUnits)];
      const std::string& period = kPeriods[random() % kPeriods.size()];
      const size_t row_start = rows.size();
      switch (random() % 7) {
        case 0: rows += "cases," + period + "," + unit + ",,," + std::to_string(random() % 50) + ",,,,\n"; break;
        case 1: rows += "teams," + period + "," + unit + ",,," + std::to_string(random() % 9) + ",,,,\n"; break;
        case 2: rows += "safe," + period + "," + unit + ",,," + (random() % 2 ? "true" : "false") + ",,,,\n"; break;
        case 3: rows += "rate," + period + "," + unit + ",,," + std::to_string(random() % 100) + ".5,,,,\n"; break;
        case 4: rows += "fastest," + period + "," + unit + ",,,0." + std::to_string(random() % 997) + ",,,,\n"; break;
        case 5:  // more places than a decimal lane keeps: the lane turns to doubles
          rows += "slowest," + period + "," + unit + ",,,0.0000000000" + std::to_string(1 + random() % 9) +
                  ",,,,\n";
          break;
        default:
          rows += "delegations," + period + "," + unit + "," + (random() % 2 ? "van_nam" : "bac_lao") + ",," +
                  std::to_string(random() % 5) + ",,,,\n";
      }
      // The key: the row up to its value (element, period, unit, option).
      const std::string row = rows.substr(row_start);
      size_t comma = 0;
      for (int field = 0; field < 5; ++field) comma = row.find(',', comma) + 1;
      if (!keys.insert(row.substr(0, comma)).second) rows.resize(row_start);
    }
    Result<WriteOutcome> r = import_value_file(*store_, write("v" + std::to_string(seed) + ".csv", rows),
                                               Writer::system("tester"));
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    ASSERT_TRUE(r->problems.empty()) << r->problems.to_string();
  }

  std::unique_ptr<AggregationEngine> built() {
    Result<std::unique_ptr<AggregationEngine>> e = AggregationEngine::build(*store_);
    EXPECT_TRUE(e.is_ok()) << e.status().message();
    return e.is_ok() ? std::move(*e) : nullptr;
  }

  int64_t log_end() { return store_->log_end()->seq; }

  // Every series of the catalogue, for every unit, province and period above and wider ones.
  std::vector<std::string> answers(const AggregationEngine& engine) {
    std::vector<std::string> out;
    for (const char* series : {"cases", "teams", "safe", "rate", "fastest", "slowest", "delegations",
                               "delegations.van_nam", "delegations.bac_lao"}) {
      Result<SeriesRef> ref = engine.series(series);
      EXPECT_TRUE(ref.is_ok()) << series;
      if (!ref) continue;
      for (const char* unit : {"03400", "03405", "106", "105", "12", "VN"}) {
        for (const char* period : {"201601", "2016Q1", "2016", "2016..2020", "2019..2025", "2025"}) {
          Result<Aggregate> a = engine.aggregate(*ref, {unit, std::nullopt}, *Period::parse(period));
          std::string line = std::string(series) + " " + unit + " " + period + " = ";
          if (!a) {
            line += a.status().message();
          } else {
            line += a->value ? std::to_string(*a->value) : "none";
            for (const UnallocatedPart& part : a->unallocated) line += " +" + part.unit + ">" + part.into;
          }
          out.push_back(line);
        }
      }
    }
    return out;
  }

  Status load_error() {
    Result<SnapshotStart> start = load_snapshot(*store_, snapshot_dir_);
    return start.is_ok() ? Status::ok() : start.status();
  }

  std::string snapshot_dir_;
};

TEST_F(SnapshotTest, AnEngineReadBackAnswersAsTheOneBuiltFromTheStore) {
  import_random(3000, 1);
  std::unique_ptr<AggregationEngine> engine = built();
  ASSERT_TRUE(write_snapshot(*engine, *store_, log_end(), snapshot_dir_).is_ok());
  Result<SnapshotStart> start = load_snapshot(*store_, snapshot_dir_);
  ASSERT_TRUE(start.is_ok()) << start.status().message();
  EXPECT_EQ(start->position, log_end());
  EXPECT_EQ(start->engine->value_count(), engine->value_count());
  const std::vector<std::string> expected = answers(*engine);
  EXPECT_EQ(answers(*start->engine), expected);
  // Not every answer is empty: the comparison compares something.
  EXPECT_GT(std::count_if(expected.begin(), expected.end(), [](const std::string& l) { return !l.ends_with("none"); }),
            200);
}

TEST_F(SnapshotTest, TheLogAfterThePositionBringsItToToday) {
  import_random(2000, 2);
  std::unique_ptr<AggregationEngine> engine = built();
  const int64_t position = log_end();
  ASSERT_TRUE(write_snapshot(*engine, *store_, position, snapshot_dir_).is_ok());
  import_random(500, 3);  // new values and changed ones after the snapshot
  Result<SnapshotStart> start = load_snapshot(*store_, snapshot_dir_);
  ASSERT_TRUE(start.is_ok()) << start.status().message();
  ASSERT_EQ(start->position, position);
  EXPECT_NE(answers(*start->engine), answers(*built()));  // the snapshot alone is behind
  auto file_bytes = [&] {
    std::ifstream in(snapshot_path(snapshot_dir_), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string before = file_bytes();
  std::vector<ValueWrite> after;
  ASSERT_TRUE(store_->read_changes(position, 1'000'000, [&](const Change& c) { after.push_back(c.after); }).is_ok());
  start->engine->apply(after);
  EXPECT_EQ(answers(*start->engine), answers(*built()));
  // The engine changed cells of the mapped file in its own copies of their pages.
  EXPECT_EQ(file_bytes(), before);
  // And its next snapshot, written from those arrays, reads back as today.
  ASSERT_TRUE(write_snapshot(*start->engine, *store_, log_end(), snapshot_dir_).is_ok());
  Result<SnapshotStart> again = load_snapshot(*store_, snapshot_dir_);
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(answers(*again->engine), answers(*built()));
}

TEST_F(SnapshotTest, ASnapshotThatCannotBeUsedIsRefusedWithItsReason) {
  EXPECT_EQ(load_error().code(), StatusCode::kNotFound);
  import_random(500, 4);
  std::unique_ptr<AggregationEngine> engine = built();
  ASSERT_TRUE(write_snapshot(*engine, *store_, log_end(), snapshot_dir_).is_ok());
  ASSERT_TRUE(load_error().is_ok());
  const std::string path = snapshot_path(snapshot_dir_);
  std::string good;
  {
    std::ifstream in(path, std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto with = [&](const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    return load_error();
  };
  auto refused_for = [](const Status& s, const std::string& reason) {
    return s.code() == StatusCode::kInvalidInput && s.message().find(reason) != std::string::npos;
  };
  std::string damaged = good;
  damaged[good.size() / 2] ^= 0x10;  // one bit of a value
  EXPECT_PRED2(refused_for, with(damaged), "body damaged (checksum)");
  EXPECT_PRED2(refused_for, with(good.substr(0, good.size() - 8)), "length differs");
  std::string header = good;
  header[12] ^= 1;  // the byte-order mark
  EXPECT_PRED2(refused_for, with(header), "header damaged");
  EXPECT_PRED2(refused_for, with("not a snapshot at all, but long enough to have a header of 64 bytes........"),
               "not a qpan snapshot");
  EXPECT_PRED2(refused_for, with(good.substr(0, 10)), "shorter than its header");
  ASSERT_TRUE(with(good).is_ok());

  // Another database with a log as long: the entries' times differ.
  const std::string mine = (dir_ / "q.db").string();
  store_.reset();
  std::filesystem::rename(mine, dir_ / "mine.db");
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(mine + suffix);
  {
    Result<std::unique_ptr<Store>> other = open_sqlite_store(mine, {.create_if_missing = true});
    ASSERT_TRUE(other.is_ok());
    store_ = std::move(*other);
  }
  load_real_units();
  ASSERT_TRUE(store_->save_catalogue(testing::engine_catalogue()).is_ok());
  EXPECT_PRED2(refused_for, load_error(), "after the log's end");  // shorter log
  import_random(500, 4);
  import_random(500, 5);
  EXPECT_PRED2(refused_for, load_error(), "another database or history");
}

TEST_F(SnapshotTest, AnEmptyLogHasNothingToBindASnapshotTo) {
  Result<std::unique_ptr<AggregationEngine>> engine = AggregationEngine::build(*store_);
  ASSERT_TRUE(engine.is_ok());
  EXPECT_EQ(write_snapshot(**engine, *store_, 0, snapshot_dir_).code(), StatusCode::kInvalidInput);
}

TEST_F(SnapshotTest, TheKeeperWritesWhenThePositionMoves) {
  import_random(300, 6);
  std::unique_ptr<AggregationEngine> engine = built();
  std::atomic<int64_t> position = log_end();
  Result<std::unique_ptr<Store>> own = open_sqlite_store((dir_ / "q.db").string());
  ASSERT_TRUE(own.is_ok());
  {
    SnapshotKeeper keeper(*engine, std::move(*own), snapshot_dir_, [&] { return position.load(); },
                          std::chrono::seconds(3600), /*write_at_start=*/true);
    for (int i = 0; i < 500 && keeper.last_written() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(keeper.last_written(), position.load());
  }  // stops without waiting for the hour
  Result<SnapshotStart> start = load_snapshot(*store_, snapshot_dir_);
  ASSERT_TRUE(start.is_ok()) << start.status().message();
  EXPECT_EQ(answers(*start->engine), answers(*engine));
}

}  // namespace
}  // namespace qpan
