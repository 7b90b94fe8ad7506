// Machine and Vietnamese number forms, and decimal rounding (see qpan/number_format.h).
#include "qpan/number_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

namespace qpan {

std::string format_number_machine(double value) {
  if (value == 0) return "0";  // also -0
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  if (ec != std::errc()) return "0";
  return std::string(buf, end);
}

std::string format_number_vi(double value, int max_decimals) {
  const std::string machine = format_number_machine(round_decimal(value, std::max(max_decimals, 0)));
  std::string_view rest = machine;
  const bool negative = !rest.empty() && rest.front() == '-';
  if (negative) rest.remove_prefix(1);
  const size_t dot = rest.find('.');
  const std::string_view integer = rest.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
  std::string out = negative ? "-" : "";
  for (size_t i = 0; i < integer.size(); ++i) {
    if (i > 0 && (integer.size() - i) % 3 == 0) out += '.';
    out += integer[i];
  }
  if (!fraction.empty()) {
    out += ',';
    out += fraction;
  }
  return out;
}

double round_decimal(double value, int decimals) {
  if (!std::isfinite(value) || value == 0) return value;
  // The shortest decimal form, "d.ddde±x": its digits are what the user wrote or saw.
  char buffer[64];
  const auto written =
      std::to_chars(buffer, buffer + sizeof buffer, std::fabs(value), std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<size_t>(written.ptr - buffer));
  const size_t e = text.find('e');
  std::string digits(text.substr(0, e));
  if (digits.size() > 1) digits.erase(1, 1);  // drop the decimal point
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+' ? 1 : 0), text.data() + text.size(),
                  exponent);
  // digits = d0 d1 d2 … means d0.d1d2… × 10^exponent; keep those above 10^-decimals.
  const long keep = static_cast<long>(exponent) + 1 + decimals;
  if (keep >= static_cast<long>(digits.size())) return value;
  if (keep < 0) return std::copysign(0.0, value);
  std::string kept = digits.substr(0, static_cast<size_t>(keep));
  if (digits[static_cast<size_t>(keep)] >= '5') {
    size_t i = kept.size();
    while (i > 0 && kept[i - 1] == '9') kept[--i] = '0';
    if (i == 0) {
      kept.insert(kept.begin(), '1');
    } else {
      ++kept[i - 1];
    }
  }
  if (kept.empty()) kept = "0";
  const std::string rounded = kept + "e" + std::to_string(-decimals);
  double result = 0;
  std::from_chars(rounded.data(), rounded.data() + rounded.size(), result);
  return std::copysign(result, value);
}

std::string excel_number_format(int decimals) {
  decimals = std::clamp(decimals, 0, 10);
  return decimals == 0 ? "#,##0" : "#,##0." + std::string(static_cast<size_t>(decimals), '0');
}

}  // namespace qpan
