// The commands on the database's contents — init, units, elements, values: their options
// (CLI11) and implementations, thin over the engine library. Results for people go to
// stdout, problems to stderr.
#include "cli/commands.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <chrono>
#include <fstream>
#include <iostream>

#include "exchange/file.h"
#include "qpan/as_of.h"
#include "qpan/change_log.h"
#include "qpan/exchange.h"
#include "qpan/form_workbook.h"
#include "qpan/number_format.h"
#include "qpan/pack.h"
#include "qpan/store.h"
#include "qpan/text.h"
#include "qpan/validation.h"
#include "qpan/value_writer.h"
#include "qpan/workflow.h"

namespace qpan::cli {

Result<std::unique_ptr<Store>> open_database(const std::string& db, const StoreOptions& options) {
  // A URL names a PostgreSQL database; anything else is a SQLite file, the default.
  if (is_postgres_url(db)) return open_postgres_store(db, options);
  return open_sqlite_store(db, options);
}

Result<std::unique_ptr<Store>> open_store(const std::string& db) {
  Result<std::unique_ptr<Store>> store = open_database(db);
  if (!store) return store;
  // Changes without an account of their own (units, packs, accounts) are the OS user's.
  const char* user = std::getenv("USER");
  (*store)->set_change_actor(std::string("cli:") + (user != nullptr && *user != '\0' ? user : "?"));
  return store;
}

Result<DatabaseWithPack> open_with_pack(const std::string& db, const std::string& as_of) {
  std::optional<int64_t> as_of_ms;
  if (!as_of.empty()) {
    Result<int64_t> at = parse_as_of(as_of);
    if (!at) return at.status();
    as_of_ms = *at;
  }
  Result<std::unique_ptr<Store>> store = open_store(db);
  if (!store) return store.status();
  Result<Pack> pack = read_loaded_pack(**store);
  if (!pack) return pack.status();
  if (as_of_ms) {
    Result<AsOfEngine> then = build_engine_as_of(**store, *as_of_ms);
    if (!then) return then.status();
    return DatabaseWithPack{std::move(*store), std::move(*pack), std::move(then->engine)};
  }
  Result<std::unique_ptr<AggregationEngine>> engine = AggregationEngine::build(**store);
  if (!engine) return engine.status();
  return DatabaseWithPack{std::move(*store), std::move(*pack), std::move(*engine)};
}

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string default_user() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "qpan";
}

Status rejected(const ImportProblems& problems, const char* outcome) {
  std::cerr << problems.to_string();
  return Status::invalid_input(std::string(outcome) + ": " + std::to_string(problems.total) +
                               (problems.total == 1 ? " problem" : " problems"));
}

namespace {

Result<Date> date_argument(const std::string& text, const char* option) {
  if (text.empty()) return today_utc();
  Result<Date> d = parse_date(text);
  if (!d) return Status::invalid_input(std::string(option) + ": " + d.status().message());
  return d;
}

std::string validity_text(const OrgUnitVersion& v) {
  std::string out = v.valid_from ? format_date(*v.valid_from) : "";
  out += "..";
  if (v.valid_until) out += format_date(add_days(*v.valid_until, -1));
  return out;
}

// The name without its type prefix: "Tỉnh Lai Châu" → "Lai Châu".
std::string_view bare_name(const OrgUnitVersion& v) {
  std::string_view name = v.name;
  if (!v.type.empty() && name.size() > v.type.size() + 1 && name.substr(0, v.type.size()) == v.type &&
      name[v.type.size()] == ' ') {
    name.remove_prefix(v.type.size() + 1);
  }
  return name;
}

// 0: the name is the text; 1: it starts with it; 2: a word starts with it; 3: it contains it.
int match_rank(const OrgUnitVersion& v, const std::string& key) {
  const std::string bare = search_key(bare_name(v));
  const std::string full = search_key(v.name);
  if (bare == key || full == key) return 0;
  if (bare.rfind(key, 0) == 0 || full.rfind(key, 0) == 0) return 1;
  if (full.find(" " + key) != std::string::npos) return 2;
  return 3;
}

// `depth_left` < 0 prints every level below `unit`.
void print_tree(const OrgUnitIndex& index, const OrgUnitVersion& unit, Date at, int indent,
                int depth_left, std::string& out) {
  out.append(static_cast<size_t>(indent) * 2, ' ');
  out += unit.code;
  out += ' ';
  out += unit.name;
  out += '\n';
  if (depth_left == 0) return;
  for (const OrgUnitVersion* child : index.children(unit.code, at)) {
    print_tree(index, *child, at, indent + 1, depth_left - 1, out);
  }
}

Status init_database(const std::string& db) {
  Result<std::unique_ptr<Store>> store = open_database(db, {.create_if_missing = true});
  if (!store) return store.status();
  std::cout << "database " << db << " is ready\n";
  return Status::ok();
}

Status import_units_command(const std::string& db, const std::string& path) {
  Result<std::unique_ptr<Store>> store = open_store(db);
  if (!store) return store.status();
  Result<UnitImportResult> result = import_units(**store, path);
  if (!result) return result.status();
  if (!result->problems.empty()) return rejected(result->problems);
  for (const std::string& f : result->files_read) std::cout << "read " << f << "\n";
  for (const std::string& f : result->files_skipped) std::cout << "skipped " << f << "\n";
  const UnitImportSummary& s = result->summary;
  std::cout << "unit versions: " << s.versions_added << " added, " << s.versions_updated
            << " updated, " << s.versions_unchanged << " unchanged; lineage edges: "
            << s.lineage_added << " added, " << s.lineage_updated << " updated, "
            << s.lineage_unchanged << " unchanged\n";
  return Status::ok();
}

Status units_tree(const UnitsTreeArgs& args) {
  Result<Date> at = date_argument(args.at, "--at");
  if (!at) return at.status();
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Result<OrgUnitIndex> index = (*store)->load_org_units();
  if (!index) return index.status();
  const OrgUnitVersion* root = index->at(args.code, *at);
  if (root == nullptr) {
    std::vector<const OrgUnitVersion*> history = index->history(args.code);
    if (history.empty()) return Status::not_found("unknown unit code \"" + args.code + "\"");
    std::string known;
    for (const OrgUnitVersion* v : history) known += "\n  " + v->name + " " + validity_text(*v);
    return Status::not_found("unit " + args.code + " is not in force on " + format_date(*at) +
                             "; its versions:" + known);
  }
  std::string out;
  print_tree(*index, *root, *at, 0, args.depth.value_or(-1), out);
  std::cout << out;
  return Status::ok();
}

Status units_find(const UnitsFindArgs& args) {
  std::optional<Date> at;
  if (!args.at.empty()) {
    Result<Date> d = date_argument(args.at, "--at");
    if (!d) return d.status();
    at = *d;
  }
  const std::string key = search_key(args.text);
  if (key.empty()) return Status::invalid_input("TEXT: give part of a unit name");
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  Result<std::vector<OrgUnitVersion>> found = (*store)->search_org_units(key);
  if (!found) return found.status();
  Result<OrgUnitIndex> index = (*store)->load_org_units();
  if (!index) return index.status();

  struct Hit {
    const OrgUnitVersion* unit;
    int rank;
  };
  std::vector<Hit> hits;
  for (const OrgUnitVersion& v : *found) {
    if (at && !v.valid_at(*at)) continue;
    hits.push_back({&v, match_rank(v, key)});
  }
  VietnameseCollator collator;
  std::sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.unit->level != b.unit->level) return a.unit->level < b.unit->level;
    if (int c = collator.compare(a.unit->name, b.unit->name); c != 0) return c < 0;
    if (a.unit->code != b.unit->code) return a.unit->code < b.unit->code;
    return validity_text(*a.unit) < validity_text(*b.unit);
  });
  if (hits.empty()) {
    std::cerr << "no unit matches \"" << args.text << "\"\n";
    return Status::ok();
  }
  std::string out;
  for (size_t i = 0; i < hits.size() && i < static_cast<size_t>(args.limit); ++i) {
    const OrgUnitVersion& v = *hits[i].unit;
    out += v.code + "\t" + v.name + "\t" + std::string(level_name(v.level)) + "\t" + validity_text(v);
    if (!v.parent_code.empty()) {
      Date on = v.valid_until ? add_days(*v.valid_until, -1) : (at ? *at : today_utc());
      if (v.valid_from && on < *v.valid_from) on = *v.valid_from;
      const OrgUnitVersion* parent = index->at(v.parent_code, on);
      out += "\t" + v.parent_code + (parent ? " " + parent->name : "");
    }
    out += "\n";
  }
  if (hits.size() > static_cast<size_t>(args.limit)) {
    std::cerr << "(" << hits.size() - args.limit << " more; use --limit)\n";
  }
  std::cout << out;
  return Status::ok();
}

Status import_elements_command(const std::string& db, const std::string& file) {
  Result<std::unique_ptr<Store>> store = open_store(db);
  if (!store) return store.status();
  Result<ElementImportResult> result = import_elements(**store, file);
  if (!result) return result.status();
  if (!result->problems.empty()) return rejected(result->problems);
  std::cout << "imported " << result->elements << " data elements and " << result->disaggregations
            << " disaggregations\n";
  return Status::ok();
}

Status list_elements(const std::string& db) {
  Result<std::unique_ptr<Store>> store = open_store(db);
  if (!store) return store.status();
  Result<Catalogue> catalogue = (*store)->load_catalogue();
  if (!catalogue) return catalogue.status();
  std::string out;
  for (const DataElement& e : catalogue->elements()) {
    out += e.code + "\t" + std::string(value_type_name(e.value_type)) + "\t" +
           std::string(aggregation_name(e.aggregation)) + "\t" +
           (e.disaggregation.empty() ? "-" : e.disaggregation) + "\t" + e.name_vi + "\n";
  }
  std::cout << out;
  return Status::ok();
}

// The format of a values file: as given, else by its name (.adx and .xml are ADX, .xlsx an
// Excel form).
Result<std::string> values_format(const std::string& format, const std::string& file) {
  if (format == "csv" || format == "adx" || format == "xlsx") return format;
  if (!format.empty()) return Status::invalid_input("--format: expected csv, adx or xlsx, not \"" + format + "\"");
  if (file.ends_with(".adx") || file.ends_with(".xml")) return std::string("adx");
  return std::string(file.ends_with(".xlsx") ? "xlsx" : "csv");
}

// A document (ADX, an Excel form) through the write path, as entries named by where they are.
Result<WriteOutcome> import_document(Store& store, ValueWriter& writer, const std::string& file, const std::string& user,
                                     const std::string& format) {
  Result<std::string> document = read_file(file);
  if (!document) return document.status();
  Result<Pack> pack = read_loaded_pack(store);
  if (!pack) return pack.status();
  DocumentEntries read = format == "adx" ? read_adx(*document, file_name(file), pack->catalogue)
                                         : read_form_workbook(*document, file_name(file), pack->catalogue, pack->data_sets);
  if (!read.problems.empty()) {
    WriteOutcome refused;
    refused.refusal = Refusal::kInvalid;
    refused.message = "Tệp có lỗi, không nhập gì (the file has problems; nothing was imported)";
    refused.problems = std::move(read.problems);
    return refused;
  }
  ValueWriter::Entries request;
  request.writer = Writer::system(user);
  request.entries = std::move(read.entries);
  request.storage = read.texts;
  request.source = file_name(file);
  request.position = [positions = std::move(read.positions)](size_t i) { return positions[i]; };
  Result<WriteOutcome> outcome = Status::internal("no outcome");
  writer.write(std::move(request), [&](Result<WriteOutcome> o) { outcome = std::move(o); });  // no group commit: at once
  return outcome;
}

// Through the write path as the system writer: closed forms are refused like everywhere;
// the rules reading a written element are checked afterwards and printed as warnings.
Status import_values_command(const std::string& db, const std::string& file, const std::string& user,
                             const std::string& format_name) {
  Result<std::string> format = values_format(format_name, file);
  if (!format) return format.status();
  Result<std::unique_ptr<Store>> store = open_store(db);
  if (!store) return store.status();
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(**store);
  if (!workflow) return workflow.status();
  std::mutex store_mutex;
  ValueWriterOptions options;
  options.clock = now_unix;
  Result<std::unique_ptr<ValueWriter>> writer = ValueWriter::create(**store, store_mutex, **workflow, false, options);
  if (!writer) return writer.status();
  Result<WriteOutcome> result = *format == "csv" ? (*writer)->import_file(Writer::system(user), file, file_name(file))
                                                 : import_document(**store, **writer, file, user, *format);
  if (!result) return result.status();
  if (!result->written()) {
    std::cerr << result->message << "\n";
    return rejected(result->problems);
  }
  const ValueWriteSummary& s = result->summary;
  std::cout << "imported " << file << ": " << result->rows << " rows — " << s.created
            << " created, " << s.updated << " updated, " << s.unchanged << " unchanged (import #"
            << s.import_id << ")\n" << std::flush;
  Result<WriteWarnings> warnings = (*writer)->warnings(*result);
  if (!warnings) {
    std::cerr << "cảnh báo: chưa kiểm tra được quy tắc kiểm tra: " << warnings.status().message() << "\n";
  } else if (!warnings->report.violations.empty()) {
    std::cerr << "cảnh báo: " << format_number_vi(static_cast<double>(warnings->report.violations.size()), 0)
              << " vi phạm quy tắc kiểm tra trong số liệu vừa nhập (số liệu vẫn được nhập; xem lại và sửa):\n"
              << format_validation(warnings->report, ValidationFormat::kTable);
  }
  return Status::ok();
}

Status export_values_command(const ValuesExportArgs& args) {
  Result<std::string> format = values_format(args.format, args.output.empty() ? "-.csv" : args.output);
  if (!format) return format.status();
  if (*format == "xlsx") {
    return Status::invalid_input("--format xlsx: values are exported as csv or adx; a form to fill in Excel is "
                                 "`qpan form xlsx --ds … --ou … --pe …`");
  }
  ValueExportOptions options;
  if (!args.period.empty()) {
    Result<Period> p = Period::parse(args.period);
    if (!p) return Status::invalid_input("--pe: " + p.status().message());
    options.period = *p;
  }
  if (!args.org_unit.empty()) options.org_unit = args.org_unit;
  Result<std::unique_ptr<Store>> store = open_store(args.db);
  if (!store) return store.status();
  std::ofstream file;
  if (!args.output.empty()) {
    file.open(args.output, std::ios::binary);
    if (!file) return Status::io_error("cannot write " + args.output);
  }
  std::ostream& out = args.output.empty() ? std::cout : file;
  Result<int64_t> count = Status::internal("no export");
  if (*format == "adx") {
    Result<Catalogue> catalogue = (*store)->load_catalogue();
    if (!catalogue) return catalogue.status();
    Result<Pack> pack = read_loaded_pack(**store);
    if (!pack) return pack.status();
    count = export_values_adx(**store, out, options, *catalogue, pack->data_sets);
  } else {
    count = export_values_csv(**store, out, options);
  }
  if (!count) return count.status();
  std::cerr << "exported " << *count << " values\n";
  return Status::ok();
}


}  // namespace

void add_database_commands(CLI::App& app, Status& status) {
  // CLI11 keeps pointers to option targets: they live as long as the callbacks that use them.
  struct Args {
    std::string db;
    std::string units_path;
    UnitsTreeArgs tree;
    UnitsFindArgs find;
    std::string elements_file;
    std::string values_file;
    std::string values_format;
    std::string user = default_user();
    ValuesExportArgs export_args;
  };
  auto args = std::make_shared<Args>();
  std::string& db = args->db;
  auto add_db = [&db](CLI::App* cmd) {
    cmd->add_option("--db", db, "Database: a SQLite file, or a postgresql:// URL")->required();
  };

  auto* init = app.add_subcommand("init", "Create a database (does nothing to an existing one)");
  add_db(init);
  init->callback([args, &status] { status = init_database(args->db); });

  auto* units = app.add_subcommand("units", "Administrative units: import, tree, find");
  units->require_subcommand(1);
  auto* units_import = units->add_subcommand(
      "import", "Import a units file (vn-admin history layout), a lineage file, or a folder of them");
  add_db(units_import);
  units_import->add_option("PATH", args->units_path, "File or folder")->required();
  units_import->callback([args, &status] { status = import_units_command(args->db, args->units_path); });

  auto* tree = units->add_subcommand("tree", "Print a unit and the units under it at a date");
  add_db(tree);
  tree->add_option("CODE", args->tree.code, "Unit code (GSO)")->required();
  tree->add_option("--depth", args->tree.depth, "Levels below the unit to print (default: all)")
      ->check(CLI::Range(0, 16));
  tree->add_option("--at", args->tree.at, "Date YYYY-MM-DD (default: today)");
  tree->callback([args, &status] {
    args->tree.db = args->db;
    status = units_tree(args->tree);
  });

  auto* find = units->add_subcommand(
      "find", "Find units by name, ignoring accents and case (\"lai chau\" finds Lai Châu)");
  add_db(find);
  find->add_option("TEXT", args->find.text, "Part of a name")->required();
  find->add_option("--at", args->find.at, "Only units in force on this date (YYYY-MM-DD)");
  find->add_option("--limit", args->find.limit, "At most this many results (default 50)")
      ->check(CLI::PositiveNumber);
  find->callback([args, &status] {
    args->find.db = args->db;
    status = units_find(args->find);
  });

  auto* elements = app.add_subcommand("elements", "Data elements (chỉ tiêu): import, list");
  elements->require_subcommand(1);
  auto* elements_import = elements->add_subcommand("import", "Import an element file (JSON)");
  add_db(elements_import);
  elements_import->add_option("FILE", args->elements_file, "Element file")->required();
  elements_import->callback([args, &status] { status = import_elements_command(args->db, args->elements_file); });
  auto* elements_list = elements->add_subcommand("list", "List the data elements");
  add_db(elements_list);
  elements_list->callback([args, &status] { status = list_elements(args->db); });

  auto* values = app.add_subcommand("values", "Data values (số liệu): import, export");
  values->require_subcommand(1);
  auto* values_import = values->add_subcommand(
      "import", "Import a dataValueSets CSV or an ADX document; any bad row rejects the whole file");
  add_db(values_import);
  values_import->add_option("FILE", args->values_file, "CSV file, ADX (.adx, .xml) or a filled Excel form (.xlsx, from qpan form xlsx)")->required();
  values_import->add_option("--user", args->user, "Who imports (audit; storedby when a row has none)");
  values_import->add_option("--format", args->values_format, "csv, adx or xlsx (default: by the file's name)");
  values_import->callback([args, &status] {
    status = import_values_command(args->db, args->values_file, args->user, args->values_format);
  });

  auto* values_export = values->add_subcommand("export", "Export values as dataValueSets CSV or an ADX document");
  add_db(values_export);
  values_export->add_option("--format", args->export_args.format, "csv or adx (default: by the output's name, else csv)");
  values_export->add_option("--ou", args->export_args.org_unit, "Only this unit and the units under it");
  values_export->add_option("--pe", args->export_args.period, "Only periods within this one (e.g. 2022, 201601..201806)");
  values_export->add_option("--output,-o", args->export_args.output, "Write to this file instead of standard output");
  values_export->callback([args, &status] {
    args->export_args.db = args->db;
    status = export_values_command(args->export_args);
  });

}

}  // namespace qpan::cli
