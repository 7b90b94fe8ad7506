// generate_values: writes a national-scale DHIS2 dataValueSets CSV for the import benchmark
// (issue 3). Standalone (no qpan library; Boost.JSON for the elements file), deterministic: the same inputs and seed
// give a byte-identical file on any IEEE-754 machine (no libm transcendentals are used).
//
//   generate_values --units data/vn-admin/units-history.csv
//                   [--elements bench/elements-national.json]
//                   [--from 201601] [--to 202506] [--seed 42] [--out FILE]
//
// Rows: for every month from --from to --to, every commune in force on the first day of the
// month (valid_from <= day < valid_until, empty valid_from = since before records, empty
// valid_until = still in force), every element of the elements file (or the built-in list,
// which matches bench/elements-national.json). Ordered by month, commune code (byte order),
// element (file order). Header and columns:
//
//   dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,storedby,
//   lastupdated,comment,followup
//
// period = YYYYMM, combos empty, value a non-negative integer, storedby "import",
// lastupdated = the 5th of the following month at 08:00:00Z, comment empty, followup false.
//
// Values come from a counter-based generator: each (month, commune) is seeded from the seed,
// the month and the commune code, so a commune's values do not depend on which other
// communes exist. Rates are per commune-month, of the order of the published provincial
// figures (bench/../shared/seeds/FIGURES.md), higher in wards (Phường) than in rural
// communes (Xã), with seasonality (Tết for traffic and crime, the dry season for fires),
// a mild trend for drug cases, and consistency a validation rule would check
// (solved <= cases, suspects >= solved).

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

// The element codes of a `qpan elements import` file, in file order.
std::vector<std::string> element_codes(const std::string& text) {
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) die("elements file: invalid JSON: " + ec.message());
  const boost::json::object* obj = root.if_object();
  const boost::json::value* elements = obj ? obj->if_contains("elements") : nullptr;
  if (elements == nullptr || !elements->is_array()) die("elements file: no \"elements\" array");
  std::vector<std::string> codes;
  for (const boost::json::value& e : elements->as_array()) {
    const boost::json::value* code = e.is_object() ? e.as_object().if_contains("code") : nullptr;
    if (code == nullptr || !code->is_string()) die("elements file: an element without a \"code\"");
    codes.emplace_back(code->as_string().c_str());
  }
  return codes;
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
               "Writes a DHIS2 dataValueSets CSV of commune-month values to FILE or stdout.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::string units_path, elements_path, out_path;
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
  const int from = parse_yyyymm(from_text, "--from");
  const int to = parse_yyyymm(to_text, "--to");
  if (from > to) die("--from is after --to");

  const auto start = std::chrono::steady_clock::now();

  std::vector<std::string> elements;
  if (elements_path.empty()) {
    elements.assign(kBuiltinElements.begin(), kBuiltinElements.end());
  } else {
    elements = element_codes(read_file(elements_path));
    if (elements.empty()) die(elements_path + ": no elements");
  }
  // For each element: its index among the known ones, or -1 (then an independent draw).
  std::vector<int> known(elements.size(), -1);
  std::vector<std::string> element_prefix;  // "code,"
  for (size_t e = 0; e < elements.size(); ++e) {
    for (size_t k = 0; k < kBuiltinElements.size(); ++k)
      if (elements[e] == kBuiltinElements[k]) known[e] = static_cast<int>(k);
    element_prefix.push_back(csv_field(elements[e]) + ",");
  }

  const std::vector<Commune> communes = read_communes(units_path, seed);
  if (communes.empty()) die(units_path + ": no communes");
  std::vector<std::string> code_fields;
  code_fields.reserve(communes.size());
  for (const Commune& c : communes) code_fields.push_back(csv_field(c.code));

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
    out.put("dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value,"
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
      m.suffix = buf;

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
          uint32_t value;
          if (known[e] >= 0) {
            value = v[static_cast<size_t>(known[e])];
          } else {
            SplitMix64 r{mix64(rng.state ^ (0xa5a5ULL + e))};
            value = poisson(r, 0.1 * c.activity);
          }
          out.put(element_prefix[e]);
          out.put(m.period);
          out.put(code_fields[ci]);
          out.put(",,,");
          out.put_uint(value);
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
  return 0;
}
