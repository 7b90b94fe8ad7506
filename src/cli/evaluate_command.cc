// `qpan evaluate`: the pack's evaluation rule sets applied to every unit of a province or
// district for one or more periods — who meets "An toàn về ANTT", the movement rating, drug-
// free communes, key areas entering or leaving the list — rolled up, as a table, CSV or JSON.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "qpan/aggregation.h"
#include "qpan/evaluation.h"
#include "qpan/text.h"

namespace qpan::cli {
namespace {

struct EvaluateArgs {
  std::string as_of;  // a past time (--as-of); empty = the figures as they are
  std::string db;
  std::string sets;
  std::string ou;
  std::string pe;
  std::string format = "table";
  std::string units = "all";
  int decimals = 1;
};

Status evaluate_command(const EvaluateArgs& args) {
  const std::vector<std::string> set_codes = split_list(args.sets);
  if (set_codes.empty()) return Status::invalid_input("--set: give at least one evaluation set");
  std::vector<Period> periods;
  for (const std::string& item : split_list(args.pe)) {
    Result<Period> p = Period::parse(item);
    if (!p) return Status::invalid_input("--pe: \"" + item + "\": " + p.status().message());
    periods.push_back(*p);
  }
  if (periods.empty()) return Status::invalid_input("--pe: give at least one period");

  Result<DatabaseWithPack> db = open_with_pack(args.db, args.as_of);
  if (!db) return db.status();
  const AggregationEngine& engine = *db->engine;
  Result<std::vector<EvaluationSet>> sets = compile_evaluation_sets(db->pack, *engine.catalogue(), set_codes);
  if (!sets) return Status(sets.status().code(), "--set: " + sets.status().message());
  const EngineExpressionContext context(engine);
  Result<EvaluationReport> report = run_evaluation(*sets, *engine.units(), context, args.ou, periods);
  if (!report) {
    // The library names the dimension as in DHIS2 ("ou: …"); on the command line it is --ou.
    const Status error = report.status();
    const std::string& m = error.message();
    const bool named = m.rfind("ou: ", 0) == 0 || m.rfind("pe: ", 0) == 0;
    return Status(error.code(), named ? "--" + m : m);
  }
  const EvaluationFormat format = args.format == "csv"    ? EvaluationFormat::kCsv
                                  : args.format == "json" ? EvaluationFormat::kJson
                                                          : EvaluationFormat::kTable;
  const UnitRows rows = args.units == "none"      ? UnitRows::kNone
                        : args.units == "failing" ? UnitRows::kFailing
                                                  : UnitRows::kAll;
  std::cout << format_evaluation(*report, format, {.decimals = args.decimals, .unit_rows = rows})
            << std::flush;
  if (!std::cout) return Status::io_error("cannot write the result");
  return Status::ok();
}

}  // namespace

void add_evaluate_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<EvaluateArgs>();
  auto* cmd = app.add_subcommand(
      "evaluate",
      "Evaluate units with the pack's rule sets (đánh giá, xếp loại) and roll the results up");
  cmd->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  cmd->add_option("--set", args->sets,
                  "Evaluation sets, comma-separated (e.g. eval.antt_safe.commune,"
                  "eval.antt_safe.agency: all-criteria sets add up in one summary)")
      ->required();
  cmd->add_option("--as-of", args->as_of,
                  "The figures as known at a past time (2024-01-15T08:00, Vietnam time; a date alone: the end of that "
                  "day), from the change log");
  cmd->add_option("--ou", args->ou,
                  "Org unit code: every unit at the sets' levels within it in each period is "
                  "evaluated; summaries for it and the units directly under it")
      ->required();
  cmd->add_option("--pe", args->pe,
                  "Periods, comma-separated (2019,2020; 201601..201806); with several, the change "
                  "between consecutive periods and the moves from the first to the last")
      ->required();
  cmd->add_option("--format", args->format,
                  "table (for people, Vietnamese; the default), csv (record,set,ou,pe,item,value) "
                  "or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  cmd->add_option("--units", args->units,
                  "Unit rows: all (default), failing (not met, unclassified or without data) or none")
      ->check(CLI::IsMember({"all", "failing", "none"}));
  cmd->add_option("--decimals", args->decimals,
                  "Decimals of shares and changes (default 1; 0 gives whole percentage points)")
      ->check(CLI::Range(0, 6));
  cmd->callback([args, &status] { status = evaluate_command(*args); });
}

}  // namespace qpan::cli
