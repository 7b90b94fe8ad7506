// Reading demo specifications: JSON objects that know their path ("$.series[3]") and
// report every problem as a SpecError naming it, and the period helpers the generator
// shares. Internal to the demo module.
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "qpan/date.h"
#include "qpan/period.h"

namespace qpan::demo {

namespace json = boost::json;

// A problem in the specification, or a plan that cannot be met. Thrown inside the
// generator only; generate_from_text() turns it into a Status.
struct SpecError {
  std::string path;
  std::string reason;
};

[[noreturn]] inline void fail(const std::string& path, const std::string& reason) { throw SpecError{path, reason}; }

inline std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

inline int64_t as_integer(const json::value& v, const std::string& path) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64() && v.get_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v.get_uint64());
  if (v.is_double()) {
    const double d = v.get_double();
    if (std::floor(d) == d && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
  }
  fail(path, "expected a whole number");
}

inline double as_number(const json::value& v, const std::string& path) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  fail(path, "expected a number");
}

inline std::string as_text(const json::value& v, const std::string& path) {
  if (!v.is_string()) fail(path, "expected a string");
  return std::string(v.get_string());
}

// One JSON object of the specification and where it stands ("$.series[3]").
class Obj {
 public:
  Obj(const json::value& v, std::string path) : path_(std::move(path)) {
    if (!v.is_object()) fail(path_, "expected an object");
    obj_ = &v.get_object();
  }

  const std::string& path() const { return path_; }
  std::string at(std::string_view key) const { return path_ + "." + std::string(key); }
  bool has(std::string_view key) const { return obj_->contains(key); }
  const json::value* find(std::string_view key) const { return obj_->if_contains(key); }
  const json::value& need(std::string_view key) const {
    if (const json::value* v = find(key)) return *v;
    fail(path_, "missing " + quoted(key));
  }

  // Every key must be one of `keys` ("about" is free text for people, allowed anywhere).
  void only(std::initializer_list<std::string_view> keys) const {
    for (const auto& kv : *obj_) {
      if (kv.key() == "about") continue;
      if (std::find(keys.begin(), keys.end(), kv.key()) == keys.end()) {
        std::string expected;
        for (std::string_view k : keys) expected += (expected.empty() ? "" : ", ") + std::string(k);
        fail(at(kv.key()), "unknown key (expected one of: " + expected + ")");
      }
    }
  }

  std::string text(std::string_view key) const { return as_text(need(key), at(key)); }
  std::string text_or(std::string_view key, std::string fallback) const {
    const json::value* v = find(key);
    return v ? as_text(*v, at(key)) : fallback;
  }
  int64_t integer(std::string_view key) const { return as_integer(need(key), at(key)); }
  int64_t integer_or(std::string_view key, int64_t fallback) const {
    const json::value* v = find(key);
    return v ? as_integer(*v, at(key)) : fallback;
  }
  double number(std::string_view key) const { return as_number(need(key), at(key)); }
  double number_or(std::string_view key, double fallback) const {
    const json::value* v = find(key);
    return v ? as_number(*v, at(key)) : fallback;
  }
  bool flag_or(std::string_view key, bool fallback) const {
    const json::value* v = find(key);
    if (!v) return fallback;
    if (!v->is_bool()) fail(at(key), "expected true or false");
    return v->get_bool();
  }
  const json::array& array(std::string_view key) const {
    const json::value& v = need(key);
    if (!v.is_array()) fail(at(key), "expected an array");
    return v.get_array();
  }
  const json::array* array_or_null(std::string_view key) const {
    const json::value* v = find(key);
    if (!v) return nullptr;
    if (!v->is_array()) fail(at(key), "expected an array");
    return &v->get_array();
  }
  Obj object(std::string_view key) const { return Obj(need(key), at(key)); }
  const json::object& raw() const { return *obj_; }

 private:
  const json::object* obj_ = nullptr;
  std::string path_;
};

inline std::string item(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

inline std::vector<std::string> text_list(const json::array& a, const std::string& path) {
  std::vector<std::string> out;
  for (size_t i = 0; i < a.size(); ++i) out.push_back(as_text(a[i], item(path, i)));
  return out;
}

// ---- Periods ----------------------------------------------------------------------------

inline Period parse_period(const std::string& code, const std::string& path) {
  Result<Period> p = Period::parse(code);
  if (!p) fail(path, "period " + quoted(code) + ": " + p.status().message());
  return *p;
}

inline PeriodType parse_type(const std::string& name, const std::string& path) {
  Result<PeriodType> t = parse_period_type(name);
  if (!t || (*t != PeriodType::kMonth && *t != PeriodType::kQuarter && *t != PeriodType::kSixMonth &&
             *t != PeriodType::kYear)) {
    fail(path, "expected month, quarter, six_month or year");
  }
  return *t;
}

// The periods of `type` that make up `range` (which must start and end on their bounds).
inline std::vector<Period> expand(const Period& range, PeriodType type, const std::string& path) {
  const int step = type == PeriodType::kMonth ? 1 : type == PeriodType::kQuarter ? 3
                   : type == PeriodType::kSixMonth ? 6 : 12;
  const MonthIndex first = range.first_month();
  const MonthIndex last = range.last_month();
  if (first % step != 0 || (last + 1) % step != 0) {
    fail(path, range.code() + " is not made of whole " + std::string(period_type_name(type)) + " periods");
  }
  std::vector<Period> out;
  for (MonthIndex m = first; m <= last; m += step) {
    const int y = year_of(m);
    const int index = (month_of(m) - 1) / step + 1;
    switch (type) {
      case PeriodType::kMonth: out.push_back(Period::month(y, month_of(m))); break;
      case PeriodType::kQuarter: out.push_back(Period::quarter(y, index)); break;
      case PeriodType::kSixMonth: out.push_back(Period::six_month(y, index)); break;
      default: out.push_back(Period::year(y)); break;
    }
  }
  return out;
}

inline Date period_end(const Period& p) { return p.dates(Calendar::kGregorian).last; }

}  // namespace qpan::demo
