// HTML: a ReportDocument as a printable page (A4 print style, the layout of the DOCX) or as
// the <article> the web application embeds; every figure marked with the analytics question
// it answers and linked to it (qpan/report_render.h).
#include <algorithm>
#include <string>
#include <string_view>
#include <variant>

#include "qpan/number_format.h"
#include "qpan/report_render.h"
#include "report/html_text.h"

namespace qpan {
namespace {

// Charts are drawn at the size the DOCX uses and scaled to the text width by the style.
constexpr int kChartWidthPixels = 1200;
constexpr int kChartHeightPixels = 720;

// The print style follows Decree 30/2020/NĐ-CP: A4, margins 20/15/20/30 mm, Times New Roman
// (Liberation Serif has its metrics), body 14 pt justified with a 1 cm first-line indent.
constexpr std::string_view kStyle = R"css(
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { margin: 0; background: #fff; }
.report { font-family: "Times New Roman", "Liberation Serif", Times, serif; font-size: 14pt; line-height: 1.15;
  color: #000; max-width: 165mm; margin: 0 auto; padding: 10mm 4mm; }
.report p, .report h1, .report h2, .report h3, .report h4 { margin: 0; font-size: 14pt; }
.report .title-block { display: grid; grid-template-columns: 40% 60%; text-align: center; font-size: 13pt;
  line-height: 1.2; }
.report .title-block p { font-size: 13pt; }
.report .governing-body, .report .issuing-body, .report .national-title, .report .authority { text-transform: uppercase; }
.report .issuing-body, .report .national-title, .report .motto { font-weight: bold; }
.report .title-block .motto { font-size: 14pt; }
.report .motto span { border-bottom: 1px solid #000; padding-bottom: 1px; }
.report hr.rule { width: 30%; margin: 3pt auto 0; border: 0; border-top: 1px solid #000; }
/* The number and the date keep their runs of spaces: room left to fill in by hand. */
.report .title-block .number, .report .title-block .place-date { margin-top: 6pt; white-space: pre-wrap; }
.report .title-block .place-date { font-size: 14pt; font-style: italic; }
.report .report-title { text-align: center; font-weight: bold; margin-top: 24pt; }
.report .report-title hr.rule { width: 20%; margin: 3pt auto 12pt; }
.report .body p, .report .body h2, .report .body h3, .report .body h4 { text-align: justify; text-indent: 1cm;
  margin: 6pt 0 0; font-weight: normal; }
.report .body h2, .report .body h3, .report .body h4 { font-weight: bold; break-after: avoid; }
.report .body h4 { font-style: italic; }
.report table.data { width: 100%; border-collapse: collapse; font-size: 12pt; margin: 0 0 6pt; }
.report table.data caption { caption-side: top; font-weight: bold; font-size: 13pt; padding: 12pt 0 6pt; }
.report table.data th, .report table.data td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: middle; }
.report table.data th { text-align: center; }
.report table.data td.number { text-align: right; white-space: nowrap; }
.report table.data thead { display: table-header-group; }
.report table.data tr { break-inside: avoid; }
.report figure.chart { margin: 12pt 0 6pt; text-align: center; break-inside: avoid; }
.report figure.chart img { width: 100%; height: auto; }
.report figure.chart figcaption { font-style: italic; font-size: 13pt; margin-top: 3pt; }
.report .figure a { color: inherit; text-decoration: underline dotted; }
.report .closing { display: grid; grid-template-columns: 45% 55%; margin-top: 12pt; break-inside: avoid; }
.report .recipients p { font-size: 11pt; text-indent: 0; }
.report .recipients p.label { font-size: 12pt; font-weight: bold; font-style: italic; margin-top: 12pt; }
.report .signature { text-align: center; font-weight: bold; padding-top: 12pt; }
.report .signature-space { height: 5em; }
@media print {
  .report { max-width: none; margin: 0; padding: 0; }
  .report .figure a { text-decoration: none; }
}
)css";

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

class HtmlWriter {
 public:
  HtmlWriter(const ReportDocument& document, const HtmlOptions& options) : document_(document), options_(options) {}

  std::string write() {
    if (!options_.standalone) {
      write_article();
      return std::move(out_);
    }
    const ReportHeader& header = document_.header;
    out_ += "<!DOCTYPE html>\n<html lang=\"" + html_escape(language()) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
    out_ += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    out_ += "<title>" + html_escape(header.title.empty() ? header.kind : header.title) + "</title>\n";
    out_ += "<style>";
    out_ += kStyle;
    out_ += "</style>\n</head>\n<body>\n";
    write_article();
    out_ += "</body>\n</html>\n";
    return std::move(out_);
  }

 private:
  std::string language() const { return document_.language.empty() ? "vi" : document_.language; }
  bool english() const { return document_.language == "en"; }

  void element(std::string_view tag, std::string_view css_class, std::string_view text) {
    out_ += '<';
    out_ += tag;
    if (!css_class.empty()) out_ += " class=\"" + std::string(css_class) + "\"";
    out_ += '>';
    text_with_breaks(text);
    out_ += "</";
    out_ += tag;
    out_ += ">\n";
  }

  // Escaped text whose line feeds are line breaks, as in the DOCX.
  void text_with_breaks(std::string_view text) {
    for (size_t stop = text.find('\n'); stop != std::string_view::npos; stop = text.find('\n')) {
      out_ += html_escape(text.substr(0, stop));
      out_ += "<br>";
      text.remove_prefix(stop + 1);
    }
    out_ += html_escape(text);
  }

  void write_article() {
    out_ += "<article class=\"report\" lang=\"" + html_escape(language()) + "\">\n";
    write_title_block();
    out_ += "<div class=\"body\">\n";
    for (const ReportBlock& block : document_.body) {
      std::visit([this](const auto& b) { write_block(b); }, block);
    }
    out_ += "</div>\n";
    write_closing();
    out_ += "</article>\n";
  }

  void write_title_block() {
    const ReportHeader& header = document_.header;
    out_ += "<header class=\"title-block\">\n<div class=\"issuer\">\n";
    if (!header.governing_body.empty()) element("p", "governing-body", header.governing_body);
    element("p", "issuing-body", header.issuing_body);
    out_ += "<hr class=\"rule\">\n</div>\n<div class=\"nation\">\n";
    element("p", "national-title", kNationalTitle);
    // The rule under the motto is its own length: the border of a span around it.
    out_ += "<p class=\"motto\"><span>" + html_escape(kNationalMotto) + "</span></p>\n</div>\n";
    element("p", "number", header.number);
    element("p", "place-date", place_and_date_line(header));
    out_ += "</header>\n<div class=\"report-title\">\n";
    element("p", "kind", header.kind);
    element("h1", "", header.title);
    if (!header.subtitle.empty()) element("p", "subtitle", header.subtitle);
    out_ += "<hr class=\"rule\">\n</div>\n";
  }

  // The figure mark of a text: a span carrying its question and, with a link pattern, a link
  // to the values behind it.
  void open_figure(const std::optional<FigureSource>& figure) {
    if (!figure) return;
    out_ += "<span class=\"figure\" data-dx=\"" + html_escape(figure->dx) + "\" data-ou=\"" + html_escape(figure->ou) +
            "\" data-pe=\"" + html_escape(figure->pe) + "\">";
    const std::string& link = figure->evaluation ? options_.evaluation_link : options_.figure_link;
    if (!link.empty()) {
      std::string href = link;
      replace_all(href, "{dx}", url_encode_component(figure->dx));
      replace_all(href, "{ou}", url_encode_component(figure->ou));
      replace_all(href, "{pe}", url_encode_component(figure->pe));
      out_ += "<a href=\"" + html_escape(href) + "\">";
    }
  }

  void close_figure(const std::optional<FigureSource>& figure) {
    if (!figure) return;
    if (!(figure->evaluation ? options_.evaluation_link : options_.figure_link).empty()) out_ += "</a>";
    out_ += "</span>";
  }

  void write_block(const Heading& heading) {
    const int level = std::clamp(heading.level, 1, 3);
    const std::string tag = "h" + std::to_string(level + 1);  // h1 is the report's title
    element(tag, "", heading.text);
  }

  void write_block(const Paragraph& paragraph) {
    out_ += "<p>";
    for (const TextRun& run : paragraph.runs) {
      open_figure(run.figure);
      if (run.bold) out_ += "<strong>";
      if (run.italic) out_ += "<em>";
      text_with_breaks(run.text);
      if (run.italic) out_ += "</em>";
      if (run.bold) out_ += "</strong>";
      close_figure(run.figure);
    }
    out_ += "</p>\n";
  }

  void write_block(const Table& table) {
    out_ += "<table class=\"data\">\n";
    if (!table.caption.empty()) element("caption", "", table.caption);
    if (!table.header.empty()) {
      out_ += "<thead><tr>";
      for (const std::string& name : table.header) {
        out_ += "<th scope=\"col\">";
        text_with_breaks(name);
        out_ += "</th>";
      }
      out_ += "</tr></thead>\n";
    }
    out_ += "<tbody>\n";
    for (const auto& row : table.rows) {
      out_ += "<tr>";
      for (const TableCell& cell : row) {
        out_ += cell.number ? "<td class=\"number\">" : "<td>";
        open_figure(cell.figure);
        text_with_breaks(cell.text);
        close_figure(cell.figure);
        out_ += "</td>";
      }
      out_ += "</tr>\n";
    }
    out_ += "</tbody>\n</table>\n";
  }

  void write_block(const Chart& chart) {
    out_ += "<figure class=\"chart\">\n";
    Result<std::string> png = render_chart_png(chart, kChartWidthPixels, kChartHeightPixels);
    if (png) {
      out_ += "<img src=\"data:image/png;base64," + base64_encode(*png) + "\" alt=\"" + html_escape(chart.caption) +
              "\" width=\"" + std::to_string(kChartWidthPixels) + "\" height=\"" + std::to_string(kChartHeightPixels) +
              "\">\n";
    } else {
      // render_html cannot fail: without the image the reader still gets the chart's values.
      write_chart_values(chart);
    }
    if (!chart.caption.empty()) element("figcaption", "", chart.caption);
    out_ += "</figure>\n";
  }

  void write_chart_values(const Chart& chart) {
    out_ += "<table class=\"data chart-values\">\n<thead><tr><th scope=\"col\">";
    if (!chart.unit.empty()) out_ += html_escape(chart.unit);
    out_ += "</th>";
    for (const ChartSeries& series : chart.series) out_ += "<th scope=\"col\">" + html_escape(series.name) + "</th>";
    out_ += "</tr></thead>\n<tbody>\n";
    for (size_t i = 0; i < chart.labels.size(); ++i) {
      out_ += "<tr><td>" + html_escape(chart.labels[i]) + "</td>";
      for (const ChartSeries& series : chart.series) {
        const bool known = i < series.values.size() && series.values[i].has_value();
        out_ += "<td class=\"number\">" + (known ? html_escape(format_number_vi(*series.values[i], 2)) : "") + "</td>";
      }
      out_ += "</tr>\n";
    }
    out_ += "</tbody>\n</table>\n";
  }

  void write_closing() {
    const Signature& signature = document_.signature;
    out_ += "<footer class=\"closing\">\n<div class=\"recipients\">\n";
    element("p", "label", english() ? "Recipients:" : "Nơi nhận:");
    for (const std::string& recipient : document_.recipients) element("p", "", recipient);
    out_ += "</div>\n<div class=\"signature\">\n";
    for (const std::string& line : signature.authority) element("p", "authority", line);
    element("p", "position", signature.position);
    out_ += "<div class=\"signature-space\"></div>\n";
    element("p", "name", signature.name);
    out_ += "</div>\n</footer>\n";
  }

  const ReportDocument& document_;
  const HtmlOptions& options_;
  std::string out_;
};

}  // namespace

std::string render_html(const ReportDocument& document, const HtmlOptions& options) {
  return HtmlWriter(document, options).write();
}

}  // namespace qpan
