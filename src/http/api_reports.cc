// Review reports over the API: the pack's templates, and one report filled in from the live
// engine for a unit and period within the caller's scope, as HTML (the web application shows
// and prints it), PDF, DOCX or XLSX (downloads).
#include <algorithm>

#include "http/api_support.h"
#include "qpan/report.h"

namespace qpan::http::api {
namespace {

Response list_reports(Services& s, Request& r) {
  return s.guarded(r, [&](Caller&) -> Result<Response> {
    const std::shared_ptr<const Pack> pack = s.records->pack();
    json::array out;
    for (const ReportTemplate& t : pack->report_templates) {
      // A template without text (a database of an older pack) is listed with no period type.
      Result<ReportTemplateProgram> program = parse_report_template(t);
      json::array types;
      if (program) {
        for (PeriodType type : program->period_types()) types.emplace_back(period_type_name(type));
      }
      out.emplace_back(json::object{{"code", t.code},
                                    {"name_vi", t.name_vi},
                                    {"name_en", t.name_en},
                                    {"description", t.description},
                                    {"periodTypes", std::move(types)},
                                    {"formats", json::array{"html", "pdf", "docx", "xlsx"}}});
    }
    return json_response(200, json::object{{"reports", std::move(out)}});
  });
}

Response get_report(Services& s, Request& r) {
  return s.guarded(r, [&](Caller& c) -> Result<Response> {
    const std::string format_text = r.query_param("format").value_or("html");
    Result<ReportFormat> format = parse_report_format(format_text);
    if (!format) return format.status();
    const std::string language = r.query_param("lang").value_or("vi");
    if (language != "vi" && language != "en") return Status::invalid_input("lang: expected vi or en");
    std::optional<Date> issued;
    if (std::optional<std::string> date = r.query_param("date"); date && !date->empty()) {
      Result<Date> d = parse_date(*date);
      if (!d) return Status::invalid_input("date: " + d.status().message());
      issued = *d;
    }
    // The scope before the work: every unit the code named during the period.
    Result<UnitPeriods> q = unit_periods(s, r, c, Action::kReadData, true);
    if (!q) return q.status();
    const std::shared_ptr<const Pack> pack = s.records->pack();
    Result<ReportTemplateProgram> program = find_report_template(*pack, r.path_params.at("code"));
    if (!program) return program.status();
    ReportRequest request;
    request.ou = q->ou;
    request.pe = q->pe.front();
    request.issued = issued;
    request.language = language;
    Result<std::shared_ptr<const AggregationEngine>> engine = s.engine_for(r);
    if (!engine) return engine.status();
    std::unique_ptr<ReportData> data = engine_report_data(**engine, *pack);
    Result<ReportDocument> document = build_report(*program, request, *data);
    if (!document) return document.status();
    // embed=1: the <article> alone, for the web application to show inside its page.
    HtmlOptions html;
    html.standalone = r.query_param("embed").value_or("") != "1";
    Result<std::string> bytes = render_report(*document, *format, html);
    if (!bytes) return bytes.status();
    Response response = raw(200, std::string(report_content_type(*format)), std::move(*bytes));
    if (*format != ReportFormat::kHtml) {
      // Codes only in the file name, without dots: no quoting trouble in the header.
      std::string name = program->code() + "-" + request.ou + "-" + request.pe.code();
      std::replace(name.begin(), name.end(), '.', '_');
      name += "." + std::string(report_format_name(*format));
      response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
    }
    return response;
  });
}

}  // namespace

void add_report_routes(Routes& routes, Services& s) {
  routes.add({"GET", "/api/reports", "Các mẫu báo cáo của bộ chỉ tiêu: mã, tên, loại kỳ, định dạng", {}, true, false},
             [&s](Request& r) { return list_reports(s, r); });
  routes.add({"GET", "/api/reports/{code}",
              "Một báo cáo sơ kết, tổng kết, quý điền từ số liệu cho một đơn vị và kỳ trong phạm vi của tài khoản: "
              "format=html (mặc định, in được; mỗi số liệu dẫn tới câu hỏi tổng hợp), pdf, docx (thể thức Nghị định "
              "30/2020/NĐ-CP) hoặc xlsx (các bảng); date=ngày ban hành, lang=vi|en; embed=1: chỉ phần <article> để nhúng; asOf=số liệu như đã biết tại một thời điểm",
              {"ou", "pe", "format", "date", "lang", "embed", "asOf"}, true, false},
             [&s](Request& r) { return get_report(s, r); });
}

}  // namespace qpan::http::api
