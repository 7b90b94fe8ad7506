// The demo database (see qpan/demo.h): the manifest's units, its pack, and each dataset
// generated from its specification and imported through the normal value import.
#include "qpan/demo.h"

#include <boost/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "demo/generator.h"
#include "exchange/file.h"
#include "qpan/pack.h"
#include "qpan/record_file.h"
#include "qpan/record_writer.h"
#include "qpan/workflow.h"

#ifndef QPAN_SOURCE_DIR
#define QPAN_SOURCE_DIR "."
#endif

namespace qpan {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

struct Manifest {
  std::vector<std::string> units;
  std::string pack;
  std::vector<std::string> datasets;
};

Result<Manifest> read_manifest(const std::string& path) {
  Result<std::string> text = read_file(path);
  if (!text) return text.status();
  boost::system::error_code ec;
  json::value root = json::parse(*text, ec);
  if (ec) return Status::invalid_input(path + ": invalid JSON: " + ec.message());
  const fs::path dir = fs::path(path).parent_path();
  auto resolve = [&](const json::value& v, const std::string& where) -> Result<std::string> {
    if (!v.is_string()) return Status::invalid_input(path + ": " + where + ": expected a path (string)");
    return (dir / std::string(v.get_string())).lexically_normal().string();
  };
  if (!root.is_object()) return Status::invalid_input(path + ": $: expected an object");
  const json::object& o = root.get_object();
  for (const auto& kv : o) {
    if (kv.key() != "demo" && kv.key() != "units" && kv.key() != "pack" && kv.key() != "datasets") {
      return Status::invalid_input(path + ": $." + std::string(kv.key()) +
                                   ": unknown key (expected demo, units, pack, datasets)");
    }
  }
  Manifest m;
  for (const char* key : {"units", "datasets"}) {
    const json::value* list = o.if_contains(key);
    if (list == nullptr || !list->is_array()) {
      return Status::invalid_input(path + ": $." + key + ": expected an array of paths");
    }
    for (size_t i = 0; i < list->get_array().size(); ++i) {
      Result<std::string> p = resolve(list->get_array()[i], "$." + std::string(key) + "[" + std::to_string(i) + "]");
      if (!p) return p.status();
      (std::string(key) == "units" ? m.units : m.datasets).push_back(*p);
    }
  }
  const json::value* pack = o.if_contains("pack");
  if (pack == nullptr) return Status::invalid_input(path + ": $: missing \"pack\"");
  Result<std::string> p = resolve(*pack, "$.pack");
  if (!p) return p.status();
  m.pack = *p;
  return m;
}

// A fresh private folder under the system's temporary folder.
Result<std::string> make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "qpan-demo.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return Status::io_error("cannot create a temporary folder " + pattern);
  return pattern;
}

}  // namespace

std::string default_demo_manifest() {
  if (fs::exists("demo/demo.json")) return "demo/demo.json";
  return std::string(QPAN_SOURCE_DIR) + "/demo/demo.json";
}

Result<GeneratedDataset> generate_demo_dataset(const std::string& spec_path, const OrgUnitIndex& units,
                                               const Catalogue& catalogue) {
  Result<std::string> text = read_file(spec_path);
  if (!text) return text.status();
  return demo::generate_from_text(*text, spec_path, units, catalogue);
}

namespace {

// Imports one generated register, unless its owners' records are there already (the demo run
// again): then nothing is written and the outcome says so.
Result<RecordWriteOutcome> import_register(Store& store, const GeneratedRegister& g, const std::string& file,
                                           const DemoOptions& options) {
  Result<std::unique_ptr<Workflow>> workflow = Workflow::create(store);
  if (!workflow) return workflow.status();
  std::mutex store_mutex;
  RecordWriterOptions writer_options;
  writer_options.clock = [now = options.now] { return now; };
  Result<std::unique_ptr<RecordWriter>> writer = RecordWriter::create(store, store_mutex, **workflow, writer_options);
  if (!writer) return writer.status();
  const RegistryDefinition* registry = find_registry(*(*writer)->pack(), g.registry);
  if (registry == nullptr) return Status::invalid_input(file + ": unknown registry \"" + g.registry + "\"");
  Result<RecordFile> read = read_record_file(g.csv, file_name(file), RecordFileFormat::kCsv, *registry);
  if (!read) return read.status();
  RecordWriteOutcome outcome;
  if (!read->problems.empty()) {
    outcome.refusal = Refusal::kInvalid;
    outcome.problems = read->problems;
    return outcome;
  }
  RecordQuery owners;
  owners.registry = g.registry;
  for (const RecordChange& c : read->changes) {
    if (std::find(owners.units.begin(), owners.units.end(), c.record.org_unit) == owners.units.end()) {
      owners.units.push_back(c.record.org_unit);
    }
  }
  Result<int64_t> held = store.count_registry_records(owners);
  if (!held) return held.status();
  if (*held > 0) return outcome;  // kept from an earlier run
  RecordWrite write{Writer::system(options.user), g.registry, std::move(read->changes), file_name(file), {}};
  const RecordFile& located = *read;
  write.locate = [&located](size_t change, std::string_view field) { return located.locate(change, field); };
  return (*writer)->write(std::move(write));
}

}  // namespace

Result<DemoResult> create_demo(Store& store, const DemoOptions& options) {
  const std::string manifest_path = options.manifest.empty() ? default_demo_manifest() : options.manifest;
  Result<Manifest> manifest = read_manifest(manifest_path);
  if (!manifest) return manifest.status();

  DemoResult result;
  for (const std::string& source : manifest->units) {
    Result<UnitImportResult> units = import_units(store, source);
    if (!units) return units.status();
    if (!units->problems.empty()) {
      result.problems = units->problems;
      result.failed_step = "units " + source;
      return result;
    }
    result.unit_sources.push_back(source);
    const UnitImportSummary& s = units->summary;
    result.units.versions_added += s.versions_added;
    result.units.versions_updated += s.versions_updated;
    result.units.versions_unchanged += s.versions_unchanged;
    result.units.lineage_added += s.lineage_added;
    result.units.lineage_updated += s.lineage_updated;
    result.units.lineage_unchanged += s.lineage_unchanged;
  }

  Result<PackLoadResult> pack = load_pack(store, manifest->pack);
  if (!pack) return pack.status();
  if (!pack->problems.empty()) {
    result.problems = pack->problems;
    result.failed_step = "pack " + manifest->pack;
    return result;
  }
  result.pack = manifest->pack;
  result.pack_summary = pack->summary;

  Result<OrgUnitIndex> index = store.load_org_units();
  if (!index) return index.status();
  Result<Catalogue> catalogue = store.load_catalogue();
  if (!catalogue) return catalogue.status();

  std::string dir = options.csv_dir;
  const bool temporary = dir.empty();
  if (temporary) {
    Result<std::string> made = make_temp_dir();
    if (!made) return made.status();
    dir = *made;
  } else {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::io_error("cannot create folder " + dir + ": " + ec.message());
  }
  // The temporary folder goes whatever happens below.
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      if (dir.empty()) return;
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{temporary ? dir : std::string()};

  for (const std::string& spec : manifest->datasets) {
    Result<GeneratedDataset> data = generate_demo_dataset(spec, *index, *catalogue);
    if (!data) return data.status();
    DemoDatasetResult r;
    r.code = data->code;
    r.name_vi = data->name_vi;
    r.csv_file = (fs::path(dir) / (data->code + ".csv")).string();
    {
      std::ofstream out(r.csv_file, std::ios::binary | std::ios::trunc);
      out << data->csv;
      out.close();
      if (!out) return Status::io_error("cannot write " + r.csv_file);
    }
    ValueWriterOptions import_options;
    import_options.clock = [now = options.now] { return now; };
    Result<WriteOutcome> imported = import_value_file(store, r.csv_file, Writer::system(options.user), import_options);
    if (!imported) return imported.status();
    r.import = std::move(*imported);
    const bool rejected = !r.import.problems.empty();
    if (rejected) {
      result.problems = r.import.problems;
      result.failed_step = "values of " + spec;
    }
    if (rejected) {
      if (temporary) r.csv_file.clear();
      result.datasets.push_back(std::move(r));
      return result;
    }
    // The registers, through the record writer as `qpan registry import` does; what they
    // count is written with them.
    for (const GeneratedRegister& g : data->registers) {
      DemoRegisterResult reg;
      reg.registry = g.registry;
      reg.csv_file = (fs::path(dir) / (data->code + "-" + g.registry + ".csv")).string();
      QPAN_RETURN_IF_ERROR(write_file_atomically(reg.csv_file, g.csv));
      Result<RecordWriteOutcome> written = import_register(store, g, reg.csv_file, options);
      if (!written) return written.status();
      reg.import = std::move(*written);
      const bool refused = !reg.import.written();
      if (refused) {
        result.problems = reg.import.problems;
        if (result.problems.empty()) result.problems.add({reg.csv_file, 0, 0, "", reg.import.message});
        result.failed_step = "register " + g.registry + " of " + spec;
      }
      if (temporary) reg.csv_file.clear();
      r.registers.push_back(std::move(reg));
      if (refused) {
        result.datasets.push_back(std::move(r));
        return result;
      }
    }
    if (temporary) r.csv_file.clear();
    result.datasets.push_back(std::move(r));
  }
  return result;
}

}  // namespace qpan
