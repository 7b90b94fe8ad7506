// Text output shared by analytics, evaluation and validation reports: aligned tables for people
// (display width of Vietnamese text), CSV fields, and the Vietnamese forms of percentages
// and changes in percentage points.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qpan::report_text {

// An aligned plain-text table: a header line, a rule of dashes, one line per row. Columns
// listed in `right_aligned` (numbers) are aligned right.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers, std::vector<bool> right_aligned = {});
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text in a terminal: code points, leaving out combining marks.
size_t display_width(std::string_view s);

// Appends `field` to `out`, quoted when it holds a comma, quote or line break.
void append_csv_field(std::string& out, std::string_view field);

// A percentage with exactly `decimals` decimals and the Vietnamese marks: "89,5 %".
std::string percent_vi(double value, int decimals);
// A number with exactly `decimals` decimals in Vietnamese form: 86.0 → "86,0".
std::string fixed_vi(double value, int decimals);
// A change in percentage points with its sign: "+3,5", "-0,4", "0,0".
std::string change_vi(double points, int decimals);
// Rounded to `decimals` for machine output, without a negative zero.
double rounded(double value, int decimals);

}  // namespace qpan::report_text
