// Aligned tables, CSV fields and Vietnamese percentages for reports (see qpan/text_table.h).
#include "qpan/text_table.h"

#include <algorithm>

#include "qpan/number_format.h"

namespace qpan::report_text {

TextTable::TextTable(std::vector<std::string> headers, std::vector<bool> right_aligned)
    : headers_(std::move(headers)), right_(std::move(right_aligned)) {
  right_.resize(headers_.size(), false);
}

void TextTable::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

size_t display_width(std::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c & 0xC0) == 0x80) continue;
    if (c == 0xCC || (c == 0xCD && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xB0)) {
      continue;  // U+0300–U+036F are CC 80 – CD AF
    }
    ++width;
  }
  return width;
}

std::string TextTable::render() const {
  std::vector<size_t> widths(headers_.size());
  for (size_t k = 0; k < headers_.size(); ++k) {
    widths[k] = display_width(headers_[k]);
    for (const auto& row : rows_) widths[k] = std::max(widths[k], display_width(row[k]));
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t k = 0; k < cells.size(); ++k) {
      if (k > 0) text += "  ";
      const size_t pad = widths[k] - display_width(cells[k]);
      if (right_[k]) text.append(pad, ' ');
      text += cells[k];
      if (!right_[k]) text.append(pad, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();  // no trailing blanks
    out += text;
    out += '\n';
  };
  line(headers_);
  for (size_t k = 0; k < headers_.size(); ++k) {
    if (k > 0) out += "  ";
    out.append(widths[k], '-');
  }
  out += '\n';
  for (const auto& row : rows_) line(row);
  return out;
}

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

double rounded(double value, int decimals) {
  const double r = round_decimal(value, decimals);
  return r == 0 ? 0.0 : r;
}

std::string fixed_vi(double value, int decimals) {
  std::string text = format_number_vi(rounded(value, decimals), decimals);
  if (decimals <= 0) return text;
  size_t comma = text.find(',');
  if (comma == std::string::npos) {
    text += ',';
    comma = text.size() - 1;
  }
  const size_t have = text.size() - comma - 1;
  if (have < static_cast<size_t>(decimals)) text.append(static_cast<size_t>(decimals) - have, '0');
  return text;
}

std::string percent_vi(double value, int decimals) { return fixed_vi(value, decimals) + " %"; }

std::string change_vi(double points, int decimals) {
  const double r = rounded(points, decimals);
  return (r > 0 ? "+" : "") + fixed_vi(r, decimals);
}

}  // namespace qpan::report_text
