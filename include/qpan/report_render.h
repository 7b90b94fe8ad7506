// The report writers: one ReportDocument (qpan/report_document.h) as DOCX, PDF, XLSX and
// HTML, and its charts as images. Each returns the whole file in memory, or an error; the
// caller writes it (to a temporary file renamed into place, or an HTTP answer). All are
// pure functions of the document: safe to call from several threads at once.
#pragma once

#include <string>

#include "qpan/report_document.h"
#include "qpan/status.h"

namespace qpan {

// Office Open XML word-processing document in the layout of Decree 30/2020/NĐ-CP
// (Phụ lục I): A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman; the
// title block; body 14 pt justified with a first-line indent; page numbers centred at the
// top from page 2; charts as PNG images.
Result<std::string> render_docx(const ReportDocument& document);

// PDF laid out with Pango and drawn with Cairo, the same layout as the DOCX, fonts embedded
// (Liberation Serif, Times New Roman's metrics, where Times New Roman is not installed).
Result<std::string> render_pdf(const ReportDocument& document);

// XLSX: one sheet per table of the report, numbers as numbers with Vietnamese-looking
// formats ("#.##0" grouping as Excel in Vietnamese shows it).
Result<std::string> render_xlsx(const ReportDocument& document);

struct HtmlOptions {
  // The figure link: "{dx}", "{ou}", "{pe}" replaced by the figure's question (URL-encoded):
  // the web application's analytics screen, or its evaluation screen for a count of evaluated
  // units. Empty: figures are marked (data-dx, data-ou, data-pe) but not linked.
  std::string figure_link = "/#/analytics?dx={dx}&ou={ou}&pe={pe}";
  std::string evaluation_link = "/#/evaluation?set={dx}&ou={ou}&pe={pe}";
  bool standalone = true;  // a whole page with its print style; false: the <article> only
};

// HTML, printable (A4 print style): every figure in a <span class="figure"> with data-dx,
// data-ou and data-pe and a link to the values behind it; charts as inline PNG images.
std::string render_html(const ReportDocument& document, const HtmlOptions& options = {});

// A chart as a PNG image of `width` × `height` pixels (Cairo), for DOCX and HTML.
Result<std::string> render_chart_png(const Chart& chart, int width, int height);

}  // namespace qpan
