// Reporting periods: machine codes, Vietnamese and English labels, the calendar and Decree
// 09/2019 cut-off windows, and the store's integer keys (see qpan/period.h).
#include "qpan/period.h"

#include "core/parse_text.h"

#include <array>
#include <cassert>
#include <cstdio>

namespace qpan {
namespace {

namespace chr = std::chrono;

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2999;
constexpr int kYearsPerTerm = 5;
constexpr int64_t kKeyTypeFactor = 1'000'000'000'000;  // 10^12: type * factor + payload
constexpr int64_t kRangeKeyFactor = 1'000'000;         // first_yyyymm * factor + last_yyyymm

constexpr std::array<const char*, 12> kEnglishMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};
constexpr std::array<const char*, 4> kRomanQuarters = {"I", "II", "III", "IV"};

constexpr std::array<PeriodType, 7> kAllTypes = {
    PeriodType::kDay,  PeriodType::kMonth,    PeriodType::kQuarter,   PeriodType::kSixMonth,
    PeriodType::kYear, PeriodType::kFiveYear, PeriodType::kMonthRange};

// Takes int64_t so that a key's payload is checked before it is narrowed to int.
bool valid_year(int64_t year) { return year >= kMinYear && year <= kMaxYear; }

std::string str(int n) { return std::to_string(n); }

std::string padded(int n, int width) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%0*d", width, n);
  return buffer;
}

int yyyymm(MonthIndex m) { return year_of(m) * 100 + month_of(m); }

std::string english_month_name(MonthIndex m) {
  return kEnglishMonths[static_cast<size_t>(month_of(m) - 1)];
}

std::string english_month(MonthIndex m) { return english_month_name(m) + " " + str(year_of(m)); }

std::string vietnamese_month(MonthIndex m) {
  return "tháng " + str(month_of(m)) + "/" + str(year_of(m));
}

MonthIndex month_of_date(Date date) {
  return month_index(static_cast<int>(date.year()),
                     static_cast<int>(static_cast<unsigned>(date.month())));
}

Date first_day_of(MonthIndex m) {
  return make_date(year_of(m), static_cast<unsigned>(month_of(m)), 1);
}

Date last_day_of(MonthIndex m) {
  const chr::year_month_day_last last{
      chr::year{year_of(m)}, chr::month_day_last{chr::month{static_cast<unsigned>(month_of(m))}}};
  return Date{last};
}

// The Period of `type` whose first month is `first`; for a range, `count` months long.
Period period_starting_at(PeriodType type, MonthIndex first, int count) {
  const int year = year_of(first);
  const int month = month_of(first);
  switch (type) {
    case PeriodType::kMonth:
      return Period::month(year, month);
    case PeriodType::kQuarter:
      return Period::quarter(year, (month - 1) / 3 + 1);
    case PeriodType::kSixMonth:
      return Period::six_month(year, (month - 1) / 6 + 1);
    case PeriodType::kYear:
      return Period::year(year);
    case PeriodType::kFiveYear:
      return Period::five_year(year);
    case PeriodType::kMonthRange:
    case PeriodType::kDay:
      break;
  }
  return Period::month_range(first, first + count - 1);
}

// A period of the same type moved by `steps` of its own length (a day moves by days).
Period shifted(const Period& p, int steps) {
  if (p.type() == PeriodType::kDay) return Period::day(add_days(p.dates().first, steps));
  return period_starting_at(p.type(), p.first_month() + steps * p.month_count(), p.month_count());
}

using parse_text::describe_char;
using parse_text::is_digit;

// Parses one machine code; positions in messages are 1-based character positions in the
// whole code, so a mistake in the second half of a range points at the right place.
class CodeParser {
 public:
  explicit CodeParser(std::string_view code) : code_(code) {}

  Result<Period> parse() const {
    const size_t dots = code_.find("..");
    if (dots == std::string_view::npos) return single(0, code_.size());

    Result<Period> from = single(0, dots);
    if (!from) return from.status();
    Result<Period> to = single(dots + 2, code_.size());
    if (!to) return to.status();
    if (!can_bound_range(from->type())) {
      return fail_at(0, "a range must start with a month, quarter, half-year or year");
    }
    if (!can_bound_range(to->type())) {
      return fail_at(dots + 2, "a range must end with a month, quarter, half-year or year");
    }
    if (to->last_month() < from->first_month()) {
      return fail_at(dots + 2, "the range ends before it starts");
    }
    return Period::month_range(from->first_month(), to->last_month());
  }

 private:
  static bool can_bound_range(PeriodType type) {
    return type == PeriodType::kMonth || type == PeriodType::kQuarter ||
           type == PeriodType::kSixMonth || type == PeriodType::kYear;
  }

  Status fail_at(size_t index, std::string_view reason) const {
    return Status::invalid_input("malformed period \"" + std::string(code_) + "\" at position " +
                                 std::to_string(index + 1) + ": " + std::string(reason));
  }

  Status fail_found(size_t index, std::string_view expected) const {
    return fail_at(index,
                   "expected " + std::string(expected) + ", found " + describe_char(code_, index));
  }

  // Reads the digits at [index, index + width) within [.., end).
  Status read_digits(size_t index, size_t end, int width, std::string_view what, int& value) const {
    value = 0;
    for (int i = 0; i < width; ++i) {
      const size_t at = index + static_cast<size_t>(i);
      if (at >= end || !is_digit(code_[at])) return fail_found(at, what);
      value = value * 10 + (code_[at] - '0');
    }
    return Status::ok();
  }

  Status read_year(size_t index, size_t end, int& year) const {
    QPAN_RETURN_IF_ERROR(read_digits(index, end, 4, "a four-digit year", year));
    if (!valid_year(year)) return fail_at(index, "year must be 1900–2999");
    return Status::ok();
  }

  Status expect_end(size_t index, size_t end, std::string_view after) const {
    if (index < end) {
      return fail_at(index,
                     "found " + describe_char(code_, index) + " after the " + std::string(after));
    }
    return Status::ok();
  }

  // Parses code_[begin, end) as anything but a range.
  Result<Period> single(size_t begin, size_t end) const {
    int year = 0;
    QPAN_RETURN_IF_ERROR(read_year(begin, end, year));
    const size_t rest = begin + 4;
    if (rest == end) return Period::year(year);

    const char marker = code_[rest];
    if (marker == 'Q' || marker == 'S') {
      const bool quarter = marker == 'Q';
      const int max = quarter ? 4 : 2;
      const char* range_text = quarter ? "quarter 1–4" : "half 1 or 2";
      if (rest + 1 >= end || !is_digit(code_[rest + 1])) return fail_found(rest + 1, range_text);
      const int index = code_[rest + 1] - '0';
      if (index < 1 || index > max) {
        return fail_at(rest + 1, quarter ? "quarter must be 1–4" : "half must be 1 or 2");
      }
      QPAN_RETURN_IF_ERROR(expect_end(rest + 2, end, quarter ? "quarter" : "half-year"));
      return quarter ? Period::quarter(year, index) : Period::six_month(year, index);
    }

    if (marker == '-') {
      int last_year = 0;
      QPAN_RETURN_IF_ERROR(read_year(rest + 1, end, last_year));
      if (last_year != year + kYearsPerTerm - 1) {
        return fail_at(rest + 1, "a five-year term spans exactly five years (" + str(year) + "-" +
                                     str(year + kYearsPerTerm - 1) + "), not " + str(year) + "-" +
                                     str(last_year));
      }
      QPAN_RETURN_IF_ERROR(expect_end(rest + 5, end, "five-year term"));
      return Period::five_year(year);
    }

    if (!is_digit(marker)) {
      return fail_found(rest, "a month (MM), day (MMDD), 'Q', 'S' or '-' after the year");
    }
    size_t digits = 0;
    while (rest + digits < end && is_digit(code_[rest + digits])) ++digits;
    if (digits > 4) return fail_at(rest + 4, "too many digits: a day is YYYYMMDD");
    if (digits != 2 && digits != 4) {
      return fail_at(rest,
                     "expected two digits for a month (YYYYMM) or four for a day "
                     "(YYYYMMDD), found " +
                         str(static_cast<int>(digits)));
    }
    const int month = (code_[rest] - '0') * 10 + (code_[rest + 1] - '0');
    if (month < 1 || month > 12) return fail_at(rest, "month must be 01–12");
    if (digits == 2) {
      QPAN_RETURN_IF_ERROR(expect_end(rest + 2, end, "month"));
      return Period::month(year, month);
    }
    const int day = (code_[rest + 2] - '0') * 10 + (code_[rest + 3] - '0');
    const Date date = make_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    if (!date.ok()) {
      const int last_day =
          static_cast<int>(static_cast<unsigned>(last_day_of(month_index(year, month)).day()));
      return fail_at(rest + 2, "day must be 01–" + padded(last_day, 2) + " in " + padded(year, 4) +
                                   "-" + padded(month, 2));
    }
    QPAN_RETURN_IF_ERROR(expect_end(rest + 4, end, "day"));
    return Period::day(date);
  }

  std::string_view code_;
};

Status invalid_key(int64_t key, std::string_view reason) {
  return Status::invalid_input("invalid period key " + std::to_string(key) + ": " +
                               std::string(reason));
}

// Checks a yyyymm from a key and turns it into a MonthIndex.
Status month_from_key(int64_t key, int64_t value, MonthIndex& month) {
  const int64_t year = value / 100;
  const int64_t m = value % 100;
  if (!valid_year(year)) return invalid_key(key, "year must be 1900–2999");
  if (m < 1 || m > 12) return invalid_key(key, "month must be 01–12");
  month = month_index(static_cast<int>(year), static_cast<int>(m));
  return Status::ok();
}

}  // namespace

Result<Period> Period::parse(std::string_view code) { return CodeParser(code).parse(); }

Period Period::day(Date date) {
  assert(date.ok());
  return Period(PeriodType::kDay, to_days(date), 0);
}

Period Period::month(int year, int month) {
  assert(month >= 1 && month <= 12);
  return Period(PeriodType::kMonth, month_index(year, month), 0);
}

Period Period::quarter(int year, int quarter) {
  assert(quarter >= 1 && quarter <= 4);
  return Period(PeriodType::kQuarter, year, quarter);
}

Period Period::six_month(int year, int half) {
  assert(half == 1 || half == 2);
  return Period(PeriodType::kSixMonth, year, half);
}

Period Period::year(int year) { return Period(PeriodType::kYear, year, 0); }

Period Period::five_year(int first_year) { return Period(PeriodType::kFiveYear, first_year, 0); }

Period Period::month_range(MonthIndex first, MonthIndex last) {
  assert(first <= last);
  return Period(PeriodType::kMonthRange, first, last);
}

int Period::year() const {
  switch (type_) {
    case PeriodType::kDay:
      return static_cast<int>(from_days(a_).year());
    case PeriodType::kMonth:
    case PeriodType::kMonthRange:
      return year_of(a_);
    case PeriodType::kQuarter:
    case PeriodType::kSixMonth:
    case PeriodType::kYear:
    case PeriodType::kFiveYear:
      return a_;
  }
  return a_;
}

std::string Period::code() const {
  switch (type_) {
    case PeriodType::kDay: {
      const Date date = from_days(a_);
      return padded(static_cast<int>(date.year()), 4) +
             padded(static_cast<int>(static_cast<unsigned>(date.month())), 2) +
             padded(static_cast<int>(static_cast<unsigned>(date.day())), 2);
    }
    case PeriodType::kMonth:
      return padded(yyyymm(a_), 6);
    case PeriodType::kQuarter:
      return padded(a_, 4) + "Q" + str(b_);
    case PeriodType::kSixMonth:
      return padded(a_, 4) + "S" + str(b_);
    case PeriodType::kYear:
      return padded(a_, 4);
    case PeriodType::kFiveYear:
      return padded(a_, 4) + "-" + padded(a_ + kYearsPerTerm - 1, 4);
    case PeriodType::kMonthRange:
      return padded(yyyymm(a_), 6) + ".." + padded(yyyymm(b_), 6);
  }
  return {};
}

std::string Period::label_vi() const {
  switch (type_) {
    case PeriodType::kDay: {
      const Date date = from_days(a_);
      return "ngày " + str(static_cast<int>(static_cast<unsigned>(date.day()))) + "/" +
             str(static_cast<int>(static_cast<unsigned>(date.month()))) + "/" +
             str(static_cast<int>(date.year()));
    }
    case PeriodType::kMonth:
      return vietnamese_month(a_);
    case PeriodType::kQuarter:
      return std::string("quý ") + kRomanQuarters[static_cast<size_t>(b_ - 1)] + "/" + str(a_);
    case PeriodType::kSixMonth:
      return std::string(b_ == 1 ? "6 tháng đầu năm " : "6 tháng cuối năm ") + str(a_);
    case PeriodType::kYear:
      return "năm " + str(a_);
    case PeriodType::kFiveYear:
      return "giai đoạn " + str(a_) + "–" + str(a_ + kYearsPerTerm - 1);
    case PeriodType::kMonthRange: {
      const int first_year = year_of(a_);
      const int last_year = year_of(b_);
      // A one-month range reads like the month itself; "từ tháng 3 đến tháng 3/2022" is
      // what nobody would write.
      if (a_ == b_) return vietnamese_month(a_);
      // Whole calendar years read as years: "năm 2022", "giai đoạn 2019–2024".
      if (month_of(a_) == 1 && month_of(b_) == 12) {
        return first_year == last_year ? "năm " + str(first_year)
                                       : "giai đoạn " + str(first_year) + "–" + str(last_year);
      }
      if (month_of(a_) == 1 && first_year == last_year) {
        return str(month_count()) + " tháng đầu năm " + str(first_year);
      }
      if (month_of(a_) == 1) {
        return "từ đầu năm " + str(first_year) + " đến " + vietnamese_month(b_);
      }
      if (first_year == last_year) {
        return "từ tháng " + str(month_of(a_)) + " đến " + vietnamese_month(b_);
      }
      return "từ " + vietnamese_month(a_) + " đến " + vietnamese_month(b_);
    }
  }
  return {};
}

std::string Period::label_en() const {
  switch (type_) {
    case PeriodType::kDay: {
      const Date date = from_days(a_);
      return str(static_cast<int>(static_cast<unsigned>(date.day()))) + " " +
             english_month(month_of_date(date));
    }
    case PeriodType::kMonth:
      return english_month(a_);
    case PeriodType::kQuarter:
      return "Q" + str(b_) + " " + str(a_);
    case PeriodType::kSixMonth:
      return std::string(b_ == 1 ? "first half of " : "second half of ") + str(a_);
    case PeriodType::kYear:
      return str(a_);
    case PeriodType::kFiveYear:
      return str(a_) + "–" + str(a_ + kYearsPerTerm - 1);
    case PeriodType::kMonthRange: {
      const int first_year = year_of(a_);
      const int last_year = year_of(b_);
      if (a_ == b_) return english_month(a_);
      if (month_of(a_) == 1 && month_of(b_) == 12) {
        return first_year == last_year ? str(first_year) : str(first_year) + "–" + str(last_year);
      }
      if (month_of(a_) == 1 && first_year == last_year) {
        return "first " + str(month_count()) + " months of " + str(first_year);
      }
      if (first_year == last_year) {
        return english_month_name(a_) + " to " + english_month(b_);
      }
      return english_month(a_) + " to " + english_month(b_);
    }
  }
  return {};
}

DateRange Period::dates(Calendar calendar) const {
  if (type_ == PeriodType::kDay) {
    const Date date = from_days(a_);
    return {date, date};
  }
  if (calendar == Calendar::kCutoff) {
    // Decree 09/2019/NĐ-CP Art. 12: a reporting window runs from the 15th of the month
    // before its first month to the 14th of its last month, whatever its length.
    const MonthIndex before = first_month() - 1;
    return {make_date(year_of(before), static_cast<unsigned>(month_of(before)), 15),
            make_date(year_of(last_month()), static_cast<unsigned>(month_of(last_month())), 14)};
  }
  return {first_day_of(first_month()), last_day_of(last_month())};
}

MonthIndex Period::first_month() const {
  switch (type_) {
    case PeriodType::kDay:
      return month_of_date(from_days(a_));
    case PeriodType::kMonth:
    case PeriodType::kMonthRange:
      return a_;
    case PeriodType::kQuarter:
      return month_index(a_, (b_ - 1) * 3 + 1);
    case PeriodType::kSixMonth:
      return month_index(a_, (b_ - 1) * 6 + 1);
    case PeriodType::kYear:
    case PeriodType::kFiveYear:
      return month_index(a_, 1);
  }
  return a_;
}

MonthIndex Period::last_month() const {
  switch (type_) {
    case PeriodType::kDay:
    case PeriodType::kMonth:
      return first_month();
    case PeriodType::kQuarter:
      return first_month() + 2;
    case PeriodType::kSixMonth:
      return first_month() + 5;
    case PeriodType::kYear:
      return month_index(a_, 12);
    case PeriodType::kFiveYear:
      return month_index(a_ + kYearsPerTerm - 1, 12);
    case PeriodType::kMonthRange:
      return b_;
  }
  return a_;
}

Period Period::previous() const { return shifted(*this, -1); }

Period Period::next() const { return shifted(*this, 1); }

Period Period::same_period_last_year() const {
  switch (type_) {
    case PeriodType::kDay: {
      const Date date = from_days(a_);
      const Date year_before = date - chr::years{1};
      // 29 February has no twin in a common year; the report compares with the 28th.
      if (!year_before.ok()) {
        return Period::day(
            Date{chr::year_month_day_last{year_before.year(), chr::month_day_last{date.month()}}});
      }
      return Period::day(year_before);
    }
    case PeriodType::kFiveYear:
      return previous();
    case PeriodType::kMonth:
    case PeriodType::kQuarter:
    case PeriodType::kSixMonth:
    case PeriodType::kYear:
    case PeriodType::kMonthRange:
      break;
  }
  return period_starting_at(type_, first_month() - 12, month_count());
}

bool Period::contains(const Period& other) const {
  const DateRange mine = dates();
  const DateRange theirs = other.dates();
  return mine.contains(theirs.first) && mine.contains(theirs.last);
}

int64_t Period::key() const {
  int64_t payload = 0;
  switch (type_) {
    case PeriodType::kDay: {
      const Date date = from_days(a_);
      payload = static_cast<int64_t>(static_cast<int>(date.year())) * 10000 +
                static_cast<unsigned>(date.month()) * 100 + static_cast<unsigned>(date.day());
      break;
    }
    case PeriodType::kMonth:
      payload = yyyymm(a_);
      break;
    case PeriodType::kQuarter:
    case PeriodType::kSixMonth:
      payload = static_cast<int64_t>(a_) * 10 + b_;
      break;
    case PeriodType::kYear:
    case PeriodType::kFiveYear:
      payload = a_;
      break;
    case PeriodType::kMonthRange:
      payload = static_cast<int64_t>(yyyymm(a_)) * kRangeKeyFactor + yyyymm(b_);
      break;
  }
  return static_cast<int64_t>(type_) * kKeyTypeFactor + payload;
}

Result<Period> Period::from_key(int64_t key) {
  if (key < 0) return invalid_key(key, "keys are never negative");
  const int64_t type = key / kKeyTypeFactor;
  const int64_t payload = key % kKeyTypeFactor;
  switch (type) {
    case static_cast<int64_t>(PeriodType::kDay): {
      MonthIndex month = 0;
      QPAN_RETURN_IF_ERROR(month_from_key(key, payload / 100, month));
      const Date date = make_date(year_of(month), static_cast<unsigned>(month_of(month)),
                                  static_cast<unsigned>(payload % 100));
      if (!date.ok()) return invalid_key(key, "the day does not exist");
      return Period::day(date);
    }
    case static_cast<int64_t>(PeriodType::kMonth): {
      MonthIndex month = 0;
      QPAN_RETURN_IF_ERROR(month_from_key(key, payload, month));
      return Period::month(year_of(month), month_of(month));
    }
    case static_cast<int64_t>(PeriodType::kQuarter):
    case static_cast<int64_t>(PeriodType::kSixMonth): {
      const bool quarter = type == static_cast<int64_t>(PeriodType::kQuarter);
      const int64_t year = payload / 10;
      const int index = static_cast<int>(payload % 10);
      if (!valid_year(year)) return invalid_key(key, "year must be 1900–2999");
      if (index < 1 || index > (quarter ? 4 : 2)) {
        return invalid_key(key, quarter ? "quarter must be 1–4" : "half must be 1 or 2");
      }
      return quarter ? Period::quarter(static_cast<int>(year), index)
                     : Period::six_month(static_cast<int>(year), index);
    }
    case static_cast<int64_t>(PeriodType::kYear):
      if (!valid_year(payload)) return invalid_key(key, "year must be 1900–2999");
      return Period::year(static_cast<int>(payload));
    case static_cast<int64_t>(PeriodType::kFiveYear):
      if (!valid_year(payload) || !valid_year(payload + kYearsPerTerm - 1)) {
        return invalid_key(key, "both years of a five-year term must be 1900–2999");
      }
      return Period::five_year(static_cast<int>(payload));
    case static_cast<int64_t>(PeriodType::kMonthRange): {
      MonthIndex first = 0;
      MonthIndex last = 0;
      QPAN_RETURN_IF_ERROR(month_from_key(key, payload / kRangeKeyFactor, first));
      QPAN_RETURN_IF_ERROR(month_from_key(key, payload % kRangeKeyFactor, last));
      if (last < first) return invalid_key(key, "the range ends before it starts");
      return Period::month_range(first, last);
    }
    default:
      return invalid_key(key, "unknown period type " + std::to_string(type));
  }
}

std::vector<std::pair<int64_t, int64_t>> contained_key_ranges(const Period& p) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  const DateRange days = p.dates();
  ranges.emplace_back(Period::day(days.first).key(), Period::day(days.last).key());
  if (p.type() == PeriodType::kDay) return ranges;
  const MonthIndex first = p.first_month(), last = p.last_month();
  ranges.emplace_back(Period::month(year_of(first), month_of(first)).key(),
                      Period::month(year_of(last), month_of(last)).key());
  // Whole blocks of `size` months (quarters, halves, years) inside [first, last].
  auto blocks = [&](int size, auto make) {
    MonthIndex lo = (first + size - 1) / size * size;  // first block start >= first
    MonthIndex hi = (last + 1) / size * size - size;   // last block start ending <= last
    if (lo <= hi) ranges.emplace_back(make(lo).key(), make(hi).key());
  };
  blocks(3, [](MonthIndex m) { return Period::quarter(year_of(m), month_of(m) / 3 + 1); });
  blocks(6, [](MonthIndex m) { return Period::six_month(year_of(m), month_of(m) / 6 + 1); });
  blocks(12, [](MonthIndex m) { return Period::year(year_of(m)); });
  const int first_year = (first + 11) / 12, last_year = (last + 1) / 12 - 1;
  if (last_year - first_year >= 4) {
    ranges.emplace_back(Period::five_year(first_year).key(), Period::five_year(last_year - 4).key());
  }
  return ranges;
}

std::string_view period_type_name(PeriodType type) {
  switch (type) {
    case PeriodType::kDay:
      return "day";
    case PeriodType::kMonth:
      return "month";
    case PeriodType::kQuarter:
      return "quarter";
    case PeriodType::kSixMonth:
      return "six_month";
    case PeriodType::kYear:
      return "year";
    case PeriodType::kFiveYear:
      return "five_year";
    case PeriodType::kMonthRange:
      return "month_range";
  }
  return "unknown";
}

Result<PeriodType> parse_period_type(std::string_view name) {
  std::string expected;
  for (PeriodType type : kAllTypes) {
    if (period_type_name(type) == name) return type;
    if (!expected.empty()) expected += ", ";
    expected += period_type_name(type);
  }
  return Status::invalid_input("unknown period type \"" + std::string(name) +
                               "\": expected one of " + expected);
}

}  // namespace qpan
