// `qpan analytics`: elements rolled up over units and periods, with the dimensions of
// DHIS2's analytics API (dx, ou, pe), printed as a table for people, CSV or DHIS2 JSON.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
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
};

Status analytics_command(const AnalyticsArgs& args) {
  Result<AnalyticsQuery> query = parse_analytics_query(args.dx, args.ou, args.pe);
  if (!query) return query.status();
  if (!args.structure_at.empty()) {
    Result<Date> date = parse_date(args.structure_at);
    if (!date) return Status::invalid_input("--structure-at: " + date.status().message());
    query->structure_at = *date;
  }
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Result<AnalyticsResult> result = run_analytics(**store, *query);
  if (!result) return result.status();
  const AnalyticsFormat format = args.format == "csv"    ? AnalyticsFormat::kCsv
                                : args.format == "json" ? AnalyticsFormat::kJson
                                                        : AnalyticsFormat::kTable;
  std::cout << format_analytics(*result, format) << std::flush;
  if (!std::cout) return Status::io_error("cannot write the result");
  return Status::ok();
}

}  // namespace

void add_analytics_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<AnalyticsArgs>();
  auto* cmd = app.add_subcommand(
      "analytics",
      "Roll up data elements and indicators over units and periods (dimensions as in DHIS2: "
      "dx, ou, pe)");
  cmd->add_option("--db", args->db, "Database file (SQLite)")->required();
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
                  "table (for people, Vietnamese; the default), csv (dx,ou,pe,value) or json "
                  "(DHIS2 analytics response)")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--structure-at", args->structure_at,
                  "Date (YYYY-MM-DD): the ou codes name the units in force on that day, and earlier "
                  "periods roll up the old units they were formed from (e.g. --structure-at "
                  "2025-07-01 for the new provinces and communes)");
  cmd->callback([args, &status] { status = analytics_command(*args); });
}

}  // namespace qpan::cli
