// `qpan form xlsx`: a data set's form for one unit and period as an Excel workbook to fill
// offline (qpan/form_workbook.h). The filled workbook comes back through `qpan values
// import FILE.xlsx` (database_commands.cc), or the API and the web application.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <mutex>

#include "cli/commands.h"
#include "exchange/file.h"
#include "qpan/entry_form.h"
#include "qpan/form_workbook.h"
#include "qpan/value_writer.h"
#include "qpan/workflow.h"

namespace qpan::cli {
namespace {

struct FormArgs {
  std::string db;
  std::string data_set;
  std::string org_unit;
  std::string period;
  std::string output;  // empty: the form's own file name in the current folder
};

Status form_xlsx_command(const FormArgs& args) {
  Result<Period> period = Period::parse(args.period);
  if (!period) return Status::invalid_input("--pe: " + period.status().message());
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Result<Pack> pack = read_loaded_pack(**store);
  if (!pack) return pack.status();
  Result<OrgUnitIndex> units = (*store)->load_org_units();
  if (!units) return units.status();
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(**store);
  if (!workflow) return workflow.status();
  std::mutex store_mutex;
  Result<std::unique_ptr<ValueWriter>> writer = ValueWriter::create(**store, store_mutex, **workflow, false, {});
  if (!writer) return writer.status();
  const EntryFormSources sources{**workflow, **writer, **store, store_mutex, pack->catalogue, *units};
  Result<EntryForm> form = read_entry_form(sources, args.data_set, args.org_unit, *period);
  if (!form) return form.status();
  Result<std::string> workbook = write_form_workbook(*form, pack->areas);
  if (!workbook) return workbook.status();
  const std::string path = args.output.empty() ? form_workbook_file_name(*form) : args.output;
  QPAN_RETURN_IF_ERROR(write_file_atomically(path, *workbook));
  std::cout << "wrote " << path << ": " << form->data_set->name_vi << " — " << form->unit.name << " — "
            << form->period.label_vi() << " (" << form->cells.size() << " ô nhập liệu"
            << (form->closed ? "; biểu đã đóng, chỉ để xem" : "") << ")\n";
  return Status::ok();
}

}  // namespace

void add_form_command(CLI::App& app, Status& status) {
  auto* form = app.add_subcommand("form", "A data set's form as a file to fill offline");
  form->require_subcommand(1);
  auto args = std::make_shared<FormArgs>();
  auto* xlsx = form->add_subcommand(
      "xlsx",
      "Write the form of a data set for one unit and period as an Excel workbook: sections, the stored values, "
      "the previous period and last year beside them, input cells checked by type. Fill it and import it with "
      "`qpan values import FILE.xlsx` (or upload it on the form's screen).");
  xlsx->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  xlsx->add_option("--ds", args->data_set, "Data set code (ds.antt.commune.monthly)")->required();
  xlsx->add_option("--ou", args->org_unit, "Org unit code of the reporting unit (03400)")->required();
  xlsx->add_option("--pe", args->period, "Period of the data set's type (201601, 2016Q1, 2016)")->required();
  xlsx->add_option("-o,--output", args->output, "Workbook to write (default: bieu-DS-OU-PE.xlsx here)");
  xlsx->callback([args, &status] { status = form_xlsx_command(*args); });
}

}  // namespace qpan::cli
