// DHIS2's period items in qpan's periods (see qpan/dhis2.h): the fixed forms qpan lacks
// (bi-months, financial years) as month ranges, and the relative periods counted back from
// a day as DHIS2 counts them.
#include <array>
#include <cstdio>
#include <cctype>
#include <charconv>
#include <functional>
#include <optional>

#include "qpan/dhis2.h"

namespace qpan {
namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::optional<int> number_at(std::string_view text, size_t first, size_t count) {
  if (first + count > text.size()) return std::nullopt;
  int value = 0;
  const char* begin = text.data() + first;
  auto [end, ec] = std::from_chars(begin, begin + count, value);
  if (ec != std::errc() || end != begin + count) return std::nullopt;
  return value;
}

Dhis2Period own(const Period& p) { return {p, p.code()}; }

Dhis2Period bimonth(int year, int index) {  // index 1..6
  const MonthIndex first = month_index(year, index * 2 - 1);
  char code[16];
  std::snprintf(code, sizeof code, "%04d%02dB", year, index);
  return {Period::month_range(first, first + 1), code};
}

// The relative periods: each name and the periods it stands for on a day, oldest first.
struct RelativePeriod {
  std::string_view name;
  std::function<std::vector<Dhis2Period>(MonthIndex this_month)> periods;
};

// `count` consecutive periods ending `back` periods before the current one; `make(k)`
// builds the k-th period counted from a fixed origin.
std::vector<Dhis2Period> run(int current, int back, int count, const std::function<Dhis2Period(int)>& make) {
  std::vector<Dhis2Period> out;
  for (int k = current - back - count + 1; k <= current - back; ++k) out.push_back(make(k));
  return out;
}

Dhis2Period month_at(int m) { return own(Period::month(year_of(m), month_of(m))); }
Dhis2Period bimonth_at(int b) { return bimonth(b / 6, b % 6 + 1); }
Dhis2Period quarter_at(int q) { return own(Period::quarter(q / 4, q % 4 + 1)); }
Dhis2Period half_at(int h) { return own(Period::six_month(h / 2, h % 2 + 1)); }
Dhis2Period year_at(int y) { return own(Period::year(y)); }

const std::vector<RelativePeriod>& relative_periods() {
  static const std::vector<RelativePeriod> table = {
      {"THIS_MONTH", [](MonthIndex m) { return run(m, 0, 1, month_at); }},
      {"LAST_MONTH", [](MonthIndex m) { return run(m, 1, 1, month_at); }},
      {"LAST_3_MONTHS", [](MonthIndex m) { return run(m, 1, 3, month_at); }},
      {"LAST_6_MONTHS", [](MonthIndex m) { return run(m, 1, 6, month_at); }},
      {"LAST_12_MONTHS", [](MonthIndex m) { return run(m, 1, 12, month_at); }},
      {"MONTHS_THIS_YEAR", [](MonthIndex m) { return run(month_index(year_of(m), 12), 0, 12, month_at); }},
      {"MONTHS_LAST_YEAR", [](MonthIndex m) { return run(month_index(year_of(m) - 1, 12), 0, 12, month_at); }},
      {"THIS_BIMONTH", [](MonthIndex m) { return run(m / 2, 0, 1, bimonth_at); }},
      {"LAST_BIMONTH", [](MonthIndex m) { return run(m / 2, 1, 1, bimonth_at); }},
      {"LAST_6_BIMONTHS", [](MonthIndex m) { return run(m / 2, 1, 6, bimonth_at); }},
      {"BIMONTHS_THIS_YEAR", [](MonthIndex m) { return run(year_of(m) * 6 + 5, 0, 6, bimonth_at); }},
      {"THIS_QUARTER", [](MonthIndex m) { return run(m / 3, 0, 1, quarter_at); }},
      {"LAST_QUARTER", [](MonthIndex m) { return run(m / 3, 1, 1, quarter_at); }},
      {"LAST_4_QUARTERS", [](MonthIndex m) { return run(m / 3, 1, 4, quarter_at); }},
      {"QUARTERS_THIS_YEAR", [](MonthIndex m) { return run(year_of(m) * 4 + 3, 0, 4, quarter_at); }},
      {"QUARTERS_LAST_YEAR", [](MonthIndex m) { return run(year_of(m) * 4 - 1, 0, 4, quarter_at); }},
      {"THIS_SIX_MONTH", [](MonthIndex m) { return run(m / 6, 0, 1, half_at); }},
      {"LAST_SIX_MONTH", [](MonthIndex m) { return run(m / 6, 1, 1, half_at); }},
      {"LAST_2_SIXMONTHS", [](MonthIndex m) { return run(m / 6, 1, 2, half_at); }},
      {"THIS_YEAR", [](MonthIndex m) { return run(year_of(m), 0, 1, year_at); }},
      {"LAST_YEAR", [](MonthIndex m) { return run(year_of(m), 1, 1, year_at); }},
      {"LAST_5_YEARS", [](MonthIndex m) { return run(year_of(m), 1, 5, year_at); }},
      {"LAST_10_YEARS", [](MonthIndex m) { return run(year_of(m), 1, 10, year_at); }},
  };
  return table;
}

// DHIS2's financial years: twelve months from the month named after the year.
constexpr std::array<std::pair<std::string_view, int>, 4> kFinancialYearStarts = {
    {{"April", 4}, {"July", 7}, {"Oct", 10}, {"Nov", 11}}};

// A relative period's form: upper-case words ("LAST_12_MONTHS").
bool all_upper(std::string_view s) {
  for (char c : s) {
    if (!(std::isupper(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return !s.empty() && std::isupper(static_cast<unsigned char>(s.front()));
}

bool is_weekly(std::string_view item) {
  if (item.size() < 6 || !number_at(item, 0, 4)) return false;
  const std::string_view rest = item.substr(4);
  for (std::string_view prefix : {"BiW", "WedW", "ThuW", "SatW", "SunW", "W"}) {
    if (rest.starts_with(prefix)) return number_at(rest, prefix.size(), rest.size() - prefix.size()).has_value();
  }
  return false;
}

}  // namespace

Result<std::vector<Dhis2Period>> resolve_dhis2_period(std::string_view item, Date today) {
  const MonthIndex this_month = month_index(static_cast<int>(today.year()), static_cast<unsigned>(today.month()));
  for (const RelativePeriod& r : relative_periods()) {
    if (r.name == item) return r.periods(this_month);
  }
  // Bi-month: yyyy0nB.
  if (item.size() == 7 && item[6] == 'B') {
    const std::optional<int> year = number_at(item, 0, 4), index = number_at(item, 4, 2);
    if (year && index && *index >= 1 && *index <= 6) return std::vector<Dhis2Period>{bimonth(*year, *index)};
  }
  for (const auto& [name, first_month] : kFinancialYearStarts) {
    if (item.size() == 4 + name.size() && item.substr(4) == name) {
      if (std::optional<int> year = number_at(item, 0, 4)) {
        const MonthIndex first = month_index(*year, first_month);
        return std::vector<Dhis2Period>{{Period::month_range(first, first + 11), std::string(item)}};
      }
    }
  }
  if (is_weekly(item)) {
    return Status::invalid_input("pe: " + quoted(item) +
                                 ": kỳ tuần không có trong qpan — số liệu báo cáo theo tháng (weekly periods "
                                 "cannot be answered: qpan's figures are monthly; ask months, quarters or years)");
  }
  if (all_upper(item)) {
    const bool days = item.find("DAY") != std::string_view::npos || item == "TODAY";
    const bool weeks = item.find("WEEK") != std::string_view::npos;
    const bool financial = item.find("FINANCIAL") != std::string_view::npos;
    std::string reason = days || weeks ? "qpan's figures are monthly; ask LAST_12_MONTHS, THIS_QUARTER, THIS_YEAR…"
                         : financial
                             ? "the financial year's first month is not set in qpan (Vietnam's budget year is the "
                               "calendar year); ask THIS_YEAR, LAST_YEAR or a fixed one such as 2016April"
                             : "not a relative period qpan knows";
    return Status::invalid_input("pe: " + quoted(item) + ": kỳ tương đối không được hỗ trợ (" + reason + ")");
  }
  Result<Period> p = Period::parse(item);
  if (!p) return Status::invalid_input("pe: malformed period " + quoted(item) + ": " + p.status().message());
  return std::vector<Dhis2Period>{own(*p)};
}

}  // namespace qpan
