// The unit concern of the PostgreSQL store (see qpan/unit_store.h): org unit versions,
// lineage edges and the search key of every name; each change an entry in the change log.
#include <boost/json.hpp>

#include "qpan/text.h"
#include "store/postgres_stores.h"

namespace qpan::postgres {
namespace {

std::string date_text(const std::optional<Date>& d) { return d ? format_date(*d) : std::string(); }

// A unit version's stored columns as the change log keeps them (as the SQLite store does).
std::string version_json(std::string_view level, std::string_view name, std::string_view type,
                         std::string_view parent, std::string_view until) {
  return boost::json::serialize(boost::json::object{
      {"level", level}, {"name", name}, {"type", type}, {"parent", parent}, {"valid_until", until}});
}

std::string edge_json(std::string_view kind, std::optional<double> share) {
  return boost::json::serialize(boost::json::object{
      {"kind", kind}, {"share", share ? boost::json::value(*share) : boost::json::value(nullptr)}});
}

Result<std::optional<Date>> date_from_text(std::string_view text) {
  if (text.empty()) return std::optional<Date>();
  Result<Date> d = parse_date(text);
  if (!d) return d.status();
  return std::optional<Date>(*d);
}

}  // namespace

Result<UnitImportSummary> PostgresUnitStore::save_org_units(const std::vector<OrgUnitVersion>& versions,
                                                            const std::vector<LineageEdge>& lineage) {
  UnitImportSummary summary;
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  for (const OrgUnitVersion& v : versions) {
    const std::string from = date_text(v.valid_from);
    const std::string until = date_text(v.valid_until);
    Result<Rows> found = db_.query(
        "SELECT level, name, type, parent_code, valid_until FROM org_unit WHERE code = $1 AND valid_from = $2",
        Params().add(v.code).add(from));
    if (!found) return found.status();
    const bool exists = !found->empty();
    const bool same = exists && found->text(0, 0) == level_name(v.level) && found->text(0, 1) == v.name &&
                      found->text(0, 2) == v.type && found->text(0, 3) == v.parent_code &&
                      found->text(0, 4) == until;
    if (same) {
      ++summary.versions_unchanged;
      continue;
    }
    std::optional<std::string> before;
    if (exists) {
      before = version_json(found->text(0, 0), found->text(0, 1), found->text(0, 2), found->text(0, 3),
                            found->text(0, 4));
    }
    exists ? ++summary.versions_updated : ++summary.versions_added;
    Result<int64_t> upserted = db_.run(
        "INSERT INTO org_unit (code, level, name, type, parent_code, valid_from, valid_until, search_key) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (code, valid_from) DO UPDATE SET "
        "level = excluded.level, name = excluded.name, type = excluded.type, parent_code = excluded.parent_code, "
        "valid_until = excluded.valid_until, search_key = excluded.search_key",
        Params().add(v.code).add(level_name(v.level)).add(v.name).add(v.type).add(v.parent_code).add(from).add(until)
            .add(search_key(v.name)));
    if (!upserted) return upserted.status();
    // Only a new code takes an id (ON CONFLICT alone would use one up on every call).
    Result<int64_t> keyed = db_.run(
        "INSERT INTO unit_key (code) SELECT $1 WHERE NOT EXISTS (SELECT 1 FROM unit_key WHERE code = $1)",
        Params().add(v.code));
    if (!keyed) return keyed.status();
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kUnits, "", "unit/" + v.code + "/" + from, before,
                                     version_json(level_name(v.level), v.name, v.type, v.parent_code, until)));
  }
  for (const LineageEdge& e : lineage) {
    const std::string effective = format_date(e.effective);
    Result<Rows> found = db_.query(
        "SELECT kind, share FROM org_unit_lineage WHERE old_code = $1 AND new_code = $2 AND effective = $3",
        Params().add(e.old_code).add(e.new_code).add(effective));
    if (!found) return found.status();
    const bool exists = !found->empty();
    const bool same = exists && found->text(0, 0) == lineage_kind_name(e.kind) &&
                      (e.share ? !found->is_null(0, 1) && found->get_double(0, 1) == *e.share : found->is_null(0, 1));
    if (same) {
      ++summary.lineage_unchanged;
      continue;
    }
    std::optional<std::string> before;
    if (exists) {
      before = edge_json(found->text(0, 0),
                         found->is_null(0, 1) ? std::nullopt : std::optional<double>(found->get_double(0, 1)));
    }
    exists ? ++summary.lineage_updated : ++summary.lineage_added;
    Result<int64_t> added = db_.run(
        "INSERT INTO org_unit_lineage (old_code, new_code, effective, kind, share) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (old_code, new_code, effective) DO UPDATE SET kind = excluded.kind, share = excluded.share",
        Params().add(e.old_code).add(e.new_code).add(effective).add(lineage_kind_name(e.kind)).add(e.share));
    if (!added) return added.status();
    QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kUnits, "",
                                     "lineage/" + e.old_code + "/" + e.new_code + "/" + effective, before,
                                     edge_json(lineage_kind_name(e.kind), e.share)));
  }
  QPAN_RETURN_IF_ERROR(tx.commit());
  return summary;
}

Result<OrgUnitIndex> PostgresUnitStore::load_org_units() {
  Result<std::vector<OrgUnitVersion>> versions = select_units("", std::nullopt);
  if (!versions) return versions.status();
  Result<Rows> rows = db_.query(
      "SELECT old_code, new_code, effective, kind, share FROM org_unit_lineage "
      "ORDER BY effective, old_code COLLATE \"C\", new_code COLLATE \"C\"");
  if (!rows) return rows.status();
  std::vector<LineageEdge> lineage;
  for (int r = 0; r < rows->size(); ++r) {
    LineageEdge e;
    e.old_code = rows->get_text(r, 0);
    e.new_code = rows->get_text(r, 1);
    Result<Date> effective = parse_date(rows->text(r, 2));
    Result<LineageKind> kind = parse_lineage_kind(rows->text(r, 3));
    if (!effective || !kind) return Status::internal("corrupt lineage row " + e.old_code);
    e.effective = *effective;
    e.kind = *kind;
    if (!rows->is_null(r, 4)) e.share = rows->get_double(r, 4);
    lineage.push_back(std::move(e));
  }
  return OrgUnitIndex(std::move(*versions), std::move(lineage));
}

Result<std::vector<OrgUnitVersion>> PostgresUnitStore::search_org_units(std::string_view key_fragment) {
  std::string pattern = "%";
  for (char c : key_fragment) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  pattern += '%';
  return select_units("WHERE search_key LIKE $1 ESCAPE '\\'", pattern);
}

Result<std::unordered_map<std::string, int64_t>> PostgresUnitStore::unit_ids() {
  Result<Rows> rows = db_.query("SELECT id, code FROM unit_key");
  if (!rows) return rows.status();
  std::unordered_map<std::string, int64_t> ids;
  for (int r = 0; r < rows->size(); ++r) ids.emplace(rows->get_text(r, 1), rows->get_int(r, 0));
  return ids;
}

Result<std::vector<OrgUnitVersion>> PostgresUnitStore::select_units(const std::string& where,
                                                                    const std::optional<std::string>& param) {
  // COLLATE "C": byte order, as SQLite sorts text, whatever the database's locale.
  Params params;
  if (param) params.add(*param);
  Result<Rows> rows = db_.query(
      "SELECT code, level, name, type, parent_code, valid_from, valid_until FROM org_unit " + where +
          " ORDER BY code COLLATE \"C\", valid_from",
      params);
  if (!rows) return rows.status();
  std::vector<OrgUnitVersion> out;
  for (int r = 0; r < rows->size(); ++r) {
    OrgUnitVersion v;
    v.code = rows->get_text(r, 0);
    Result<OrgUnitLevel> level = parse_level(rows->text(r, 1));
    Result<std::optional<Date>> from = date_from_text(rows->text(r, 5));
    Result<std::optional<Date>> until = date_from_text(rows->text(r, 6));
    if (!level || !from || !until) return Status::internal("corrupt org unit row " + v.code);
    v.level = *level;
    v.name = rows->get_text(r, 2);
    v.type = rows->get_text(r, 3);
    v.parent_code = rows->get_text(r, 4);
    v.valid_from = *from;
    v.valid_until = *until;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace qpan::postgres
