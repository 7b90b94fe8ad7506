// generate_values: writes a national-scale dataset of commune-month values for the import
// benchmark (issue 3) and the aggregation engine benchmark (issue 5). Standalone (no qpan
// library; Boost.JSON for the elements file), deterministic: the same inputs and seed give a
// byte-identical file on any IEEE-754 machine (no libm transcendentals are used).
//
//   generate_values --units data/vn-admin/units-history.csv
//                   [--elements bench/elements-national.json]
//                   [--from 201601] [--to 202506] [--seed 42] [--out FILE]
//                   [--format dhis2|ids] [--tables DIR]
//
// Rows: for every month from --from to --to, every commune in force on the first day of the
// month (valid_from <= day < valid_until, empty valid_from = since before records, empty
// valid_until = still in force), every element of the elements file (or the built-in list,
// which matches bench/elements-national.json). Ordered by month, commune code (byte order),
// element (file order).
//
// --format dhis2 (the default): a DHIS2 dataValueSets CSV for `qpan values import`:
//
//   dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,
//   lastupdated,comment,followup
//
// period = YYYYMM, combos empty, value a non-negative integer (or true/false for a boolean
// element), storedby "import", lastupdated = the 5th of the following month at 08:00:00Z,
// comment empty, followup false.
//
// --format ids: the same values as `period,unit_id,element_id,value` with integer ids (a
// boolean is 1 or 0), for loading plain SQL tables (bench/engine.sh). unit_id numbers every
// unit code of the units file by level (province, district, commune), then code; element_id
// is the element's 1-based position in the elements file.
//
// --tables DIR writes, for those SQL tables: DIR/unit.csv (id,level,code; level 1 province,
// 2 district, 3 commune), DIR/element.csv (id,code,aggregation) and DIR/unit_ancestor.csv
// (month,unit_id,ancestor_id,ancestor_level): for every commune-month of the values, the
// commune's district and province in the structure in force in that month, i.e. on the last
// day of the month on which the commune was in force (qpan's roll-up rule).
//
// Values come from a counter-based generator: each (month, commune) is seeded from the seed,
// the month and the commune code, so a commune's values do not depend on which other
// communes exist. Rates are per commune-month, of the order of the published provincial
// figures (bench/../shared/seeds/FIGURES.md), higher in wards (Phường) than in rural
// communes (Xã), with seasonality (Tết for traffic and crime, the dry season for fires),
// a mild trend for drug cases, and consistency a validation rule would check
// (solved <= cases, suspects >= solved). Elements outside the built-in list are drawn by
// their kind in the elements file: flows (aggregation sum) a small Poisson count, stocks
// (last) a per-commune level that drifts slowly, booleans a per-commune probability of
// true, averages a score from 50 to 99.

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "generate_values: %s\n", message.c_str());
  std::exit(2);
}

// ---------------------------------------------------------------------------------------
// Random numbers: splitmix64 (Steele, Lea, Flood 2014), used as a stream and as a mixer.

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct SplitMix64 {
  uint64_t state;
  uint64_t next() {
    state += 0x9e3779b97f4a7c15ULL;
    return mix64(state);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

uint64_t hash_text(std::string_view text) {  // FNV-1a, then mixed
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

// exp(-x) for 0 <= x <= ~50 with only + - * /, so the result is the same on every IEEE-754
// machine: exp(x / 64) by its Taylor series, squared six times.
double exp_neg(double x) {
  const double y = x / 64.0;
  double term = 1.0;
  double sum = 1.0;
  for (int k = 1; k <= 12; ++k) {
    term = term * y / k;
    sum += term;
  }
  for (int i = 0; i < 6; ++i) sum *= sum;
  return 1.0 / sum;
}

// Poisson(lambda) by inversion with one uniform; lambda is small here (< ~20).
uint32_t poisson(SplitMix64& rng, double lambda) {
  if (lambda <= 0.0) return 0;
  const double u = rng.uniform();
  double p = exp_neg(lambda);
  double cdf = p;
  uint32_t k = 0;
  while (u > cdf && k < 1000) {
    ++k;
    p = p * lambda / k;
    cdf += p;
    if (p < 1e-300) break;
  }
  return k;
}

uint32_t binomial(SplitMix64& rng, uint32_t n, double p) {
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; ++i) k += rng.uniform() < p ? 1 : 0;
  return k;
}

// ---------------------------------------------------------------------------------------
// Elements.

// The built-in list, in the order of bench/elements-national.json.
constexpr std::array<std::string_view, 12> kBuiltinElements = {
    "crime.ttxh.cases",     "crime.ttxh.solved", "crime.ttxh.suspects", "drug.cases",
    "drug.suspects",        "crime.economic.cases", "env.violations",   "traffic.accidents",
    "traffic.deaths",       "traffic.injuries",  "fire.incidents",      "weapons.recovered"};

enum Known : int {
  kCrimeCases, kCrimeSolved, kCrimeSuspects, kDrugCases, kDrugSuspects, kEconomicCases,
  kEnvViolations, kTrafficAccidents, kTrafficDeaths, kTrafficInjuries, kFireIncidents,
  kWeaponsRecovered, kKnownCount
};

// How an element outside the built-in list is drawn.
enum class Draw : uint8_t {
  kFlow,   // aggregation sum (and anything not below): Poisson(0.1 * activity) per month
  kStock,  // aggregation last: a per-commune level drifting slowly upwards
  kFlag,   // value_type boolean: true with a per-commune probability
  kScore,  // aggregation average: a score from 50 to 99
};

struct ElementSpec {
  std::string code;
  std::string aggregation = "sum";
  Draw draw = Draw::kFlow;
};

// The elements of a `qpan elements import` file, in file order.
std::vector<ElementSpec> element_specs(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) die("elements file: invalid JSON: " + ec.message());
  const boost::json::object* obj = root.if_object();
  const boost::json::value* elements = obj ? obj->if_contains("elements") : nullptr;
  if (elements == nullptr || !elements->is_array()) die("elements file: no \"elements\" array");
  std::vector<ElementSpec> specs;
  for (const boost::json::value& e : elements->as_array()) {
    const boost::json::object* fields = e.if_object();
    const boost::json::value* code = fields ? fields->if_contains("code") : nullptr;
    if (code == nullptr || !code->is_string()) die("elements file: an element without a \"code\"");
    ElementSpec spec;
    spec.code = code->as_string().c_str();
    std::string value_type = "count";
    if (const boost::json::value* t = fields->if_contains("value_type"); t && t->is_string())
      value_type = t->as_string().c_str();
    if (const boost::json::value* a = fields->if_contains("aggregation"); a && a->is_string())
      spec.aggregation = a->as_string().c_str();
    if (value_type == "boolean") spec.draw = Draw::kFlag;
    else if (spec.aggregation == "last") spec.draw = Draw::kStock;
    else if (spec.aggregation == "average") spec.draw = Draw::kScore;
    specs.push_back(std::move(spec));
  }
  return specs;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot open " + path + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// ---------------------------------------------------------------------------------------
// Units.

struct Commune {
  std::string code;
  std::string valid_from;   // "" = in force before records start
  std::string valid_until;  // "" = still in force
  double activity = 1.0;    // per-commune rate multiplier (type and a stable random factor)
  uint64_t key = 0;         // hash of the code
};

bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

std::vector<Commune> read_communes(const std::string& path, uint64_t seed) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot open " + path + ": " + std::strerror(errno));
  std::string line;
  if (!std::getline(in, line)) die(path + ": empty file");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  if (line != "level,code,name,type,parent_code,valid_from,valid_until")
    die(path + ": unexpected header: " + line);
  std::vector<Commune> communes;
  size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string_view> f;
    std::string_view rest(line);
    while (true) {
      size_t comma = rest.find(',');
      f.push_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (f.size() != 7) {
      die(path + ":" + std::to_string(line_number) + ": expected 7 fields, got " +
          std::to_string(f.size()));
    }
    if (f[0] != "commune") continue;
    if (f[1].empty()) die(path + ":" + std::to_string(line_number) + ": empty code");
    if ((!f[5].empty() && !is_iso_date(f[5])) || (!f[6].empty() && !is_iso_date(f[6])))
      die(path + ":" + std::to_string(line_number) + ": bad date");
    Commune c;
    c.code = std::string(f[1]);
    c.valid_from = std::string(f[5]);
    c.valid_until = std::string(f[6]);
    c.key = hash_text(c.code);
    // Wards (urban) report more than rural communes; towns in between.
    double type_factor = 0.8;
    if (f[3].find("Phường") != std::string_view::npos) type_factor = 1.8;
    else if (f[3].find("Thị trấn") != std::string_view::npos) type_factor = 1.3;
    else if (f[3].find("Đặc khu") != std::string_view::npos) type_factor = 1.5;
    // A stable per-commune factor in [0.25, 2.75), skewed towards small values.
    SplitMix64 r{seed ^ c.key ^ 0x5bd1e995ULL};
    const double u = r.uniform();
    c.activity = type_factor * (0.25 + 2.5 * u * u);
    communes.push_back(std::move(c));
  }
  std::stable_sort(communes.begin(), communes.end(),
                   [](const Commune& a, const Commune& b) { return a.code < b.code; });
  return communes;
}

// ---------------------------------------------------------------------------------------
// Unit ids and ancestors, for --format ids and --tables.

// Days since 1970-01-01 (H. Hinnant's days_from_civil).
int64_t day_number(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

constexpr int64_t kBeforeRecords = INT64_MIN / 4;
constexpr int64_t kStillInForce = INT64_MAX / 4;

int64_t day_number(std::string_view iso, int64_t if_empty) {
  if (iso.empty()) return if_empty;
  auto number = [&](size_t pos, size_t len) { return std::stoi(std::string(iso.substr(pos, len))); };
  return day_number(number(0, 4), number(5, 2), number(8, 2));
}

struct UnitVersion {
  int level = 0;  // 1 province, 2 district, 3 commune
  std::string code;
  std::string parent_code;
  int64_t from = kBeforeRecords;  // first day in force
  int64_t until = kStillInForce;  // first day no longer in force
};

// Every province, district and commune version of the units file, with an id per
// (level, code).
class UnitTable {
 public:
  explicit UnitTable(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) die("cannot open " + path + ": " + std::strerror(errno));
    std::string line;
    std::getline(in, line);  // the header, checked by read_communes()
    size_t line_number = 1;
    while (std::getline(in, line)) {
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      std::vector<std::string> f;
      std::string_view rest(line);
      while (true) {
        size_t comma = rest.find(',');
        f.emplace_back(rest.substr(0, comma));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      const std::string where = path + ":" + std::to_string(line_number);
      if (f.size() != 7) die(where + ": expected 7 fields");
      UnitVersion v;
      if (f[0] == "province") v.level = 1;
      else if (f[0] == "district") v.level = 2;
      else if (f[0] == "commune") v.level = 3;
      else continue;  // villages and agencies hold no values here
      if (f[1].empty()) die(where + ": empty code");
      if ((!f[5].empty() && !is_iso_date(f[5])) || (!f[6].empty() && !is_iso_date(f[6])))
        die(where + ": bad date");
      v.code = f[1];
      v.parent_code = f[4];
      v.from = day_number(f[5], kBeforeRecords);
      v.until = day_number(f[6], kStillInForce);
      versions_[v.code].push_back(v);
      keys_.emplace_back(v.level, v.code);
    }
    for (auto& [code, list] : versions_) {
      std::stable_sort(list.begin(), list.end(),
                       [](const UnitVersion& a, const UnitVersion& b) { return a.from < b.from; });
      for (const UnitVersion& v : list)
        if (v.level != list.front().level) die("code " + code + " is used at two levels");
    }
    std::sort(keys_.begin(), keys_.end());
    keys_.erase(std::unique(keys_.begin(), keys_.end()), keys_.end());
  }

  // 1-based, in (level, code) order.
  int32_t id(int level, const std::string& code) const {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), std::make_pair(level, code));
    if (it == keys_.end() || *it != std::make_pair(level, code)) die("unknown unit " + code);
    return static_cast<int32_t>(it - keys_.begin()) + 1;
  }
  const std::vector<std::pair<int, std::string>>& keys() const { return keys_; }

  // The version of `code` in force on `day`, or nullptr.
  const UnitVersion* at(const std::string& code, int64_t day) const {
    auto it = versions_.find(code);
    if (it == versions_.end()) return nullptr;
    for (const UnitVersion& v : it->second)
      if (v.from <= day && day < v.until) return &v;
    return nullptr;
  }
  // The last version of `code` in force on some day of [first, next), or nullptr.
  const UnitVersion* last_during(const std::string& code, int64_t first, int64_t next) const {
    auto it = versions_.find(code);
    if (it == versions_.end()) return nullptr;
    const UnitVersion* found = nullptr;
    for (const UnitVersion& v : it->second)
      if (v.from < next && first < v.until) found = &v;
    return found;
  }

 private:
  std::map<std::string, std::vector<UnitVersion>> versions_;
  std::vector<std::pair<int, std::string>> keys_;
};

// ---------------------------------------------------------------------------------------
// Values for one commune-month.

struct MonthInfo {
  int year;
  int month;
  std::string first_day;  // YYYY-MM-01
  std::string period;     // "YYYYMM,"
  std::string suffix;     // ",import,YYYY-MM-05T08:00:00Z,,false\n" (following month)
};

// Seasonal multipliers by month (1..12).
constexpr std::array<double, 13> kTetSeason = {0, 1.35, 1.30, 1.05, 0.95, 0.95, 0.90,
                                               0.90, 0.95, 0.95, 1.00, 1.05, 1.25};
constexpr std::array<double, 13> kDrySeason = {0, 1.40, 1.60, 1.70, 1.50, 1.10, 0.70,
                                               0.60, 0.60, 0.70, 0.80, 0.95, 1.20};

void commune_month_values(uint64_t seed, const Commune& c, const MonthInfo& m,
                          int month_index, std::array<uint32_t, kKnownCount>& v,
                          SplitMix64& rng) {
  rng.state = mix64(seed ^ c.key ^ mix64(0x100000000ULL + static_cast<uint64_t>(month_index)));
  // Month-to-month noise for the whole commune, in [0.6, 1.4).
  const double a = c.activity * (0.6 + 0.8 * rng.uniform());
  const double years = (m.year - 2016) + (m.month - 1) / 12.0;
  const double tet = kTetSeason[m.month];
  const double dry = kDrySeason[m.month];

  v[kCrimeCases] = poisson(rng, 0.30 * a * tet);
  v[kCrimeSolved] = binomial(rng, v[kCrimeCases], 0.81);
  v[kCrimeSuspects] = v[kCrimeSolved] + poisson(rng, 0.35 * v[kCrimeSolved]);
  v[kDrugCases] = poisson(rng, 0.20 * a * (1.0 + 0.04 * years));
  v[kDrugSuspects] = v[kDrugCases] + poisson(rng, 0.30 * v[kDrugCases]);
  v[kEconomicCases] = poisson(rng, 0.05 * a);
  v[kEnvViolations] = poisson(rng, 0.08 * a * dry);
  v[kTrafficAccidents] = poisson(rng, 0.09 * a * tet);
  v[kTrafficDeaths] = binomial(rng, v[kTrafficAccidents], 0.55) +
                      (v[kTrafficAccidents] > 0 && rng.uniform() < 0.05 ? 1 : 0);
  v[kTrafficInjuries] = binomial(rng, v[kTrafficAccidents], 0.75) +
                        poisson(rng, 0.25 * v[kTrafficAccidents]);
  v[kFireIncidents] = poisson(rng, 0.03 * a * dry);
  // Weapons: usually none, sometimes a few, rarely a large haul.
  const double w = rng.uniform();
  if (w < 0.002) {
    v[kWeaponsRecovered] = 5 + static_cast<uint32_t>(rng.next() % 56);
  } else {
    v[kWeaponsRecovered] = poisson(rng, 0.06 * a);
  }
}

// ---------------------------------------------------------------------------------------
// Output.

class Writer {
 public:
  explicit Writer(int fd) : fd_(fd), buf_(kSize) {}
  ~Writer() { flush(); }
  void put(std::string_view s) {
    if (used_ + s.size() > buf_.size()) flush();
    if (s.size() > buf_.size()) { write_all(s.data(), s.size()); return; }
    std::memcpy(buf_.data() + used_, s.data(), s.size());
    used_ += s.size();
  }
  void put_uint(uint32_t x) {
    if (used_ + 16 > buf_.size()) flush();
    char tmp[16];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + x % 10);
      x /= 10;
    } while (x != 0);
    while (n > 0) buf_[used_++] = tmp[--n];
  }
  void flush() {
    write_all(buf_.data(), used_);
    used_ = 0;
  }
  uint64_t bytes() const { return total_ + used_; }

 private:
  void write_all(const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        die(std::string("write failed: ") + std::strerror(errno));
      }
      p += w;
      n -= static_cast<size_t>(w);
      total_ += static_cast<uint64_t>(w);
    }
  }
  static constexpr size_t kSize = 8u << 20;
  int fd_;
  std::vector<char> buf_;
  size_t used_ = 0;
  uint64_t total_ = 0;
};

std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

int parse_yyyymm(const std::string& s, const char* flag) {
  if (s.size() != 6 || s.find_first_not_of("0123456789") != std::string::npos)
    die(std::string(flag) + " wants YYYYMM, got '" + s + "'");
  const int v = std::stoi(s);
  if (v % 100 < 1 || v % 100 > 12) die(std::string(flag) + ": bad month in '" + s + "'");
  return v;
}

void usage() {
  std::fprintf(stderr,
               "usage: generate_values --units units-history.csv [--elements elements.json]\n"
               "                       [--from YYYYMM] [--to YYYYMM] [--seed N] [--out FILE]\n"
               "                       [--format dhis2|ids] [--tables DIR]\n"
               "Writes commune-month values to FILE or stdout: a DHIS2 dataValueSets CSV\n"
               "(dhis2), or period,unit_id,element_id,value (ids); --tables writes unit.csv,\n"
               "element.csv and unit_ancestor.csv for plain SQL tables into DIR.\n");
}

std::FILE* create_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) die("cannot create " + path + ": " + std::strerror(errno));
  return f;
}

void close_file(std::FILE* f, const std::string& path) {
  if (std::ferror(f) != 0 || std::fclose(f) != 0) die("write failed: " + path);
}

// --tables: unit.csv, element.csv, unit_ancestor.csv (see the top of the file).
void write_tables(const std::string& dir, const UnitTable& table,
                  const std::vector<ElementSpec>& elements, const std::vector<Commune>& communes,
                  int from, int to) {
  const std::string unit_path = dir + "/unit.csv";
  std::FILE* f = create_file(unit_path);
  std::fprintf(f, "id,level,code\n");
  int32_t id = 0;
  for (const auto& [level, code] : table.keys()) std::fprintf(f, "%d,%d,%s\n", ++id, level, code.c_str());
  close_file(f, unit_path);

  const std::string element_path = dir + "/element.csv";
  f = create_file(element_path);
  std::fprintf(f, "id,code,aggregation\n");
  for (size_t e = 0; e < elements.size(); ++e)
    std::fprintf(f, "%zu,%s,%s\n", e + 1, csv_field(elements[e].code).c_str(),
                 elements[e].aggregation.c_str());
  close_file(f, element_path);

  const std::string ancestor_path = dir + "/unit_ancestor.csv";
  f = create_file(ancestor_path);
  std::fprintf(f, "month,unit_id,ancestor_id,ancestor_level\n");
  for (int ym = from; ym <= to; ym = ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1) {
    const int year = ym / 100, month = ym % 100;
    char first_day[32];
    std::snprintf(first_day, sizeof first_day, "%04d-%02d-01", year, month);
    const int64_t first = day_number(year, month, 1);
    const int64_t next = month == 12 ? day_number(year + 1, 1, 1) : day_number(year, month + 1, 1);
    for (const Commune& c : communes) {
      // The same communes as the values: in force on the first day of the month.
      if (!(c.valid_from <= first_day && (c.valid_until.empty() || first_day < c.valid_until)))
        continue;
      // The structure on the last day of the month the commune was in force.
      const UnitVersion* v = table.last_during(c.code, first, next);
      if (v == nullptr) die("commune " + c.code + " has no version in " + std::to_string(ym));
      const int64_t day = std::min(v->until, next) - 1;
      const int32_t unit_id = table.id(3, c.code);
      for (int depth = 0; !v->parent_code.empty(); ++depth) {
        const UnitVersion* parent = table.at(v->parent_code, day);
        if (parent == nullptr || depth > 4)
          die("commune " + c.code + ": parent " + v->parent_code + " not in force in " +
              std::to_string(ym));
        std::fprintf(f, "%d,%d,%d,%d\n", ym, unit_id, table.id(parent->level, parent->code),
                     parent->level);
        v = parent;
      }
    }
  }
  close_file(f, ancestor_path);
}

}  // namespace

int main(int argc, char** argv) {
  std::string units_path, elements_path, out_path, tables_dir, format = "dhis2";
  std::string from_text = "201601", to_text = "202506";
  uint64_t seed = 42;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--units") units_path = value();
    else if (arg == "--elements") elements_path = value();
    else if (arg == "--from") from_text = value();
    else if (arg == "--to") to_text = value();
    else if (arg == "--out") out_path = value();
    else if (arg == "--format") format = value();
    else if (arg == "--tables") tables_dir = value();
    else if (arg == "--seed") {
      std::string s = value();
      char* end = nullptr;
      errno = 0;
      seed = std::strtoull(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || errno != 0) die("--seed wants a non-negative integer");
    } else if (arg == "-h" || arg == "--help") {
      usage();
      return 0;
    } else {
      usage();
      die("unknown argument " + arg);
    }
  }
  if (units_path.empty()) {
    usage();
    die("--units is required");
  }
  if (format != "dhis2" && format != "ids") die("--format wants dhis2 or ids, got '" + format + "'");
  const bool ids = format == "ids";
  const int from = parse_yyyymm(from_text, "--from");
  const int to = parse_yyyymm(to_text, "--to");
  if (from > to) die("--from is after --to");

  const auto start = std::chrono::steady_clock::now();

  std::vector<ElementSpec> elements;
  if (elements_path.empty()) {
    for (std::string_view code : kBuiltinElements) elements.push_back({std::string(code)});
  } else {
    elements = element_specs(read_file(elements_path));
    if (elements.empty()) die(elements_path + ": no elements");
  }
  // For each element: its index among the known ones, or -1 (then drawn by its kind).
  std::vector<int> known(elements.size(), -1);
  std::vector<uint64_t> element_key;      // hash of the code, for per-commune levels
  std::vector<std::string> element_prefix;  // dhis2: "code,"; ids: "element_id,"
  for (size_t e = 0; e < elements.size(); ++e) {
    for (size_t k = 0; k < kBuiltinElements.size(); ++k)
      if (elements[e].code == kBuiltinElements[k]) known[e] = static_cast<int>(k);
    element_key.push_back(hash_text(elements[e].code));
    element_prefix.push_back(ids ? std::to_string(e + 1) + "," : csv_field(elements[e].code) + ",");
  }

  const std::vector<Commune> communes = read_communes(units_path, seed);
  if (communes.empty()) die(units_path + ": no communes");
  std::optional<UnitTable> table;
  if (ids || !tables_dir.empty()) table.emplace(units_path);
  std::vector<std::string> code_fields;  // dhis2: the code; ids: "unit_id,"
  code_fields.reserve(communes.size());
  for (const Commune& c : communes)
    code_fields.push_back(ids ? std::to_string(table->id(3, c.code)) + "," : csv_field(c.code));

  int fd = 1;
  if (!out_path.empty()) {
    std::FILE* f = std::fopen(out_path.c_str(), "wb");
    if (f == nullptr) die("cannot create " + out_path + ": " + std::strerror(errno));
    fd = ::dup(fileno(f));
    std::fclose(f);
  }

  uint64_t rows = 0;
  size_t first_month_units = 0, last_month_units = 0;
  {
    Writer out(fd);
    out.put(ids ? "period,unit_id,element_id,value\n"
                : "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
                  "storedby,lastupdated,comment,followup\n");
    std::array<uint32_t, kKnownCount> v{};
    SplitMix64 rng{0};
    int month_index = 0;
    for (int ym = from; ym <= to; ++month_index) {
      MonthInfo m;
      m.year = ym / 100;
      m.month = ym % 100;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%04d-%02d-01", m.year, m.month);
      m.first_day = buf;
      std::snprintf(buf, sizeof buf, "%04d%02d,", m.year, m.month);
      m.period = buf;
      const int ny = m.month == 12 ? m.year + 1 : m.year;
      const int nm = m.month == 12 ? 1 : m.month + 1;
      std::snprintf(buf, sizeof buf, ",import,%04d-%02d-05T08:00:00Z,,false\n", ny, nm);
      m.suffix = ids ? "\n" : buf;
      const double years = (m.year - 2016) + (m.month - 1) / 12.0;

      size_t units_this_month = 0;
      const std::string* previous_code = nullptr;
      for (size_t ci = 0; ci < communes.size(); ++ci) {
        const Commune& c = communes[ci];
        if (!(c.valid_from <= m.first_day &&
              (c.valid_until.empty() || m.first_day < c.valid_until)))
          continue;
        if (previous_code != nullptr && *previous_code == c.code)
          die("commune " + c.code + " is in force twice on " + m.first_day);
        previous_code = &c.code;
        ++units_this_month;
        commune_month_values(seed, c, m, month_index, v, rng);
        for (size_t e = 0; e < elements.size(); ++e) {
          uint32_t value = 0;
          bool flag = false;
          if (known[e] >= 0) {
            value = v[static_cast<size_t>(known[e])];
          } else {
            SplitMix64 r{mix64(rng.state ^ (0xa5a5ULL + e))};
            switch (elements[e].draw) {
              case Draw::kFlow:
                value = poisson(r, 0.1 * c.activity);
                break;
              case Draw::kStock: {
                // A level of its own per commune and element, growing 2 % a year.
                SplitMix64 level{mix64(seed ^ c.key ^ element_key[e])};
                const double base = 2.0 + 40.0 * level.uniform() * c.activity;
                value = static_cast<uint32_t>(base * (1.0 + 0.02 * years)) +
                        (r.uniform() < 0.1 ? 1 : 0);
                break;
              }
              case Draw::kFlag: {
                SplitMix64 level{mix64(seed ^ c.key ^ element_key[e])};
                const double p = 0.15 + 0.8 * level.uniform();
                flag = true;
                value = r.uniform() < p ? 1 : 0;
                break;
              }
              case Draw::kScore:
                value = 50 + static_cast<uint32_t>(r.next() % 50);
                break;
            }
          }
          if (ids) {
            out.put(m.period);
            out.put(code_fields[ci]);
            out.put(element_prefix[e]);
            out.put_uint(value);
          } else {
            out.put(element_prefix[e]);
            out.put(m.period);
            out.put(code_fields[ci]);
            out.put(",,,");
            if (flag) out.put(value != 0 ? "true" : "false");
            else out.put_uint(value);
          }
          out.put(m.suffix);
          ++rows;
        }
      }
      if (ym == from) first_month_units = units_this_month;
      last_month_units = units_this_month;
      ym = m.month == 12 ? (m.year + 1) * 100 + 1 : ym + 1;
    }
    out.flush();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr,
                 "generate_values: %d months, %zu communes in %06d, %zu in %06d, %zu elements, "
                 "%llu rows, %.1f MB, %.2f s\n",
                 month_index, first_month_units, from, last_month_units, to, elements.size(),
                 static_cast<unsigned long long>(rows), static_cast<double>(out.bytes()) / 1e6, seconds);
  }
  if (fd != 1 && ::close(fd) != 0) die(std::string("close failed: ") + std::strerror(errno));
  if (!tables_dir.empty()) write_tables(tables_dir, *table, elements, communes, from, to);
  return 0;
}
