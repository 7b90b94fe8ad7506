// `qpan validate`: the pack's validation rules checked over a unit and period, listing every
// violation with both sides' values; and the same check on the cells a `values import` has
// just written, printed as warnings (the import stands).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <set>
#include <string>

#include "cli/commands.h"
#include "qpan/aggregation.h"
#include "qpan/number_format.h"
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

struct WrittenCellsWatch::Cells {
  std::set<std::pair<int64_t, int64_t>> keys;  // (unit id, period key)
};

WrittenCellsWatch::WrittenCellsWatch(Store& store) : store_(store), cells_(std::make_shared<Cells>()) {
  // A store keeps every row written for its listener until the commit: listen only when
  // there are rules to check (a catalogue without a pack has none).
  Result<std::vector<PackDefinition>> rules = store_.pack_definitions("validation_rules");
  if (!rules || rules->empty()) return;
  watching_ = true;
  std::shared_ptr<Cells> cells = cells_;
  store_.set_commit_listener([cells](std::span<const ValueWrite> rows) {
    for (const ValueWrite& row : rows) cells->keys.emplace(row.key.unit_id, row.key.period);
  });
}

WrittenCellsWatch::~WrittenCellsWatch() {
  if (watching_) store_.set_commit_listener({});
}

void WrittenCellsWatch::warn_about_violations(std::ostream& err) {
  if (!watching_) return;
  store_.set_commit_listener({});
  watching_ = false;
  if (cells_->keys.empty()) return;
  auto warn_unchecked = [&](const Status& why) {
    err << "cảnh báo: chưa kiểm tra được quy tắc kiểm tra: " << why.message() << "\n";
  };
  Result<Pack> pack = read_loaded_pack(store_);
  if (!pack) return warn_unchecked(pack.status());
  // The stored cells are read by the store's ids: the pack's catalogue is the store's.
  Result<std::vector<CompiledValidationRule>> rules = compile_validation_rules(*pack, pack->catalogue);
  if (!rules) return warn_unchecked(rules.status());
  if (rules->empty()) return;  // no pack rules loaded
  Result<std::unordered_map<std::string, int64_t>> ids = store_.unit_ids();
  if (!ids) return warn_unchecked(ids.status());
  std::unordered_map<int64_t, const std::string*> codes;
  for (const auto& [code, id] : *ids) codes[id] = &code;
  std::vector<ValueCell> cells;
  for (const auto& [unit_id, period_key] : cells_->keys) {
    auto code = codes.find(unit_id);
    Result<Period> period = Period::from_key(period_key);
    if (code != codes.end() && period) cells.push_back({*code->second, *period, {}});
  }
  Result<std::unique_ptr<StoredCellContext>> context = StoredCellContext::read(store_, cells);
  if (!context) return warn_unchecked(context.status());
  Result<OrgUnitIndex> units = store_.load_org_units();
  if (!units) return warn_unchecked(units.status());
  const ValidationReport report = validate_cells(*rules, *units, **context, cells);
  if (report.violations.empty()) return;
  err << "cảnh báo: " << format_number_vi(static_cast<double>(report.violations.size()), 0)
      << " vi phạm quy tắc kiểm tra trong số liệu vừa nhập (số liệu vẫn được nhập; xem lại và sửa):\n"
      << format_validation(report, ValidationFormat::kTable);
}

void add_validate_command(CLI::App& app, Status& status) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand(
      "validate", "Check the pack's validation rules (quy tắc kiểm tra) over a unit and period");
  cmd->add_option("--db", args->db, "Database file (SQLite)")->required();
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
