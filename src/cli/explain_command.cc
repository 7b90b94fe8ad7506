// `qpan explain`: where one analytics figure comes from — the stored values that make it (with
// lineage and unallocated parts named), each with its history and its form's approval state,
// and an indicator's formula with the breakdown of each element it reads.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "qpan/explain.h"

namespace qpan::cli {
namespace {

struct ExplainArgs {
  std::string db;
  std::string dx;
  std::string ou;
  std::string pe;
  std::string structure_at;  // ISO date; empty = the structure in force in each period
  std::string as_of;         // a past time (--as-of); empty = the figures as they are
  std::string format = "table";
  std::string language = "vi";
  size_t max_parts = 100;
};

// The library names the parameter as the API does ("dx: …"); on the command line it is --dx.
Status as_option(const Status& s) {
  const std::string& m = s.message();
  for (const char* name : {"dx: ", "ou: ", "pe: "}) {
    if (m.rfind(name, 0) == 0) return Status(s.code(), "--" + m);
  }
  return s;
}

Status explain_command(const ExplainArgs& args) {
  Result<Period> period = Period::parse(args.pe);
  if (!period) return Status::invalid_input("--pe: malformed period \"" + args.pe + "\": " + period.status().message());
  ExplainOptions options;
  options.max_parts = args.max_parts;
  if (!args.structure_at.empty()) {
    Result<Date> date = parse_date(args.structure_at);
    if (!date) return Status::invalid_input("--structure-at: " + date.status().message());
    options.structure_at = *date;
  }
  Result<DatabaseWithPack> db = open_with_pack(args.db, args.as_of);
  if (!db) return db.status();
  const AggregationEngine& engine = *db->engine;
  Result<FigureExplanation> explanation = explain_figure(engine, db->pack.indicators, args.dx, args.ou, *period, options);
  if (!explanation) return as_option(explanation.status());
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(*db->store, db->pack.data_sets);
  if (!workflow) return workflow.status();
  QPAN_RETURN_IF_ERROR(add_value_history(*explanation, *db->store, workflow->get(), *engine.units(), *engine.catalogue()));
  const ExplainFormat format = args.format == "json" ? ExplainFormat::kJson : ExplainFormat::kTable;
  std::cout << format_explanation(*explanation, format, args.language == "en") << std::flush;
  if (!std::cout) return Status::io_error("cannot write the result");
  return Status::ok();
}

}  // namespace

void add_explain_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<ExplainArgs>();
  auto* cmd = app.add_subcommand(
      "explain",
      "Where a figure comes from: the stored values one analytics figure (dx, ou, pe) is made of, "
      "with lineage, shares and unallocated parts named, each value's history and its form's approval state");
  cmd->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  cmd->add_option("--dx", args->dx, "One data element (CODE or CODE.OPTION) or indicator")->required();
  cmd->add_option("--ou", args->ou, "One org unit code (VN: the whole country)")->required();
  cmd->add_option("--pe", args->pe, "One period: 202203, 2022Q1, 2022S1, 2022, 2016-2020, 201601..201806")->required();
  cmd->add_option("--as-of", args->as_of,
                  "The figure as known at a past time (2024-01-15T08:00, Vietnam time; a date alone: the end of that "
                  "day), from the change log; the values' history is given whole");
  cmd->add_option("--structure-at", args->structure_at,
                  "Date (YYYY-MM-DD): --ou names the unit in force on that day; earlier periods roll up the "
                  "old units it was formed from");
  cmd->add_option("--format", args->format, "table (for people; the default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--lang", args->language, "Language of the labels: vi (default) or en")
      ->check(CLI::IsMember({"vi", "en"}));
  cmd->add_option("--max-parts", args->max_parts,
                  "List at most this many values per element (the ones that weigh most); the rest are counted "
                  "(default 100)")
      ->check(CLI::Range(1, 100000));
  cmd->callback([args, &status] { status = explain_command(*args); });
}

}  // namespace qpan::cli
