// `qpan pack check DIR` (validate a pack, no database) and `qpan pack load --db F DIR`
// (load or upgrade it in one transaction).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "qpan/record_writer.h"
#include "qpan/workflow.h"
#include "qpan/pack.h"

namespace qpan::cli {
namespace {

Status check_pack(const std::string& dir) {
  Result<PackReadResult> read = read_pack(dir);
  if (!read) return read.status();
  if (!read->problems.empty()) return rejected(read->problems, "the pack is not valid");
  const Pack& pack = *read->pack;
  std::cout << pack.info.code << " " << pack.info.version << " (" << pack.info.name_vi << ") is valid: "
            << pack.catalogue.elements().size() << " elements, "
            << pack.catalogue.disaggregations().size() << " disaggregations, "
            << pack.data_sets.size() << " data sets, " << pack.indicators.size() << " indicators, "
            << pack.validation_rules.size() << " validation rules, " << pack.evaluation_sets.size()
            << " evaluation sets, " << pack.registries.size() << " registries (" << pack.sources.size()
            << " elements counted from them), " << pack.report_templates.size() << " report templates\n";
  return Status::ok();
}

Status load_pack_command(const std::string& db, const std::string& dir) {
  Result<std::unique_ptr<Store>> store = open_store(db);
  if (!store) return store.status();
  Result<PackLoadResult> result = load_pack(**store, dir);
  if (!result) return result.status();
  if (!result->problems.empty()) return rejected(result->problems, "nothing was loaded");
  const PackLoadSummary& s = result->summary;
  std::cout << "loaded " << dir
            << (s.previous_version.empty() ? std::string() : " (was " + s.previous_version + ")")
            << ": elements " << s.elements_added << " added, " << s.elements_updated << " updated, "
            << s.elements_unchanged << " unchanged, " << s.elements_removed << " removed; "
            << s.definitions << " definitions\n";
  // A source added or changed counts its element anew: what was typed for it, or counted the
  // old way, is replaced by what the records count now.
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(**store);
  if (!workflow) return workflow.status();
  std::mutex store_mutex;
  Result<std::unique_ptr<RecordWriter>> records = RecordWriter::create(**store, store_mutex, **workflow);
  if (!records) return records.status();
  Result<ValueWriteSummary> recounted = (*records)->recount(Writer::system(default_user()));
  if (!recounted) return recounted.status();
  if (recounted->created + recounted->updated + recounted->deleted > 0) {
    std::cout << "recounted the elements counted from records: " << recounted->created << " created, "
              << recounted->updated << " updated, " << recounted->deleted << " deleted\n";
  }
  return Status::ok();
}

}  // namespace

void add_pack_commands(CLI::App& app, Status& status) {
  struct Args {
    std::string db;
    std::string dir;
  };
  auto args = std::make_shared<Args>();
  auto* pack = app.add_subcommand("pack", "Packs (bộ chỉ tiêu): the domain catalogue as versioned files");
  pack->require_subcommand(1);
  auto* check = pack->add_subcommand("check", "Validate a pack folder (no database needed)");
  check->add_option("DIR", args->dir, "Pack folder (with pack.json)")->required();
  check->callback([args, &status] { status = check_pack(args->dir); });
  auto* load = pack->add_subcommand("load", "Load or upgrade a pack in one transaction, keeping all data");
  load->add_option("--db", args->db, "Database: a SQLite file, or a postgresql:// URL")->required();
  load->add_option("DIR", args->dir, "Pack folder (with pack.json)")->required();
  load->callback([args, &status] { status = load_pack_command(args->db, args->dir); });
}

}  // namespace qpan::cli
