// engine_bench: the qpan side of the aggregation engine benchmark (issue 5, bench/engine.sh).
// Opens a store loaded with the national dataset, builds the AggregationEngine from it and
// times, through the public API:
//
//   start-up   AggregationEngine::build(store), wall clock (and, for comparison, one bare
//              Store::scan_numbers pass over the same values); resident memory (VmRSS)
//              before, after, and with the store closed and freed memory returned
//              (malloc_trim)
//   q1         run_analytics: one province × one year × every element of the catalogue
//   q2         run_analytics: every province in force during the data × one element × each
//              year, summed per year into the national figure
//   q3         run_analytics: every district in force during a quarter × one indicator
//              (a ratio of two elements' roll-ups)
//   q4         every commune of a province for a year (those in force during the year under
//              the province) evaluated on boolean criteria (CompiledExpression over an
//              EngineExpressionContext); the commune list is found inside the timed part
//   write_durable  write-to-visible, durably: one changed value through the write path the
//              server's PUT /api/dataValues takes (qpan/value_writer.h ValueWriter with group
//              commit, If-Match carried from the previous write, on a store opened as `qpan
//              serve` opens it), committed to SQLite (WAL, synchronous=FULL), applied by the
//              engine following the store (follow()); timed until engine.aggregate() of the
//              province and year holding it has moved by the written amount (checked)
//   write_apply  the engine alone, not durable: engine.apply() of one changed value, then
//              the same roll-up — what the engine adds on top of the commit
//
// Start-up figures come first, as key=value lines on stdout. Then, with --serve, commands
// on stdin, one per line, each answered by one line (bench/engine.sh alternates these runs
// with PostgreSQL's and SQLite's):
//
//   NAME N        run NAME (q1 q2 q3 q4 write_durable write_apply) N times → "NAME_ms=t1 t2 … tN"
//   answers DIR   write each query's answer to DIR/q1.csv … q4.csv (no header, comma-
//                 separated, for comparison with the SQL side) → "answers=DIR"; before
//                 any write, which changes one value until the end
//   quit
//
// Without --serve: each of them once to warm up, then --runs times (the writes
// --write-runs times); p50 (median) and p90 (nearest rank) as key=value lines; --answers DIR
// writes the answers.
//
//   engine_bench --db FILE --province 01 --year 2024 --data-months 201601..202506
//                --q2-element crime.ttxh.cases --q2-years 2016..2025 --q3-quarter 2024Q4
//                --q3-indicator "#{crime.ttxh.solved} / #{crime.ttxh.cases} * 100"
//                --q4-criterion "#{drug.cases} == 0" [--q4-criterion ...]
//                --write-element crime.ttxh.cases [--write-month 202406] [--runs 20]
//                [--write-runs 501] [--answers DIR] [--serve]

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/aggregation.h"
#include "qpan/analytics.h"
#include "qpan/expression.h"
#include "qpan/org_unit.h"
#include "qpan/pack.h"
#include "qpan/period.h"
#include "qpan/store.h"
#include "qpan/value_writer.h"
#include "qpan/workflow.h"

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "engine_bench: %s\n", message.c_str());
  std::exit(2);
}

template <typename T>
T take(qpan::Result<T> result, const std::string& what) {
  if (!result) die(what + ": " + result.status().message());
  return std::move(result).value();
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// VmRSS of this process, in KiB.
long rss_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

double p50(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double p90(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(v.size())));
  return v[std::max<size_t>(rank, 1) - 1];
}

std::string number_text(double v) {
  char buf[64];
  if (std::fabs(v) < 1e15 && v == std::floor(v)) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

qpan::Period parse_period(const std::string& text, const char* flag) {
  qpan::Result<qpan::Period> p = qpan::Period::parse(text);
  if (!p) die(std::string(flag) + ": " + p.status().message());
  return *p;
}

// Codes of `level` with a version in force on some day of `range`, in code order.
std::vector<std::string> codes_during(const qpan::OrgUnitIndex& units, qpan::OrgUnitLevel level,
                                      const qpan::DateRange& range) {
  std::set<std::string> codes;
  for (const qpan::OrgUnitVersion& v : units.versions())
    if (v.level == level && v.overlaps(range)) codes.insert(v.code);
  return {codes.begin(), codes.end()};
}

struct Options {
  std::string db, province, q2_element, q3_indicator, write_element, write_month, answers;
  std::vector<std::string> q4_criteria;
  int year = 2024;
  std::string data_months = "201601..202506", q2_years = "2016..2025", q3_quarter = "2024Q4";
  int runs = 20;
  int write_runs = 501;
  bool serve = false;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--db") o.db = value();
    else if (arg == "--province") o.province = value();
    else if (arg == "--year") o.year = std::stoi(value());
    else if (arg == "--data-months") o.data_months = value();
    else if (arg == "--q2-element") o.q2_element = value();
    else if (arg == "--q2-years") o.q2_years = value();
    else if (arg == "--q3-quarter") o.q3_quarter = value();
    else if (arg == "--q3-indicator") o.q3_indicator = value();
    else if (arg == "--q4-criterion") o.q4_criteria.push_back(value());
    else if (arg == "--write-element") o.write_element = value();
    else if (arg == "--write-month") o.write_month = value();
    else if (arg == "--runs") o.runs = std::stoi(value());
    else if (arg == "--write-runs") o.write_runs = std::stoi(value());
    else if (arg == "--answers") o.answers = value();
    else if (arg == "--serve") o.serve = true;
    else die("unknown argument " + arg + " (see the top of bench/engine_bench.cc)");
  }
  if (o.db.empty() || o.province.empty() || o.q2_element.empty() || o.q3_indicator.empty() ||
      o.q4_criteria.empty() || o.write_element.empty())
    die("--db, --province, --q2-element, --q3-indicator, --q4-criterion (one or more) and "
        "--write-element are required");
  if (o.runs < 1) die("--runs wants a positive integer");
  if (o.write_runs < 1) die("--write-runs wants a positive integer");
  return o;
}

// The engine, the four queries and the writes, ready to run.
class Bench {
 public:
  explicit Bench(const Options& o) : o_(o), year_(qpan::Period::year(o.year)) {}

  // Builds the engine; prints the start-up and memory figures.
  void start() {
    // What reading the store alone costs (scan_numbers, the values only counted): the floor
    // of the start-up, on a store handle of its own. It also brings the file into the page
    // cache for the build.
    {
      std::unique_ptr<qpan::Store> scan = take(qpan::open_sqlite_store(o_.db), "open " + o_.db);
      size_t scanned = 0;
      const auto start = Clock::now();
      const qpan::Status status = scan->scan_numbers(
          [&](std::span<const qpan::StoredNumber> batch) { scanned += batch.size(); });
      if (!status) die("scan_numbers: " + status.message());
      std::printf("store_scan_values=%zu\nstore_scan_s=%.3f\n", scanned, ms_since(start) / 1000);
    }
    std::unique_ptr<qpan::Store> store = take(qpan::open_sqlite_store(o_.db), "open " + o_.db);
    malloc_trim(0);
    const long rss_before = rss_kb();
    const auto start = Clock::now();
    engine_ = take(qpan::AggregationEngine::build(*store), "AggregationEngine::build");
    const double startup_ms = ms_since(start);
    const long rss_after_build = rss_kb();
    // The engine alone: the store's page cache (SQLite, up to its cache_size) freed too.
    store.reset();
    malloc_trim(0);
    const long rss_engine = rss_kb();
    const auto values = static_cast<double>(engine_->value_count());
    std::printf("values=%zu\nvalue_bytes=%zu\nstartup_s=%.3f\n", engine_->value_count(),
                engine_->value_bytes(), startup_ms / 1000);
    std::printf("rss_before_kb=%ld\nrss_after_build_kb=%ld\nrss_engine_kb=%ld\n", rss_before,
                rss_after_build, rss_engine);
    std::printf("bytes_per_value=%.2f\nbytes_per_value_with_store=%.2f\n"
                "value_bytes_per_value=%.2f\n",
                static_cast<double>(rss_engine - rss_before) * 1024 / values,
                static_cast<double>(rss_after_build - rss_before) * 1024 / values,
                static_cast<double>(engine_->value_bytes()) / values);
    units_ = engine_->units();
    catalogue_ = engine_->catalogue();
    prepare_queries();
    prepare_writes();
    std::fflush(stdout);
  }

  // Runs `name` n times; the time of each run in ms.
  std::vector<double> run(const std::string& name, int n) {
    void (Bench::*query)() = nullptr;
    if (name == "q1") query = &Bench::q1;
    else if (name == "q2") query = &Bench::q2;
    else if (name == "q3") query = &Bench::q3;
    else if (name == "q4") query = &Bench::q4;
    else if (name == "write_durable") query = &Bench::write_durable;
    else if (name == "write_apply") query = &Bench::write_apply;
    else die("unknown command " + name);
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      const auto start = Clock::now();
      (this->*query)();
      ms.push_back(ms_since(start));
    }
    return ms;
  }

  // Each query's answer, as DIR/q1.csv … q4.csv.
  void write_answers(const std::string& dir) {
    q1();
    q2();
    q3();
    q4();
    auto save = [&](const std::string& name, const std::vector<std::string>& lines) {
      std::ofstream out(dir + "/" + name);
      for (const std::string& line : lines) out << line << '\n';
      if (!out) die("cannot write " + dir + "/" + name);
    };
    std::vector<std::string> lines;
    for (const qpan::AnalyticsCell& c : r1_.cells)
      lines.push_back(r1_.dx[c.dx].code + "," + number_text(c.value));
    save("q1.csv", lines);
    lines.clear();
    for (size_t i = 0; i < q2_.pe.size(); ++i)
      if (has_value_[i]) lines.push_back(q2_.pe[i].code() + "," + number_text(national_[i]));
    save("q2.csv", lines);
    lines.clear();
    for (const qpan::AnalyticsCell& c : r3_.cells)
      lines.push_back(r3_.ou[c.ou].code + "," + number_text(c.value));
    save("q3.csv", lines);
    save("q4.csv", a4_);
  }

  // Puts the written value back: in the store through the writer (the engine following it),
  // and in the engine by hand after writes to the engine alone.
  void finish() {
    if (writer_ == nullptr) return;
    delta_ = 0;
    if (stored_value_ != old_value_) write_through_writer(old_value_);
    write_.integer = old_value_;
    engine_->apply({&write_, 1});
    check(*take(engine_->aggregate(series_, province_scope_, year_), "write: restore").value);
    writer_.reset();  // drains and stops its thread, the store's last user
    store_->set_commit_listener({});
    workflow_.reset();
    workflow_store_.reset();
    store_.reset();
  }

 private:
  void prepare_queries() {
    const qpan::OrgUnitIndex& units = *units_;
    // Q1: one province × one year × every element.
    for (const qpan::DataElement& e : catalogue_->elements())
      if (e.aggregation != qpan::AggregationType::kNone) q1_.dx.push_back(e.code);
    q1_.ou = {o_.province};
    q1_.pe = {year_};
    // Q2: no unit holds the country; every province in force during the data, added up.
    const qpan::Period data_months = parse_period(o_.data_months, "--data-months");
    const qpan::Period q2_years = parse_period(o_.q2_years, "--q2-years");
    q2_.dx = {o_.q2_element};
    q2_.ou = codes_during(units, qpan::OrgUnitLevel::kProvince, data_months.dates());
    for (qpan::MonthIndex m = q2_years.first_month(); m <= q2_years.last_month(); m += 12)
      q2_.pe.push_back(qpan::Period::year(qpan::year_of(m)));
    national_.resize(q2_.pe.size());
    has_value_.resize(q2_.pe.size());
    // Q3: every district × the indicator × one quarter.
    qpan::Indicator indicator;
    indicator.code = "bench.q3_ratio";
    indicator.name_vi = indicator.name_en = "Q3 ratio";
    indicator.expression = o_.q3_indicator;
    indicator.decimals = 6;  // compared with SQL's unrounded ratio
    indicators_ = {indicator};
    const qpan::Period quarter = parse_period(o_.q3_quarter, "--q3-quarter");
    q3_.dx = {indicator.code};
    q3_.ou = codes_during(units, qpan::OrgUnitLevel::kDistrict, quarter.dates());
    q3_.pe = {quarter};
    // Q4: the criteria.
    for (const std::string& text : o_.q4_criteria)
      criteria_.push_back(take(qpan::CompiledExpression::compile(text, *catalogue_,
                                                                 qpan::ExpressionType::kBoolean),
                               "criterion \"" + text + "\""));
    context_.emplace(*engine_);
    // Run each once: the sizes, and errors before any timing.
    q1();
    q2();
    q3();
    q4();
    std::printf("q1_cells=%zu\nq2_provinces=%zu\nq2_years=%zu\nq3_districts=%zu\nq3_cells=%zu\n"
                "q4_communes=%zu\nq4_criteria=%zu\n",
                r1_.cells.size(), q2_.ou.size(), q2_.pe.size(), q3_.ou.size(), r3_.cells.size(),
                a4_.size(), criteria_.size());
  }

  void q1() { r1_ = take(qpan::run_analytics(*engine_, q1_), "Q1"); }

  void q2() {
    const qpan::AnalyticsResult r = take(qpan::run_analytics(*engine_, q2_), "Q2");
    std::fill(national_.begin(), national_.end(), 0.0);
    std::fill(has_value_.begin(), has_value_.end(), false);
    for (const qpan::AnalyticsCell& c : r.cells) {
      national_[c.pe] += c.value;
      has_value_[c.pe] = true;
    }
  }

  void q3() { r3_ = take(qpan::run_analytics(*engine_, q3_, indicators_), "Q3"); }

  void q4() {
    const qpan::OrgUnitIndex& units = *units_;
    const qpan::DateRange days = year_.dates();
    // The communes in force during the year that lay under the province.
    std::vector<std::string> communes;
    for (const std::string& code : units.codes_ever_within(o_.province)) {
      bool commune = false;
      for (const qpan::OrgUnitVersion* v : units.during(code, days))
        commune = commune || v->level == qpan::OrgUnitLevel::kCommune;
      if (commune && units.is_within(code, o_.province, days)) communes.push_back(code);
    }
    std::sort(communes.begin(), communes.end());
    a4_.clear();
    for (const std::string& code : communes) {
      std::string line = code;
      for (const qpan::CompiledExpression& criterion : criteria_) {
        const qpan::ExpressionValue v = criterion.evaluate(*context_, code, year_);
        line += v.is_boolean() ? (v.as_boolean() ? ",1" : ",0") : ",";
      }
      a4_.push_back(std::move(line));
    }
  }

  // A commune of the province in force in the write month (default: June of the year), and
  // its value that month.
  void prepare_writes() {
    const qpan::OrgUnitIndex& units = *units_;
    const qpan::Period month = o_.write_month.empty()
                                   ? qpan::Period::month(o_.year, 6)
                                   : parse_period(o_.write_month, "--write-month");
    if (month.type() != qpan::PeriodType::kMonth || !year_.contains(month))
      die("--write-month wants a month of --year");
    series_ = take(engine_->series(o_.write_element), "--write-element");
    std::string commune;
    for (const qpan::OrgUnitVersion* v : units.children(o_.province, month.dates().first)) {
      for (const qpan::OrgUnitVersion* c : units.children(v->code, month.dates().first)) {
        if (c->level == qpan::OrgUnitLevel::kCommune) {
          commune = c->code;
          break;
        }
      }
      if (!commune.empty()) break;
    }
    if (commune.empty()) die("no commune under " + o_.province + " in " + month.code());
    const qpan::Aggregate own =
        take(engine_->aggregate(series_, {commune, {}}, month), "write: commune");
    if (!own.value) die("write: commune " + commune + " has no value in " + month.code());
    old_value_ = stored_value_ = static_cast<int64_t>(*own.value);
    province_scope_ = {o_.province, {}};
    base_ = *take(engine_->aggregate(series_, province_scope_, year_), "write: province").value;

    // The store, the workflow and the writer as `qpan serve` sets them up (src/cli/
    // serve_command.cc, src/http/api.cc): the writing connection copies the log back on a
    // thread of its own, closed forms are read on a second connection, and one writer thread
    // groups the writes waiting (here one at a time) into a transaction.
    store_ = take(qpan::open_sqlite_store(o_.db, {.checkpoint_in_background = true}), "reopen " + o_.db);
    workflow_store_ = take(qpan::open_sqlite_store(o_.db), "open " + o_.db + " for the workflow");
    workflow_ = take(qpan::Workflow::create(*workflow_store_), "workflow");
    writer_ = take(qpan::ValueWriter::create(*store_, store_mutex_, *workflow_, /*group_commit=*/true),
                   "value writer");
    engine_->follow(*store_);
    write_element_ = o_.write_element;
    write_period_ = month.code();
    write_unit_ = commune;
    entry_.data_element = write_element_;
    entry_.period = write_period_;
    entry_.org_unit = write_unit_;
    const qpan::ValueKey key = take(writer_->key_of(entry_), "write: key");
    if (key.element_id != series_.element_id || key.option_id != series_.option_id)
      die("write: the writer's key is not the engine's series");
    const std::optional<qpan::DataValue> stored = [&] {
      std::lock_guard lock(store_mutex_);
      return take(store_->find_value(key), "write: stored value");
    }();
    if (!stored) die("write: no value stored for " + commune + " in " + month.code());
    version_ = stored->version;

    // For write_apply, which hands the row to the engine directly.
    write_.key = key;
    write_.kind = qpan::TypedValue::Kind::kInteger;
    write_.stored_by = "engine_bench";
    write_.last_updated = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
    std::printf("write_commune=%s\nwrite_period=%s\n", commune.c_str(), month.code().c_str());
  }

  // Writes `value` into the cell through the writer, If-Match the version the previous
  // write returned, as a client's PUT does; returns once the writer reports it durable (the
  // engine has applied it by then: the store's commit listener runs before that report).
  void write_through_writer(int64_t value) {
    value_text_ = std::to_string(value);
    qpan::ValueWriter::Entries request;
    request.writer = qpan::Writer::system("engine_bench");
    request.entries = {entry_};
    request.entries.front().value = value_text_;
    request.expected = {qpan::ExpectedVersion::of(version_)};
    request.source = "bench/engine_bench";
    std::mutex mutex;
    std::condition_variable done;
    std::optional<qpan::Result<qpan::WriteOutcome>> outcome;
    writer_->write(std::move(request), [&](qpan::Result<qpan::WriteOutcome> result) {
      std::lock_guard lock(mutex);
      outcome.emplace(std::move(result));
      done.notify_one();  // under the lock: the waiter cannot leave (and end `done`) before
    });
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return outcome.has_value(); });
    const qpan::WriteOutcome written = take(std::move(*outcome), "write: value writer");
    if (!written.written()) die("write: refused: " + written.message);
    if (written.summary.updated != 1 || !written.version)
      die("write: expected one value updated with a new version");
    version_ = *written.version;
    stored_value_ = value;
  }

  void check(double got) const {
    const double want = base_ + static_cast<double>(delta_);
    if (got != want)
      die("write: the roll-up is " + number_text(got) + ", expected " + number_text(want));
  }

  // Durable: the writer checks and commits the value, the engine following the store applies
  // it, then the province's roll-up for the year shows it.
  void write_durable() {
    ++delta_;
    write_through_writer(old_value_ + delta_);
    check(*take(engine_->aggregate(series_, province_scope_, year_), "write_durable").value);
  }

  // Engine only, nothing stored: apply, then the same roll-up.
  void write_apply() {
    ++delta_;
    write_.integer = old_value_ + delta_;
    engine_->apply({&write_, 1});
    check(*take(engine_->aggregate(series_, province_scope_, year_), "write_apply").value);
  }

  const Options& o_;
  const qpan::Period year_;
  std::unique_ptr<qpan::AggregationEngine> engine_;
  std::shared_ptr<const qpan::OrgUnitIndex> units_;
  std::shared_ptr<const qpan::Catalogue> catalogue_;

  qpan::AnalyticsQuery q1_, q2_, q3_;
  std::vector<qpan::Indicator> indicators_;
  std::vector<qpan::CompiledExpression> criteria_;
  std::optional<qpan::EngineExpressionContext> context_;
  qpan::AnalyticsResult r1_, r3_;
  std::vector<double> national_;
  std::vector<bool> has_value_;
  std::vector<std::string> a4_;

  // The write path (declared in the order they are made: destroyed writer first).
  std::unique_ptr<qpan::Store> store_;
  std::unique_ptr<qpan::Store> workflow_store_;
  std::unique_ptr<qpan::Workflow> workflow_;
  std::mutex store_mutex_;
  std::unique_ptr<qpan::ValueWriter> writer_;
  std::string write_element_, write_period_, write_unit_, value_text_;  // entry_ points into them
  qpan::EntryText entry_;
  int32_t version_ = 0;  // of the written cell: the next write's If-Match
  qpan::SeriesRef series_;
  qpan::UnitScope province_scope_;
  qpan::ValueWrite write_;  // write_apply's row
  int64_t old_value_ = 0;
  int64_t stored_value_ = 0;  // what the store holds now (write_apply leaves it behind the engine)
  int64_t delta_ = 0;
  double base_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_options(argc, argv);
  Bench bench(o);
  bench.start();
  if (o.serve) {
    std::printf("ready\n");
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
      std::istringstream in(line);
      std::string name, arg;
      in >> name >> arg;
      if (name.empty()) continue;
      if (name == "quit") break;
      if (name == "answers") {
        bench.write_answers(arg);
        std::printf("answers=%s\n", arg.c_str());
      } else {
        const int n = std::atoi(arg.c_str());
        if (n < 1) die("'" + line + "': wants a positive count");
        std::printf("%s_ms=", name.c_str());
        for (double ms : bench.run(name, n)) std::printf(" %.6f", ms);
        std::printf("\n");
      }
      std::fflush(stdout);
    }
  } else {
    // The answers before the writes, which change one value (finish() puts it back).
    if (!o.answers.empty()) bench.write_answers(o.answers);
    for (const char* name : {"q1", "q2", "q3", "q4", "write_durable", "write_apply"}) {
      const bool write = std::string_view(name).starts_with("write");
      bench.run(name, 1);
      const std::vector<double> ms = bench.run(name, write ? o.write_runs : o.runs);
      std::printf("%s_p50_ms=%.3f\n%s_p90_ms=%.3f\n", name, p50(ms), name, p90(ms));
    }
  }
  bench.finish();
  return 0;
}
