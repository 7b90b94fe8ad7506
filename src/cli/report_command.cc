// `qpan report`: a review report of the pack filled in from the data for one unit and period,
// written as DOCX, PDF, XLSX or HTML (whole or not at all), and `qpan report list`: the
// pack's templates with the periods each is written for.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "exchange/file.h"
#include "qpan/report.h"

namespace qpan::cli {
namespace {

struct ReportArgs {
  std::string as_of;  // a past time (--as-of); empty = the figures as they are
  std::string db;
  std::string template_code;
  std::string ou;
  std::string pe;
  std::string structure_at;
  std::string date;
  std::string format;
  std::string output;
  std::string language = "vi";
};

Status report_command(const ReportArgs& args) {
  // The arguments first: a bad one costs no engine build.
  std::string format_name = args.format;
  if (format_name.empty()) {
    const size_t dot = args.output.rfind('.');
    format_name = dot == std::string::npos ? "" : args.output.substr(dot + 1);
  }
  Result<ReportFormat> format = parse_report_format(format_name);
  if (!format) return Status::invalid_input("--format: \"" + format_name + "\" is not a report format (docx, pdf, xlsx, html)");
  Result<Period> pe = Period::parse(args.pe);
  if (!pe) return Status::invalid_input("--pe: \"" + args.pe + "\": " + pe.status().message());
  ReportRequest request;
  request.ou = args.ou;
  request.pe = *pe;
  request.language = args.language;
  if (!args.date.empty()) {
    Result<Date> issued = parse_date(args.date);
    if (!issued) return Status::invalid_input("--date: " + issued.status().message());
    request.issued = *issued;
  }
  std::optional<Date> structure_at;
  if (!args.structure_at.empty()) {
    Result<Date> at = parse_date(args.structure_at);
    if (!at) return Status::invalid_input("--structure-at: " + at.status().message());
    structure_at = *at;
  }

  Result<DatabaseWithPack> db = open_with_pack(args.db, args.as_of);
  if (!db) return db.status();
  Result<ReportTemplateProgram> program = find_report_template(db->pack, args.template_code);
  if (!program) return Status(program.status().code(), "--" + program.status().message());
  std::unique_ptr<ReportData> data = engine_report_data(*db->engine, db->pack, structure_at);
  Result<ReportDocument> document = build_report(*program, request, *data);
  if (!document) {
    const Status error = document.status();  // a copy: the message outlives this line
    const std::string& m = error.message();
    const bool named = m.starts_with("ou: ") || m.starts_with("pe: ");
    return Status(error.code(), named ? "--" + m : m);
  }
  Result<std::string> bytes = render_report(*document, *format);
  if (!bytes) return bytes.status();
  QPAN_RETURN_IF_ERROR(write_file_atomically(args.output, *bytes));
  std::cout << "wrote " << args.output << " (" << report_format_name(*format) << ", " << bytes->size()
            << " bytes): " << document->header.title << "\n";
  return Status::ok();
}

Status list_command(const std::string& db_path) {
  Result<std::unique_ptr<Store>> store = open_store(db_path);
  if (!store) return store.status();
  Result<Pack> pack = read_loaded_pack(**store);
  if (!pack) return pack.status();
  for (const ReportTemplate& t : pack->report_templates) {
    Result<ReportTemplateProgram> program = parse_report_template(t);
    std::string types = program ? "" : "(no text: load the pack again)";
    if (program) {
      for (PeriodType type : program->period_types()) types += (types.empty() ? "" : ", ") + std::string(period_type_name(type));
    }
    std::cout << t.code << "\t" << types << "\t" << t.name_vi << "\n";
  }
  return Status::ok();
}

}  // namespace

void add_report_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand(
      "report", "Write a review report of the pack for a unit and period (báo cáo sơ kết, tổng kết, quý) "
                "as DOCX, PDF, XLSX or HTML; `qpan report list` names the templates");
  cmd->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL");
  cmd->add_option("--template", args->template_code, "Report template code (qpan report list)");
  cmd->add_option("--as-of", args->as_of,
                  "The figures as known at a past time (2024-01-15T08:00, Vietnam time; a date alone: the end of that "
                  "day), from the change log");
  cmd->add_option("--ou", args->ou, "Org unit code: the province or district the report is about");
  cmd->add_option("--pe", args->pe, "Period of a type the template accepts: 201601..201806, 2022Q1, 2016..2020");
  cmd->add_option("--format", args->format, "docx, pdf, xlsx or html (default: the output file's extension)")
      ->check(CLI::IsMember({"docx", "pdf", "xlsx", "html"}));
  cmd->add_option("--output,-o", args->output, "The file to write (written whole, or not at all)");
  cmd->add_option("--structure-at", args->structure_at,
                  "Date (YYYY-MM-DD): unit codes name the units in force on that day (as in analytics)");
  cmd->add_option("--date", args->date, "Issue date (YYYY-MM-DD) for the place-and-date line; default: left blank");
  cmd->add_option("--lang", args->language, "Language of the labels the writers add: vi (default) or en")
      ->check(CLI::IsMember({"vi", "en"}));
  auto* list = cmd->add_subcommand("list", "The pack's report templates and the periods each is written for");
  auto list_db = std::make_shared<std::string>();
  list->add_option("--db", *list_db, "Database: a SQLite file, or a postgresql:// URL")->required();
  list->callback([list_db, &status] { status = list_command(*list_db); });
  cmd->callback([cmd, list, args, &status] {
    if (list->parsed()) return;
    for (const char* option : {"--db", "--template", "--ou", "--pe", "--output"}) {
      if (cmd->get_option(option)->count() == 0) {
        status = Status::invalid_input(std::string(option) + " is required");
        return;
      }
    }
    status = report_command(*args);
  });
}

}  // namespace qpan::cli
