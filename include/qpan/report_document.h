// A review report as laid out text, before it is a file: the title block of an
// administrative document (Decree 30/2020/NĐ-CP, Phụ lục I), a body of headings, paragraphs,
// tables and charts, the recipients and the signature. Templates build it from the data
// (qpan/report.h); the writers (qpan/report_render.h) turn the same document into DOCX, PDF,
// XLSX and HTML, so the four formats cannot disagree on a figure.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "qpan/date.h"

namespace qpan {

// The question a figure answers, as `qpan analytics` and /api/analytics take it: element or
// indicator codes (comma-separated when a figure is computed from several, as a ratio
// "364/449"), the org units and the periods (a range "201601..201806"; two when a figure
// compares them). For a count of evaluated units (`evaluation`), dx names the evaluation sets
// as `qpan evaluate --set` and /api/evaluation take them.
struct FigureSource {
  std::string dx;
  std::string ou;
  std::string pe;
  bool evaluation = false;
};

// A stretch of text in one style; a figure carries the question it came from.
struct TextRun {
  std::string text;
  bool bold = false;
  bool italic = false;
  std::optional<FigureSource> figure;
};

// A body paragraph: justified, first line indented.
struct Paragraph {
  std::vector<TextRun> runs;
};

// A section heading, bold: level 1 "I. KẾT QUẢ …" (upper case as written), level 2 "1. …",
// level 3 "a) …" (bold italic). The numbering is part of the text.
struct Heading {
  int level = 1;
  std::string text;
};

// One table cell: its text as shown (Vietnamese number form for numbers), and for numbers
// the value and decimals the XLSX cell keeps.
struct TableCell {
  std::string text;
  std::optional<double> number;
  int decimals = 0;
  std::optional<FigureSource> figure;
};

// A table with one header row; `name` is the XLSX sheet name (≤ 31 characters) and the
// caption above it in the other formats ("Bảng 1. Tình hình tội phạm theo huyện").
struct Table {
  std::string name;
  std::string caption;
  std::vector<std::string> header;
  std::vector<std::vector<TableCell>> rows;
};

// A chart drawn by the report (Cairo): a trend over periods (kLine) or units compared (kBar).
// Every series has one value per label; nullopt is a missing value (a gap, no bar).
struct ChartSeries {
  std::string name;
  std::vector<std::optional<double>> values;
};

struct Chart {
  enum class Kind { kLine, kBar };
  Kind kind = Kind::kBar;
  std::string caption;               // "Biểu đồ 1. Số vụ phạm tội về TTXH theo năm"
  std::string unit;                  // the values' unit, on the axis: "vụ", "tỷ đồng"
  std::vector<std::string> labels;   // periods or unit names, along the horizontal axis
  std::vector<ChartSeries> series;
};

using ReportBlock = std::variant<Heading, Paragraph, Table, Chart>;

// The title block. Top left: the governing body (may be empty) over the issuing body
// (bold), a short rule, and "Số: …/BC-…". Top right: the national title and motto. Then the
// place-and-date line in italics, right. Then the kind ("BÁO CÁO") and the title, bold and
// centred, with the subtitle (the period, "Từ đầu năm 2016 đến tháng 6/2018") under it.
struct ReportHeader {
  std::string governing_body;  // "UBND TỈNH LAI CHÂU"; empty for none
  std::string issuing_body;    // "BAN CHỈ HUY QUÂN SỰ TỈNH"
  std::string number;          // "Số:      /BC-UBND" (the number is filled in when issued)
  std::string place;           // "Lai Châu"
  std::optional<Date> date;    // nullopt: "ngày     tháng     năm 20…" left to fill in
  std::string kind = "BÁO CÁO";
  std::string title;
  std::string subtitle;
};

// The signature block, bottom right: "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" (bold, upper
// case), the position ("PHÓ CHỦ TỊCH", bold), room for the signature, then the name (bold).
struct Signature {
  std::vector<std::string> authority;  // lines above the position, may be empty
  std::string position;
  std::string name;                    // empty: left blank for the signer
};

struct ReportDocument {
  ReportHeader header;
  std::vector<ReportBlock> body;
  std::vector<std::string> recipients;  // "Nơi nhận:" bottom left, one line each ("- Như trên;")
  Signature signature;
  std::string language = "vi";          // "vi" or "en": labels the writers add themselves
};

// The national title and motto (Decree 30/2020, Phụ lục I).
inline constexpr std::string_view kNationalTitle = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
inline constexpr std::string_view kNationalMotto = "Độc lập - Tự do - Hạnh phúc";

// "Lai Châu, ngày 05 tháng 12 năm 2026": the place-and-date line (days and months below 10
// with a leading zero, as the decree's sample does; "ngày     tháng     năm …" without a date).
std::string place_and_date_line(const ReportHeader& header);

}  // namespace qpan
