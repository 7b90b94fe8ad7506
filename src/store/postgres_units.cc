// The unit concern of the PostgreSQL store (see qpan/unit_store.h): org unit versions,
// lineage edges and the search key of every name; each change an entry in the change log, as
// the SQLite store writes them.
#include <map>
#include <tuple>

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
  // What is stored is read once, changes are compared here in the order given (a version
  // repeated in the call compares with its earlier occurrence, as one write after another
  // would), and the changes are written with a few array statements: a country's 27,000
  // versions and edges in a few round trips instead of one each.
  UnitImportSummary summary;
  WriteTransaction tx(db_, log_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());

  using Key = std::pair<std::string, std::string>;  // code, valid_from
  std::map<Key, std::string> stored_versions;        // → version_json
  {
    ArrayParam codes;
    for (const OrgUnitVersion& v : versions) codes.add(v.code);
    Result<Rows> rows = db_.query(
        "SELECT code, valid_from, level, name, type, parent_code, valid_until FROM org_unit "
        "WHERE code = ANY($1::text[])",
        Params().add(codes.text()));
    if (!rows) return rows.status();
    for (int r = 0; r < rows->size(); ++r) {
      stored_versions[{rows->get_text(r, 0), rows->get_text(r, 1)}] =
          version_json(rows->text(r, 2), rows->text(r, 3), rows->text(r, 4), rows->text(r, 5), rows->text(r, 6));
    }
  }
  std::vector<std::string> subjects;
  std::vector<std::optional<std::string>> before, after;
  // The last state of each changed version, in the order of their first appearance: unit
  // keys are numbered in that order, as the SQLite store numbers them (values are kept and
  // exported in unit key order).
  std::map<Key, const OrgUnitVersion*> upserts;
  std::vector<Key> upsert_order;
  for (const OrgUnitVersion& v : versions) {
    Key key{v.code, date_text(v.valid_from)};
    std::string state = version_json(level_name(v.level), v.name, v.type, v.parent_code, date_text(v.valid_until));
    auto found = stored_versions.find(key);
    if (found != stored_versions.end() && found->second == state) {
      ++summary.versions_unchanged;
      continue;
    }
    if (found != stored_versions.end()) {
      ++summary.versions_updated;
      before.emplace_back(found->second);
      found->second = state;
    } else {
      ++summary.versions_added;
      before.emplace_back(std::nullopt);
      stored_versions.emplace(key, state);
    }
    subjects.push_back("unit/" + key.first + "/" + key.second);
    after.emplace_back(std::move(state));
    if (upserts.insert_or_assign(key, &v).second) upsert_order.push_back(key);
  }
  if (!upserts.empty()) {
    ArrayParam code, level, name, type, parent, from, until, search;
    for (const Key& key : upsert_order) {
      const OrgUnitVersion* v = upserts.at(key);
      code.add(v->code);
      level.add(level_name(v->level));
      name.add(v->name);
      type.add(v->type);
      parent.add(v->parent_code);
      from.add(key.second);
      until.add(date_text(v->valid_until));
      search.add(search_key(v->name));
    }
    // Only a new code takes a unit_key id (ON CONFLICT alone would use one up per row).
    Result<int64_t> saved = db_.run(
        "WITH v AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
        "$7::text[], $8::text[]) WITH ORDINALITY AS t(code, level, name, type, parent_code, valid_from, valid_until, "
        "search_key, n)), "
        "saved AS (INSERT INTO org_unit (code, level, name, type, parent_code, valid_from, valid_until, search_key) "
        "SELECT code, level, name, type, parent_code, valid_from, valid_until, search_key FROM v ON CONFLICT (code, valid_from) DO UPDATE SET level = excluded.level, name = excluded.name, "
        "type = excluded.type, parent_code = excluded.parent_code, valid_until = excluded.valid_until, "
        "search_key = excluded.search_key) "
        "INSERT INTO unit_key (code) SELECT code FROM v WHERE NOT EXISTS (SELECT 1 FROM unit_key k WHERE "
        "k.code = v.code) GROUP BY code ORDER BY min(n)",
        Params().add(code.text()).add(level.text()).add(name.text()).add(type.text()).add(parent.text())
            .add(from.text()).add(until.text()).add(search.text()));
    if (!saved) return saved.status();
  }
  QPAN_RETURN_IF_ERROR(log_.append_all(ChangeKind::kUnits, "", subjects, before, after));

  using EdgeKey = std::tuple<std::string, std::string, std::string>;  // old, new, effective
  std::map<EdgeKey, std::string> stored_edges;                        // → edge_json
  {
    ArrayParam old_codes;
    for (const LineageEdge& e : lineage) old_codes.add(e.old_code);
    Result<Rows> rows = db_.query(
        "SELECT old_code, new_code, effective, kind, share FROM org_unit_lineage WHERE old_code = ANY($1::text[])",
        Params().add(old_codes.text()));
    if (!rows) return rows.status();
    for (int r = 0; r < rows->size(); ++r) {
      stored_edges[{rows->get_text(r, 0), rows->get_text(r, 1), rows->get_text(r, 2)}] =
          edge_json(rows->text(r, 3), rows->is_null(r, 4) ? std::nullopt : std::optional<double>(rows->get_double(r, 4)));
    }
  }
  subjects.clear();
  before.clear();
  after.clear();
  std::map<EdgeKey, const LineageEdge*> edge_upserts;
  for (const LineageEdge& e : lineage) {
    EdgeKey key{e.old_code, e.new_code, format_date(e.effective)};
    std::string state = edge_json(lineage_kind_name(e.kind), e.share);
    auto found = stored_edges.find(key);
    if (found != stored_edges.end() && found->second == state) {
      ++summary.lineage_unchanged;
      continue;
    }
    if (found != stored_edges.end()) {
      ++summary.lineage_updated;
      before.emplace_back(found->second);
      found->second = state;
    } else {
      ++summary.lineage_added;
      before.emplace_back(std::nullopt);
      stored_edges.emplace(key, state);
    }
    subjects.push_back("lineage/" + e.old_code + "/" + e.new_code + "/" + std::get<2>(key));
    after.emplace_back(std::move(state));
    edge_upserts[key] = &e;
  }
  if (!edge_upserts.empty()) {
    ArrayParam old_code, new_code, effective, kind, share;
    for (const auto& [key, e] : edge_upserts) {
      old_code.add(e->old_code);
      new_code.add(e->new_code);
      effective.add(std::get<2>(key));
      kind.add(lineage_kind_name(e->kind));
      e->share ? share.add(*e->share) : share.add_null();
    }
    Result<int64_t> saved = db_.run(
        "INSERT INTO org_unit_lineage (old_code, new_code, effective, kind, share) "
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[]) "
        "ON CONFLICT (old_code, new_code, effective) DO UPDATE SET kind = excluded.kind, share = excluded.share",
        Params().add(old_code.text()).add(new_code.text()).add(effective.text()).add(kind.text()).add(share.text()));
    if (!saved) return saved.status();
  }
  QPAN_RETURN_IF_ERROR(log_.append_all(ChangeKind::kUnits, "", subjects, before, after));
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
