// Reporting periods (kỳ báo cáo): day, month, quarter, half-year, year, five-year term
// and arbitrary month ranges, with the DHIS2-style machine form ("202203", "2022Q1",
// "2022S1", "2022", "2016-2020", "201601..201806"), Vietnamese and English labels, and the
// two calendars a data set may report in: calendar months, or the cut-off windows of
// Decree 09/2019/NĐ-CP Art. 12 (month 3/2022 = 15 Feb – 14 Mar 2022).
//
// A Period is a small value type: cheap to copy, totally ordered, hashable via key().
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qpan/date.h"
#include "qpan/status.h"

namespace qpan {

enum class PeriodType : uint8_t {
  kDay = 1,
  kMonth = 2,
  kQuarter = 3,
  kSixMonth = 4,
  kYear = 5,
  kFiveYear = 6,
  kMonthRange = 7,
};

// Which days a period covers.
enum class Calendar : uint8_t {
  kGregorian,  // calendar months: month 3/2022 = 1 Mar – 31 Mar 2022
  kCutoff,     // Decree 09/2019/NĐ-CP Art. 12: month 3/2022 = 15 Feb – 14 Mar 2022
};

// Months are counted as year * 12 + (month - 1); consecutive months differ by one.
using MonthIndex = int32_t;
inline constexpr MonthIndex month_index(int year, int month) { return year * 12 + (month - 1); }
inline constexpr int year_of(MonthIndex m) { return m / 12; }
inline constexpr int month_of(MonthIndex m) { return m % 12 + 1; }

struct DateRange {
  Date first;  // inclusive
  Date last;   // inclusive
  bool contains(Date d) const { return first <= d && d <= last; }
  bool overlaps(const DateRange& o) const { return first <= o.last && o.first <= last; }
  bool operator==(const DateRange&) const = default;
};

class Period {
 public:
  // Parses the machine form. Accepted: "20220315" (day), "202203" (month), "2022Q1",
  // "2022S1", "2022", "2016-2020" (five years, inclusive), and ranges "A..B" where A and B
  // are any of month, quarter, half-year or year ("201601..201806", "2016..2018",
  // "2022Q1..2022Q3"), meaning every month from the start of A to the end of B.
  // Errors name the character position and the reason.
  static Result<Period> parse(std::string_view code);

  static Period day(Date date);
  static Period month(int year, int month);
  static Period quarter(int year, int quarter);
  static Period six_month(int year, int half);
  static Period year(int year);
  static Period five_year(int first_year);
  static Period month_range(MonthIndex first, MonthIndex last);  // first <= last

  PeriodType type() const { return type_; }
  int year() const;  // the year the period starts in

  // Machine form, as accepted by parse(): parse(p.code()) == p.
  std::string code() const;
  // Vietnamese: "ngày 15/3/2022", "tháng 3/2022", "quý I/2022", "6 tháng đầu năm 2022",
  // "6 tháng cuối năm 2022", "năm 2022", "giai đoạn 2016–2020", "9 tháng đầu năm 2022",
  // "từ đầu năm 2016 đến tháng 6/2018", "từ tháng 3/2016 đến tháng 6/2018"; a range of
  // whole years reads "năm 2022" or "giai đoạn 2019–2024".
  std::string label_vi() const;
  // English: "15 March 2022", "March 2022", "Q1 2022", "first half of 2022", ...
  std::string label_en() const;

  // The days covered, in the given calendar.
  DateRange dates(Calendar calendar = Calendar::kGregorian) const;

  // The months covered (a day period covers its own month).
  MonthIndex first_month() const;
  MonthIndex last_month() const;
  int month_count() const { return last_month() - first_month() + 1; }

  // The period of the same type just before / after (a month range shifts by its length).
  Period previous() const;
  Period next() const;
  // The same period one year earlier (a five-year term goes back five years).
  Period same_period_last_year() const;

  // True when every day of `other` lies within this period (calendar months).
  bool contains(const Period& other) const;

  // Stable integer encoding used by the store: type * 10^12 + payload, where payload is
  // yyyymmdd (day), yyyymm (month), yyyy*10+q (quarter), yyyy*10+h (half), yyyy (year,
  // five-year: first year), first_yyyymm * 10^6 + last_yyyymm (range). Ordering by key
  // groups by type, then time.
  int64_t key() const;
  static Result<Period> from_key(int64_t key);

  auto operator<=>(const Period& o) const { return key() <=> o.key(); }
  bool operator==(const Period& o) const { return key() == o.key(); }

 private:
  Period(PeriodType type, int32_t a, int32_t b) : type_(type), a_(a), b_(b) {}

  PeriodType type_ = PeriodType::kYear;
  // Meaning by type: day: a = days since epoch; month: a = MonthIndex; quarter/half:
  // a = year, b = 1-based index; year, five-year: a = first year; range: a, b = MonthIndex.
  int32_t a_ = 0;
  int32_t b_ = 0;
};

// The key() ranges (inclusive) of every period of each single type — day, month, quarter,
// half-year, year, five-year term — that lies within `p` (calendar months). Keys of one type
// are consecutive in time, so each type gives at most one range: a store filters "values
// whose period lies within p" with them.
std::vector<std::pair<int64_t, int64_t>> contained_key_ranges(const Period& p);

// Lower-case name of a period type as used in pack files ("day", "month", "quarter",
// "six_month", "year", "five_year", "month_range").
std::string_view period_type_name(PeriodType type);
Result<PeriodType> parse_period_type(std::string_view name);

}  // namespace qpan
