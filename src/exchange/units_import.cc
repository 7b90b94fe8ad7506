// Import of org units and lineage from files in the vn-admin layout (see qpan/exchange.h).
// Everything is checked against the units already stored plus the files being imported
// (versions of a code must not overlap, parents must be in force, lineage must join a
// unit that ended to one that began) before one transaction writes it all.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

#include "exchange/csv.h"
#include "exchange/file.h"
#include "qpan/exchange.h"
#include "qpan/text.h"

namespace qpan {
namespace {

namespace fs = std::filesystem;

enum class Layout { kHistory, kProvinceLineage, kCommuneLineage, kLineage, kSnapshot, kUnknown };

const std::vector<std::string> kHistoryHeader = {"level", "code", "name", "type",
                                                 "parent_code", "valid_from", "valid_until"};

Layout layout_of(const std::vector<std::string_view>& header) {
  std::vector<std::string> h(header.begin(), header.end());
  if (h == kHistoryHeader) return Layout::kHistory;
  if (h == std::vector<std::string>{"old_province_code", "new_province_code"}) {
    return Layout::kProvinceLineage;
  }
  if (h == std::vector<std::string>{"old_code", "old_level", "new_commune_code", "kind"}) {
    return Layout::kCommuneLineage;
  }
  if (h.size() >= 2 && h[0] == "old_code" && h[1] == "new_code") return Layout::kLineage;
  if (!h.empty() && h[0] == "province_code") return Layout::kSnapshot;
  return Layout::kUnknown;
}

// A lineage row as read, with where it came from, checked once all units are known.
struct LineageRow {
  LineageEdge edge;
  std::string file;
  int64_t line = 0;
};

struct VersionRow {
  OrgUnitVersion version;
  std::string file;
  int64_t line = 0;
};

class UnitFilesImporter {
 public:
  explicit UnitFilesImporter(Store& store) : store_(store) {}

  Result<UnitImportResult> run(const std::string& path) {
    std::error_code ec;
    std::vector<std::string> files;
    if (fs::is_directory(path, ec)) {
      for (const auto& entry : fs::directory_iterator(path, ec)) {
        if (entry.is_regular_file() && entry.path().extension() == ".csv") {
          files.push_back(entry.path().string());
        }
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) return Status::invalid_input(path + ": the folder holds no .csv files");
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      return Status::not_found(path + ": no such file or folder");
    }
    for (const std::string& f : files) QPAN_RETURN_IF_ERROR(read(f));
    if (versions_.empty() && lineage_.empty() && result_.problems.empty()) {
      return Status::invalid_input(path + ": no units or lineage found");
    }
    QPAN_RETURN_IF_ERROR(check());
    if (!result_.problems.empty()) return std::move(result_);
    std::vector<OrgUnitVersion> versions;
    for (auto& v : versions_) versions.push_back(v.version);
    std::vector<LineageEdge> edges;
    for (auto& l : lineage_) edges.push_back(l.edge);
    Result<UnitImportSummary> summary = store_.save_org_units(versions, edges);
    if (!summary) return summary.status();
    result_.summary = *summary;
    return std::move(result_);
  }

 private:
  void problem(const std::string& file, int64_t line, int column, std::string field,
               std::string reason) {
    result_.problems.add({file, line, column, std::move(field), std::move(reason)});
  }

  Status read(const std::string& path) {
    Result<std::string> content = read_file(path);
    if (!content) return content.status();
    const std::string file = file_name(path);
    std::string_view text = *content;
    if (size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
      int64_t line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n');
      problem(file, line, 0, "", "invalid UTF-8");
      return Status::ok();
    }
    csv::Reader reader(text);
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) {
      problem(file, 1, 0, "", "the file is empty: expected a header line");
      return Status::ok();
    }
    std::vector<std::string> header(fields.begin(), fields.end());
    const Layout layout = layout_of(fields);
    switch (layout) {
      case Layout::kHistory: result_.files_read.push_back(file + " (unit versions)"); break;
      case Layout::kProvinceLineage:
      case Layout::kCommuneLineage:
      case Layout::kLineage: result_.files_read.push_back(file + " (lineage)"); break;
      case Layout::kSnapshot:
        result_.files_skipped.push_back(
            file + " (a snapshot of one date; the history file holds the same units)");
        return Status::ok();
      case Layout::kUnknown:
        problem(file, 1, 0, "",
                "unrecognised layout: expected the header "
                "level,code,name,type,parent_code,valid_from,valid_until or a lineage header "
                "(old_code,new_code,kind[,share][,effective])");
        return Status::ok();
    }
    std::optional<Date> file_date = date_from_file_name(file);
    while (reader.next(fields)) {
      const int64_t line = reader.line();
      if (!reader.error().empty()) {
        problem(file, line, reader.error_column(), "", reader.error());
        continue;
      }
      if (fields.size() != header.size()) {
        problem(file, line, 0, "",
                "expected " + std::to_string(header.size()) + " columns as in the header, found " +
                    std::to_string(fields.size()));
        continue;
      }
      if (layout == Layout::kHistory) {
        read_version(file, line, fields);
      } else {
        read_lineage(file, line, layout, header, fields, file_date);
      }
    }
    return Status::ok();
  }

  // "…-2025-07.csv" → 2025-07-01; "…-2025-07-15.csv" → 2025-07-15.
  static std::optional<Date> date_from_file_name(const std::string& file) {
    std::string_view stem(file);
    if (stem.size() < 4 || stem.substr(stem.size() - 4) != ".csv") return std::nullopt;
    stem.remove_suffix(4);
    auto digits = [](std::string_view s) {
      return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    for (size_t len : {10u, 7u}) {  // YYYY-MM-DD, then YYYY-MM
      if (stem.size() < len) continue;
      std::string_view tail = stem.substr(stem.size() - len);
      if (!digits(tail.substr(0, 4)) || tail[4] != '-' || !digits(tail.substr(5, 2))) continue;
      if (len == 10 && (tail[7] != '-' || !digits(tail.substr(8, 2)))) continue;
      Result<Date> d = parse_date(len == 10 ? std::string(tail) : std::string(tail) + "-01");
      if (d) return *d;
    }
    return std::nullopt;
  }

  std::optional<Date> date_field(const std::string& file, int64_t line, int column,
                                 const char* name, std::string_view text, bool* ok) {
    if (text.empty()) return std::nullopt;
    Result<Date> d = parse_date(text);
    if (!d) {
      problem(file, line, column, name, d.status().message());
      *ok = false;
      return std::nullopt;
    }
    return *d;
  }

  void read_version(const std::string& file, int64_t line,
                    const std::vector<std::string_view>& f) {
    bool ok = true;
    VersionRow row{{}, file, line};
    OrgUnitVersion& v = row.version;
    Result<OrgUnitLevel> level = parse_level(f[0]);
    if (!level) {
      problem(file, line, 1, "level", level.status().message());
      ok = false;
    } else {
      v.level = *level;
    }
    v.code = std::string(f[1]);
    if (v.code.empty()) {
      problem(file, line, 2, "code", "empty: every unit needs a code");
      ok = false;
    }
    v.name = to_nfc(f[2]);
    if (v.name.empty()) {
      problem(file, line, 3, "name", "empty: every unit needs a name");
      ok = false;
    }
    v.type = to_nfc(f[3]);
    v.parent_code = std::string(f[4]);
    v.valid_from = date_field(file, line, 6, "valid_from", f[5], &ok);
    v.valid_until = date_field(file, line, 7, "valid_until", f[6], &ok);
    if (ok && v.valid_from && v.valid_until && !(*v.valid_from < *v.valid_until)) {
      problem(file, line, 7, "valid_until", "must be after valid_from");
      ok = false;
    }
    if (ok && v.parent_code == v.code) {
      problem(file, line, 5, "parent_code", "a unit cannot be its own parent");
      ok = false;
    }
    if (ok) versions_.push_back(std::move(row));
  }

  void read_lineage(const std::string& file, int64_t line, Layout layout,
                    const std::vector<std::string>& header, const std::vector<std::string_view>& f,
                    const std::optional<Date>& file_date) {
    bool ok = true;
    LineageRow row;
    row.file = file;
    row.line = line;
    LineageEdge& e = row.edge;
    e.old_code = std::string(f[0]);
    std::optional<Date> effective = file_date;
    int kind_column = 0;
    std::string_view kind_text = "full";
    if (layout == Layout::kProvinceLineage) {
      e.new_code = std::string(f[1]);
    } else if (layout == Layout::kCommuneLineage) {
      e.new_code = std::string(f[2]);
      kind_column = 4;
      kind_text = f[3];
    } else {
      e.new_code = std::string(f[1]);
      for (size_t i = 2; i < header.size(); ++i) {
        const int column = static_cast<int>(i) + 1;
        if (header[i] == "kind") {
          kind_column = column;
          kind_text = f[i];
        } else if (header[i] == "share") {
          if (f[i].empty()) continue;  // not known: the usual case for split communes
          double share = 0;
          auto [ptr, ec] = std::from_chars(f[i].data(), f[i].data() + f[i].size(), share);
          if (ec != std::errc() || ptr != f[i].data() + f[i].size() || !(share > 0 && share <= 1)) {
            problem(file, line, column, "share", "expected a fraction in (0, 1], e.g. 0.4");
            ok = false;
          } else {
            e.share = share;
          }
        } else if (header[i] == "effective") {
          effective = date_field(file, line, column, "effective", f[i], &ok);
        } else if (header[i] != "old_level" && header[i] != "note") {
          problem(file, line, column, header[i], "unknown lineage column");
          ok = false;
        }
      }
    }
    if (e.old_code.empty() || e.new_code.empty()) {
      problem(file, line, 0, "", "old and new codes are required");
      ok = false;
    }
    Result<LineageKind> kind = parse_lineage_kind(kind_text);
    if (!kind) {
      problem(file, line, kind_column, "kind", kind.status().message());
      ok = false;
    } else {
      e.kind = *kind;
    }
    if (!effective) {
      if (ok) {
        problem(file, line, 0, "effective",
                "cannot tell when this lineage takes effect: add an `effective` column or name "
                "the file …-YYYY-MM.csv");
      }
      ok = false;
    } else {
      e.effective = *effective;
    }
    if (ok) lineage_.push_back(std::move(row));
  }

  // Cross-row checks against stored units plus the files' units.
  Status check() {
    Result<OrgUnitIndex> stored = store_.load_org_units();
    if (!stored) return stored.status();
    std::map<std::pair<std::string, std::string>, OrgUnitVersion> merged;
    auto key_of = [](const OrgUnitVersion& v) {
      return std::make_pair(v.code, v.valid_from ? format_date(*v.valid_from) : std::string());
    };
    for (const OrgUnitVersion& v : stored->versions()) merged[key_of(v)] = v;
    std::map<std::pair<std::string, std::string>, const VersionRow*> from_file;
    for (const VersionRow& r : versions_) {
      auto k = key_of(r.version);
      if (auto it = from_file.find(k); it != from_file.end()) {
        problem(r.file, r.line, 2, "code",
                "version of " + r.version.code + " starting " +
                    (k.second.empty() ? "before the records" : k.second) +
                    " is already given on line " + std::to_string(it->second->line));
        continue;
      }
      from_file[k] = &r;
      merged[k] = r.version;
    }
    std::vector<OrgUnitVersion> all;
    for (auto& [k, v] : merged) all.push_back(v);
    OrgUnitIndex index(std::move(all));

    for (const VersionRow& r : versions_) {
      const OrgUnitVersion& v = r.version;
      // Versions of one code must not overlap.
      for (const OrgUnitVersion* other : index.history(v.code)) {
        if (key_of(*other) == key_of(v)) continue;
        DateRange mine{v.valid_from.value_or(make_date(1, 1, 1)),
                       v.valid_until ? add_days(*v.valid_until, -1) : make_date(9999, 12, 31)};
        if (other->overlaps(mine)) {
          problem(r.file, r.line, 6, "valid_from",
                  "overlaps another version of " + v.code + " (" + other->name + ", from " +
                      (other->valid_from ? format_date(*other->valid_from) : "the start") + ")");
          break;
        }
      }
      // The parent must be in force on the version's first and last day.
      if (v.parent_code.empty()) continue;
      if (!index.knows(v.parent_code)) {
        problem(r.file, r.line, 5, "parent_code", "unknown parent unit \"" + v.parent_code + "\"");
        continue;
      }
      std::vector<Date> days;
      if (v.valid_from) days.push_back(*v.valid_from);
      if (v.valid_until) days.push_back(add_days(*v.valid_until, -1));
      for (Date d : days) {
        if (index.at(v.parent_code, d) == nullptr) {
          problem(r.file, r.line, 5, "parent_code",
                  "parent " + v.parent_code + " is not in force on " + format_date(d));
          break;
        }
      }
    }
    for (const LineageRow& r : lineage_) {
      const LineageEdge& e = r.edge;
      const Date day_before = add_days(e.effective, -1);
      if (index.at(e.old_code, day_before) == nullptr) {
        problem(r.file, r.line, 1, "old_code",
                "unit " + e.old_code + " is not in force on " + format_date(day_before) +
                    ", the day before the lineage takes effect");
      }
      if (index.at(e.new_code, e.effective) == nullptr) {
        problem(r.file, r.line, 0, "new_code",
                "unit " + e.new_code + " is not in force on " + format_date(e.effective) +
                    ", when the lineage takes effect");
      }
    }
    return Status::ok();
  }

  Store& store_;
  UnitImportResult result_;
  std::vector<VersionRow> versions_;
  std::vector<LineageRow> lineage_;
};

}  // namespace

Result<UnitImportResult> import_units(Store& store, const std::string& path) {
  UnitFilesImporter importer(store);
  return importer.run(path);
}

}  // namespace qpan
