// Reading a pack folder, loading it into a store, and reading back the pack a store holds
// (see qpan/pack.h).
#include "qpan/pack.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "exchange/file.h"
#include "pack/pack_reader.h"
#include "qpan/report.h"
#include "qpan/store.h"

namespace qpan {
namespace {

namespace fs = std::filesystem;

const std::set<std::string> kPackFileSections = {"pack"};

// Compares MAJOR.MINOR.PATCH versions (already checked to be well formed).
int compare_versions(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& v) {
    std::vector<long> out;
    size_t pos = 0;
    while (pos <= v.size()) {
      size_t dot = v.find('.', pos);
      if (dot == std::string::npos) dot = v.size();
      out.push_back(std::stol(v.substr(pos, dot - pos)));
      pos = dot + 1;
    }
    return out;
  };
  std::vector<long> pa = parts(a), pb = parts(b);
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

}  // namespace

Result<PackReadResult> read_pack(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (!fs::exists(dir, ec)) return Status::not_found(dir + ": no such folder");
    return Status::invalid_input(dir + ": a pack is a folder (with pack.json)");
  }
  std::vector<std::string> files, texts;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    if (it->path().extension() == ".json") files.push_back(fs::relative(it->path(), dir).generic_string());
    if (it->path().extension() == ".txt") texts.push_back(fs::relative(it->path(), dir).generic_string());
  }
  if (ec) return Status::io_error(dir + ": cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());

  PackReadResult result;
  pack_reader::PackReader reader(result.problems);
  if (std::find(files.begin(), files.end(), "pack.json") == files.end()) {
    result.problems.add({"pack.json", 0, 0, "", "missing: a pack folder starts with pack.json naming the pack"});
    return result;
  }
  for (const std::string& file : texts) {  // report templates, which definitions name
    Result<std::string> content = read_file((fs::path(dir) / file).string());
    if (!content) return content.status();
    reader.attach(file, std::move(*content));
  }
  for (const std::string& file : files) {
    Result<std::string> content = read_file((fs::path(dir) / file).string());
    if (!content) return content.status();
    reader.read_file(file, *content, file == "pack.json" ? kPackFileSections : pack_reader::kSections);
  }
  if (!reader.has_info() && result.problems.empty()) {
    result.problems.add({"pack.json", 0, 0, "$.pack", "missing: the pack's code, version and names"});
  }
  reader.check_references();
  if (!result.problems.empty()) return result;
  Pack pack = reader.take();
  // Report templates name the pack's codes in their own language: checked once the pack is whole.
  result.problems.merge(check_report_templates(pack));
  if (result.problems.empty()) result.pack = std::move(pack);
  return result;
}

Result<Pack> read_loaded_pack(Store& store) {
  Result<Catalogue> catalogue = store.load_catalogue();
  if (!catalogue) return catalogue.status();
  ImportProblems problems;
  pack_reader::PackReader reader(problems);
  reader.start_from(*catalogue);
  for (const std::string& kind : pack_reader::kDefinitionKinds) {
    Result<std::vector<PackDefinition>> stored = store.pack_definitions(kind);
    if (!stored) return stored.status();
    for (const PackDefinition& definition : *stored) reader.read_stored_definition(definition);
  }
  reader.check_references();
  if (!problems.empty()) {
    std::string list = problems.to_string();
    if (!list.empty() && list.back() == '\n') list.pop_back();
    return Status::invalid_input("the pack loaded in the database does not pass the pack checks (load a valid "
                                 "pack again with `qpan pack load`):\n" + list);
  }
  return reader.take();
}

Result<PackLoadResult> load_pack(Store& store, const std::string& dir) {
  Result<PackReadResult> read = read_pack(dir);
  if (!read) return read.status();
  PackLoadResult result;
  if (!read->problems.empty()) {
    result.problems = std::move(read->problems);
    return result;
  }
  const Pack& pack = *read->pack;
  const std::string label = fs::path(dir).filename().string();

  Result<std::optional<std::string>> loaded = store.loaded_pack_version(pack.info.code);
  if (!loaded) return loaded.status();
  if (*loaded) {
    result.summary.previous_version = **loaded;
    if (compare_versions(pack.info.version, **loaded) < 0) {
      result.problems.add({"pack.json", 0, 0, "$.pack.version",
                           "the database has " + pack.info.code + " " + **loaded +
                               ", newer than " + pack.info.version + ": refusing to go back"});
      return result;
    }
  }

  // What the new version drops or retypes must not lose data.
  Result<Catalogue> current = store.load_catalogue();
  if (!current) return current.status();
  Result<std::vector<std::string>> previous_codes = store.pack_element_codes(pack.info.code);
  if (!previous_codes) return previous_codes.status();
  std::vector<std::string> removed;
  for (const std::string& code : *previous_codes) {
    if (pack.catalogue.element(code) == nullptr) removed.push_back(code);
  }
  std::vector<std::string> retyped;
  for (const DataElement& e : pack.catalogue.elements()) {
    const DataElement* old = current->element(e.code);
    if (old == nullptr) {
      ++result.summary.elements_added;
    } else {
      const bool same = old->name_vi == e.name_vi && old->name_en == e.name_en &&
                        old->value_type == e.value_type && old->aggregation == e.aggregation &&
                        old->disaggregation == e.disaggregation &&
                        old->description == e.description && old->area == e.area;
      ++(same ? result.summary.elements_unchanged : result.summary.elements_updated);
      if (old->value_type != e.value_type) retyped.push_back(e.code);
    }
  }
  if (!removed.empty() || !retyped.empty()) {
    Result<std::unordered_map<std::string, int64_t>> counts = store.value_counts_by_element();
    if (!counts) return counts.status();
    auto values_of = [&](const std::string& code) {
      auto it = counts->find(code);
      return it == counts->end() ? int64_t{0} : it->second;
    };
    for (const std::string& code : removed) {
      if (int64_t n = values_of(code); n > 0) {
        result.problems.add({label, 0, 0, "$.elements",
                             "element " + code + " is no longer in the pack but has " + std::to_string(n) +
                                 " values: keep it in the pack (or delete its values first)"});
      }
    }
    for (const std::string& code : retyped) {
      if (int64_t n = values_of(code); n > 0) {
        result.problems.add({label, 0, 0, "$.elements",
                             "element " + code + " changes its value type but has " + std::to_string(n) +
                                 " values: give the new meaning a new code"});
      }
    }
  }
  if (!result.problems.empty()) return result;

  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  QPAN_RETURN_IF_ERROR(store.save_pack(pack, removed, now));
  result.summary.elements_removed = removed.size();
  result.summary.definitions = pack.definitions.size();
  return result;
}

const SubjectArea* find_area(const Pack& pack, std::string_view code) {
  auto it = std::find_if(pack.areas.begin(), pack.areas.end(), [&](const SubjectArea& a) { return a.code == code; });
  return it == pack.areas.end() ? nullptr : &*it;
}

}  // namespace qpan
