// A report's formats by name and the writer of each (qpan/report.h), one place for the CLI
// and the API.
#include "qpan/report.h"
#include "qpan/report_render.h"

namespace qpan {

Result<ReportFormat> parse_report_format(std::string_view name) {
  if (name == "docx") return ReportFormat::kDocx;
  if (name == "pdf") return ReportFormat::kPdf;
  if (name == "xlsx") return ReportFormat::kXlsx;
  if (name == "html") return ReportFormat::kHtml;
  return Status::invalid_input("format: \"" + std::string(name) + "\" is not a report format (docx, pdf, xlsx, html)");
}

std::string_view report_format_name(ReportFormat format) {
  switch (format) {
    case ReportFormat::kDocx: return "docx";
    case ReportFormat::kPdf: return "pdf";
    case ReportFormat::kXlsx: return "xlsx";
    case ReportFormat::kHtml: return "html";
  }
  return "html";
}

std::string_view report_content_type(ReportFormat format) {
  switch (format) {
    case ReportFormat::kDocx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case ReportFormat::kPdf: return "application/pdf";
    case ReportFormat::kXlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    case ReportFormat::kHtml: return "text/html; charset=utf-8";
  }
  return "application/octet-stream";
}

Result<std::string> render_report(const ReportDocument& document, ReportFormat format, const HtmlOptions& html) {
  switch (format) {
    case ReportFormat::kDocx: return render_docx(document);
    case ReportFormat::kPdf: return render_pdf(document);
    case ReportFormat::kXlsx: return render_xlsx(document);
    case ReportFormat::kHtml: return render_html(document, html);
  }
  return Status::internal("unknown report format");
}

}  // namespace qpan
