// `qpan analytics`: elements rolled up over units and periods, with the dimensions of
// DHIS2's analytics API (dx, ou, pe), printed as a table for people, CSV or DHIS2 JSON, or
// written as an XLSX workbook.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "exchange/file.h"
#include "qpan/analytics.h"

namespace qpan::cli {
namespace {

struct AnalyticsArgs {
  std::string db;
  std::string dx;
  std::string ou;
  std::string pe;
  std::string format = "table";
  std::string structure_at;  // ISO date; empty = the structure in force in each period
  std::string as_of;         // a past time; empty = the figures as they are
  std::string output;        // file to write; empty = standard output (not for xlsx)
};

Status write_output(const std::string& path, const std::string& bytes) {
  if (path.empty()) {
    std::cout << bytes << std::flush;
    if (!std::cout) return Status::io_error("cannot write the result");
    return Status::ok();
  }
  return write_file_atomically(path, bytes);
}

Status analytics_command(const AnalyticsArgs& args) {
  // Before any work: a workbook on a terminal is of no use to anyone.
  if (args.format == "xlsx" && args.output.empty()) {
    return Status::invalid_input("--format xlsx: name the workbook to write with --output FILE.xlsx");
  }
  Result<AnalyticsQuery> query = parse_analytics_query(args.dx, args.ou, args.pe);
  if (!query) return query.status();
  if (!args.structure_at.empty()) {
    Result<Date> date = parse_date(args.structure_at);
    if (!date) return Status::invalid_input("--structure-at: " + date.status().message());
    query->structure_at = *date;
  }
  Result<DatabaseWithPack> db = open_with_pack(args.db, args.as_of);
  if (!db) return db.status();
  Result<AnalyticsResult> result = run_analytics(*db->engine, *query, db->pack.indicators);
  if (!result) return result.status();
  if (args.format == "xlsx") {
    Result<std::string> workbook = analytics_workbook(*result);
    if (!workbook) return workbook.status();
    return write_output(args.output, *workbook);
  }
  const AnalyticsFormat format = args.format == "csv"    ? AnalyticsFormat::kCsv
                                : args.format == "json" ? AnalyticsFormat::kJson
                                                        : AnalyticsFormat::kTable;
  return write_output(args.output, format_analytics(*result, format));
}

}  // namespace

void add_analytics_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<AnalyticsArgs>();
  auto* cmd = app.add_subcommand(
      "analytics",
      "Roll up data elements and indicators over units and periods (dimensions as in DHIS2: "
      "dx, ou, pe)");
  cmd->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  cmd->add_option("--dx", args->dx,
                  "Data elements or indicators, comma-separated; CODE.OPTION for one "
                  "disaggregation option, CODE for the total")
      ->required();
  cmd->add_option("--ou", args->ou,
                  "Org unit codes, comma-separated: each unit with the units under it in each "
                  "value's period (VN: the whole country)")
      ->required();
  cmd->add_option("--pe", args->pe,
                  "Periods, comma-separated: 202203, 2022Q1, 2022S1, 2022, 2016-2020, "
                  "201601..201806")
      ->required();
  cmd->add_option("--format", args->format,
                  "table (for people, Vietnamese; the default), csv (dx,ou,pe,value), json "
                  "(DHIS2 analytics response) or xlsx (a workbook as the web table: needs --output)")
      ->check(CLI::IsMember({"table", "csv", "json", "xlsx"}));
  cmd->add_option("--output,-o", args->output, "Write to this file instead of standard output");
  cmd->add_option("--as-of", args->as_of,
                  "The figures as known at a past time (2024-01-15T08:00, Vietnam time unless an offset is given; "
                  "a date alone: the end of that day), from the change log");
  cmd->add_option("--structure-at", args->structure_at,
                  "Date (YYYY-MM-DD): the ou codes name the units in force on that day, and earlier "
                  "periods roll up the old units they were formed from (e.g. --structure-at "
                  "2025-07-01 for the new provinces and communes)");
  cmd->callback([args, &status] { status = analytics_command(*args); });
}

}  // namespace qpan::cli
