// Calendar dates and UTC timestamps in their ISO-8601 text forms (see qpan/date.h).
#include "qpan/date.h"

#include "core/parse_text.h"

#include <cstdio>

namespace qpan {
namespace {

namespace chr = std::chrono;

constexpr int64_t kSecondsPerDay = 86400;

using parse_text::describe_char;

// Reads a fixed-layout ASCII text left to right, stopping at the first problem so that every
// character before the reported position is known to be well-formed.
class Scanner {
 public:
  Scanner(std::string_view text, std::string_view what) : text_(text), what_(what) {}

  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= text_.size(); }
  bool next_is(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool next_is_digit() const {
    return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9';
  }
  void skip() { ++pos_; }

  Status fail_at(size_t index, std::string_view reason) const {
    return Status::invalid_input("malformed " + std::string(what_) + " \"" + std::string(text_) +
                                 "\" at position " + std::to_string(index + 1) + ": " +
                                 std::string(reason));
  }
  Status fail(std::string_view reason) const { return fail_at(pos_, reason); }
  Status fail_found(std::string_view expected) const {
    return fail(std::string("expected ") + std::string(expected) + ", found " +
                describe_char(text_, pos_));
  }

  // Reads exactly `width` decimal digits.
  Status read_digits(int width, std::string_view field, int& value) {
    value = 0;
    for (int i = 0; i < width; ++i) {
      if (!next_is_digit()) {
        return fail_found(std::to_string(width) + "-digit " + std::string(field));
      }
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
    }
    return Status::ok();
  }

  Status expect(char c, std::string_view expected) {
    if (!next_is(c)) return fail_found(expected);
    ++pos_;
    return Status::ok();
  }

 private:
  std::string_view text_;
  std::string_view what_;
  size_t pos_ = 0;
};

// Reads "YYYY-MM-DD" and checks that the day exists.
Status read_date(Scanner& in, Date& date) {
  int year = 0;
  int month = 0;
  int day = 0;
  QPAN_RETURN_IF_ERROR(in.read_digits(4, "year", year));
  QPAN_RETURN_IF_ERROR(in.expect('-', "'-' after the year"));
  const size_t month_pos = in.pos();
  QPAN_RETURN_IF_ERROR(in.read_digits(2, "month", month));
  if (month < 1 || month > 12) return in.fail_at(month_pos, "month must be 01–12");
  QPAN_RETURN_IF_ERROR(in.expect('-', "'-' after the month"));
  const size_t day_pos = in.pos();
  QPAN_RETURN_IF_ERROR(in.read_digits(2, "day", day));
  date = make_date(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (!date.ok()) {
    const chr::year_month_day_last last{
        chr::year{year}, chr::month_day_last{chr::month{static_cast<unsigned>(month)}}};
    char reason[64];
    std::snprintf(reason, sizeof reason, "day must be 01–%02u in %04d-%02d",
                  static_cast<unsigned>(last.day()), year, month);
    return in.fail_at(day_pos, reason);
  }
  return Status::ok();
}

// Reads a two-digit field and checks it against an inclusive upper bound.
Status read_bounded(Scanner& in, std::string_view field, int max, std::string_view range_text,
                    int& value) {
  const size_t start = in.pos();
  QPAN_RETURN_IF_ERROR(in.read_digits(2, field, value));
  if (value > max) {
    return in.fail_at(start, std::string(field) + " must be " + std::string(range_text));
  }
  return Status::ok();
}

}  // namespace

Result<Date> parse_date(std::string_view text) {
  Scanner in(text, "date");
  Date date;
  QPAN_RETURN_IF_ERROR(read_date(in, date));
  if (!in.done()) return in.fail("found " + describe_char(text, in.pos()) + " after the date");
  return date;
}

std::string format_date(Date date) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buffer;
}

int32_t to_days(Date date) {
  return static_cast<int32_t>(chr::sys_days{date}.time_since_epoch().count());
}

Date from_days(int32_t days) { return Date{chr::sys_days{chr::days{days}}}; }

Date today_utc() { return Date{chr::floor<chr::days>(chr::system_clock::now())}; }

Result<int64_t> parse_timestamp(std::string_view text) {
  Scanner in(text, "timestamp");
  Date date;
  QPAN_RETURN_IF_ERROR(read_date(in, date));
  const int64_t midnight = static_cast<int64_t>(to_days(date)) * kSecondsPerDay;
  if (in.done()) return midnight;

  if (!in.next_is('T') && !in.next_is(' ')) {
    return in.fail_found("'T' or a space between the date and the time");
  }
  in.skip();
  int hour = 0;
  int minute = 0;
  int second = 0;
  QPAN_RETURN_IF_ERROR(read_bounded(in, "hour", 23, "00–23", hour));
  QPAN_RETURN_IF_ERROR(in.expect(':', "':' after the hour"));
  QPAN_RETURN_IF_ERROR(read_bounded(in, "minute", 59, "00–59", minute));
  if (in.next_is(':')) {
    in.skip();
    QPAN_RETURN_IF_ERROR(read_bounded(in, "second", 59, "00–59", second));
    if (in.next_is('.')) {
      in.skip();
      // qpan keeps whole seconds, so the fraction is checked and then dropped.
      if (!in.next_is_digit()) return in.fail_found("digits after '.'");
      while (in.next_is_digit()) in.skip();
    }
  }

  int64_t offset_seconds = 0;
  if (in.next_is('Z')) {
    in.skip();
  } else if (in.next_is('+') || in.next_is('-')) {
    const int sign = in.next_is('-') ? -1 : 1;
    in.skip();
    int offset_hours = 0;
    int offset_minutes = 0;
    QPAN_RETURN_IF_ERROR(read_bounded(in, "offset hour", 23, "00–23", offset_hours));
    if (in.next_is(':')) in.skip();
    QPAN_RETURN_IF_ERROR(read_bounded(in, "offset minute", 59, "00–59", offset_minutes));
    offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
  } else if (!in.done()) {
    return in.fail_found("'Z', a '+HH:MM' or '-HH:MM' offset, or the end of the timestamp");
  }
  if (!in.done()) {
    return in.fail("found " + describe_char(text, in.pos()) + " after the timestamp");
  }
  // A local time at offset +07:00 is seven hours ahead of UTC, so the offset is subtracted.
  return midnight + hour * 3600 + minute * 60 + second - offset_seconds;
}

std::string format_timestamp(int64_t unix_seconds) {
  const chr::sys_seconds instant{chr::seconds{unix_seconds}};
  // floor, not a cast: a time before 1970 still belongs to the day that starts before it.
  const chr::sys_days day = chr::floor<chr::days>(instant);
  const Date date{day};
  const chr::hh_mm_ss time{instant - day};
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return buffer;
}

}  // namespace qpan
