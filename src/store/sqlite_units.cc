// The unit concern of the SQLite store (see qpan/unit_store.h): org unit versions, lineage
// edges and the search key of every name; each change an entry in the change log.
#include <boost/json.hpp>

#include "qpan/store.h"
#include "store/sqlite.h"
#include "store/sqlite_stores.h"
#include "qpan/text.h"

namespace qpan::sqlite {
namespace {

std::string date_text(const std::optional<Date>& d) { return d ? format_date(*d) : std::string(); }

// A unit version's stored columns as the change log keeps them.
std::string version_json(std::string_view level, std::string_view name, std::string_view type,
                         std::string_view parent, std::string_view until) {
  return boost::json::serialize(boost::json::object{
      {"level", level}, {"name", name}, {"type", type}, {"parent", parent}, {"valid_until", until}});
}

Result<std::optional<Date>> date_from_text(std::string_view text) {
  if (text.empty()) return std::optional<Date>();
  Result<Date> d = parse_date(text);
  if (!d) return d.status();
  return std::optional<Date>(*d);
}

}  // namespace

Result<UnitImportSummary> SqliteUnitStore::save_org_units(const std::vector<OrgUnitVersion>& versions,
                                         const std::vector<LineageEdge>& lineage) {
  UnitImportSummary summary;
  Transaction tx(db_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  auto find = db_.prepare(
      "SELECT level, name, type, parent_code, valid_until FROM org_unit "
      "WHERE code = ?1 AND valid_from = ?2");
  auto upsert = db_.prepare(
      "INSERT INTO org_unit (code, level, name, type, parent_code, valid_from, valid_until, "
      "search_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (code, valid_from) DO UPDATE SET level = excluded.level, "
      "name = excluded.name, type = excluded.type, parent_code = excluded.parent_code, "
      "valid_until = excluded.valid_until, search_key = excluded.search_key");
  auto add_key = db_.prepare("INSERT OR IGNORE INTO unit_key (code) VALUES (?1)");
  auto find_edge = db_.prepare(
      "SELECT kind, share FROM org_unit_lineage WHERE old_code = ?1 AND new_code = ?2 "
      "AND effective = ?3");
  auto add_edge = db_.prepare(
      "INSERT INTO org_unit_lineage (old_code, new_code, effective, kind, share) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (old_code, new_code, effective) "
      "DO UPDATE SET kind = excluded.kind, share = excluded.share");
  for (auto* s : {&find, &upsert, &add_key, &find_edge, &add_edge}) {
    if (!*s) return s->status();
  }
  for (const OrgUnitVersion& v : versions) {
    const std::string from = date_text(v.valid_from);
    const std::string until = date_text(v.valid_until);
    find->bind(1, v.code);
    find->bind(2, from);
    bool exists = find->step();
    bool same = exists && find->column_text(0) == level_name(v.level) &&
                find->column_text(1) == v.name && find->column_text(2) == v.type &&
                find->column_text(3) == v.parent_code && find->column_text(4) == until;
    std::optional<std::string> before;
    if (exists && !same) {
      before = version_json(find->column_text(0), find->column_text(1), find->column_text(2), find->column_text(3),
                            find->column_text(4));
    }
    QPAN_RETURN_IF_ERROR(find->status());
    find->reset();
    if (same) {
      ++summary.versions_unchanged;
      continue;
    }
    exists ? ++summary.versions_updated : ++summary.versions_added;
    upsert->bind(1, v.code);
    upsert->bind(2, level_name(v.level));
    upsert->bind(3, v.name);
    upsert->bind(4, v.type);
    upsert->bind(5, v.parent_code);
    upsert->bind(6, from);
    upsert->bind(7, until);
    upsert->bind(8, search_key(v.name));
    QPAN_RETURN_IF_ERROR(upsert->run());
    add_key->bind(1, v.code);
    QPAN_RETURN_IF_ERROR(add_key->run());
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kUnits, "", "unit/" + v.code + "/" + from, before,
                                     version_json(level_name(v.level), v.name, v.type, v.parent_code, until)));
  }
  for (const LineageEdge& e : lineage) {
    find_edge->bind(1, e.old_code);
    find_edge->bind(2, e.new_code);
    find_edge->bind(3, format_date(e.effective));
    const bool exists = find_edge->step();
    const bool same = exists && find_edge->column_text(0) == lineage_kind_name(e.kind) &&
                      (e.share ? !find_edge->column_is_null(1) && find_edge->column_double(1) == *e.share
                               : find_edge->column_is_null(1));
    const auto edge_json = [](std::string_view kind, std::optional<double> share) {
      return boost::json::serialize(boost::json::object{
          {"kind", kind}, {"share", share ? boost::json::value(*share) : boost::json::value(nullptr)}});
    };
    std::optional<std::string> before;
    if (exists && !same) {
      before = edge_json(find_edge->column_text(0),
                         find_edge->column_is_null(1) ? std::nullopt : std::optional<double>(find_edge->column_double(1)));
    }
    QPAN_RETURN_IF_ERROR(find_edge->status());
    find_edge->reset();
    if (same) {
      ++summary.lineage_unchanged;
      continue;
    }
    exists ? ++summary.lineage_updated : ++summary.lineage_added;
    add_edge->bind(1, e.old_code);
    add_edge->bind(2, e.new_code);
    add_edge->bind(3, format_date(e.effective));
    add_edge->bind(4, lineage_kind_name(e.kind));
    add_edge->bind(5, e.share);
    QPAN_RETURN_IF_ERROR(add_edge->run());
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kUnits, "",
                                     "lineage/" + e.old_code + "/" + e.new_code + "/" + format_date(e.effective),
                                     before, edge_json(lineage_kind_name(e.kind), e.share)));
  }
  QPAN_RETURN_IF_ERROR(tx.commit());
  return summary;
}

Result<OrgUnitIndex> SqliteUnitStore::load_org_units() {
  Result<std::vector<OrgUnitVersion>> versions = select_units("", "");
  if (!versions) return versions.status();
  auto stmt = db_.prepare(
      "SELECT old_code, new_code, effective, kind, share FROM org_unit_lineage "
      "ORDER BY effective, old_code, new_code");
  if (!stmt) return stmt.status();
  std::vector<LineageEdge> lineage;
  while (stmt->step()) {
    LineageEdge e;
    e.old_code = stmt->column_text(0);
    e.new_code = stmt->column_text(1);
    Result<Date> effective = parse_date(stmt->column_text(2));
    Result<LineageKind> kind = parse_lineage_kind(stmt->column_text(3));
    if (!effective || !kind) return Status::internal("corrupt lineage row " + e.old_code);
    e.effective = *effective;
    e.kind = *kind;
    if (!stmt->column_is_null(4)) e.share = stmt->column_double(4);
    lineage.push_back(std::move(e));
  }
  QPAN_RETURN_IF_ERROR(stmt->status());
  return OrgUnitIndex(std::move(*versions), std::move(lineage));
}

Result<std::vector<OrgUnitVersion>> SqliteUnitStore::search_org_units(std::string_view key_fragment) {
  std::string pattern = "%";
  for (char c : key_fragment) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return select_units("WHERE search_key LIKE ?1 ESCAPE '\\'", pattern);
}

Result<std::unordered_map<std::string, int64_t>> SqliteUnitStore::unit_ids() {
  auto stmt = db_.prepare("SELECT id, code FROM unit_key");
  if (!stmt) return stmt.status();
  std::unordered_map<std::string, int64_t> ids;
  while (stmt->step()) ids.emplace(std::string(stmt->column_text(1)), stmt->column_int(0));
  QPAN_RETURN_IF_ERROR(stmt->status());
  return ids;
}

Result<std::vector<OrgUnitVersion>> SqliteUnitStore::select_units(const std::string& where,
                                                 const std::string& param) {
  auto stmt = db_.prepare(
      "SELECT code, level, name, type, parent_code, valid_from, valid_until FROM org_unit " +
      where + " ORDER BY code, valid_from");
  if (!stmt) return stmt.status();
  if (!param.empty()) stmt->bind(1, param);
  std::vector<OrgUnitVersion> out;
  while (stmt->step()) {
    OrgUnitVersion v;
    v.code = stmt->column_text(0);
    Result<OrgUnitLevel> level = parse_level(stmt->column_text(1));
    Result<std::optional<Date>> from = date_from_text(stmt->column_text(5));
    Result<std::optional<Date>> until = date_from_text(stmt->column_text(6));
    if (!level || !from || !until) return Status::internal("corrupt org unit row " + v.code);
    v.level = *level;
    v.name = stmt->column_text(2);
    v.type = stmt->column_text(3);
    v.parent_code = stmt->column_text(4);
    v.valid_from = *from;
    v.valid_until = *until;
    out.push_back(std::move(v));
  }
  QPAN_RETURN_IF_ERROR(stmt->status());
  return out;
}

}  // namespace qpan::sqlite
