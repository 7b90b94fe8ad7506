// The catalogue concern of the SQLite store (see qpan/catalogue_store.h): disaggregations
// with their options, data elements, and the definitions of loaded packs as JSON text.
#include "qpan/store.h"
#include "store/sqlite.h"
#include "store/sqlite_stores.h"

namespace qpan::sqlite {

Status SqliteCatalogueStore::save_catalogue(const Catalogue& catalogue) {
  Transaction tx(db_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  QPAN_RETURN_IF_ERROR(upsert_catalogue(catalogue, std::nullopt));
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kCatalogue, "", "catalogue", std::nullopt,
                                   std::to_string(catalogue.elements().size()) + " elements"));
  return tx.commit();
}

Result<std::optional<std::string>> SqliteCatalogueStore::loaded_pack_version(const std::string& pack_code) {
  auto stmt = db_.prepare("SELECT version FROM pack WHERE code = ?1");
  if (!stmt) return stmt.status();
  stmt->bind(1, pack_code);
  std::optional<std::string> version;
  if (stmt->step()) version = std::string(stmt->column_text(0));
  QPAN_RETURN_IF_ERROR(stmt->status());
  return version;
}

Result<std::vector<std::string>> SqliteCatalogueStore::pack_element_codes(const std::string& pack_code) {
  auto stmt = db_.prepare("SELECT code FROM data_element WHERE pack = ?1 ORDER BY code");
  if (!stmt) return stmt.status();
  stmt->bind(1, pack_code);
  std::vector<std::string> codes;
  while (stmt->step()) codes.emplace_back(stmt->column_text(0));
  QPAN_RETURN_IF_ERROR(stmt->status());
  return codes;
}

Status SqliteCatalogueStore::save_pack(const Pack& pack, const std::vector<std::string>& removed_elements,
                 int64_t loaded_at) {
  Transaction tx(db_);
  QPAN_RETURN_IF_ERROR(tx.begin_status());
  Result<std::optional<std::string>> before = loaded_pack_version(pack.info.code);
  if (!before) return before.status();
  QPAN_RETURN_IF_ERROR(log_.append(ChangeKind::kPack, "", "pack/" + pack.info.code, *before, pack.info.version));
  auto upsert_pack = db_.prepare(
      "INSERT INTO pack (code, version, name_vi, name_en, description, loaded_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (code) DO UPDATE SET "
      "version = excluded.version, name_vi = excluded.name_vi, name_en = excluded.name_en, "
      "description = excluded.description, loaded_at = excluded.loaded_at");
  auto clear = db_.prepare("DELETE FROM pack_definition WHERE pack = ?1");
  auto define = db_.prepare(
      "INSERT INTO pack_definition (kind, code, pack, definition) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (kind, code) DO UPDATE SET pack = excluded.pack, definition = excluded.definition");
  auto remove = db_.prepare("DELETE FROM data_element WHERE code = ?1 AND pack = ?2");
  for (auto* stmt : {&upsert_pack, &clear, &define, &remove}) {
    if (!*stmt) return stmt->status();
  }
  upsert_pack->bind(1, pack.info.code);
  upsert_pack->bind(2, pack.info.version);
  upsert_pack->bind(3, pack.info.name_vi);
  upsert_pack->bind(4, pack.info.name_en);
  upsert_pack->bind(5, pack.info.description);
  upsert_pack->bind(6, loaded_at);
  QPAN_RETURN_IF_ERROR(upsert_pack->run());
  QPAN_RETURN_IF_ERROR(upsert_catalogue(pack.catalogue, pack.info.code));
  for (const std::string& code : removed_elements) {
    remove->bind(1, code);
    remove->bind(2, pack.info.code);
    QPAN_RETURN_IF_ERROR(remove->run());
  }
  clear->bind(1, pack.info.code);
  QPAN_RETURN_IF_ERROR(clear->run());
  for (const PackDefinition& d : pack.definitions) {
    define->bind(1, d.kind);
    define->bind(2, d.code);
    define->bind(3, pack.info.code);
    define->bind(4, d.json);
    QPAN_RETURN_IF_ERROR(define->run());
  }
  return tx.commit();
}

Result<std::vector<PackDefinition>> SqliteCatalogueStore::pack_definitions(const std::string& kind) {
  auto stmt = db_.prepare("SELECT code, definition FROM pack_definition WHERE kind = ?1 ORDER BY code");
  if (!stmt) return stmt.status();
  stmt->bind(1, kind);
  std::vector<PackDefinition> out;
  while (stmt->step()) out.push_back({kind, std::string(stmt->column_text(0)), std::string(stmt->column_text(1))});
  QPAN_RETURN_IF_ERROR(stmt->status());
  return out;
}

Result<Catalogue> SqliteCatalogueStore::load_catalogue() {
  std::vector<Disaggregation> disaggregations;
  std::unordered_map<int64_t, std::string> dis_code;
  auto dis = db_.prepare("SELECT id, code, name_vi, name_en FROM disaggregation ORDER BY code");
  if (!dis) return dis.status();
  while (dis->step()) {
    Disaggregation d;
    d.id = dis->column_int(0);
    d.code = dis->column_text(1);
    d.name_vi = dis->column_text(2);
    d.name_en = dis->column_text(3);
    dis_code[d.id] = d.code;
    disaggregations.push_back(std::move(d));
  }
  QPAN_RETURN_IF_ERROR(dis->status());
  auto opt = db_.prepare(
      "SELECT id, disaggregation_id, code, name_vi, name_en FROM disaggregation_option "
      "ORDER BY disaggregation_id, sort_order");
  if (!opt) return opt.status();
  while (opt->step()) {
    DisaggregationOption o;
    o.id = opt->column_int(0);
    o.code = opt->column_text(2);
    o.name_vi = opt->column_text(3);
    o.name_en = opt->column_text(4);
    for (Disaggregation& d : disaggregations) {
      if (d.id == opt->column_int(1)) d.options.push_back(o);
    }
  }
  QPAN_RETURN_IF_ERROR(opt->status());
  std::vector<DataElement> elements;
  auto el = db_.prepare(
      "SELECT id, code, name_vi, name_en, value_type, aggregation, disaggregation_id, "
      "description, area FROM data_element ORDER BY code");
  if (!el) return el.status();
  while (el->step()) {
    DataElement e;
    e.id = el->column_int(0);
    e.code = el->column_text(1);
    e.name_vi = el->column_text(2);
    e.name_en = el->column_text(3);
    Result<ValueType> type = parse_value_type(el->column_text(4));
    Result<AggregationType> agg = parse_aggregation(el->column_text(5));
    if (!type || !agg) return Status::internal("corrupt data element row " + e.code);
    e.value_type = *type;
    e.aggregation = *agg;
    if (!el->column_is_null(6)) e.disaggregation = dis_code[el->column_int(6)];
    e.description = el->column_text(7);
    e.area = el->column_text(8);
    elements.push_back(std::move(e));
  }
  QPAN_RETURN_IF_ERROR(el->status());
  return Catalogue(std::move(disaggregations), std::move(elements));
}

// Adds or updates disaggregations and elements by code; `pack` marks the elements as a
// pack's (nullopt: imported on their own). Runs inside the caller's transaction.
Status SqliteCatalogueStore::upsert_catalogue(const Catalogue& catalogue, const std::optional<std::string>& pack) {
  auto upsert_dis = db_.prepare(
      "INSERT INTO disaggregation (code, name_vi, name_en) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en "
      "RETURNING id");
  auto upsert_option = db_.prepare(
      "INSERT INTO disaggregation_option (disaggregation_id, code, name_vi, name_en, sort_order) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (disaggregation_id, code) DO UPDATE SET "
      "name_vi = excluded.name_vi, name_en = excluded.name_en, sort_order = excluded.sort_order");
  auto upsert_element = db_.prepare(
      "INSERT INTO data_element (code, name_vi, name_en, value_type, aggregation, "
      "disaggregation_id, description, area, pack) VALUES (?1, ?2, ?3, ?4, ?5, "
      "(SELECT id FROM disaggregation WHERE code = ?6), ?7, ?8, ?9) "
      "ON CONFLICT (code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, "
      "value_type = excluded.value_type, aggregation = excluded.aggregation, "
      "disaggregation_id = excluded.disaggregation_id, description = excluded.description, "
      "area = excluded.area, pack = excluded.pack");
  for (auto* s : {&upsert_dis, &upsert_option, &upsert_element}) {
    if (!*s) return s->status();
  }
  for (const Disaggregation& d : catalogue.disaggregations()) {
    upsert_dis->bind(1, d.code);
    upsert_dis->bind(2, d.name_vi);
    upsert_dis->bind(3, d.name_en);
    if (!upsert_dis->step()) return db_.error("cannot save disaggregation " + d.code);
    int64_t id = upsert_dis->column_int(0);
    upsert_dis->reset();
    for (size_t i = 0; i < d.options.size(); ++i) {
      const DisaggregationOption& o = d.options[i];
      upsert_option->bind(1, id);
      upsert_option->bind(2, o.code);
      upsert_option->bind(3, o.name_vi);
      upsert_option->bind(4, o.name_en);
      upsert_option->bind(5, static_cast<int64_t>(i));
      QPAN_RETURN_IF_ERROR(upsert_option->run());
    }
  }
  for (const DataElement& e : catalogue.elements()) {
    upsert_element->bind(1, e.code);
    upsert_element->bind(2, e.name_vi);
    upsert_element->bind(3, e.name_en);
    upsert_element->bind(4, value_type_name(e.value_type));
    upsert_element->bind(5, aggregation_name(e.aggregation));
    if (e.disaggregation.empty()) {
      upsert_element->bind_null(6);
    } else {
      upsert_element->bind(6, e.disaggregation);
    }
    upsert_element->bind(7, e.description);
    upsert_element->bind(8, e.area);
    upsert_element->bind(9, pack);
    QPAN_RETURN_IF_ERROR(upsert_element->run());
  }
  return Status::ok();
}

}  // namespace qpan::sqlite
