// `qpan registry`: the registers offices keep (qpan/registry.h) — list them, import a register
// kept in CSV or Excel through the record writer (all or nothing, problems as
// file:line:column: field: reason), export it as CSV or XLSX, and recount the elements counted
// from records (after a pack load changed a source).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <mutex>

#include "cli/commands.h"
#include "exchange/file.h"
#include "qpan/record_file.h"
#include "qpan/record_writer.h"
#include "qpan/workflow.h"

namespace qpan::cli {
namespace {

struct RegistryArgs {
  std::string db;
  std::string registry;
  std::string file;
  std::string format;
  std::string org_unit;
  std::string user = default_user();
};

// The store with a record writer over it.
struct RecordDatabase {
  std::unique_ptr<Store> store;
  std::unique_ptr<Workflow> workflow;
  std::mutex store_mutex;
  std::unique_ptr<RecordWriter> writer;
};

Status open_records(const std::string& db, RecordDatabase& out) {
  Result<std::unique_ptr<Store>> store = open_store(db);
  if (!store) return store.status();
  out.store = std::move(*store);
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(*out.store);
  if (!workflow) return workflow.status();
  out.workflow = std::move(*workflow);
  Result<std::unique_ptr<RecordWriter>> writer = RecordWriter::create(*out.store, out.store_mutex, *out.workflow);
  if (!writer) return writer.status();
  out.writer = std::move(*writer);
  return Status::ok();
}

Result<const RegistryDefinition*> registry_named(const Pack& pack, const std::string& code) {
  const RegistryDefinition* registry = find_registry(pack, code);
  if (registry != nullptr) return registry;
  std::string known;
  for (const RegistryDefinition& r : pack.registries) known += (known.empty() ? "" : ", ") + r.code;
  return Status::invalid_input("unknown registry \"" + code + "\" (the pack has: " + known + ")");
}

Status list_command(const RegistryArgs& args) {
  RecordDatabase db;
  QPAN_RETURN_IF_ERROR(open_records(args.db, db));
  const std::shared_ptr<const Pack> pack = db.writer->pack();
  for (const RegistryDefinition& r : pack->registries) {
    RecordQuery every;
    every.registry = r.code;
    Result<int64_t> count = db.store->count_registry_records(every);
    if (!count) return count.status();
    std::cout << r.code << "\t" << r.name_vi << "\t" << *count << " bản ghi";
    std::string counts;
    for (const ElementSource& s : pack->sources) {
      if (s.registry == r.code) counts += (counts.empty() ? "" : ", ") + s.element;
    }
    if (!counts.empty()) std::cout << "\tđếm ra: " << counts;
    std::cout << "\n";
  }
  return Status::ok();
}

Status import_command(const RegistryArgs& args) {
  Result<RecordFileFormat> format = record_file_format(args.format, args.file);
  if (!format) return format.status();
  RecordDatabase db;
  QPAN_RETURN_IF_ERROR(open_records(args.db, db));
  Result<const RegistryDefinition*> registry = registry_named(*db.writer->pack(), args.registry);
  if (!registry) return registry.status();
  Result<std::string> bytes = read_file(args.file);
  if (!bytes) return bytes.status();
  Result<RecordFile> file = read_record_file(*bytes, args.file, *format, **registry);
  if (!file) return file.status();
  if (!file->problems.empty()) return rejected(file->problems);
  RecordWrite write{Writer::system(args.user), (*registry)->code, std::move(file->changes), file_name(args.file), {}};
  const RecordFile& located = *file;
  write.locate = [&located](size_t change, std::string_view field) { return located.locate(change, field); };
  Result<RecordWriteOutcome> outcome = db.writer->write(std::move(write));
  if (!outcome) return outcome.status();
  if (!outcome->written()) {
    if (outcome->problems.empty()) return Status::conflict(outcome->message);
    std::cerr << outcome->message << "\n";
    return rejected(outcome->problems);
  }
  std::cout << "imported " << args.file << " into " << (*registry)->code << ": " << outcome->created << " created, "
            << outcome->updated << " updated; counted values " << outcome->counted.created << " created, "
            << outcome->counted.updated << " updated, " << outcome->counted.deleted << " deleted\n";
  return Status::ok();
}

Status export_command(const RegistryArgs& args) {
  Result<RecordFileFormat> format = record_file_format(args.format, args.file);
  if (!format) return format.status();
  RecordDatabase db;
  QPAN_RETURN_IF_ERROR(open_records(args.db, db));
  Result<const RegistryDefinition*> registry = registry_named(*db.writer->pack(), args.registry);
  if (!registry) return registry.status();
  Result<OrgUnitIndex> units = db.store->load_org_units();
  if (!units) return units.status();
  RecordQuery query;
  query.registry = (*registry)->code;
  if (!args.org_unit.empty()) {
    if (!units->knows(args.org_unit)) return Status::invalid_input("--ou: unknown org unit \"" + args.org_unit + "\"");
    query.units = units->codes_ever_within(args.org_unit);
  }
  Result<std::vector<RegistryRecord>> records = db.store->registry_records(query);
  if (!records) return records.status();
  Result<std::string> bytes = write_record_file(*records, **registry, *format, *units, today_utc());
  if (!bytes) return bytes.status();
  QPAN_RETURN_IF_ERROR(write_file_atomically(args.file, *bytes));
  std::cout << "wrote " << args.file << ": " << records->size() << " records of " << (*registry)->code << "\n";
  return Status::ok();
}

Status recount_command(const RegistryArgs& args) {
  RecordDatabase db;
  QPAN_RETURN_IF_ERROR(open_records(args.db, db));
  Result<ValueWriteSummary> summary = db.writer->recount(Writer::system(args.user));
  if (!summary) return summary.status();
  std::cout << "recounted the elements counted from records: " << summary->created << " created, " << summary->updated
            << " updated, " << summary->deleted << " deleted, " << summary->unchanged << " unchanged\n";
  return Status::ok();
}

}  // namespace

void add_registry_command(CLI::App& app, Status& status) {
  auto* registry = app.add_subcommand("registry", "Registers of official matters and the figures counted from them");
  registry->require_subcommand(1);
  auto args = std::make_shared<RegistryArgs>();

  auto* list = registry->add_subcommand("list", "List the pack's registries, their record counts and what they count");
  list->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  list->callback([args, &status] { status = list_command(*args); });

  auto* import = registry->add_subcommand(
      "import",
      "Import a register kept in CSV or Excel (header: org_unit and the fields, by code or Vietnamese name; id to "
      "update a record). All or nothing; the elements counted from it are recounted in the same transaction.");
  import->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  import->add_option("registry", args->registry, "Registry code (reg.foreign.delegation_in)")->required();
  import->add_option("file", args->file, "CSV or XLSX file")->required();
  import->add_option("--format", args->format, "csv or xlsx (default: by the file's extension)");
  import->add_option("--user", args->user, "Who imports (audit trail)");
  import->callback([args, &status] { status = import_command(*args); });

  auto* exported = registry->add_subcommand(
      "export", "Write a register as CSV (field codes) or XLSX (Vietnamese headers, dates as dates)");
  exported->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  exported->add_option("registry", args->registry, "Registry code")->required();
  exported->add_option("-o,--output", args->file, "File to write (.csv or .xlsx)")->required();
  exported->add_option("--format", args->format, "csv or xlsx (default: by the file's extension)");
  exported->add_option("--ou", args->org_unit, "Only the records of this unit and the units under it");
  exported->callback([args, &status] { status = export_command(*args); });

  auto* recount = registry->add_subcommand(
      "recount", "Recount every element counted from records and write the differences (after a pack load)");
  recount->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  recount->add_option("--user", args->user, "Who recounts (audit trail)");
  recount->callback([args, &status] { status = recount_command(*args); });
}

}  // namespace qpan::cli
