// Numbers as machines and people write them: the machine form of exchange files and CSV
// ('.' decimal mark, no grouping, shortest exact digits) and the Vietnamese form of tables
// and reports ('.' groups thousands, ',' is the decimal mark: 1.009; 67.716.000.000; 98,9).
#pragma once

#include <string>

namespace qpan {

// Machine form of a number: '.' decimal mark, no grouping, no exponent, integers without
// decimals, the shortest digits that read back as the same double ("449", "98.9").
std::string format_number_machine(double value);

// Vietnamese form of a number for people: '.' groups thousands, ',' is the decimal mark;
// at most `max_decimals` decimals (rounded half away from zero), trailing zeros dropped:
// 1009 → "1.009", 41570000.25 → "41.570.000,25", 98.9 → "98,9", -1234.5 → "-1.234,5".
std::string format_number_vi(double value, int max_decimals);

// The Excel number format of a number with `decimals` decimals (0–10): "#,##0", "#,##0.0",
// … — Excel in a Vietnamese locale shows them as 1.009 and 67,716.
std::string excel_number_format(int decimals);

// Rounds half away from zero at `decimals` decimal places of the shortest decimal form of
// `value` (so round(2.345, 2) is 2.35 although the double is slightly below 2.345).
double round_decimal(double value, int decimals);

}  // namespace qpan
