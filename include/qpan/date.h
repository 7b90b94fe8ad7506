// Calendar dates (proleptic Gregorian, no time zone) and their ISO-8601 text form.
// qpan's dates are days: validity of org units, period boundaries, registry records.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "qpan/status.h"

namespace qpan {

using Date = std::chrono::year_month_day;

// Builds a date; the caller guarantees it is valid (use parse_date for input).
inline constexpr Date make_date(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// Parses "YYYY-MM-DD" strictly (four-digit year, real calendar day).
Result<Date> parse_date(std::string_view text);

// "YYYY-MM-DD".
std::string format_date(Date date);

// Days since 1970-01-01; convenient for arithmetic and compact storage.
int32_t to_days(Date date);
Date from_days(int32_t days);

inline Date add_days(Date date, int32_t n) { return from_days(to_days(date) + n); }

// Today's date in UTC from the system clock (the CLI injects this; the engine never asks).
Date today_utc();

// Timestamps as seconds since the Unix epoch, UTC. Parses "YYYY-MM-DD",
// "YYYY-MM-DDTHH:MM[:SS[.fff]]" with an optional "Z", "+HH:MM" or "+HHMM" offset.
Result<int64_t> parse_timestamp(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_timestamp(int64_t unix_seconds);

}  // namespace qpan
