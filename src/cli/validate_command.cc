// `qpan validate`: the pack's validation rules checked over a unit and period, listing every
// violation with both sides' values.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "qpan/aggregation.h"
#include "qpan/validation.h"

namespace qpan::cli {
namespace {

struct ValidateArgs {
  std::string db;
  std::string ou;
  std::string pe;
  std::string format = "table";
};

Status validate_command(const ValidateArgs& args) {
  Result<Period> period = Period::parse(args.pe);
  if (!period) return Status::invalid_input("--pe: \"" + args.pe + "\": " + period.status().message());
  Result<DatabaseWithPack> db = open_with_pack(args.db);
  if (!db) return db.status();
  const AggregationEngine& engine = *db->engine;
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(db->pack, *engine.catalogue());
  if (!rules) return rules.status();
  const EngineExpressionContext context(engine);
  Result<ValidationReport> report = run_validation(*rules, *engine.units(), context, args.ou, *period);
  if (!report) {
    const Status error = report.status();
    const std::string& m = error.message();
    return Status(error.code(), m.rfind("ou: ", 0) == 0 ? "--" + m : m);
  }
  const ValidationFormat format = args.format == "csv"    ? ValidationFormat::kCsv
                                  : args.format == "json" ? ValidationFormat::kJson
                                                          : ValidationFormat::kTable;
  std::cout << format_validation(*report, format) << std::flush;
  if (!std::cout) return Status::io_error("cannot write the result");
  return Status::ok();
}

}  // namespace

void add_validate_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand(
      "validate", "Check the pack's validation rules (quy tắc kiểm tra) over a unit and period");
  cmd->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  cmd->add_option("--ou", args->ou,
                  "Org unit code: it and every unit within it at the levels of the forms that "
                  "report each rule's elements")
      ->required();
  cmd->add_option("--pe", args->pe,
                  "Period: every period of the rules' forms (months, quarters, years) within it "
                  "is checked (2020, 2020Q1, 201601..201806)")
      ->required();
  cmd->add_option("--format", args->format,
                  "table (for people, Vietnamese; the default), csv "
                  "(rule,rule_name,ou,ou_name,pe,left,operator,right,importance) or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->callback([args, &status] { status = validate_command(*args); });
}

}  // namespace qpan::cli
